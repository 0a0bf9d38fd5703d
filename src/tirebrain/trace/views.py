"""Traceability pages: a tyre's life history (public, with details by scope), the recycling
picture, and the events behind each of its figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tirebrain.accounts.access import role_of, scope_of
from tirebrain.accounts.models import Role
from tirebrain.orgs.models import Organisation
from tirebrain.trace import recycling
from tirebrain.trace.access import events_for
from tirebrain.trace.history import NotATyre, history, key_for
from tirebrain.trace.lifecycle import lifecycle
from tirebrain.trace.models import EventEpc, Location, StageCount
from tirebrain.trace.store import TYRE_ROLES


def tyre(request: HttpRequest, gtin: str = "", serial: str = "") -> HttpResponse:
    """Look up a tyre by any of its identifiers; show its life history."""
    identifier = request.GET.get("id", "").strip()
    gtin = gtin or request.GET.get("gtin", "").strip()
    serial = serial or request.GET.get("serial", "").strip()
    found, error = None, ""
    if identifier or gtin or serial:
        try:
            key = key_for(identifier, gtin=gtin, serial=serial)
        except NotATyre as exc:
            error = str(exc)
        else:
            found = history(key, events_for(request.user))
    template = "trace/tyre.html" if request.user.is_authenticated else "trace/tyre_public.html"
    steps = [(s, _step_word(s.biz_step)) for s in found.steps] if found else []
    return render(
        request,
        template,
        {
            "nav": "trace",
            "history": found,
            "steps": steps,
            "error": error,
            "identifier": identifier,
        },
    )


def _step_word(biz_step: str) -> str:
    """A business step as the timeline shows it: a CBV word as is, a user-vocabulary URI
    (``https://voc.tirebrain.sd.gov.cn/bizstep/retreading``) by its last segment, which names
    the step as well and fits a phone's line."""
    return biz_step.rstrip("/").rsplit("/", 1)[-1] if "://" in biz_step else biz_step


def _years() -> list[int]:
    years = sorted(set(StageCount.objects.values_list("year", flat=True)))
    return years or [timezone.localdate().year]


def _year(request: HttpRequest, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = years[-1]
    return year if year in years else years[-1]


@login_required
def recycling_page(request: HttpRequest) -> HttpResponse:
    """The province's figures, or — for a city officer, who sees only their city — the city's."""
    city = scope_of(request.user) if role_of(request.user) == Role.CITY else None
    years = _years()
    year = _year(request, years)
    table = recycling.counts(city_code=city.code if city else None)
    stages = table.get(year, {})
    cities = recycling.city_rows(year)
    if city is not None:
        cities = [row for row in cities if row["city"].pk == city.pk]
    return render(
        request,
        "trace/recycling.html",
        {
            "nav": "trace",
            "year": year,
            "years": years,
            "stages": lifecycle().stages,
            "province": stages,
            "ratios": [(r, recycling.formula(r.ratio)) for r in recycling.ratios(stages)],
            "trend": [(y, table[y]) for y in sorted(table)],
            "cities": cities,
            "city": city,
        },
    )


@login_required
def stage_events(request: HttpRequest, stage: str, year: int) -> HttpResponse:
    """The events behind one figure of the recycling picture (the user's events only)."""
    if stage not in {s.code for s in lifecycle().stages}:
        raise Http404("No such stage")
    city_code = request.GET.get("city", "")
    city = Organisation.objects.cities().filter(code=city_code).first() if city_code else None
    scope = events_for(request.user)
    events = recycling.stage_events(stage, year, city_code or None)
    allowed = scope is not None
    if allowed:
        events = events.filter(id__in=scope.values("id"))
    page = Paginator(events.order_by("event_time", "id"), 50).get_page(request.GET.get("page"))
    if allowed:
        tyres: dict[int, list[str]] = {}
        for row in EventEpc.objects.filter(
            event_id__in=[e.pk for e in page], role__in=TYRE_ROLES
        ).values_list("event_id", "key"):
            tyres.setdefault(row[0], []).append(row[1])
        places = Location.objects.in_bulk([e.biz_location for e in page], field_name="identifier")
        for e in page:
            e.tyres = tyres.get(e.pk, [])
            e.place = places.get(e.biz_location)
    return render(
        request,
        "trace/stage_events.html",
        {
            "nav": "trace",
            "stage": next(s for s in lifecycle().stages if s.code == stage),
            "year": year,
            "city": city,
            "allowed": allowed,
            "page": page if allowed else None,
        },
    )
