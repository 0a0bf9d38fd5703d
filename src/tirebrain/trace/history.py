"""A tyre's life history: every event that names it, in time order, with where and who.

The tyre is named in any form a person or a reader has at hand — the EPC URN, the tag URI, the
tag's hex, GTIN + serial, or the GS1 Digital Link on its sidewall QR code — and found by its
match key (one index lookup, then its events by primary key). Who sees what: the public sees the
stages, the month and the city; a logged-in user sees, in addition, the details (place,
organisation, event ID) of the events in their scope (``trace.access.events_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from tirebrain.orgs.models import Organisation
from tirebrain.products.models import Product
from tirebrain.trace.epc import DIGITAL_LINK_STEM, decode, from_gtin, match_key
from tirebrain.trace.lifecycle import Stage, lifecycle
from tirebrain.trace.models import Event, EventEpc, Location


@dataclass(frozen=True)
class Step:
    when: datetime
    stage: Stage | None
    biz_step: str
    disposition: str
    event_type: str
    city: Organisation | None
    detailed: bool
    # Only when ``detailed``:
    event_id: str = ""
    location: Location | None = None
    place: str = ""
    captured_by: Organisation | None = None


@dataclass(frozen=True)
class History:
    key: str
    gtin: str | None
    serial: str | None
    product: Product | None
    steps: list[Step]

    @property
    def current(self) -> Step | None:
        return next((s for s in reversed(self.steps) if s.stage), None)


def key_for(identifier: str = "", gtin: str = "", serial: str = "") -> str:
    """The match key of a tyre named in any of its forms (raises EpcError)."""
    if gtin or serial:
        return match_key(from_gtin(gtin.strip(), serial.strip()).digital_link)
    return match_key(identifier.strip())


def _gtin_serial(key: str) -> tuple[str | None, str | None]:
    if not key.startswith(DIGITAL_LINK_STEM):
        return None, None
    tyre = decode(key)
    return tyre.gtin, tyre.serial


def _month_of(moment: datetime) -> datetime:
    """The first of the moment's month (local time): all the public learns of when."""
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def history(key: str, detail_scope: QuerySet[Event] | None) -> History:
    """The tyre's events; details for those in ``detail_scope`` (None: none in detail)."""
    ids = EventEpc.objects.filter(key=key).values("event_id")
    events = list(
        Event.objects.filter(id__in=ids)
        .order_by("event_time", "id")
        .values(
            "id",
            "event_id",
            "event_type",
            "event_time",
            "biz_step",
            "disposition",
            "biz_location",
            "read_point",
            "organisation_id",
        )
    )
    detailed = set()
    if detail_scope is not None and events:
        detailed = set(
            detail_scope.filter(id__in=[e["id"] for e in events]).values_list("id", flat=True)
        )
    places = {
        loc.identifier: loc
        for loc in Location.objects.filter(
            identifier__in={e["biz_location"] or e["read_point"] for e in events}
        ).select_related("city")
    }
    orgs = Organisation.objects.in_bulk(
        {e["organisation_id"] for e in events if e["id"] in detailed}
    )
    cycle = lifecycle()
    stages = {s.code: s for s in cycle.stages}
    steps = []
    for e in events:
        place_id = e["biz_location"] or e["read_point"]
        location = places.get(place_id)
        code = cycle.stage_of(e["event_type"], e["biz_step"], location.role if location else None)
        show = e["id"] in detailed
        steps.append(
            Step(
                when=e["event_time"] if show else _month_of(e["event_time"]),
                stage=stages.get(code) if code else None,
                biz_step=e["biz_step"],
                disposition=e["disposition"],
                event_type=e["event_type"],
                city=location.city if location else None,
                detailed=show,
                event_id=e["event_id"] if show else "",
                location=location if show else None,
                place=place_id if show else "",
                captured_by=orgs.get(e["organisation_id"]) if show else None,
            )
        )
    gtin, serial = _gtin_serial(key)
    product = (
        Product.objects.filter(gtin=gtin).select_related("enterprise").first() if gtin else None
    )
    return History(key=key, gtin=gtin, serial=serial, product=product, steps=steps)
