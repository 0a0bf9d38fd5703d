"""Officers' product views: class distributions, high-end standing, near misses; scoped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tests.factories import enterprise, user
from tirebrain.core.i18n import localized
from tirebrain.orgs.models import Enterprise
from tirebrain.products import analysis
from tirebrain.products.models import Product
from tirebrain.products.services import ProductInput, current_thresholds, save_product


@pytest.fixture
def registry(plan):
    a, b = enterprise(1, "370500"), enterprise(2, "370200")
    _product(a, "high", "6.5", "1.55", 3000)  # A / A, high-end
    _product(a, "near", "9.3", "1.30", 1000)  # misses RRC 9.0 by 0.3 (within 5 %: 0.45)
    _product(b, "far", "10.6", "1.09", 1000)  # E / E, far from every threshold
    return a, b


def test_class_distribution_by_city(registry):
    rows = {r["code"]: r for r in analysis.class_distribution(Product.objects.all(), "rr_class")}
    assert (rows["370500"]["A"], rows["370500"]["D"], rows["370500"]["total"]) == (1, 1, 2)
    assert (rows["370200"]["E"], rows["370200"]["total"]) == (1, 1)


def test_class_distribution_names_its_groups_in_both_languages(registry):
    a, b = registry
    rows = list(analysis.class_distribution(Product.objects.all(), "wet_class", "enterprise"))
    assert [(r["code"], r["name_zh"], r["name_en"]) for r in rows] == [
        (a.code, "测试轮胎1有限公司", "Test Tyre 1"),  # by name: 测试轮胎1 before 测试轮胎2
        (b.code, "测试轮胎2有限公司", "Test Tyre 2"),
    ]
    with translation.override("en"):
        assert [localized(r) for r in rows] == ["Test Tyre 1", "Test Tyre 2"]


def panels(html: str) -> list[str]:
    """The analysis page's panels: rolling resistance, wet grip, the ranking, the near misses."""
    return html.split('<section class="panel">')[1:]


def test_the_english_analysis_page_names_cities_and_enterprises_in_english(client, registry):
    client.force_login(user("prov", "province"))
    for by, names in (("city", ["Dongying", "Qingdao"]), ("enterprise", ["Test Tyre 1"])):
        html = client.get("/products/analysis/", {"by": by}, HTTP_ACCEPT_LANGUAGE="en")
        rr, wet, ranking, _near = panels(html.content.decode())
        for panel in (rr, wet):
            assert all(n in panel for n in names), by
            assert "东营" not in panel and "测试轮胎" not in panel, by
        assert "Test Tyre 1" in ranking and "测试轮胎" not in ranking


def test_the_class_distribution_by_enterprise_is_paged(client, plan):
    for n in range(1, 28):
        _product(enterprise(n, "370500", name=f"测试轮胎{n:02d}有限公司"), "p", "6.5", "1.55", 100)
    client.force_login(user("prov", "province"))
    rr, wet, _ranking, _near = panels(
        client.get("/products/analysis/", {"by": "enterprise"}).content.decode()
    )
    for panel, param in ((rr, "rrpage"), (wet, "wetpage")):
        assert panel.count("<tr>") == 1 + 25  # the head and 25 enterprises
        assert "测试轮胎25有限公司" in panel and "测试轮胎26有限公司" not in panel
        assert f"{param}=2" in panel
    rr, wet, _ranking, _near = panels(
        client.get("/products/analysis/", {"by": "enterprise", "rrpage": 2}).content.decode()
    )
    assert "测试轮胎26有限公司" in rr and "测试轮胎27有限公司" in rr
    assert "测试轮胎01有限公司" not in rr
    assert "测试轮胎01有限公司" in wet  # each table has its own pages


def _product(ent, pattern, rr, wet, units):
    return save_product(
        "tests",
        ProductInput(
            enterprise=ent.code,
            brand="B",
            pattern=pattern,
            size="205/55R16 91V",
            product_line="semi_steel_radial",
            rolling_resistance=Decimal(rr),
            wet_grip=Decimal(wet),
            outputs={2024: units},
        ),
    )


def test_enterprises_ranked_closest_to_high_end_first(registry):
    a, b = registry
    # a: "high" 0 and "near" 0.3 / 9.0 = 3.333 % -> 1.667 %;
    # b: "far" RRC 1.6 / 9.0 = 17.778 % + G 0.16 / 1.25 = 12.8 % -> 30.578 %
    standing = list(analysis.enterprise_standing(Product.objects.all(), 2024))
    assert [s["code"] for s in standing] == [a.code, b.code]
    assert standing[0]["gap"] == pytest.approx((0 + 30 / 9) / 2)
    assert standing[1]["gap"] == pytest.approx(160 / 9 + 12.8)
    assert (standing[0]["products"], standing[0]["high_end"]) == (2, 1)
    assert standing[0]["share_output"] == pytest.approx(75.0)
    assert standing[0]["share_count"] == pytest.approx(50.0)
    assert (standing[1]["share_output"], standing[1]["share_count"]) == (0, 0)


def test_enterprises_ranked_by_share_largest_first(registry):
    a, b = registry
    for rank in ("output", "count"):
        standing = analysis.enterprise_standing(Product.objects.all(), 2024, rank)
        assert [s["code"] for s in standing] == [a.code, b.code], rank
    without_output = list(analysis.enterprise_standing(Product.objects.all(), 2023, "output"))
    assert [s["share_output"] for s in without_output] == [None, None]
    assert [s["share_count"] for s in without_output] == [50, 0]


def test_ties_in_the_ranking_go_by_name_in_the_active_language(plan):
    # Two enterprises of high-end products only (distance 0, shares 100 %): a tie in every
    # ranking. Their Chinese names go in the opposite order of their credit codes, their
    # English names in the opposite order of their Chinese names.
    first = enterprise(8, "370500", name="轮胎B有限公司")
    second = enterprise(9, "370500", name="轮胎A有限公司")
    Enterprise.objects.filter(pk=first.pk).update(name_en="Alpha Tyre")
    Enterprise.objects.filter(pk=second.pk).update(name_en="Beta Tyre")
    assert first.code < second.code
    for ent in (first, second):
        _product(ent, "high", "6.5", "1.55", 100)
    for rank in analysis.RANKINGS:
        standing = analysis.enterprise_standing(Product.objects.all(), 2024, rank)
        assert [s["code"] for s in standing] == [second.code, first.code], rank
        with translation.override("en"):
            standing = analysis.enterprise_standing(Product.objects.all(), 2024, rank)
            assert [s["code"] for s in standing] == [first.code, second.code], rank


def test_near_misses(registry):
    near = analysis.near_misses(Product.objects.all(), current_thresholds())
    assert [(m.product.pattern, m.field) for m in near] == [("near", "rolling_resistance")]
    assert near[0].miss == pytest.approx(0.3)
    assert near[0].relative == pytest.approx(100 * 0.3 / 9.0)


def test_near_misses_show_the_miss_they_are_ordered_by(client, registry):
    client.force_login(user("prov", "province"))
    near = panels(client.get("/products/analysis/").content.decode())[3]
    assert "EcoA" not in near and "B near" in near
    assert '0.30 <span class="muted nowrap">(3.3 %)</span>' in near


def test_analysis_page_is_scoped(client, registry):
    client.force_login(user("qd", "city", "370200"))
    html = client.get("/products/analysis/").content.decode()
    assert registry[1].name_zh in html and registry[0].name_zh not in html


def test_analysis_page_ranks_by_distance_closest_first(client, registry):
    client.force_login(user("prov", "province"))
    a, b = registry
    for params in ({}, {"rank": "gap"}):
        ranking = panels(client.get("/products/analysis/", params).content.decode())[2]
        assert ranking.index(a.name_zh) < ranking.index(b.name_zh)
        assert ranking.index("1.7 %") < ranking.index("30.6 %")
