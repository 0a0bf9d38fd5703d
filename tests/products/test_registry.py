"""The product registry: classes and high-end rules derived on save; all-or-nothing import;
the T18 share from registered products."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import enterprise
from tirebrain.core.errors import Rejected
from tirebrain.core.models import AuditEntry
from tirebrain.indicators.services import evaluate_targets, province_scope, records_behind
from tirebrain.products.models import Product
from tirebrain.products.services import ProductInput, import_products, save_product

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def firm(plan):
    return enterprise(1, "370500", lines=["semi_steel_radial", "all_steel_radial"])


def semi(firm, **extra) -> ProductInput:
    fields = dict(
        enterprise=firm.code,
        brand="示例",
        pattern="EcoA",
        size="205/55r16 91v",
        product_line="semi_steel_radial",
        rolling_resistance=Decimal("6.5"),
        wet_grip=Decimal("1.55"),
        noise_db=68,
    )
    return ProductInput(**(fields | extra))


def test_saving_derives_size_classes_and_high_end(firm):
    p = save_product("tests", semi(firm))
    assert (p.size, p.tyre_class, p.aspect_ratio, p.rim_diameter_in) == (
        "205/55 R16 91V",
        "C1",
        55,
        16.0,
    )
    assert (p.load_index, p.speed_symbol) == ("91", "V")
    # RRC 6.5 is the top of class A; G 1.55 the bottom of A; 68 dB = limit 71 − 3: A.
    assert (p.rr_class, p.wet_class, p.noise_class) == ("A", "A", "A")
    assert p.high_end_rules == ["semi_steel_high_performance"] and p.is_high_end
    assert p.high_end_gap == 0
    entry = AuditEntry.objects.get(object_type="product", action="create")
    assert entry.after["rr_class"] == "A"


def test_a_change_that_misses_a_threshold_drops_high_end(firm):
    save_product("tests", semi(firm))
    p = save_product("tests", semi(firm, rolling_resistance=Decimal("9.1")))
    assert Product.objects.count() == 1  # same enterprise, brand, pattern and size: one product
    assert (p.rr_class, p.is_high_end, p.high_end_rules) == ("D", False, [])
    assert p.high_end_gap == pytest.approx(100 * 0.1 / 9.0)  # RRC 9.1 misses 9.0 by 1.1 %
    entry = AuditEntry.objects.filter(object_type="product", action="update").get()
    assert (entry.before["rolling_resistance"], entry.after["rolling_resistance"]) == ("6.5", "9.1")


def test_truck_tyre_class_c3(firm):
    p = save_product(
        "tests",
        ProductInput(
            enterprise=firm.code,
            brand="示例",
            pattern="HS1",
            size="295/80R22.5 152/149M",
            product_line="all_steel_radial",
            rolling_resistance=Decimal("4.0"),
            wet_grip=Decimal("1.25"),
            wear_km_per_mm=20000,
        ),
    )
    assert (p.tyre_class, p.rr_class, p.wet_class) == ("C3", "A", "A")
    assert p.high_end_rules == ["all_steel_high_performance"]


def rows(firm, **changes):
    good = {
        "credit_code": firm.code,
        "brand": "示例",
        "pattern": "EcoA",
        "size": "205/55R16 91V",
        "product_line": "semi_steel_radial",
        "rolling_resistance": "6.5",
        "wet_grip": "1.55",
        "noise_db": "68",
        "snow": "否",
        "ice": "",
        "gtin": "4006381333931",
        "output_2024": "1000",
    }
    return [good, good | {"pattern": "EcoB", "gtin": ""} | changes]


def test_import_stores_products_and_outputs(firm):
    assert import_products("tests", rows(firm), source="p.xlsx") == 2
    p = Product.objects.get(pattern="EcoA")
    assert p.gtin == "04006381333931"
    assert list(p.outputs.values_list("year", "units")) == [(2024, 1000)]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"size": "205/55R16 91X"}, "size", "unknown speed symbol"),
        ({"product_line": "flying"}, "product_line", "unknown product line"),
        ({"wet_grip": "1.555"}, "wet_grip", "more than 2 decimals"),
        ({"gtin": "4006381333932"}, "gtin", "check digit"),
        ({"output_2024": "-5"}, "output_2024", "out of range"),
        ({"categories": "flying"}, "categories", "unknown category"),
    ],
)
def test_a_bad_row_refuses_the_whole_import(firm, changes, field, words):
    with pytest.raises(Rejected) as excinfo:
        import_products("tests", rows(firm, **changes), source="p.xlsx")
    [error] = excinfo.value.errors
    assert (error.row, error.field) == (3, field)
    assert words in error.reason
    assert not Product.objects.exists()  # the good first row was not stored either


def test_t18_from_the_registry(plan, firm):
    t18 = plan.targets.get(code="T18")
    t18.indicator = {"type": "product_share", "measure": "output", "multiplier": 100}
    t18.save()
    save_product("tests", semi(firm, outputs={2024: 3000}))  # high-end
    save_product(
        "tests",
        semi(firm, pattern="Basic", rolling_resistance=Decimal("10.0"), outputs={2024: 1000}),
    )
    result = {r.target.code: r for r in evaluate_targets(plan, province_scope(), 2024)}["T18"]
    assert result.value == pytest.approx(75.0)
    t18.indicator = {"type": "product_share", "measure": "count", "multiplier": 100}
    t18.save()
    result = {r.target.code: r for r in evaluate_targets(plan, province_scope(), 2024)}["T18"]
    assert result.value == pytest.approx(50.0)
    _values, _honours, products = records_behind(t18, province_scope(), 2024)
    assert sorted(o.units for o in products) == [1000, 3000]


def test_import_refuses_a_gtin_another_product_holds(firm):
    save_product("tests", semi(firm, pattern="Older", gtin="04006381333931"))
    with pytest.raises(Rejected) as excinfo:
        import_products("tests", rows(firm), source="p.xlsx")
    [error] = excinfo.value.errors
    assert (error.row, error.field, error.source) == (2, "gtin", "p.xlsx")
    assert list(Product.objects.values_list("pattern", flat=True)) == ["Older"]


def test_a_blank_output_cell_leaves_the_year_as_it_is(firm):
    import_products("tests", rows(firm), source="p.xlsx")
    import_products("tests", rows(firm, output_2024=""), source="p.xlsx")
    assert Product.objects.get(pattern="EcoB").outputs.get().units == 1000


def test_saving_a_given_product_changes_it_even_its_name(firm):
    p = save_product("tests", semi(firm, outputs={2024: 10, 2025: 20}))
    changed = save_product(
        "tests",
        semi(firm, pattern="EcoZ", size="195/65R15 91H", outputs={2025: None}),
        product=p,
    )
    assert changed.pk == p.pk and Product.objects.count() == 1
    assert (changed.pattern, changed.size, changed.aspect_ratio) == ("EcoZ", "195/65 R15 91H", 65)
    assert list(changed.outputs.values_list("year", "units")) == [(2024, 10)]
    # series 65 misses ≤ 55 by 10 / 55; RRC 6.5 and G 1.55 meet theirs
    assert not changed.is_high_end and changed.high_end_gap == pytest.approx(1000 / 55)
