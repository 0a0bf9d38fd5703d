"""Capture (EPCIS 2.0 §8.2.2, REST binding ``/capture`` and ``POST /events``).

A document is checked whole before anything is stored (``trace.validation``): a JSON document
against the EPCIS 2.0 JSON Schema, an XML document against the EPCIS 2.0 XSD (each binding by its
own normative schema), both by the CBV rules. Under ``rollback`` (the default) one bad event
refuses the document; under ``proceed`` the valid events are stored and the bad ones reported.
Either way the capture job records every error with the event's index, its eventID and the
field, and which organisation sent the document.

A re-sent event (same eventID) is stored once; an error declaration — the event sent again with
``errorDeclaration`` — is added to the stored event (``store.declare_errors``).

The job runs inside the request: by the time ``202 Accepted`` goes back the job has finished, so
a client polling its ``Location`` sees the outcome at once (the binding allows either).
"""

from __future__ import annotations

import hashlib

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tirebrain.trace.epc import EpcError
from tirebrain.trace.errors import EventError
from tirebrain.trace.hashid import event_hash_id
from tirebrain.trace.models import CaptureBehaviour, CaptureJob, EventContext
from tirebrain.trace.store import (
    Row,
    declare_errors,
    first_occurrences,
    not_stored,
    prepare,
    write,
)
from tirebrain.trace.validation import validate_document, validate_event

#: The EPCIS 2.0 context every document names; not worth storing per document.
STANDARD_CONTEXTS = frozenset(
    {
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    }
)


def stored_context(context) -> EventContext | None:
    """The document's ``@context`` without the standard one (deduplicated), or None."""
    items = context if isinstance(context, list) else [context] if context else []
    rest = [c for c in items if not (isinstance(c, str) and c in STANDARD_CONTEXTS)]
    if not rest:
        return None
    body = orjson.dumps(rest, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(body).hexdigest()
    found = EventContext.objects.filter(digest=digest).first()
    return found or EventContext.objects.create(digest=digest, body=body.decode())


def record_time_now() -> tuple:
    now = timezone.now()
    return now, now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rows(
    events: list[dict], skip: set[int], context, record_text: str
) -> tuple[list[Row], list[EventError]]:
    rows, errors = [], []
    for index, event in enumerate(events):
        if index in skip:
            continue
        event_id = event.get("eventID") or event_hash_id(event, context)
        try:
            rows.append(prepare(event, event_id, record_text))
        except EpcError as exc:
            errors.append(
                EventError(
                    event_index=index,
                    event_id=event.get("eventID"),
                    field=getattr(exc, "field", "") or "",
                    code="epc",
                    message=str(exc),
                )
            )
    return rows, errors


def capture_document(
    doc: dict,
    *,
    user,
    organisation,
    behaviour: str = CaptureBehaviour.ROLLBACK,
    document_format: str = "json",
) -> CaptureJob:
    """Validate and store an EPCISDocument; returns the finished job."""
    events = ((doc.get("epcisBody") or {}).get("eventList")) or []
    job = CaptureJob.objects.create(
        user=user if getattr(user, "pk", None) else None,
        organisation=organisation,
        behaviour=behaviour,
        document_format=document_format,
        event_count=len(events) if isinstance(events, list) else 0,
    )
    errors = validate_document(doc, max_events=settings.EPCIS_MAX_EVENTS)
    document_level = any(e.event_index is None for e in errors)
    if document_level or (errors and behaviour == CaptureBehaviour.ROLLBACK):
        return _finish(job, errors, stored=0, duplicates=0)
    bad = {e.event_index for e in errors}
    return _store(job, events, bad, doc.get("@context"), errors)


def capture_event(event: dict, *, user, organisation) -> tuple[CaptureJob, str | None]:
    """Validate and store one event (``POST /events``); returns the job and the eventID."""
    job = CaptureJob.objects.create(
        user=user if getattr(user, "pk", None) else None,
        organisation=organisation,
        event_count=1,
    )
    errors = validate_event(event, None)
    if errors:
        return _finish(job, errors, stored=0, duplicates=0), None
    context = event.get("@context")
    event_id = event.get("eventID") or event_hash_id(event, context)
    job = _store(job, [{**event, "eventID": event_id}], set(), context, [])
    return job, event_id if job.success else None


def _store(
    job: CaptureJob, events: list[dict], bad: set[int], context, errors: list[EventError]
) -> CaptureJob:
    record_time, record_text = record_time_now()
    rows, row_errors = _rows(events, bad, context, record_text)
    errors = errors + row_errors
    if row_errors and job.behaviour == CaptureBehaviour.ROLLBACK:
        return _finish(job, errors, stored=0, duplicates=0)
    unique = first_occurrences(rows)
    try:
        with transaction.atomic():
            ctx = stored_context(context)
            target = {
                "job_id": job.pk,
                "organisation_id": job.organisation_id,
                "context_id": ctx.pk if ctx else None,
                "record_time": record_time,
            }
            # Most documents are new: write at once and let the unique index find re-sent
            # events; only then look up which were stored before and write the rest.
            try:
                with transaction.atomic():
                    write(unique, **target)
                fresh, declared = unique, 0
            except IntegrityError:
                fresh = not_stored(unique)
                write(fresh, **target)
                new = {r.event_id for r in fresh}
                declared = declare_errors(
                    [r for r in unique if r.declares_error and r.event_id not in new]
                )
    except IntegrityError:
        # Another capture stored one of these events between our check and our write.
        conflict = EventError(
            event_index=None,
            event_id=None,
            field="",
            code="conflict",
            message=_(
                "Another capture stored some of these events at the same time; send the "
                "document again (events already stored are skipped)."
            ),
        )
        return _finish(job, [*errors, conflict], stored=0, duplicates=0)
    stored = len(fresh) + declared
    return _finish(job, errors, stored=stored, duplicates=len(rows) - stored)


def _finish(job: CaptureJob, errors: list[EventError], *, stored: int, duplicates: int):
    job.running = False
    job.success = not errors
    job.finished_at = timezone.now()
    job.errors = [e.as_dict() for e in errors]
    job.stored_count = stored
    job.duplicate_count = duplicates
    job.save(
        update_fields=[
            "running",
            "success",
            "finished_at",
            "errors",
            "stored_count",
            "duplicate_count",
        ]
    )
    return job
