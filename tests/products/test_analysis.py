"""Officers' product views: class distributions, high-end standing, near misses; scoped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import enterprise, user
from tirebrain.products import analysis
from tirebrain.products.models import Product
from tirebrain.products.services import ProductInput, current_thresholds, save_product


@pytest.fixture
def registry(plan):
    a, b = enterprise(1, "370500"), enterprise(2, "370200")

    def make(ent, pattern, rr, wet, units):
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

    make(a, "high", "6.5", "1.55", 3000)  # A / A, high-end
    make(a, "near", "9.3", "1.30", 1000)  # misses RRC 9.0 by 0.3 (within 5 %: 0.45)
    make(b, "far", "10.6", "1.09", 1000)  # E / E, far from every threshold
    return a, b


def test_class_distribution_by_city(registry):
    rows = {
        r["enterprise__city__code"]: r
        for r in analysis.class_distribution(
            Product.objects.all(), "rr_class", "enterprise__city__code"
        )
    }
    assert (rows["370500"]["A"], rows["370500"]["D"], rows["370500"]["total"]) == (1, 1, 2)
    assert (rows["370200"]["E"], rows["370200"]["total"]) == (1, 1)


def test_enterprise_standing_lowest_share_first(registry):
    a, b = registry
    standing = analysis.enterprise_standing(Product.objects.all(), 2024)
    assert [s["code"] for s in standing] == [b.code, a.code]
    assert standing[1]["share_output"] == pytest.approx(75.0)
    assert standing[1]["share_count"] == pytest.approx(50.0)


def test_enterprises_ranked_by_average_distance_from_high_end(registry):
    a, b = registry
    # a: "high" 0 and "near" 0.3 / 9.0 = 3.333 % -> 1.667 %;
    # b: "far" RRC 1.6 / 9.0 = 17.778 % + G 0.16 / 1.25 = 12.8 % -> 30.578 %
    standing = analysis.enterprise_standing(Product.objects.all(), 2024, "gap")
    assert [s["code"] for s in standing] == [b.code, a.code]
    assert standing[0]["gap"] == pytest.approx(160 / 9 + 12.8)
    assert standing[1]["gap"] == pytest.approx((0 + 30 / 9) / 2)
    by_count = analysis.enterprise_standing(Product.objects.all(), 2024, "count")
    assert [s["share_count"] for s in by_count] == [0, 50]


def test_near_misses(registry):
    near = analysis.near_misses(Product.objects.all(), current_thresholds())
    assert [(m.product.pattern, m.field) for m in near] == [("near", "rolling_resistance")]
    assert near[0].miss == pytest.approx(0.3)


def test_analysis_page_is_scoped(client, registry):
    client.force_login(user("qd", "city", "370200"))
    html = client.get("/products/analysis/").content.decode()
    assert registry[1].name_zh in html and registry[0].name_zh not in html


def test_analysis_page_ranks_by_distance(client, registry):
    client.force_login(user("prov", "province"))
    html = client.get("/products/analysis/?rank=gap").content.decode()
    a, b = registry
    assert html.index(b.name_zh) < html.index(a.name_zh)
    assert "30.6 %" in html and "1.7 %" in html
