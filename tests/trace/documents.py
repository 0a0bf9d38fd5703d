"""Hand-made EPCIS 2.0 documents about tyres, for capture and query tests."""

from __future__ import annotations

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
FACTORY = "urn:epc:id:sgln:0614141.00777.0"
RETAILER = "urn:epc:id:sgln:0614141.00888.0"


def sgtin(serial: int, item: str = "812345", prefix: str = "0614141") -> str:
    return f"urn:epc:id:sgtin:{prefix}.{item}.{serial}"


def object_event(
    n: int,
    *,
    epcs: list[str] | None = None,
    time: str = "2025-03-01T08:00:00+08:00",
    biz_step: str = "commissioning",
    disposition: str = "active",
    action: str = "ADD",
    location: str = FACTORY,
    event_id: str | None = "auto",
    **extra,
) -> dict:
    event = {
        "type": "ObjectEvent",
        "eventTime": time,
        "eventTimeZoneOffset": time[-6:] if time[-6] in "+-" else "+00:00",
        "epcList": epcs if epcs is not None else [sgtin(n)],
        "action": action,
        "bizStep": biz_step,
        "disposition": disposition,
        "readPoint": {"id": location},
        "bizLocation": {"id": location},
        **extra,
    }
    if event_id == "auto":
        event["eventID"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
    elif event_id:
        event["eventID"] = event_id
    return event


def document(*events: dict, context: list | None = None) -> dict:
    return {
        "@context": context or CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-03-01T09:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }
