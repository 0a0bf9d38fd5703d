"""The home page and the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tirebrain.accounts.access import is_provincial
from tirebrain.core.models import AuditAction, AuditEntry


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("indicators:cockpit")
    return render(request, "core/home.html")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not is_provincial(request.user):
        raise Http404("Not available")
    qs = AuditEntry.objects.select_related("actor")
    if t := request.GET.get("type"):
        qs = qs.filter(object_type=t)
    if a := request.GET.get("action"):
        qs = qs.filter(action=a)
    if who := request.GET.get("who"):
        qs = qs.filter(actor_name__icontains=who)
    if obj := request.GET.get("object"):
        qs = qs.filter(object_id__icontains=obj)
    types = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True)
    return render(
        request,
        "core/audit_log.html",
        {
            "nav": "audit",
            "page": Paginator(qs, 50).get_page(request.GET.get("page")),
            "types": types.distinct(),
            "actions": AuditAction.choices,
        },
    )
