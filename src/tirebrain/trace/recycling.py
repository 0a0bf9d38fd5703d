"""The recycling picture of the plan's task 4.3: tyres reaching each lifecycle stage by city and
year, and the ratios between stages (collection, retreading, recycling rates).

Everything here reads ``StageCount`` — kept current by every capture — so the picture costs a
few hundred rows whatever the number of events. ``restage`` rebuilds those counts from the event
table (after the stage rules in ``lifecycle.yaml`` changed) with one grouped query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear

from tirebrain.orgs.models import Organisation
from tirebrain.trace.lifecycle import Ratio, lifecycle
from tirebrain.trace.models import Event, EventEpc, Location, StageCount
from tirebrain.trace.store import TYRE_ROLES


@dataclass(frozen=True)
class RatioValue:
    ratio: Ratio
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f} %"


def counts(*, city_code: str | None = None) -> dict[int, dict[str, int]]:
    """{year: {stage: tyres}} for the province, or one city."""
    rows = StageCount.objects.all()
    if city_code is not None:
        rows = rows.filter(city_code=city_code)
    table: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows.values("year", "stage").annotate(n=Sum("tyres")).order_by("year"):
        table[row["year"]][row["stage"]] = row["n"]
    return dict(table)


def by_city(year: int) -> dict[str, dict[str, int]]:
    """{city code: {stage: tyres}} in ``year`` ("" = places not in the master data)."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for row in StageCount.objects.filter(year=year).values("city_code", "stage", "tyres"):
        table[row["city_code"]][row["stage"]] = row["tyres"]
    return dict(table)


def ratios(stages: dict[str, int]) -> list[RatioValue]:
    return [
        RatioValue(
            ratio=r,
            numerator=sum(stages.get(s, 0) for s in r.numerator),
            denominator=sum(stages.get(s, 0) for s in r.denominator),
        )
        for r in lifecycle().ratios
    ]


def formula(ratio: Ratio) -> str:
    """What a ratio divides, in stage names: "collected ÷ put on the market"; a side of more
    than one stage in brackets: "pyrolysis ÷ (reclaimed rubber + crumb rubber + pyrolysis)"."""
    names = {s.code: s.name for s in lifecycle().stages}

    def side(codes: tuple[str, ...]) -> str:
        terms = " + ".join(names[code] for code in codes)
        return f"({terms})" if len(codes) > 1 else terms

    return f"{side(ratio.numerator)} ÷ {side(ratio.denominator)}"


def city_rows(year: int) -> list[dict]:
    """One row per city (GB/T 2260 order) with its stage counts and ratios in ``year``."""
    table = by_city(year)
    rows = []
    for city in Organisation.objects.cities():
        stages = table.get(city.code, {})
        rows.append({"city": city, "stages": stages, "ratios": ratios(stages)})
    return rows


def stage_events(stage_code: str, year: int, city_code: str | None = None):
    """The events behind one count: the stage's rule, that year, places in that city."""
    stage = next(s for s in lifecycle().stages if s.code == stage_code)
    events = Event.objects.filter(biz_step=stage.biz_step, event_time__year=year)
    if stage.event_type:
        events = events.filter(event_type=stage.event_type)
    places = Location.objects.all()
    if stage.location_role:
        places = places.filter(role=stage.location_role)
    if city_code:
        places = places.filter(city__code=city_code)
    if stage.location_role or city_code:
        events = events.filter(biz_location__in=places.values("identifier"))
    return events


def restage() -> int:
    """Rebuild ``StageCount`` from the events: tyres per (type, step, place, year) counted in
    the database, then each group given its stage and city."""
    cycle = lifecycle()
    steps = {s.biz_step for s in cycle.stages}
    groups = (
        EventEpc.objects.filter(role__in=TYRE_ROLES, event__biz_step__in=steps)
        .values(
            "event__event_type",
            "event__biz_step",
            "event__biz_location",
            year=ExtractYear("event__event_time"),
        )
        .annotate(tyres=Count("key", filter=Q(role__in=TYRE_ROLES)))
    )
    places = {
        loc["identifier"]: (loc["role"], loc["city__code"])
        for loc in Location.objects.values("identifier", "role", "city__code")
    }
    totals: dict[tuple[str, str, int], int] = defaultdict(int)
    for g in groups:
        role, city = places.get(g["event__biz_location"], (None, ""))
        stage = cycle.stage_of(g["event__event_type"], g["event__biz_step"], role)
        if stage:
            totals[(stage, city, g["year"])] += g["tyres"]
    with transaction.atomic():
        StageCount.objects.all().delete()
        StageCount.objects.bulk_create(
            StageCount(stage=s, city_code=c, year=y, tyres=n) for (s, c, y), n in totals.items()
        )
    return len(totals)


def cockpit_panel(scope, year: int) -> dict | None:
    """The cockpit's recycling summary for the province or a city; None at other levels or
    when nothing has been reported yet."""
    if getattr(scope, "kind", None) not in ("province", "city"):
        return None
    city_code = scope.code if scope.kind == "city" else None
    stages = counts(city_code=city_code).get(year)
    if not stages:
        return None
    return {
        "year": year,
        "city": scope.name if city_code else "",
        "ratios": ratios(stages),
        "on_market": stages.get("on_market", 0),
        "collected": stages.get("collected", 0),
    }
