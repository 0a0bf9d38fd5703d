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

from tirebrain.trace.errors import CaptureRefused, EventError
from tirebrain.trace.hashid import event_hash_id
from tirebrain.trace.models import CaptureBehaviour, CaptureJob, EventContext
from tirebrain.trace.store import (
    Candidate,
    declare_errors,
    first_occurrences,
    not_stored,
    prepared,
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


def _candidates(events: list[dict], skip: set[int], context) -> list[Candidate]:
    """The events to store, under their eventIDs, each eventID once."""
    return first_occurrences(
        Candidate(index, event, event.get("eventID") or event_hash_id(event, context))
        for index, event in enumerate(events)
        if index not in skip
    )


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
    candidates = _candidates(events, bad, context)
    # Rows are prepared while they are written (store.write streams them to the database); an
    # event whose EPCs turn out malformed is left out then, and its error collected here.
    row_errors: list[EventError] = []
    try:
        with transaction.atomic():
            ctx = stored_context(context)
            target = {
                "job_id": job.pk,
                "organisation_id": job.organisation_id,
                "context_id": ctx.pk if ctx else None,
                "record_time": record_time,
            }
            rollback = job.behaviour == CaptureBehaviour.ROLLBACK
            # Most documents are new: write at once and let the unique constraint find
            # re-sent events; only then look up which were stored before and write the rest.
            try:
                with transaction.atomic():
                    stored = _write(candidates, record_text, target, row_errors, rollback)
                declared = 0
            except IntegrityError:
                fresh = not_stored(candidates)
                stored = _write(fresh, record_text, target, row_errors, rollback)
                new = {c.event_id for c in fresh}
                declared = declare_errors([c for c in candidates if c.event_id not in new])
    except CaptureRefused as refused:
        return _finish(job, errors + refused.errors, stored=0, duplicates=0)
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
        return _finish(job, [*errors, *row_errors, conflict], stored=0, duplicates=0)
    written = stored + declared
    accepted = len(events) - len(bad) - len(row_errors)
    return _finish(job, errors + row_errors, stored=written, duplicates=accepted - written)


def _write(
    candidates: list[Candidate], record_text: str, target: dict, errors: list, rollback: bool
) -> int:
    """Prepare and write ``candidates``; ``errors`` gets (afresh) those whose EPCs are
    malformed, which under ``rollback`` refuse them all. Returns how many were written."""
    errors.clear()
    rows = write(prepared(candidates, record_text, errors), len(candidates), **target)
    if errors and rollback:
        raise CaptureRefused(errors)
    return len(rows)


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
