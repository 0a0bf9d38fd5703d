"""``/api/v1/plan/versions``: the loaded versions of the plan."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from tirebrain.plan.models import PlanVersion

router = Router(tags=["plan"])


class VersionOut(Schema):
    plan: str
    number: int
    title_zh: str
    title_en: str
    status: str
    sha256: str
    source: str
    loaded_at: datetime
    targets: int
    tasks: int


@router.get("/versions", response=list[VersionOut], summary="Every loaded plan version")
def versions(request):
    return [
        {
            "plan": v.plan_code,
            "number": v.number,
            "title_zh": v.title_zh,
            "title_en": v.title_en,
            "status": v.status,
            "sha256": v.content_sha256,
            "source": v.source_name,
            "loaded_at": v.loaded_at,
            "targets": v.targets.count(),
            "tasks": v.tasks.count(),
        }
        for v in PlanVersion.objects.order_by("plan_code", "number")
    ]
