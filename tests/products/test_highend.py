"""The plan's high-end rules on products, with the plan file's own thresholds."""

from __future__ import annotations

import pytest
import yaml
from django.conf import settings

from tirebrain.products.highend import classify, high_end_codes, high_end_gap


@pytest.fixture(scope="module")
def thresholds():
    plan = yaml.safe_load(settings.PLAN_FILE.read_text(encoding="utf-8"))
    return plan["thresholds"]


def semi(**facts):
    return {"product_line": "semi_steel_radial", "categories": [], **facts}


def by_code(results):
    return {r.code: r for r in results}


def test_semi_steel_on_every_limit_is_high_end(thresholds):
    results = classify(semi(aspect_ratio=55, rolling_resistance=9.0, wet_grip=1.25), thresholds)
    assert high_end_codes(results) == ["semi_steel_high_performance"]


@pytest.mark.parametrize(
    ("facts", "field", "miss"),
    [
        ({"aspect_ratio": 60, "rolling_resistance": 8.0, "wet_grip": 1.4}, "aspect_ratio", 5),
        (
            {"aspect_ratio": 45, "rolling_resistance": 9.1, "wet_grip": 1.4},
            "rolling_resistance",
            0.1,
        ),
        ({"aspect_ratio": 45, "rolling_resistance": 8.0, "wet_grip": 1.24}, "wet_grip", 0.01),
    ],
)
def test_semi_steel_just_outside_one_limit_says_by_how_much(thresholds, facts, field, miss):
    result = by_code(classify(semi(**facts), thresholds))["semi_steel_high_performance"]
    assert not result.met
    failed = [c for c in result.checks if c.met is False]
    assert [c.field for c in failed] == [field]
    assert failed[0].miss == pytest.approx(miss)


def test_all_steel_needs_wear_mileage(thresholds):
    facts = {
        "product_line": "all_steel_radial",
        "categories": [],
        "rolling_resistance": 4.0,
        "wet_grip": 1.25,
    }
    result = by_code(classify(facts, thresholds))["all_steel_high_performance"]
    assert not result.met
    assert result.missing == ["wear_km_per_mm"]  # undecided, not failed
    facts["wear_km_per_mm"] = 20000
    assert high_end_codes(classify(facts, thresholds)) == ["all_steel_high_performance"]


def test_a_rule_for_another_line_does_not_apply(thresholds):
    facts = {
        "product_line": "all_steel_radial",
        "categories": [],
        "aspect_ratio": 45,
        "rolling_resistance": 3.0,
        "wet_grip": 1.5,
    }
    semi_rule = by_code(classify(facts, thresholds))["semi_steel_high_performance"]
    assert not semi_rule.applies and not semi_rule.met


def test_special_categories(thresholds):
    facts = semi(
        aspect_ratio=65, rolling_resistance=10.0, wet_grip=1.1, categories=["self_sealing"]
    )
    assert high_end_codes(classify(facts, thresholds)) == ["self_sealing"]
    otr = {"product_line": "otr", "categories": [], "rim_diameter_in": 49}
    assert high_end_codes(classify(otr, thresholds)) == ["giant_otr_radial"]
    small_otr = {"product_line": "otr", "categories": [], "rim_diameter_in": 45}
    assert high_end_codes(classify(small_otr, thresholds)) == []


@pytest.mark.parametrize(
    ("facts", "gap"),
    [
        # high-end: no distance
        (semi(aspect_ratio=55, rolling_resistance=9.0, wet_grip=1.25), 0.0),
        # RRC misses 9.0 by 0.45: 0.45 / 9.0 = 5 %
        (semi(aspect_ratio=55, rolling_resistance=9.45, wet_grip=1.25), 5.0),
        # series 60: 5 / 55 = 9.0909 %; RRC 9.9: 0.9 / 9 = 10 %; G 1.0: 0.25 / 1.25 = 20 %
        (semi(aspect_ratio=60, rolling_resistance=9.9, wet_grip=1.0), 500 / 55 + 10 + 20),
        # a miss counts at most 100 %: RRC 27 misses by 18 / 9 = 200 %
        (semi(aspect_ratio=45, rolling_resistance=27.0, wet_grip=1.3), 100.0),
        # no wet-grip value: as far off as a rule can be
        (semi(aspect_ratio=50, rolling_resistance=8.0), 100.0),
        # all-steel: RRC 4.2 misses 4.0 by 5 %, wear 18,000 misses 20,000 by 10 %
        (
            {
                "product_line": "all_steel_radial",
                "categories": [],
                "rolling_resistance": 4.2,
                "wear_km_per_mm": 18000,
                "wet_grip": 1.25,
            },
            15.0,
        ),
        # an OTR tyre on a 45-inch rim: 4 / 49 short of the giant-OTR rule
        ({"product_line": "otr", "categories": [], "rim_diameter_in": 45}, 400 / 49),
        # an aircraft tyre without the category: every threshold for it is a missed category
        ({"product_line": "aviation", "categories": []}, 100.0),
        # a category met makes it high-end whatever the values
        (semi(aspect_ratio=65, rolling_resistance=12.0, categories=["self_sealing"]), 0.0),
    ],
)
def test_distance_from_high_end_is_the_nearest_thresholds_summed_shortfall(thresholds, facts, gap):
    assert high_end_gap(classify(facts, thresholds)) == pytest.approx(gap)


def test_no_distance_without_a_threshold_for_the_line():
    assert high_end_gap(classify(semi(aspect_ratio=55), [])) is None
