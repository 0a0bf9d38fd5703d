"""Every indicator formula type on a small world whose figures are computed by hand.

The world, 2024 (2023 in brackets where used):
  A  Dongying (North cluster), above-scale: revenue 20e9 (18e9), R&D 0.6e9, capacity 800,
     digital R&D tools 1, all-steel 1000 t using 236,500 kgce, carbon 2.0e6 t (2.0e6 t),
     global rank 9, high-end 300 of 1000 tyres;
     honours: tech innovation demo (national, 2024), tech centre national 2019 + provincial 2015.
  B  Qingdao (Peninsula), above-scale: revenue 5e9 (5e9), R&D 0.1e9, capacity 100, digital 0,
     semi-steel 500 t using 153,000 kgce, carbon 0.5e6 t (0.6e6 t), rank 50, high-end 100 of 500;
     honours: tech centre provincial 2022.
  C  Jinan (no cluster), not above-scale: revenue 0.1e9, R&D 1e6, capacity 100, digital 1,
     rank 300; honours: 专精特新 provincial 2021, 小巨人 national 2023.
"""

from __future__ import annotations

import pytest

from tests.factories import enterprise, values
from tirebrain.indicators.services import (
    city_scope,
    cluster_scope,
    enterprise_scope,
    evaluate_children,
    evaluate_targets,
    province_scope,
    records_behind,
)
from tirebrain.orgs.models import Cluster, Organisation


@pytest.fixture
def world(plan):
    a = enterprise(
        1,
        "370500",
        honours=[
            ("tech_innovation_demo", "national", 2024),
            ("tech_centre", "national", 2019),
            ("tech_centre", "provincial", 2015),
        ],
        lines=["all_steel_radial"],
    )
    b = enterprise(2, "370200", honours=[("tech_centre", "provincial", 2022)])
    c = enterprise(
        3,
        "370100",
        above_scale=False,
        honours=[("zhuanjingtexin", "provincial", 2021), ("little_giant", "national", 2023)],
    )
    values(
        a,
        "2024",
        revenue=20e9,
        rd_spend=0.6e9,
        capacity_tyres=800,
        digital_rd_tools=1,
        output_all_steel_t=1000,
        energy_all_steel_kgce=236_500,
        carbon_emissions_t=2.0e6,
        global_rank=9,
        output_high_end_tyres=300,
        output_tyres=1000,
    )
    values(
        b,
        "2024",
        revenue=5e9,
        rd_spend=0.1e9,
        capacity_tyres=100,
        digital_rd_tools=0,
        output_semi_steel_t=500,
        energy_semi_steel_kgce=153_000,
        carbon_emissions_t=0.5e6,
        global_rank=50,
        output_high_end_tyres=100,
        output_tyres=500,
    )
    values(
        c,
        "2024",
        revenue=0.1e9,
        rd_spend=1e6,
        capacity_tyres=100,
        digital_rd_tools=1,
        global_rank=300,
    )
    values(a, "2023", revenue=18e9, carbon_emissions_t=2.0e6)
    values(b, "2023", revenue=5e9, carbon_emissions_t=0.6e6)
    return {"a": a, "b": b, "c": c, "plan": plan}


def by_code(results):
    return {r.target.code: r for r in results}


def test_province_figures(world):
    r = by_code(evaluate_targets(world["plan"], province_scope(), 2024))
    assert r["T1"].value == pytest.approx(0.7e9 / 25e9 * 100)  # ratio, above-scale only: 2.8 %
    assert r["T2"].value == 1  # honour since 2024
    assert r["T3"].value == 2  # distinct enterprises with a national or provincial centre
    assert r["T4"].value == pytest.approx(50.0)  # mean of A=1, B=0 (C is not above-scale)
    assert r["T7"].value == pytest.approx(306 / 255 * 100)  # worst line: semi-steel 120 %
    assert [round(v, 6) for _p, v in r["T7"].parts] == [
        round(236.5 / 215 * 100, 6),
        round(306 / 255 * 100, 6),
    ]
    assert r["T8"].value == pytest.approx(2.5e6 / 25.1e9 * 1e4)  # t CO2 per 10,000 CNY
    assert r["T10"].value == pytest.approx(25.1e9)
    assert r["T11"].value == 1  # revenue ≥ 10 billion
    assert r["T12"].value == 1  # global rank ≤ 10
    assert r["T13"].value == pytest.approx(900 / 1000 * 100)  # capacity in the two clusters
    assert r["T14"].value == pytest.approx(5e9)  # Peninsula revenue
    assert r["T15"].value == pytest.approx(20e9)  # North revenue
    assert r["T16"].value == 1  # C holds both honours: counted once
    assert r["T17"].value == 0  # nobody is a chain leader
    # T18 comes from the product registry (tests/products/test_registry.py); none here.
    assert r["T18"].value is None


def test_honour_counts_follow_the_year_awarded(world):
    r = by_code(evaluate_targets(world["plan"], province_scope(), 2023))
    assert r["T2"].value == 0  # awarded in 2024
    assert r["T3"].value == 2
    assert r["T16"].value == 1  # 专精特新 since 2021


def test_trend_target_compares_with_previous_year(world):
    r = by_code(evaluate_targets(world["plan"], province_scope(), 2024))
    # 2023: 2.6e6 t / 23e9 CNY; 2024: 2.5e6 / 25.1e9 → the intensity fell: on track.
    assert r["T8"].previous == pytest.approx(2.6e6 / 23e9 * 1e4)
    assert r["T8"].status == "on_track"


def test_city_cluster_and_enterprise_scopes(world):
    dongying = Organisation.objects.get(code="370500")
    r = by_code(evaluate_targets(world["plan"], city_scope(dongying), 2024))
    assert r["T1"].value == pytest.approx(3.0)
    assert r["T10"].value == pytest.approx(20e9)
    assert r["T10"].status == "not_applicable"  # extensive targets are set for the province
    assert r["T1"].status != "not_applicable"  # intensive ones compare at every level
    peninsula = by_code(
        evaluate_targets(world["plan"], cluster_scope(Cluster.objects.get(code="peninsula")), 2024)
    )
    assert peninsula["T14"].value == pytest.approx(5e9)
    assert peninsula["T14"].status != "not_applicable"
    assert peninsula["T15"].value is None  # the North cluster's revenue has no part here
    c = by_code(evaluate_targets(world["plan"], enterprise_scope(world["c"]), 2024))
    assert c["T1"].value is None  # C is not above-scale
    assert c["T10"].value == pytest.approx(0.1e9)
    assert c["T16"].value == 1


def test_children_add_up_to_the_province(world):
    version = world["plan"]
    t10 = version.targets.get(code="T10")
    cities = [city_scope(c) for c in Organisation.objects.cities()]
    rows = evaluate_children(version, t10, cities, 2024)
    assert sum(r.value or 0 for r in rows) == pytest.approx(25.1e9)
    assert {r.scope.code: r.value for r in rows if r.value}["370200"] == pytest.approx(5e9)


def test_records_behind_a_figure(world):
    t1 = world["plan"].targets.get(code="T1")
    vals, honours, products = records_behind(t1, province_scope(), 2024)
    # R&D and revenue of the two above-scale enterprises: C's values are not behind T1.
    assert sorted((v.org.code, v.element.code) for v in vals) == sorted(
        (e.code, el) for e in (world["a"], world["b"]) for el in ("rd_spend", "revenue")
    )
    assert not honours.exists()
    assert not products.exists()
    t3 = world["plan"].targets.get(code="T3")
    _vals, honours, _products = records_behind(t3, province_scope(), 2024)
    assert honours.count() == 3


def test_no_data_is_not_zero(plan):
    r = by_code(evaluate_targets(plan, province_scope(), 2024))
    assert r["T10"].value is None
    assert r["T10"].status == "no_data"
    assert r["T11"].value is None  # nobody reported revenue: no data, not "0 enterprises"
