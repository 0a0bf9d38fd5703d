"""The demo data generator: deterministic, complete, clearly fictional, and a mix of statuses."""

from __future__ import annotations

import io
import itertools
import random
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from tirebrain.datavalues.models import DataElement, DataValue, ValueRollup
from tirebrain.demo.generator import (
    ELEMENTS,
    EXCLUDED_TRADE_NAMES,
    TRADE_NAMES,
    DemoDataError,
    generate,
)
from tirebrain.demo.products import REAL_BRANDS, brand_names, product_budget
from tirebrain.indicators.services import evaluate_targets, province_scope
from tirebrain.orgs.creditcode import validate_credit_code
from tirebrain.orgs.models import Enterprise, Honour, Organisation
from tirebrain.plan.models import PlanVersion
from tirebrain.products.gtin import normalise_gtin
from tirebrain.products.models import Product, ProductOutput
from tirebrain.products.services import product_label_scope
from tirebrain.products.sizes import parse_size

YEARS = range(2021, 2026)


def snapshot() -> tuple[list, list, list, list]:
    enterprises = list(
        Enterprise.objects.filter(is_demo=True)
        .order_by("code")
        .values_list(
            "code",
            "name_zh",
            "name_en",
            "city__code",
            "above_scale",
            "capacity_tyres",
            "founded_year",
        )
    )
    values = sorted(
        DataValue.objects.filter(org__enterprise__is_demo=True).values_list(
            "element__code", "period_id", "org__code", "value"
        )
    )
    honours = sorted(
        Honour.objects.filter(enterprise__is_demo=True).values_list(
            "enterprise__code", "honour_type__code", "level", "year"
        )
    )
    products = sorted(
        ProductOutput.objects.filter(product__is_demo=True).values_list(
            "product__enterprise__code",
            "product__brand",
            "product__pattern",
            "product__size",
            "product__rolling_resistance",
            "product__wet_grip",
            "product__gtin",
            "year",
            "units",
        )
    )
    return enterprises, values, honours, products


def test_same_seed_gives_the_same_data(plan):
    generate("tests", enterprises=20, seed=7)
    first = snapshot()
    generate("tests", enterprises=20, seed=7, reset=True)
    second = snapshot()
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert first[2] == second[2]
    assert first[3] == second[3]
    assert first[2], "some honours"
    assert first[3], "some products"


def test_a_different_seed_gives_different_data(plan):
    generate("tests", enterprises=20, seed=7)
    first = snapshot()
    generate("tests", enterprises=20, seed=8, reset=True)
    second = snapshot()
    assert {e[0] for e in first[0]} != {e[0] for e in second[0]}
    assert [v[3] for v in first[1]] != [v[3] for v in second[1]]


def test_counts_codes_and_demo_marks(plan):
    summary = generate("tests", enterprises=20, seed=7)
    assert (summary.enterprises, summary.values) == (20, 20 * len(YEARS) * 20)
    assert summary.honours == Honour.objects.count()
    assert len(ELEMENTS) == 20
    assert set(ELEMENTS) == set(DataElement.objects.values_list("code", flat=True))
    enterprises = list(Enterprise.objects.select_related("city"))
    assert len(enterprises) == 20
    cities = set(Organisation.objects.cities().values_list("code", flat=True))
    for ent in enterprises:
        assert ent.is_demo
        assert ent.city.code in cities
        assert ent.parent_id == ent.city_id
        assert validate_credit_code(ent.code) == ent.code
        assert ent.code[2:4] == "37" and ent.code[2:6] == ent.city.code[:4]
        assert ent.name_zh.endswith("（示例）")
        assert ent.name_en.endswith("(demo)")
        assert not any(real in ent.name_zh for real in EXCLUDED_TRADE_NAMES)
        assert ent.product_lines.exists()
    assert len({e.name_zh for e in enterprises}) == 20
    assert DataValue.objects.count() == 20 * len(YEARS) * 20
    for element in ELEMENTS:
        for year in YEARS:
            assert (
                DataValue.objects.filter(element__code=element, period_id=str(year)).count() == 20
            )
    assert ValueRollup.objects.exists()


def test_trade_names_are_invented():
    for zh, pinyin in TRADE_NAMES:
        assert len(zh) == 2 and pinyin.isalpha()
        assert not any(real in zh or zh in real for real in EXCLUDED_TRADE_NAMES)
    assert len({zh for zh, _p in TRADE_NAMES}) == len(TRADE_NAMES)


def test_refuses_twice_without_reset_and_reset_replaces(plan):
    generate("tests", enterprises=5, seed=1)
    with pytest.raises(DemoDataError, match="already exist"):
        generate("tests", enterprises=5, seed=1)
    generate("tests", enterprises=8, seed=1, reset=True)
    assert Enterprise.objects.filter(is_demo=True).count() == 8
    assert DataValue.objects.count() == 8 * len(YEARS) * 20
    assert Product.objects.count() == Product.objects.filter(enterprise__is_demo=True).count()
    assert not Product.objects.exclude(enterprise__in=Enterprise.objects.all()).exists()


def test_needs_reference_data_and_plan(db):
    with pytest.raises(DemoDataError, match="Reference data is not loaded"):
        generate("tests", enterprises=5)


def test_needs_a_plan(reference):
    with pytest.raises(DemoDataError, match="No plan is loaded"):
        generate("tests", enterprises=5)


def test_progress_is_reported(plan):
    calls = []
    generate("tests", enterprises=10, seed=3, progress=lambda *a: calls.append(a))
    stages = [c[0] for c in calls]
    assert "enterprises" in stages and "values" in stages
    assert ("enterprises", 10, 10) in calls
    assert ("values", 1000, 1000) in calls
    assert ("products", Product.objects.count(), Product.objects.count()) in calls


def test_command_loads_what_it_needs_and_prints_one_summary_line(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_data", "--enterprises", "12", "--seed", "5", stdout=out, stderr=err)
    assert PlanVersion.objects.exists()
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Demo data: 12 enterprises, ")
    assert "1,200 values" in lines[0] and lines[0].endswith("(seed 5).")
    assert f"{Product.objects.count():,} products" in lines[0]
    with pytest.raises(CommandError, match="already exist"):
        call_command("demo_data", "--enterprises", "12", stdout=out, stderr=err)
    call_command("demo_data", "--enterprises", "3", "--reset", stdout=out, stderr=err)
    assert Enterprise.objects.filter(is_demo=True).count() == 3


def test_demo_products_are_consistent_with_the_reported_figures(plan):
    generate("tests", enterprises=20, seed=7)
    products = list(Product.objects.select_related("enterprise", "product_line"))
    assert len(products) >= 20 * 3
    classed = 0
    for p in products:
        assert p.is_demo and p.enterprise.is_demo
        size = parse_size(p.size)
        assert size.text == p.size
        assert (size.tyre_class or "") == p.tyre_class
        assert p.product_line in p.enterprise.product_lines.all()
        assert not any(real in p.brand.lower() for real in REAL_BRANDS)
        assert p.test_report.startswith("TR-DEMO-")
        if p.tyre_class and product_label_scope(p).in_scope:
            classed += 1
            assert p.rr_class and p.wet_class and p.noise_class, p
            assert 67 <= p.noise_db <= 74
        else:  # no tyre class, or outside the label (2020/740 Art. 2): no classes
            assert (p.rr_class, p.wet_class, p.noise_class) == ("", "", ""), p
    assert classed > len(products) / 2
    gtins = [p.gtin for p in products if p.gtin]
    assert len(gtins) == len(set(gtins)) > 0.8 * len(products)
    assert all(normalise_gtin(g) == g and g.startswith("0020") for g in gtins)
    # the registry adds up to the reported output, in total and for high-end products
    made, high = defaultdict(int), defaultdict(int)
    for code, year, units, high_end in ProductOutput.objects.values_list(
        "product__enterprise__code", "year", "units", "product__is_high_end"
    ):
        made[code, year] += units
        if high_end:
            high[code, year] += units
    for element, registry in (("output_tyres", made), ("output_high_end_tyres", high)):
        reported = {
            (code, int(year)): int(value)
            for code, year, value in DataValue.objects.filter(element__code=element).values_list(
                "org__code", "period_id", "value"
            )
        }
        assert len(reported) == 20 * len(YEARS)
        assert all(registry[cell] == value for cell, value in reported.items()), element
    assert sum(made.values()) > 0


def test_invented_brands_and_the_product_budget():
    names = brand_names(random.Random(1), 2000)
    assert len(set(names)) == 2000
    assert not any(real in n.lower() for n in names for real in REAL_BRANDS)
    assert product_budget(20) == 400 and product_budget(150) == 3000
    assert 25_000 <= product_budget(10_000) <= 30_000


def test_default_data_set_shows_a_mix_of_statuses(plan):
    summary = generate("tests")  # 150 enterprises, seed 2024
    assert summary.values == 150 * 5 * 20
    results = {r.target.code: r for r in evaluate_targets(plan, province_scope(), 2025)}
    statuses = {code: r.status for code, r in results.items()}
    # Statuses in 2025 at N = 150, seed 2024 (baseline 2023 from the data):
    #   on track:  T2 (1 new demonstration enterprise), T4 (90.2 % vs line 88.4), T6 (16 vs 15),
    #              T7 (105 % of benchmark vs line 106), T8 (intensity falls), T12 (1 in top 10),
    #              T13 (77.5 % vs line 77), T16 (36 vs 34), T17 (3 vs 3), T18 (high-end share of
    #              the product registry's output 27.5 % → 30.0 %)
    #   at risk:   T1 (2.60 % vs line 2.65), T3 (24 vs 24.5), T10 (1600 亿 vs 1625),
    #              T14 (545 亿 vs 550)
    #   off track: T5 (92.0 % vs line 94.1), T9 (14 vs 16), T11 (4 vs 4.5), T15 (690 亿 vs 720)
    assert statuses == {
        "T1": "at_risk",
        "T2": "on_track",
        "T3": "at_risk",
        "T4": "on_track",
        "T5": "off_track",
        "T6": "on_track",
        "T7": "on_track",
        "T8": "on_track",
        "T9": "off_track",
        "T10": "at_risk",
        "T11": "off_track",
        "T12": "on_track",
        "T13": "on_track",
        "T14": "at_risk",
        "T15": "off_track",
        "T16": "on_track",
        "T17": "on_track",
        "T18": "on_track",
    }
    assert {"on_track", "at_risk", "off_track"} <= set(statuses.values())
    assert 1.3e11 <= results["T10"].value <= 1.9e11
    assert results["T10"].series[2023] == pytest.approx(1.45e11, rel=0.01)
    assert results["T12"].series[2023] == 0 and results["T12"].value == 1
    assert results["T11"].series[2023] == 3
    # T18 from the product registry: about 3,000 products, the share of high-end output rising
    # from about 20 % to 30 %
    assert 2_700 <= Product.objects.count() <= 3_300
    assert results["T18"].target.indicator["type"] == "product_share"
    t18 = [results["T18"].series[y] for y in YEARS]
    assert all(a < b for a, b in itertools.pairwise(t18)), t18
    assert t18[0] == pytest.approx(20, abs=1) and t18[-1] == pytest.approx(30, abs=1)
    rules = [r for rs in Product.objects.values_list("high_end_rules", flat=True) for r in rs]
    for rule in ("semi_steel_high_performance", "all_steel_high_performance"):
        assert rules.count(rule) >= 10, rule
    high = Product.objects.filter(is_high_end=True).count()
    assert 0.1 * Product.objects.count() < high < 0.4 * Product.objects.count()
    total = ProductOutput.objects.filter(year=2025).aggregate(n=Sum("units"))["n"]
    reported = DataValue.objects.filter(element__code="output_tyres", period_id="2025")
    assert total == reported.aggregate(n=Sum("value"))["n"]
