"""Storing reported values: validation of every row at once, idempotency, the roll-up table."""

from __future__ import annotations

import decimal
from collections import defaultdict

import pytest
from django.db.models import Count, Sum

from tests.factories import enterprise
from tirebrain.core.errors import Rejected
from tirebrain.core.models import AuditAction, AuditEntry
from tirebrain.datavalues.models import DataValue, Period, ValueRollup
from tirebrain.datavalues.services import (
    StoreResult,
    ValueInput,
    load_new_values,
    refresh_rollups,
    store_values,
)
from tirebrain.orgs.models import Organisation
from tirebrain.orgs.services import (
    EnterpriseInput,
    delete_enterprise,
    enterprise_snapshot,
    save_enterprise,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def ents(reference):
    """Four enterprises: two cities, each with one above-scale and one smaller enterprise."""
    return {
        "a": enterprise(1, "370500", above_scale=True),
        "b": enterprise(2, "370500", above_scale=False),
        "c": enterprise(3, "370200", above_scale=True),
        "d": enterprise(4, "370200", above_scale=False),
    }


def store(*rows: tuple[str, str, str, object], **kwargs) -> StoreResult:
    return store_values("tests", [ValueInput(*r) for r in rows], **kwargs)


# --- validation ----------------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_stored(ents):
    a = ents["a"].code
    periods_before = set(Period.objects.values_list("code", flat=True))
    audit_before = AuditEntry.objects.count()
    rows = [
        ("revenue", "2024", a, "1000"),  # row 2: good
        ("revenu", "2024", a, "1000"),  # row 3: unknown element
        ("revenue", "2024", "91370500NOSUCHORG1", "1000"),  # row 4: unknown organisation
        ("revenue", "2024Q5", a, "1000"),  # row 5: no such period
        ("revenue", "2023", a, "a lot"),  # row 6: not a number
        ("output_tyres", "2024", a, "1.5"),  # row 7: integer element
        ("revenue", "2022", a, "-1"),  # row 8: below the minimum 0
        ("digital_rd_tools", "2024", a, "maybe"),  # row 9: not yes/no
        ("rd_spend", "2024", a, "NaN"),  # row 10: not a finite number
        ("profit", "2024", a, "-5"),  # row 11: good: profit may be negative
    ]
    with pytest.raises(Rejected) as exc:
        store(*rows, source="values.csv", first_row=2)

    errors = {(e.row, e.field): e.reason for e in exc.value.errors}
    assert set(errors) == {
        (3, "element"),
        (4, "org"),
        (5, "period"),
        (6, "value"),
        (7, "value"),
        (8, "value"),
        (9, "value"),
        (10, "value"),
    }
    assert "revenu" in errors[3, "element"]
    assert "91370500NOSUCHORG1" in errors[4, "org"]
    assert "2024Q5" in errors[5, "period"]
    assert "not a number" in errors[6, "value"]
    assert "whole number" in errors[7, "value"]
    assert "minimum" in errors[8, "value"]
    assert "maybe" in errors[9, "value"]
    assert "NaN" in errors[10, "value"]
    assert all(e.source == "values.csv" for e in exc.value.errors)

    assert not DataValue.objects.exists()
    assert not ValueRollup.objects.exists()
    assert set(Period.objects.values_list("code", flat=True)) == periods_before
    assert AuditEntry.objects.count() == audit_before


def test_one_row_can_have_several_problems(ents):
    with pytest.raises(Rejected) as exc:
        store(("revenue", "20245", "nobody", "x"))
    assert [(e.row, e.field) for e in exc.value.errors] == [
        (1, "org"),
        (1, "period"),
        (1, "value"),
    ]


@pytest.mark.parametrize(
    ("element", "raw", "stored"),
    [
        ("revenue", "1,234.5", decimal.Decimal("1234.5")),
        ("revenue", 2e9, decimal.Decimal("2000000000")),
        ("output_tyres", "12.0", decimal.Decimal("12")),
        ("digital_rd_tools", "是", decimal.Decimal("1")),
        ("digital_rd_tools", "No", decimal.Decimal("0")),
        ("digital_rd_tools", 1, decimal.Decimal("1")),
        ("profit", "-3.25", decimal.Decimal("-3.25")),
    ],
)
def test_good_values_are_parsed(ents, element, raw, stored):
    assert store((element, "2024", ents["a"].code, raw)) == StoreResult(1, 0, 0)
    assert DataValue.objects.get().value == stored


def test_a_value_too_large_for_the_column_is_refused(ents):
    with pytest.raises(Rejected) as exc:
        store(("revenue", "2024", ents["a"].code, "1e30"))
    [error] = exc.value.errors
    assert (error.row, error.field) == (1, "value")
    assert "too large" in error.reason
    assert not DataValue.objects.exists()
    store(("revenue", "2024", ents["a"].code, "1e16"))
    assert DataValue.objects.get().value == decimal.Decimal("1e16")  # and it reads back


def test_decimal_places_beyond_the_column_are_rounded_once(ents):
    a = ents["a"].code
    assert store(("profit", "2024", a, "0.1234567")) == StoreResult(1, 0, 0)
    assert DataValue.objects.get().value == decimal.Decimal("0.123457")
    # the same input again is unchanged, not a change to the rounded value every time
    assert store(("profit", "2024", a, "0.1234567")) == StoreResult(0, 0, 1)
    assert ValueRollup.objects.get().total == decimal.Decimal("0.123457")


def test_org_and_period_codes_are_normalised(ents):
    store(("revenue", " 2024q3 ", ents["a"].code.lower(), "10"))
    value = DataValue.objects.get()
    assert value.period_id == "2024Q3"
    assert value.org_id == ents["a"].pk


# --- create, change, unchanged ---------------------------------------------------------------


def test_restoring_the_same_value_is_unchanged(ents):
    a, b = ents["a"].code, ents["b"].code
    assert store(("revenue", "2024", a, "100"), ("revenue", "2024", b, "50")) == StoreResult(
        2, 0, 0
    )
    audit = AuditEntry.objects.count()

    # the same numbers written differently are still the same value
    assert store(("revenue", "2024", a, "100.00"), ("revenue", "2024", b, 50)) == StoreResult(
        0, 0, 2
    )
    assert AuditEntry.objects.count() == audit

    assert store(("revenue", "2024", a, "120"), ("revenue", "2024", b, "50")) == StoreResult(
        0, 1, 1
    )
    assert DataValue.objects.get(org=ents["a"]).value == 120
    assert AuditEntry.objects.count() == audit + 1


def test_values_are_audited_by_element_period_and_credit_code(ents):
    a = ents["a"]
    store(("revenue", "2024", a.code, "100"))
    store(("revenue", "2024", a.code, "120.5"))
    created, changed = AuditEntry.objects.filter(object_type="datavalue").order_by("id")
    assert created.action == AuditAction.CREATE
    assert created.object_id == f"revenue/2024/{a.code}"
    assert created.after == {"value": "100"}
    assert changed.action == AuditAction.UPDATE
    assert changed.object_id == f"revenue/2024/{a.code}"
    assert (changed.before, changed.after) == ({"value": "100"}, {"value": "120.5"})


def test_load_new_values_refuses_existing_values(ents):
    a = ents["a"].code
    assert load_new_values("tests", [ValueInput("revenue", "2024", a, "5")], source="gen") == 1
    with pytest.raises(Exception):  # noqa: B017 -- the unique constraint, whichever database
        load_new_values("tests", [ValueInput("revenue", "2024", a, "6")], source="gen")
    assert DataValue.objects.get().value == 5


# --- the roll-up table -----------------------------------------------------------------------


def direct_aggregate() -> dict[tuple[int, str, int, bool], tuple[decimal.Decimal, int]]:
    """Sum and count per (element, period, city, above-scale) straight from the values."""
    rows = (
        DataValue.objects.filter(org__kind="enterprise")
        .values(
            "element_id", "period_id", "org__enterprise__city_id", "org__enterprise__above_scale"
        )
        .annotate(total=Sum("value"), n=Count("id"))
        .order_by()
    )
    return {
        (
            r["element_id"],
            r["period_id"],
            r["org__enterprise__city_id"],
            r["org__enterprise__above_scale"],
        ): (r["total"], r["n"])
        for r in rows
    }


def rollup_table() -> dict[tuple[int, str, int, bool], tuple[decimal.Decimal, int]]:
    return {
        (r.element_id, r.period_id, r.city_id, r.above_scale): (r.total, r.count)
        for r in ValueRollup.objects.all()
    }


def test_rollup_matches_a_direct_aggregate_after_creates_and_updates(ents):
    a, b, c, d = (ents[k].code for k in "abcd")
    store(
        ("revenue", "2024", a, "100"),
        ("revenue", "2024", b, "10"),
        ("revenue", "2024", c, "200"),
        ("revenue", "2024", d, "20"),
        ("revenue", "2023", a, "90"),
        ("rd_spend", "2024", a, "3"),
        ("rd_spend", "2024", c, "4"),
    )
    assert rollup_table() == direct_aggregate()
    dongying = Organisation.objects.get(code="370500")
    cell = ValueRollup.objects.get(
        element__code="revenue", period_id="2024", city=dongying, above_scale=True
    )
    assert (cell.total, cell.count) == (100, 1)
    assert ValueRollup.objects.filter(element__code="revenue", period_id="2024").count() == 4

    store(("revenue", "2024", a, "150"), ("revenue", "2024", c, "200"), ("rd_spend", "2024", b, 1))
    assert rollup_table() == direct_aggregate()
    cell = ValueRollup.objects.get(
        element__code="revenue", period_id="2024", city=dongying, above_scale=True
    )
    assert (cell.total, cell.count) == (150, 1)

    # a second enterprise in the same cell: summed and counted
    e = enterprise(5, "370500", above_scale=True)
    store(("revenue", "2024", e.code, "50.5"))
    assert rollup_table() == direct_aggregate()
    cell = ValueRollup.objects.get(
        element__code="revenue", period_id="2024", city=dongying, above_scale=True
    )
    assert (cell.total, cell.count) == (decimal.Decimal("200.5"), 2)


def test_rollup_ignores_values_of_cities_and_the_province(ents):
    store(("revenue", "2024", "370500", "999"), ("revenue", "2024", ents["a"].code, "1"))
    assert rollup_table() == direct_aggregate()
    assert sum(t for t, _n in rollup_table().values()) == 1


def test_rollup_follows_an_enterprise_that_moves_city_or_size(ents):
    a = ents["a"]
    store(("revenue", "2024", a.code, "100"), ("revenue", "2024", ents["c"].code, "7"))
    data = enterprise_snapshot(a)
    moved = EnterpriseInput(
        code=a.code,
        name_zh=data["name_zh"],
        city="370700",
        above_scale=False,
        product_lines=data["product_lines"],
    )
    save_enterprise("tests", moved)
    assert rollup_table() == direct_aggregate()
    weifang = Organisation.objects.get(code="370700")
    assert ValueRollup.objects.get(city=weifang, above_scale=False).total == 100


def test_rollup_forgets_a_deleted_enterprise(ents):
    store(("revenue", "2024", ents["a"].code, "100"), ("revenue", "2024", ents["c"].code, "7"))
    delete_enterprise("tests", ents["a"])
    assert rollup_table() == direct_aggregate()
    assert sum(n for _t, n in rollup_table().values()) == 1


def test_refresh_everything_rebuilds_the_same_table(ents):
    rows = [("revenue", "2024", ents[k].code, str(10 * i)) for i, k in enumerate("abcd", 1)]
    store(*rows)
    expected = rollup_table()
    ValueRollup.objects.all().delete()
    refresh_rollups()
    assert rollup_table() == expected == direct_aggregate()
    refresh_rollups(set())  # nothing touched: nothing to do
    assert rollup_table() == expected


def test_rollup_sums_per_city_and_size(ents):
    """Cross-check the grouping by hand, not only against the same kind of query."""
    rows, expected = [], defaultdict(lambda: [decimal.Decimal(0), 0])
    for i, key in enumerate("abcd", start=1):
        ent = ents[key]
        for year in ("2023", "2024"):
            value = decimal.Decimal(i * 100 + int(year) % 10)
            rows.append(("output_tyres", year, ent.code, str(value)))
            cell = expected[ent.city.code, ent.above_scale, year]
            cell[0] += value
            cell[1] += 1
    store(*rows)
    got = {
        (r.city.code, r.above_scale, r.period_id): [r.total, r.count]
        for r in ValueRollup.objects.select_related("city")
    }
    assert got == dict(expected)
