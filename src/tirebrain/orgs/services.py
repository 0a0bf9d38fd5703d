"""State changes of the registry: reference data, enterprises and their honours. All audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tirebrain.core import audit
from tirebrain.core.cells import FALSE_WORDS, TRUE_WORDS
from tirebrain.core.errors import Rejected, RowError
from tirebrain.core.models import AuditAction
from tirebrain.core.yamlfiles import load_yaml
from tirebrain.orgs.creditcode import CreditCodeError, validate_credit_code
from tirebrain.orgs.models import (
    Enterprise,
    Honour,
    HonourType,
    Level,
    Organisation,
    OrgKind,
    ProductLine,
)

# --- reference data -------------------------------------------------------------------------------


@transaction.atomic
def load_divisions(actor, path: Path) -> int:
    """Upsert the province and its cities from a GB/T 2260 divisions file; returns cities loaded."""
    data = load_yaml(path)
    p = data["province"]
    province = _upsert_org(actor, p["code"], OrgKind.PROVINCE, p, None)
    for c in data["cities"]:
        _upsert_org(actor, c["code"], OrgKind.CITY, c, province)
    return len(data["cities"])


def _upsert_org(actor, code: str, kind: str, d: dict, parent: Organisation | None) -> Organisation:
    fields = {
        "kind": kind,
        "name_zh": d["name_zh"],
        "name_en": d.get("name_en", ""),
        "short_zh": d.get("short_zh", ""),
        "parent_id": parent.pk if parent else None,
    }
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        org = Organisation.objects.create(code=code, **fields)
        audit.record(actor, AuditAction.CREATE, "organisation", code, after=fields)
        return org
    before = audit.snapshot(org, fields)
    if before != fields:
        Organisation.objects.filter(pk=org.pk).update(**fields)
        audit.record(actor, AuditAction.UPDATE, "organisation", code, before=before, after=fields)
    return org


@transaction.atomic
def load_vocabularies(actor, data: dict[str, Any]) -> None:
    """Upsert honour types and product lines from the metadata file."""
    for h in data.get("honour_types", []):
        HonourType.objects.update_or_create(
            code=h["code"],
            defaults={
                "name_zh": h["name_zh"],
                "name_en": h["name_en"],
                "levels": h.get("levels", []),
            },
        )
    for p in data.get("product_lines", []):
        ProductLine.objects.update_or_create(
            code=p["code"], defaults={"name_zh": p["name_zh"], "name_en": p["name_en"]}
        )
    audit.record(
        actor,
        AuditAction.LOAD,
        "vocabulary",
        "metadata",
        after={
            "honour_types": len(data.get("honour_types", [])),
            "product_lines": len(data.get("product_lines", [])),
        },
    )


# --- enterprises ----------------------------------------------------------------------------------

BIGINT_MAX = 2**63 - 1  # the largest value the database column holds


@dataclass
class HonourInput:
    honour_type: str
    level: str
    year: int


@dataclass
class EnterpriseInput:
    code: str
    name_zh: str
    city: str
    name_en: str = ""
    above_scale: bool = False
    product_lines: list[str] = field(default_factory=list)
    capacity_tyres: int | None = None
    founded_year: int | None = None
    address: str = ""
    honours: list[HonourInput] | None = None  # None: leave honours as they are


class Vocab:
    """Look-ups for validating enterprise rows, fetched once per import."""

    def __init__(self) -> None:
        cities = list(Organisation.objects.cities())
        self.cities = {c.code: c for c in cities}
        for c in cities:
            for name in (c.name_zh, c.short_zh, c.name_en):
                if name:
                    self.cities[name.lower()] = c
        lines = list(ProductLine.objects.all())
        self.lines = {p.code: p for p in lines} | {p.name_zh: p for p in lines}
        types = list(HonourType.objects.all())
        self.honours = {h.code: h for h in types} | {h.name_zh: h for h in types}


def parse_enterprise_row(
    raw: dict[str, Any], row: int, source: str, vocab: Vocab
) -> tuple[EnterpriseInput | None, list[RowError]]:
    """A row of an import (or a form) as an EnterpriseInput, or every reason it is not one."""
    errors: list[RowError] = []

    def err(fieldname: str, reason: str) -> None:
        errors.append(RowError(row, fieldname, reason, source))

    def text(key: str) -> str:
        value = raw.get(key)
        return "" if value is None else str(value).strip()

    code = ""
    try:
        code = validate_credit_code(text("credit_code"))
    except CreditCodeError as exc:
        err("credit_code", exc.message)
    name_zh = text("name_zh")
    if not name_zh:
        err("name_zh", _("a Chinese name is required"))
    for key in ("name_zh", "name_en", "address"):
        limit = Enterprise._meta.get_field(key).max_length
        if len(text(key)) > limit:
            err(key, _("longer than %(n)s characters") % {"n": limit})
    city = vocab.cities.get(text("city").lower()) or vocab.cities.get(text("city"))
    if city is None:
        err(
            "city",
            _("unknown city “%(c)s”: use a GB/T 2260 code such as 370500") % {"c": text("city")},
        )
    above = text("above_scale").lower()
    if above not in TRUE_WORDS | FALSE_WORDS:
        err("above_scale", _("expected yes or no, got “%(v)s”") % {"v": text("above_scale")})
    lines = []
    for item in _split(text("product_lines")):
        line = vocab.lines.get(item)
        if line is None:
            err("product_lines", _("unknown product line “%(p)s”") % {"p": item})
        else:
            lines.append(line.code)
    capacity = _int(text("capacity_tyres"), "capacity_tyres", err, minimum=0, maximum=BIGINT_MAX)
    this_year = dt.date.today().year
    founded = _int(text("founded_year"), "founded_year", err, minimum=1800, maximum=this_year)
    honours = None
    if "honours" in raw:
        honours = []
        for item in _split(text("honours")):
            parts = [p.strip() for p in item.split(":")]
            if len(parts) != 3:
                err(
                    "honours",
                    _("“%(h)s” should be type:level:year, e.g. smart_factory:provincial:2023")
                    % {"h": item},
                )
                continue
            htype, level, year = parts
            ht = vocab.honours.get(htype)
            if ht is None:
                err("honours", _("unknown honour “%(h)s”") % {"h": htype})
            elif level not in ht.levels:
                err(
                    "honours",
                    _("“%(h)s” is not awarded at level “%(l)s”") % {"h": htype, "l": level},
                )
            y = _int(year, "honours", err, minimum=1990, maximum=this_year)
            if ht is not None and level in ht.levels and y is not None:
                honours.append(HonourInput(ht.code, level, y))
    if errors:
        return None, errors
    return EnterpriseInput(
        code=code,
        name_zh=name_zh,
        name_en=text("name_en"),
        city=city.code,
        above_scale=above in TRUE_WORDS,
        product_lines=lines,
        capacity_tyres=capacity,
        founded_year=founded,
        address=text("address"),
        honours=honours,
    ), []


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("；", ";").replace(",", ";").split(";") if v.strip()]


def _int(
    value: str, fieldname: str, err, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    if value == "":
        return None
    try:
        number = int(float(value)) if float(value).is_integer() else None
    except ValueError:
        number = None
    if number is None:
        err(fieldname, _("“%(v)s” is not a whole number") % {"v": value})
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        err(fieldname, _("%(v)s is out of range") % {"v": value})
        return None
    return number


def enterprise_snapshot(ent: Enterprise) -> dict[str, Any]:
    """What the audit log keeps of an enterprise: its fields, product lines and honours."""
    return {
        "code": ent.code,
        "name_zh": ent.name_zh,
        "name_en": ent.name_en,
        "city": ent.city.code,
        "above_scale": ent.above_scale,
        "capacity_tyres": ent.capacity_tyres,
        "founded_year": ent.founded_year,
        "address": ent.address,
        "product_lines": sorted(ent.product_lines.values_list("code", flat=True)),
        "honours": sorted(
            f"{h.honour_type.code}:{h.level}:{h.year}"
            for h in ent.honours.select_related("honour_type")
        ),
    }


@transaction.atomic
def save_enterprise(actor, data: EnterpriseInput, *, is_demo: bool = False) -> Enterprise:
    """Create the enterprise or change it to match ``data``; audited with before and after."""
    city = Organisation.objects.get(code=data.city, kind=OrgKind.CITY)
    ent = Enterprise.objects.select_for_update().filter(code=data.code).first()
    before = enterprise_snapshot(ent) if ent else None
    fields = {
        "name_zh": data.name_zh,
        "name_en": data.name_en,
        "city": city,
        "parent": city,
        "above_scale": data.above_scale,
        "capacity_tyres": data.capacity_tyres,
        "founded_year": data.founded_year,
        "address": data.address,
    }
    if ent is None:
        ent = Enterprise.objects.create(
            code=data.code, kind=OrgKind.ENTERPRISE, is_demo=is_demo, **fields
        )
    else:
        for k, v in fields.items():
            setattr(ent, k, v)
        ent.save(update_fields=[*fields])
    ent.product_lines.set(ProductLine.objects.filter(code__in=data.product_lines))
    if data.honours is not None:
        _set_honours(ent, data.honours)
    after = enterprise_snapshot(ent)
    if before is not None and (before["city"], before["above_scale"]) != (
        after["city"],
        after["above_scale"],
    ):
        refresh_rollups_of(ent)  # its values now count in another city or size class
    if before != after:
        audit.record(
            actor,
            AuditAction.CREATE if before is None else AuditAction.UPDATE,
            "enterprise",
            ent.code,
            before=before,
            after=after,
        )
    return ent


def _set_honours(ent: Enterprise, honours: list[HonourInput]) -> None:
    types = {h.code: h for h in HonourType.objects.all()}
    wanted = {(h.honour_type, h.level): h.year for h in honours}
    current = {(h.honour_type.code, h.level): h for h in ent.honours.select_related("honour_type")}
    for key, honour in current.items():
        if key not in wanted:
            honour.delete()
        elif honour.year != wanted[key]:
            honour.year = wanted[key]
            honour.save(update_fields=["year"])
    Honour.objects.bulk_create(
        Honour(enterprise=ent, honour_type=types[t], level=level, year=year)
        for (t, level), year in wanted.items()
        if (t, level) not in current
    )


def _value_cells(ent: Enterprise) -> set[tuple[int, str]]:
    from tirebrain.datavalues.models import DataValue

    return set(DataValue.objects.filter(org=ent).values_list("element_id", "period_id").distinct())


def refresh_rollups_of(ent: Enterprise, cells: set[tuple[int, str]] | None = None) -> None:
    """Rebuild the roll-up rows the enterprise's values count in (after a move or a delete)."""
    from tirebrain.datavalues.services import refresh_rollups

    refresh_rollups(_value_cells(ent) if cells is None else cells)


@transaction.atomic
def delete_enterprise(actor, ent: Enterprise) -> None:
    before = enterprise_snapshot(ent)
    code = ent.code
    cells = _value_cells(ent)
    ent.delete()  # its values go with it (cascade)
    refresh_rollups_of(ent, cells)
    audit.record(actor, AuditAction.DELETE, "enterprise", code, before=before)


@transaction.atomic
def import_enterprises(
    actor, rows: list[dict[str, Any] | None], *, source: str, first_row: int = 2
) -> tuple[int, int]:
    """All-or-nothing import: every bad row is reported, and then nothing at all is stored.

    Returns (created, updated).
    """
    vocab = Vocab()
    parsed: list[EnterpriseInput] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(rows):
        row = first_row + i
        if raw is None:  # a blank line in the file
            continue
        item, row_errors = parse_enterprise_row(raw, row, source, vocab)
        errors += row_errors
        if item is not None:
            if item.code in seen:
                errors.append(
                    RowError(
                        row,
                        "credit_code",
                        _("the same code is on row %(r)s") % {"r": seen[item.code]},
                        source,
                    )
                )
            seen[item.code] = row
            parsed.append(item)
    if errors:
        raise Rejected(errors)
    existing = set(Enterprise.objects.filter(code__in=list(seen)).values_list("code", flat=True))
    for item in parsed:
        save_enterprise(actor, item)
    audit.record(
        actor,
        AuditAction.IMPORT,
        "enterprise",
        source,
        after={"rows": len(parsed), "created": len(parsed) - len(existing)},
        summary=f"{source}: {len(parsed)} rows",
    )
    return len(parsed) - len(existing), len(existing)


def level_label(code: str) -> str:
    return dict(Level.choices).get(code, code)
