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
from tirebrain.datavalues.models import DataElement
from tirebrain.indicators.engine import indicator_errors
from tirebrain.orgs.models import Cluster, HonourType, Organisation, OrgKind
from tirebrain.plan.models import PlanVersion, Target, Task

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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
            if not isinstance((t.get("target") or {}).get("value"), int | float):
                err(f"{where}.target.value", _("a level target needs a number"))
        for problem in indicator_errors(t.get("indicator"), elements, honours, clusters):
            err(f"{where}.indicator", problem)
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
