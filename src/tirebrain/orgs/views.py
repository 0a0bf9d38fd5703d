"""Enterprise registry pages: list with search and filters, detail, export, import."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext

from tirebrain.accounts.access import (
    access_enterprise,
    cities_for,
    enterprises_for,
    is_provincial,
    may_see_values_of,
    role_of,
)
from tirebrain.core.errors import Rejected
from tirebrain.datavalues.models import DataElement, DataValue
from tirebrain.orgs import exchange
from tirebrain.orgs.models import Enterprise, HonourType, ProductLine
from tirebrain.orgs.services import import_enterprises


def filtered_enterprises(request: HttpRequest) -> QuerySet[Enterprise]:
    """The user's enterprises narrowed by the list page's filters (used by list and export)."""
    qs = enterprises_for(request.user).search(request.GET.get("q", ""))
    if city := request.GET.get("city"):
        qs = qs.filter(city__code=city)
    if (above := request.GET.get("above_scale")) in ("yes", "no"):
        qs = qs.filter(above_scale=above == "yes")
    if line := request.GET.get("line"):
        qs = qs.filter(product_lines__code=line)
    if honour := request.GET.get("honour"):
        qs = qs.filter(honours__honour_type__code=honour)
    return qs.distinct()


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    qs = (
        filtered_enterprises(request)
        .select_related("city")
        .prefetch_related("product_lines")
        .annotate(n_honours=Count("honours", distinct=True))
        .order_by("city__code", "code")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    cities = cities_for(request.user)
    return render(
        request,
        "orgs/enterprise_list.html",
        {
            "nav": "enterprises",
            "page": page,
            "cities": cities,
            "lines": ProductLine.objects.all(),
            "honour_types": HonourType.objects.all(),
            "may_import": is_provincial(request.user),
        },
    )


@login_required
def enterprise_export(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = filtered_enterprises(request)
    if fmt == "csv":
        body, ctype = exchange.write_csv(qs), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = exchange.write_xlsx(qs)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("Unknown format")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="tirebrain-enterprises.{fmt}"'
    return response


@login_required
def enterprise_detail(request: HttpRequest, code: str) -> HttpResponse:
    ent = access_enterprise(request.user, code)
    values_visible = may_see_values_of(request.user, ent)
    table: dict[str, dict[str, object]] = defaultdict(dict)
    periods: list[str] = []
    if values_visible:
        rows = (
            DataValue.objects.filter(org=ent)
            .order_by("period_id")
            .values_list("element__code", "period_id", "value")
        )
        for element, period, value in rows:
            table[element][period] = value
            if period not in periods:
                periods.append(period)
    elements = [e for e in DataElement.objects.all() if e.code in table]
    return render(
        request,
        "orgs/enterprise_detail.html",
        {
            "nav": "enterprises",
            "ent": ent,
            "honours": ent.honours.select_related("honour_type").order_by("year"),
            "lines": ent.product_lines.all(),
            "values_visible": values_visible,
            "periods": sorted(periods),
            "elements": elements,
            "table": table,
            "role": role_of(request.user),
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))


@login_required
def enterprise_import(request: HttpRequest) -> HttpResponse:
    if not is_provincial(request.user):
        raise Http404("Not available")
    errors = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = exchange.read_rows(upload.name, upload.read())
            created, updated = import_enterprises(request.user, rows, source=upload.name)
        except Rejected as exc:
            errors = exc.errors
        else:
            n = created + updated
            text = ngettext(
                "Imported %(n)s enterprise: %(c)s new, %(u)s changed.",
                "Imported %(n)s enterprises: %(c)s new, %(u)s changed.",
                n,
            )
            messages.success(request, text % {"n": n, "c": created, "u": updated})
            return redirect("orgs:enterprise_list")
    return render(
        request,
        "orgs/enterprise_import.html",
        {
            "nav": "enterprises",
            "form": form,
            "errors": errors,
            "columns": exchange.COLUMNS,
        },
    )
