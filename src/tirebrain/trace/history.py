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
from django.utils.translation import gettext

from tirebrain.orgs.models import Organisation
from tirebrain.products.gtin import GtinError
from tirebrain.products.models import Product
from tirebrain.trace.epc import DIGITAL_LINK_STEM, EpcError, decode, from_gtin, match_key
from tirebrain.trace.lifecycle import Stage, lifecycle
from tirebrain.trace.models import Event, Location


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


class NotATyre(ValueError):
    """A text (or GTIN and serial) that names no tyre. The message, translated when raised,
    says so, gives the codec's reason (``reason``, from :class:`EpcError` or :class:`GtinError`)
    and the forms that name a tyre."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            gettext(
                "Not a valid tyre identifier (%(reason)s). A tyre is named by its EPC URN "
                "(urn:epc:id:sgtin:…), its tag URI (urn:epc:tag:sgtin-96:… or sgtin-198:…), "
                "the RFID tag's hex, the GS1 Digital Link of its sidewall QR code (…/01/…/21/…), "
                "or its GTIN and serial number."
            )
            % {"reason": reason}
        )


def key_for(identifier: str = "", gtin: str = "", serial: str = "") -> str:
    """The match key of a tyre named in any of its forms (raises NotATyre).

    Only an SGTIN names a tyre: any other text — which the event store keys as it is, so that it
    would find no event — is refused with the codec's reason rather than looked up."""
    try:
        if gtin or serial:
            return match_key(from_gtin(gtin.strip(), serial.strip()).digital_link)
        decode(identifier)  # an SGTIN in some form, or EpcError saying why not
        return match_key(identifier.strip())
    except (EpcError, GtinError) as exc:
        raise NotATyre(str(exc)) from exc


def _gtin_serial(key: str) -> tuple[str | None, str | None]:
    if not key.startswith(DIGITAL_LINK_STEM):
        return None, None
    tyre = decode(key)
    return tyre.gtin, tyre.serial


def _month_of(moment: datetime) -> datetime:
    """The first of the moment's month (local time): all the public learns of when."""
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


#: A tyre's events with their place, its city and the organisation that captured each, in one
#: statement: the life history is looked up by people scanning a tyre, at 10^7+ events, and
#: each further query (and the ORM's compiling of it) would cost more than the look-up itself.
_EVENTS_OF_TYRE = """
SELECT e.id, e.event_id, e.event_type, e.event_time, e.biz_step, e.disposition,
       e.biz_location, e.read_point,
       l.id AS loc_id, l.identifier AS loc_identifier, l.name_zh AS loc_name_zh,
       l.name_en AS loc_name_en, l.role AS loc_role,
       c.id AS city_id, c.code AS city_code, c.name_zh AS city_name_zh,
       c.name_en AS city_name_en,
       o.id AS org_id, o.code AS org_code, o.name_zh AS org_name_zh, o.name_en AS org_name_en
FROM trace_event e
LEFT JOIN trace_location l
       ON l.identifier = CASE WHEN e.biz_location <> '' THEN e.biz_location ELSE e.read_point END
LEFT JOIN orgs_organisation c ON c.id = l.city_id
LEFT JOIN orgs_organisation o ON o.id = e.organisation_id
WHERE e.id IN (SELECT x.event_id FROM trace_eventepc x WHERE x.key = %s)
ORDER BY e.event_time, e.id
"""


def _org(row, prefix: str) -> Organisation | None:
    pk = getattr(row, f"{prefix}_id")
    if pk is None:
        return None
    return Organisation(
        id=pk,
        code=getattr(row, f"{prefix}_code"),
        name_zh=getattr(row, f"{prefix}_name_zh"),
        name_en=getattr(row, f"{prefix}_name_en") or "",
    )


def history(key: str, detail_scope: QuerySet[Event] | None) -> History:
    """The tyre's events; details for those in ``detail_scope`` (None: none in detail)."""
    events = list(Event.objects.raw(_EVENTS_OF_TYRE, [key]))
    if detail_scope is None or not events:
        detailed = set()
    elif not detail_scope.query.where:  # every event (a provincial officer)
        detailed = {e.id for e in events}
    else:
        detailed = set(
            detail_scope.filter(id__in=[e.id for e in events]).values_list("id", flat=True)
        )
    cycle = lifecycle()
    stages = {s.code: s for s in cycle.stages}
    steps = []
    for e in events:
        location = None
        if e.loc_id is not None:
            location = Location(
                id=e.loc_id,
                identifier=e.loc_identifier,
                name_zh=e.loc_name_zh,
                name_en=e.loc_name_en or "",
                role=e.loc_role,
            )
        code = cycle.stage_of(e.event_type, e.biz_step, location.role if location else None)
        show = e.id in detailed
        steps.append(
            Step(
                when=e.event_time if show else _month_of(e.event_time),
                stage=stages.get(code) if code else None,
                biz_step=e.biz_step,
                disposition=e.disposition,
                event_type=e.event_type,
                city=_org(e, "city"),
                detailed=show,
                event_id=e.event_id if show else "",
                location=location if show else None,
                place=(e.biz_location or e.read_point) if show else "",
                captured_by=_org(e, "org") if show else None,
            )
        )
    gtin, serial = _gtin_serial(key)
    # GTINs are unique in the registry: no ORDER BY needed (``first()`` would add one).
    found = Product.objects.filter(gtin=gtin).select_related("enterprise")[:1] if gtin else ()
    product = next(iter(found), None)
    return History(key=key, gtin=gtin, serial=serial, product=product, steps=steps)
