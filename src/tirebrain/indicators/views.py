"""Cockpit pages: all targets at a glance, one target in depth, and the records behind a figure."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tirebrain.accounts.access import cockpit_scopes_for, role_of
from tirebrain.accounts.models import Role
from tirebrain.core.i18n import localized
from tirebrain.indicators import services
from tirebrain.indicators.status import Status
from tirebrain.orgs.models import Cluster, Organisation
from tirebrain.plan.models import PlanVersion, Target
from tirebrain.trace.recycling import cockpit_panel

CHILD_ROWS_SHOWN = 20


def current_version() -> PlanVersion:
    version = PlanVersion.objects.current()
    if version is None:
        raise Http404("No plan is loaded")
    return version


def scope_for_request(request: HttpRequest) -> services.Scope:
    """The scope asked for (``?org=``), within what the user may see; 404 outside it."""
    return services.scope_for(request.user, request.GET.get("org"))


def visible_children(request: HttpRequest, scope: services.Scope) -> list[services.Scope]:
    """Drill-down below the scope; single enterprises only for those who may see their values."""
    if scope.kind == "city" and role_of(request.user) == Role.DEPARTMENT:
        return []
    return services.children_of(scope)


def year_for_request(request: HttpRequest) -> tuple[int, list[int]]:
    years = services.data_years()
    if not years:
        raise Http404("No data yet")
    try:
        year = int(request.GET.get("year") or years[-1])
    except ValueError:
        raise Http404("Bad year") from None
    if year not in years:
        raise Http404("No data for that year")
    return year, years


def scope_choices(request: HttpRequest, scope: services.Scope) -> list[tuple[str, str]]:
    free, fixed = cockpit_scopes_for(request.user)
    if free:
        province = services.province_scope()
        options = [(province.code, province.name)]
        options += [(c.code, localized(c)) for c in Cluster.objects.all()]
        options += [(c.code, localized(c)) for c in Organisation.objects.cities()]
    else:
        options = [(fixed.code, localized(fixed))]
    if scope.kind == "enterprise" and scope.code not in dict(options):
        options.append((scope.code, scope.name))
    return options


def breadcrumbs(request: HttpRequest, scope: services.Scope) -> list[services.Scope]:
    """Province › city › enterprise down to the scope, from the highest level the user may see."""
    trail = [services.province_scope()]
    if scope.kind == "enterprise":
        trail.append(services.resolve_scope(scope.city_code))
    if scope.kind != "province":
        trail.append(scope)
    free, fixed = cockpit_scopes_for(request.user)
    if not free:
        codes = [s.code for s in trail]
        trail = trail[codes.index(fixed.code) :] if fixed.code in codes else [scope]
    return trail


def _series_json(result: services.TargetResult) -> dict:
    divisor = float((result.target.spec.get("display") or {}).get("divisor", 1))

    def scale(v: float | None) -> float | None:
        return None if v is None else round(v / divisor, 4)

    return {
        "code": result.target.code,
        "years": list(result.series),
        "values": [scale(v) for v in result.series.values()],
        "target": scale(result.target.target_value),
        "targetYear": result.target.target_year,
        "baselineYear": result.target.baseline_year,
        "baseline": scale(result.baseline),
        "projection": scale(result.projection),
        "status": result.status,
    }


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    version = current_version()
    scope = scope_for_request(request)
    year, years = year_for_request(request)
    map_target = _map_target(version, request.GET.get("map", "T10"))
    children = visible_children(request, scope)
    results, child_rows = services.evaluate_cockpit(version, scope, year, map_target, children)
    counts = {s: sum(1 for r in results if r.status == s) for s in Status.values}
    map_rows = [r for r in child_rows if r.scope.kind == "city"]
    divisor = float((map_target.spec.get("display") or {}).get("divisor", 1))
    context = {
        "nav": "cockpit",
        "version": version,
        "scope": scope,
        "year": year,
        "years": years,
        "results": results,
        "counts": counts,
        "scope_choices": scope_choices(request, scope),
        "crumbs": breadcrumbs(request, scope),
        "map_target": map_target,
        # A city may have thousands of enterprises: the cockpit shows the first few, the target
        # page all of them.
        "child_rows": child_rows[:CHILD_ROWS_SHOWN],
        "child_count": len(child_rows),
        "targets": list(version.targets.all()),
        "wall": request.GET.get("display") == "wall",
        "recycling": cockpit_panel(scope, year),
        "chart_data": {
            "series": [_series_json(r) for r in results],
            "map": {
                "title": localized(map_target),
                "cities": [
                    {
                        "adcode": r.scope.code,
                        "name": r.scope.name,
                        "value": None if r.value is None else round(r.value / divisor, 3),
                    }
                    for r in map_rows
                ],
            }
            if map_rows
            else None,
        },
    }
    return render(request, "indicators/cockpit.html", context)


def _map_target(version: PlanVersion, code: str) -> Target:
    """The target the map and the breakdown show; the first target if the code is unknown."""
    return version.targets.filter(code=code.upper()).first() or version.targets.first()


def _target(version: PlanVersion, code: str) -> Target:
    target = version.targets.filter(code=code.upper()).first()
    if target is None:
        raise Http404("No such target")
    return target


@login_required
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = current_version()
    target = _target(version, code)
    scope = scope_for_request(request)
    year, years = year_for_request(request)
    result = next(r for r in services.evaluate_targets(version, scope, year) if r.target == target)
    children = visible_children(request, scope)
    rows = (
        services.evaluate_children(version, target, children, year, result.value)
        if children
        else []
    )
    return render(
        request,
        "indicators/target_detail.html",
        {
            "nav": "cockpit",
            "version": version,
            "target": target,
            "result": result,
            "scope": scope,
            "year": year,
            "years": years,
            "rows": Paginator(rows, 100).get_page(request.GET.get("page")),
            "crumbs": breadcrumbs(request, scope),
            "scope_choices": scope_choices(request, scope),
            "chart_data": _series_json(result),
        },
    )


@login_required
def records(request: HttpRequest, code: str) -> HttpResponse:
    """The values and honours behind one figure, with CSV export. Respects value visibility."""
    version = current_version()
    target = _target(version, code)
    scope = scope_for_request(request)
    year, _years = year_for_request(request)
    values, honours, products = services.records_behind(target, scope, year)
    if role_of(request.user) == Role.DEPARTMENT:
        # departments see aggregates, not single enterprises' reports
        values, products = values.none(), products.none()
    if request.GET.get("format") == "csv":
        return _records_csv(target, scope, year, values, honours, products)
    page = Paginator(values, 100).get_page(request.GET.get("page"))
    product_page = Paginator(products, 100).get_page(request.GET.get("ppage"))
    return render(
        request,
        "indicators/records.html",
        {
            "nav": "cockpit",
            "version": version,
            "target": target,
            "scope": scope,
            "year": year,
            "page": page,
            "honours": honours,
            "product_page": product_page,
            "crumbs": breadcrumbs(request, scope),
            "values_hidden": role_of(request.user) == Role.DEPARTMENT,
        },
    )


def _records_csv(target, scope, year, values, honours, products) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="tirebrain-{target.code}-{scope.code or "province"}-{year}.csv"'
    )
    response.write("\ufeff")  # so that Excel opens UTF-8 Chinese correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            _("record"),
            _("credit code"),
            _("enterprise"),
            _("data element"),
            _("period"),
            _("value"),
            _("stored by"),
            _("stored at"),
        ]
    )
    for v in values.iterator(chunk_size=2000):
        writer.writerow(
            [
                "value",
                v.org.code,
                localized(v.org),
                v.element.code,
                v.period_id,
                v.value,
                v.stored_by.get_username() if v.stored_by else "",
                v.stored_at.isoformat(),
            ]
        )
    for h in honours:
        writer.writerow(
            [
                "honour",
                h.enterprise.code,
                localized(h.enterprise),
                h.honour_type.code,
                h.year,
                h.level,
                "",
                "",
            ]
        )
    for o in products.iterator(chunk_size=2000):
        p = o.product
        kind = "product_high_end" if p.is_high_end else "product"
        label = f"{p.brand} {p.pattern} {p.size}"
        writer.writerow(
            [kind, p.enterprise.code, localized(p.enterprise), label, o.year, o.units, "", ""]
        )
    return response
