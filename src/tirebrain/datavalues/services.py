"""Storing reported values: validated, all-or-nothing, audited, and rolled up for the cockpit."""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from tirebrain.core import audit
from tirebrain.core.errors import Rejected, RowError
from tirebrain.core.models import AuditAction
from tirebrain.datavalues.models import (
    DataElement,
    DataValue,
    Period,
    ValueRollup,
    ValueType,
    parse_period,
)
from tirebrain.orgs.models import Organisation

BOOLEAN_WORDS = {"1": 1, "0": 0, "true": 1, "false": 0, "yes": 1, "no": 0, "是": 1, "否": 0}


@dataclass(frozen=True)
class ValueInput:
    element: str
    period: str
    org: str
    value: object
    comment: str = ""


@dataclass(frozen=True)
class StoreResult:
    created: int
    updated: int
    unchanged: int


def parse_value(element: DataElement, raw: object) -> decimal.Decimal:
    """The value as a Decimal, checked against the element's type and minimum; else ValueError."""
    if element.value_type == ValueType.BOOLEAN:
        word = str(raw).strip().lower()
        if word not in BOOLEAN_WORDS:
            raise ValueError(_("expected yes/no (1 or 0), got “%(raw)s”") % {"raw": raw})
        return decimal.Decimal(BOOLEAN_WORDS[word])
    try:
        value = decimal.Decimal(str(raw).strip().replace(",", ""))
    except decimal.InvalidOperation:
        raise ValueError(_("“%(raw)s” is not a number") % {"raw": raw}) from None
    if not value.is_finite():
        raise ValueError(_("“%(raw)s” is not a number") % {"raw": raw})
    # What the column holds: more decimal places are rounded away (as the database would), a
    # larger number cannot be stored (and SQLite would store one that then cannot be read). One
    # digit of margin: SQLite keeps a float, which may round 99…9.9 up to the next power of ten.
    column = DataValue._meta.get_field("value")
    if abs(value) >= decimal.Decimal(10) ** (column.max_digits - column.decimal_places - 1):
        raise ValueError(_("%(raw)s is too large to store") % {"raw": raw})
    value = value.quantize(decimal.Decimal(1).scaleb(-column.decimal_places))
    if element.value_type == ValueType.INTEGER and value != value.to_integral_value():
        raise ValueError(_("expected a whole number, got %(raw)s") % {"raw": raw})
    if element.min_value is not None and value < element.min_value:
        raise ValueError(
            _("%(value)s is below the minimum %(min)s") % {"value": raw, "min": element.min_value}
        )
    return value


def _resolve(
    rows: Sequence[ValueInput], source: str, first_row: int
) -> tuple[list[tuple[DataElement, Period, int, decimal.Decimal, str]], list[RowError]]:
    elements = {e.code: e for e in DataElement.objects.all()}
    org_codes = {r.org.strip().upper() for r in rows}
    orgs = dict(Organisation.objects.filter(code__in=org_codes).values_list("code", "id"))
    periods: dict[str, Period] = {}
    resolved, errors = [], []
    for i, row in enumerate(rows):
        n = first_row + i
        element = elements.get(row.element.strip())
        if element is None:
            errors.append(
                RowError(
                    n, "element", _("unknown data element “%(c)s”") % {"c": row.element}, source
                )
            )
        org_id = orgs.get(row.org.strip().upper())
        if org_id is None:
            errors.append(
                RowError(n, "org", _("unknown organisation “%(c)s”") % {"c": row.org}, source)
            )
        period = periods.get(row.period)
        if period is None:
            try:
                parse_period(row.period)
                period = periods[row.period] = Period.of(row.period)
            except ValidationError as exc:
                errors.append(RowError(n, "period", exc.messages[0], source))
        if element is not None:
            try:
                value = parse_value(element, row.value)
            except ValueError as exc:
                errors.append(RowError(n, "value", str(exc), source))
                continue
            if org_id is not None and period is not None:
                resolved.append((element, period, org_id, value, row.comment))
    return resolved, errors


@transaction.atomic
def store_values(
    actor, rows: Iterable[ValueInput], *, source: str = "", first_row: int = 1
) -> StoreResult:
    """Create or change values. Any bad row refuses the whole batch; every change is audited."""
    rows = list(rows)
    resolved, errors = _resolve(rows, source, first_row)
    if errors:
        raise Rejected(errors)
    user = actor if getattr(actor, "is_authenticated", False) else None
    keys = {(e.id, p.code, o) for e, p, o, _v, _c in resolved}
    existing = {
        (v.element_id, v.period_id, v.org_id): v
        for v in DataValue.objects.filter(
            element_id__in={k[0] for k in keys},
            period_id__in={k[1] for k in keys},
            org_id__in={k[2] for k in keys},
        )
    }
    org_codes = dict(
        Organisation.objects.filter(id__in={k[2] for k in keys}).values_list("id", "code")
    )
    to_create, to_update, unchanged = [], [], 0
    for element, period, org_id, value, comment in resolved:
        current = existing.get((element.id, period.code, org_id))
        key = f"{element.code}/{period.code}/{org_codes[org_id]}"
        if current is None:
            to_create.append(
                DataValue(
                    element=element,
                    period=period,
                    org_id=org_id,
                    value=value,
                    stored_by=user,
                    comment=comment,
                )
            )
            audit.record(actor, AuditAction.CREATE, "datavalue", key, after={"value": value})
        elif current.value != value:
            audit.record(
                actor,
                AuditAction.UPDATE,
                "datavalue",
                key,
                before={"value": current.value},
                after={"value": value},
            )
            current.value, current.stored_by, current.comment = value, user, comment
            to_update.append(current)
        else:
            unchanged += 1
    DataValue.objects.bulk_create(to_create, batch_size=2000)
    DataValue.objects.bulk_update(
        to_update, ["value", "stored_by", "comment", "stored_at"], batch_size=2000
    )
    refresh_rollups({(e.id, p.code) for e, p, _o, _v, _c in resolved})
    return StoreResult(len(to_create), len(to_update), unchanged)


@transaction.atomic
def load_new_values(actor, rows: Iterable[ValueInput], *, source: str) -> int:
    """Bulk-insert values that do not exist yet (generators, first loads): one audit entry.

    Validation is the same as :func:`store_values`; a value that already exists violates the
    unique constraint and the whole batch is rolled back.
    """
    rows = list(rows)
    resolved, errors = _resolve(rows, source, 1)
    if errors:
        raise Rejected(errors)
    user = actor if getattr(actor, "is_authenticated", False) else None
    DataValue.objects.bulk_create(
        (
            DataValue(element=e, period=p, org_id=o, value=v, stored_by=user, comment=c)
            for e, p, o, v, c in resolved
        ),
        batch_size=5000,
    )
    audit.record(
        actor,
        AuditAction.LOAD,
        "datavalue",
        source,
        after={"values": len(resolved)},
        summary=f"{len(resolved)} values from {source}",
    )
    refresh_rollups({(e.id, p.code) for e, p, _o, _v, _c in resolved})
    return len(resolved)


def refresh_rollups(pairs: set[tuple[int, str]] | None = None) -> None:
    """Rebuild the roll-up rows of the given (element id, period code) pairs, or of everything."""
    values = DataValue.objects.filter(org__kind="enterprise")
    rollups = ValueRollup.objects.all()
    if pairs is not None:
        if not pairs:
            return
        elements = {e for e, _p in pairs}
        periods = {p for _e, p in pairs}
        values = values.filter(element_id__in=elements, period_id__in=periods)
        rollups = rollups.filter(element_id__in=elements, period_id__in=periods)
    grouped = values.values(
        "element_id", "period_id", "org__enterprise__city_id", "org__enterprise__above_scale"
    ).annotate(total=Sum("value"), n=Count("id"))
    with transaction.atomic():
        rollups.delete()
        ValueRollup.objects.bulk_create(
            (
                ValueRollup(
                    element_id=g["element_id"],
                    period_id=g["period_id"],
                    city_id=g["org__enterprise__city_id"],
                    above_scale=g["org__enterprise__above_scale"],
                    total=g["total"],
                    count=g["n"],
                )
                for g in grouped.order_by()
            ),
            batch_size=5000,
        )
