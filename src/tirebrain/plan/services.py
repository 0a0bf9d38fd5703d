"""Loading plan files into versions, and comparing versions.

``load_plan`` is idempotent: the file is parsed and normalised, and a new version is made only
when the normalised content differs from the newest version of the same plan. Formatting and
comments therefore never make versions; a changed number, wording or department does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tirebrain.core import audit
from tirebrain.core.errors import Rejected, RowError
from tirebrain.core.models import AuditAction
from tirebrain.core.yamlfiles import load_yaml
from tirebrain.datavalues.models import DataElement
from tirebrain.indicators.engine import indicator_errors
from tirebrain.orgs.models import Cluster, HonourType, Organisation, OrgKind, ProductLine
from tirebrain.plan.models import PlanVersion, Target, Task
from tirebrain.products.highend import rule_errors
from tirebrain.products.models import ProductCategory

TARGET_KINDS = {"level", "trend"}
DIRECTIONS = {"increase", "decrease"}
COMPARISONS = {"gte", "gt", "lte", "lt"}


@dataclass(frozen=True)
class LoadResult:
    version: PlanVersion
    created: bool


def read_plan_file(path: Path) -> dict[str, Any]:
    """The plan document from a YAML file; a YAML syntax error is reported with line and column."""
    try:
        data = load_yaml(path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else 0
        raise Rejected([RowError(row, "yaml", str(exc).splitlines()[0], path.name)]) from None
    if not isinstance(data, dict):
        raise Rejected([RowError(1, "plan", _("the file is not a YAML mapping"), path.name)])
    return data


def validate_plan(data: dict[str, Any], source: str) -> list[RowError]:
    """Every problem in the document, each naming the entry (e.g. ``targets[T7].indicator``)."""
    errors: list[RowError] = []

    def err(where: str, reason: str) -> None:
        errors.append(RowError(0, where, reason, source))

    for key in ("code", "title_zh", "title_en", "targets", "actions", "departments", "clusters"):
        if key not in data:
            err(key, _("required key is missing"))
    if errors:
        return errors
    _check_structure(data, err)
    if errors:  # the checks below assume the document has the right shape
        return errors
    departments = {d.get("code") for d in data["departments"]}
    cities = set(Organisation.objects.cities().values_list("code", flat=True))
    for c in data["clusters"]:
        for city in c.get("cities", []):
            if city not in cities:
                err(f"clusters[{c.get('code')}].cities", _("unknown city code %(c)s") % {"c": city})
    clusters = {c.get("code") for c in data["clusters"]}
    elements = set(DataElement.objects.values_list("code", flat=True))
    honours = set(HonourType.objects.values_list("code", flat=True))
    seen: set[str] = set()
    for t in data["targets"]:
        code = t.get("code", "?")
        where = f"targets[{code}]"
        if code in seen:
            err(where, _("duplicate target code"))
        seen.add(code)
        for key in (
            "name_zh",
            "name_en",
            "unit",
            "kind",
            "direction",
            "target",
            "baseline",
            "indicator",
        ):
            if key not in t:
                err(f"{where}.{key}", _("required key is missing"))
        if t.get("kind") not in TARGET_KINDS:
            err(f"{where}.kind", _("must be one of %(v)s") % {"v": ", ".join(sorted(TARGET_KINDS))})
        if t.get("direction") not in DIRECTIONS:
            err(f"{where}.direction", _("must be increase or decrease"))
        if t.get("kind") == "level":
            if t.get("comparison") not in COMPARISONS:
                err(f"{where}.comparison", _("must be one of gte, gt, lte, lt"))
            if not _is_number((t.get("target") or {}).get("value")):
                err(f"{where}.target.value", _("a level target needs a number"))
        for problem in indicator_errors(t.get("indicator"), elements, honours, clusters):
            err(f"{where}.indicator", problem)
    lines = set(ProductLine.objects.values_list("code", flat=True))
    categories = set(ProductCategory.objects.values_list("code", flat=True))
    for where, problem in rule_errors(data.get("thresholds"), lines, categories):
        err(where, problem)
    task_codes: set[str] = set()
    for a in data["actions"]:
        for task in a.get("tasks", []):
            where = f"tasks[{task.get('code')}]"
            if task.get("code") in task_codes:
                err(where, _("duplicate task code"))
            task_codes.add(task.get("code"))
            for dept in [*task.get("lead", []), *task.get("departments", [])]:
                if dept not in departments:
                    err(where, _("unknown department %(d)s") % {"d": dept})
    return errors


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_structure(data: dict[str, Any], err) -> None:
    """The document's shape: lists of mappings, required keys, text that fits its column.

    Without these checks a hand-edited file with a missing key or a stray scalar fails with a
    traceback while it is stored, instead of being refused with the entry named.
    """

    def text(where: str, entry: dict[str, Any], key: str, limit: int, required: bool = True):
        value = entry.get(key)
        if value is None or value == "":
            if required:
                err(f"{where}.{key}" if where else key, _("required key is missing"))
        elif not isinstance(value, str):
            err(f"{where}.{key}" if where else key, _("must be text"))
        elif len(value) > limit:
            err(
                f"{where}.{key}" if where else key,
                _("longer than %(n)s characters") % {"n": limit},
            )

    def mappings(where: str, items: Any) -> list[dict[str, Any]]:
        if items is None:
            return []
        if not isinstance(items, list):
            err(where, _("must be a list"))
            return []
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                err(f"{where}[{n}]", _("must be a mapping with a code"))
        return [i for i in items if isinstance(i, dict)]

    text("", data, "code", _limit(PlanVersion, "plan_code"))
    text("", data, "title_zh", _limit(PlanVersion, "title_zh"))
    text("", data, "title_en", _limit(PlanVersion, "title_en"))
    text("", data, "status", _limit(PlanVersion, "status"), required=False)
    period = data.get("period")
    if period is not None and not (
        isinstance(period, dict) and all(_is_year(period.get(k)) for k in ("start", "end"))
    ):
        err("period", _("must be a mapping with a start and an end year"))

    for d in mappings("departments", data["departments"]):
        where = f"departments[{d.get('code', '?')}]"
        text(where, d, "code", _limit(Organisation, "code"))
        text(where, d, "name_zh", _limit(Organisation, "name_zh"))
        text(where, d, "name_en", _limit(Organisation, "name_en"), required=False)
        text(where, d, "short_zh", _limit(Organisation, "short_zh"), required=False)
    for c in mappings("clusters", data["clusters"]):
        where = f"clusters[{c.get('code', '?')}]"
        text(where, c, "code", _limit(Cluster, "code"))
        text(where, c, "name_zh", _limit(Cluster, "name_zh"))
        text(where, c, "name_en", _limit(Cluster, "name_en"), required=False)
        if not isinstance(c.get("cities"), list):
            err(f"{where}.cities", _("must be a list of city codes"))
    for a in mappings("actions", data["actions"]):
        where = f"actions[{a.get('code', '?')}]"
        text(where, a, "code", _limit(Task, "action_code"))
        text(where, a, "name_zh", _limit(Task, "action_name_zh"))
        text(where, a, "name_en", _limit(Task, "action_name_en"))
        for task in mappings(f"{where}.tasks", a.get("tasks")):
            task_where = f"tasks[{task.get('code', '?')}]"
            text(task_where, task, "code", _limit(Task, "code"))
            text(task_where, task, "name_zh", _limit(Task, "name_zh"))
            text(task_where, task, "name_en", _limit(Task, "name_en"))
            for key in ("lead", "departments"):
                if not isinstance(task.get(key, []), list):
                    err(f"{task_where}.{key}", _("must be a list of department codes"))
    for t in mappings("targets", data["targets"]):
        where = f"targets[{t.get('code', '?')}]"
        text(where, t, "code", _limit(Target, "code"))
        for key in ("name_zh", "name_en", "unit", "area"):
            text(where, t, key, _limit(Target, key), required=key != "area")
        for key in ("target", "baseline"):
            if key in t and not isinstance(t[key], dict):
                err(f"{where}.{key}", _("must be a mapping with a year"))
        if isinstance(t.get("baseline"), dict) and not _is_year(t["baseline"].get("year")):
            err(f"{where}.baseline.year", _("must be a year"))
        target = t.get("target")
        if isinstance(target, dict):
            if "year" in target and not _is_year(target["year"]):
                err(f"{where}.target.year", _("must be a year"))
            if target.get("value") is not None and not _is_number(target["value"]):
                err(f"{where}.target.value", _("must be a number"))
        baseline = t.get("baseline")
        if (
            isinstance(baseline, dict)
            and baseline.get("value") is not None
            and not _is_number(baseline["value"])
        ):
            err(f"{where}.baseline.value", _("must be a number"))


def content_hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def load_plan(actor, path: Path) -> LoadResult:
    """Load a plan file; make a new version only if its content changed. Refuses invalid files."""
    data = read_plan_file(path)
    errors = validate_plan(data, path.name)
    if errors:
        raise Rejected(errors)
    digest = content_hash(data)
    current = PlanVersion.objects.current(data["code"])
    if current and current.content_sha256 == digest:
        return LoadResult(current, False)
    number = (
        PlanVersion.objects.filter(plan_code=data["code"]).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    version = PlanVersion.objects.create(
        plan_code=data["code"],
        number=number,
        title_zh=data["title_zh"],
        title_en=data["title_en"],
        status=data.get("status", ""),
        content_sha256=digest,
        source_name=path.name,
        data=data,
        loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _create_rows(version, data)
    _sync_departments_and_clusters(actor, data)
    if current is None or current.data.get("thresholds") != data.get("thresholds"):
        # The registry's high-end verdicts follow the plan's thresholds.
        from tirebrain.products.services import rederive_all

        rederive_all(actor)
    audit.record(
        actor,
        AuditAction.LOAD,
        "plan",
        str(version),
        before={"version": current.number, "sha256": current.content_sha256} if current else None,
        after={"version": number, "sha256": digest, "file": path.name},
        summary=f"{path.name} → v{number}",
    )
    return LoadResult(version, True)


def _create_rows(version: PlanVersion, data: dict[str, Any]) -> None:
    Target.objects.bulk_create(
        Target(
            version=version,
            code=t["code"],
            position=i,
            area=t.get("area", ""),
            name_zh=t["name_zh"],
            name_en=t["name_en"],
            wording_zh=t.get("wording_zh", ""),
            unit=t["unit"],
            kind=t["kind"],
            direction=t["direction"],
            comparison=t.get("comparison", "gte" if t["direction"] == "increase" else "lte"),
            target_year=t["target"].get("year", data.get("period", {}).get("end", 2027)),
            target_value=t["target"].get("value"),
            baseline_year=t["baseline"]["year"],
            baseline_value=t["baseline"].get("value"),
            indicator=t["indicator"],
            spec=t,
        )
        for i, t in enumerate(data["targets"], start=1)
    )
    tasks = [(a, t) for a in data["actions"] for t in a.get("tasks", [])]
    Task.objects.bulk_create(
        Task(
            version=version,
            code=t["code"],
            position=i,
            action_code=a["code"],
            action_name_zh=a["name_zh"],
            action_name_en=a["name_en"],
            name_zh=t["name_zh"],
            name_en=t["name_en"],
            lead=t.get("lead", []),
            departments=t.get("departments", []),
            spec=t,
        )
        for i, (a, t) in enumerate(tasks, start=1)
    )


def _sync_departments_and_clusters(actor, data: dict[str, Any]) -> None:
    """Departments and clusters named by the plan become (or update) organisations and clusters."""
    province = Organisation.objects.filter(kind=OrgKind.PROVINCE).first()
    for d in data["departments"]:
        fields = {
            "kind": OrgKind.DEPARTMENT,
            "name_zh": d["name_zh"],
            "name_en": d.get("name_en", ""),
            "short_zh": d.get("short_zh", ""),
            "parent": province,
        }
        org, created = Organisation.objects.get_or_create(code=d["code"], defaults=fields)
        if not created:
            before = audit.snapshot(org, fields)
            for k, v in fields.items():
                setattr(org, k, v)
            after = audit.snapshot(org, fields)
            if before != after:
                org.save(update_fields=list(fields))
                audit.record(
                    actor, AuditAction.UPDATE, "organisation", org.code, before=before, after=after
                )
        else:
            audit.record(
                actor,
                AuditAction.CREATE,
                "organisation",
                org.code,
                after=audit.snapshot(org, fields),
            )
    cities = {o.code: o for o in Organisation.objects.cities()}
    for c in data["clusters"]:
        cluster, created = Cluster.objects.get_or_create(
            code=c["code"], defaults={"name_zh": c["name_zh"], "name_en": c.get("name_en", "")}
        )
        before = {
            "name_zh": cluster.name_zh,
            "name_en": cluster.name_en,
            "cities": sorted(cluster.cities.values_list("code", flat=True)),
        }
        cluster.name_zh, cluster.name_en = c["name_zh"], c.get("name_en", "")
        cluster.wording_zh = c.get("wording_zh", "")
        cluster.save()
        cluster.cities.set([cities[code] for code in c["cities"]])
        after = {
            "name_zh": cluster.name_zh,
            "name_en": cluster.name_en,
            "cities": sorted(c["cities"]),
        }
        if created or before != after:
            audit.record(
                actor,
                AuditAction.CREATE if created else AuditAction.UPDATE,
                "cluster",
                cluster.code,
                before=None if created else before,
                after=after,
            )


# --- diff -----------------------------------------------------------------------------------

SECTIONS = ("targets", "tasks", "thresholds", "departments", "clusters", "actions", "safeguards")


@dataclass(frozen=True)
class Change:
    section: str
    code: str
    kind: str  # added | removed | changed
    field: str = ""
    before: Any = None
    after: Any = None


def _entries(data: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    if section == "tasks":
        items = [t for a in data.get("actions", []) for t in a.get("tasks", [])]
    elif section == "actions":
        items = [{k: v for k, v in a.items() if k != "tasks"} for a in data.get("actions", [])]
    else:
        items = data.get(section, []) or []
    return {str(i.get("code", n)): i for n, i in enumerate(items)}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def diff_versions(old: PlanVersion, new: PlanVersion) -> list[Change]:
    """What changed from ``old`` to ``new``: entries added and removed, and each changed field."""
    changes: list[Change] = []
    head_old = {k: v for k, v in old.data.items() if not isinstance(v, list)}
    head_new = {k: v for k, v in new.data.items() if not isinstance(v, list)}
    for field, (a, b) in _changed(_flatten(head_old), _flatten(head_new)).items():
        changes.append(Change("plan", old.plan_code, "changed", field, a, b))
    for section in SECTIONS:
        before, after = _entries(old.data, section), _entries(new.data, section)
        for code in before.keys() - after.keys():
            changes.append(Change(section, code, "removed", before=before[code]))
        for code in after.keys() - before.keys():
            changes.append(Change(section, code, "added", after=after[code]))
        for code in sorted(before.keys() & after.keys()):
            fields = _changed(_flatten(before[code]), _flatten(after[code]))
            changes.extend(
                Change(section, code, "changed", f, a, b) for f, (a, b) in fields.items()
            )
    return sorted(
        changes,
        key=lambda c: (SECTIONS.index(c.section) if c.section in SECTIONS else -1, c.code, c.field),
    )


def _changed(a: dict[str, Any], b: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)}
