"""Plan pages: versions, one version's targets and tasks, and the diff between two versions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from tirebrain.orgs.models import Organisation
from tirebrain.plan.models import PlanVersion
from tirebrain.plan.services import diff_versions


@login_required
def version_list(request: HttpRequest) -> HttpResponse:
    current = PlanVersion.objects.current()
    if current is None:
        raise Http404("No plan is loaded")
    versions = PlanVersion.objects.filter(plan_code=current.plan_code).order_by("-number")
    return render(
        request,
        "plan/version_list.html",
        {
            "nav": "plan",
            "current": current,
            "versions": versions,
        },
    )


@login_required
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    current = PlanVersion.objects.current()
    if current is None:
        raise Http404("No plan is loaded")
    version = get_object_or_404(PlanVersion, plan_code=current.plan_code, number=number)
    departments = {o.code: o for o in Organisation.objects.departments()}
    return render(
        request,
        "plan/version_detail.html",
        {
            "nav": "plan",
            "version": version,
            "targets": version.targets.all(),
            "tasks": version.tasks.all(),
            "departments": departments,
            "thresholds": version.data.get("thresholds", []),
        },
    )


@login_required
def version_diff(request: HttpRequest) -> HttpResponse:
    current = PlanVersion.objects.current()
    if current is None:
        raise Http404("No plan is loaded")
    versions = {v.number: v for v in PlanVersion.objects.filter(plan_code=current.plan_code)}
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        raise Http404("Bad version") from None
    if a not in versions or b not in versions:
        raise Http404("No such version")
    return render(
        request,
        "plan/version_diff.html",
        {
            "nav": "plan",
            "a": versions[a],
            "b": versions[b],
            "changes": diff_versions(versions[a], versions[b]),
        },
    )
