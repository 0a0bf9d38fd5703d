"""/api/v1/tyres: a tyre's life history as JSON (the page's data; public view for anonymous
callers, details for the events in the caller's scope)."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from tirebrain.core.i18n import localized
from tirebrain.trace.access import events_for
from tirebrain.trace.history import NotATyre, history, key_for

router = Router(tags=["traceability"])


class StepOut(Schema):
    time: datetime
    stage: str | None
    stage_name: str | None
    biz_step: str
    disposition: str
    event_type: str
    city: str | None
    detailed: bool
    event_id: str | None = None
    location: str | None = None
    location_name: str | None = None
    captured_by: str | None = None


class HistoryOut(Schema):
    key: str
    gtin: str | None
    serial: str | None
    product: str | None
    current_stage: str | None
    steps: list[StepOut]


@router.get(
    "/tyres/history",
    response=HistoryOut,
    auth=None,
    summary="A tyre's life history by EPC URI, tag hex, Digital Link, or GTIN + serial",
)
def tyre_history(request, id: str = "", gtin: str = "", serial: str = ""):
    from tirebrain.api import optional_user

    user = optional_user(request)
    if not (id or gtin or serial):
        raise HttpError(400, "Give id, or gtin and serial.")
    try:
        key = key_for(id, gtin=gtin, serial=serial)
    except NotATyre as exc:
        raise HttpError(400, str(exc)) from None
    found = history(key, events_for(user) if user else None)
    return {
        "key": found.key,
        "gtin": found.gtin,
        "serial": found.serial,
        "product": (
            f"{found.product.brand} {found.product.pattern} {found.product.size}"
            if found.product
            else None
        ),
        "current_stage": found.current.stage.code if found.current else None,
        "steps": [
            {
                "time": s.when,
                "stage": s.stage.code if s.stage else None,
                "stage_name": s.stage.name if s.stage else None,
                "biz_step": s.biz_step,
                "disposition": s.disposition,
                "event_type": s.event_type,
                "city": s.city.code if s.city else None,
                "detailed": s.detailed,
                "event_id": s.event_id or None,
                "location": s.place or None,
                "location_name": localized(s.location) if s.location else None,
                "captured_by": s.captured_by.code if s.captured_by else None,
            }
            for s in found.steps
        ],
    }
