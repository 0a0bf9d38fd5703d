"""``/api/v1/targets``: every headline target for a year and scope."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from tirebrain.indicators import services
from tirebrain.plan.models import PlanVersion

router = Router(tags=["targets"])


class TargetOut(Schema):
    code: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    direction: str
    year: int
    value: float | None
    target: float | None
    target_year: int
    baseline: float | None
    baseline_year: int
    percent: float | None
    status: str
    projection: float | None
    projection_meets_target: bool | None
    series: dict[int, float | None]


class TargetsOut(Schema):
    plan: str
    plan_version: int
    scope: str
    scope_kind: str
    year: int
    targets: list[TargetOut]


@router.get("", response=TargetsOut, summary="All headline targets for a year and scope")
def targets(request, year: int | None = None, org: str | None = None):
    version = PlanVersion.objects.current()
    if version is None:
        raise Http404
    scope = services.scope_for(request.user, org)
    years = services.data_years()
    if not years:
        raise Http404
    year = year or years[-1]
    results = services.evaluate_targets(version, scope, year)
    return {
        "plan": version.plan_code,
        "plan_version": version.number,
        "scope": scope.code,
        "scope_kind": scope.kind,
        "year": year,
        "targets": [
            {
                "code": r.target.code,
                "name_zh": r.target.name_zh,
                "name_en": r.target.name_en,
                "unit": r.target.unit,
                "kind": r.target.kind,
                "direction": r.target.direction,
                "year": year,
                "value": r.value,
                "target": r.target.target_value,
                "target_year": r.target.target_year,
                "baseline": r.baseline,
                "baseline_year": r.target.baseline_year,
                "percent": r.percent,
                "status": r.status.value if hasattr(r.status, "value") else r.status,
                "projection": r.projection,
                "projection_meets_target": r.projection_meets,
                "series": r.series,
            }
            for r in results
        ],
    }
