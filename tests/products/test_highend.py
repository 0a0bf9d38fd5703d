"""The plan's high-end rules on products, with the plan file's own thresholds."""

from __future__ import annotations

import pytest
import yaml
from django.conf import settings

from tirebrain.products.highend import classify, high_end_codes


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
