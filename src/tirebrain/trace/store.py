"""Writing captured events: rows prepared one event at a time, one bulk write per table.

Capture has to reach 10,000 events/s on one core, so the rows go to PostgreSQL by ``COPY``
(psycopg), streamed while they are prepared, and to SQLite by ``executemany``, with the event
ids reserved up front so that the identifier rows can be written in the same pass. A re-sent
event (same ``eventID``) is stored once: repeats within a document are dropped before writing
(:func:`first_occurrences`), and the unique constraint on ``event_id`` finds events stored
before (capture then writes only :func:`not_stored` ones) and is the guard against two
captures racing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import orjson
from django.db import connection
from django.utils import timezone

from tirebrain.trace.epc import EpcError, match_key
from tirebrain.trace.errors import EventError
from tirebrain.trace.lifecycle import bare_cbv, lifecycle
from tirebrain.trace.models import EpcRole, Event

EPC_FIELDS = (
    ("epcList", EpcRole.EPC),
    ("childEPCs", EpcRole.CHILD),
    ("inputEPCList", EpcRole.INPUT),
    ("outputEPCList", EpcRole.OUTPUT),
)
CLASS_FIELDS = (
    ("quantityList", EpcRole.CLASS),
    ("childQuantityList", EpcRole.CHILD_CLASS),
    ("inputQuantityList", EpcRole.INPUT_CLASS),
    ("outputQuantityList", EpcRole.OUTPUT_CLASS),
)
#: The roles whose identifiers are the tyres an event is about (for the stage counts):
#: a recycler's TransformationEvent consumes tyres (inputs) and makes material (outputs).
TYRE_ROLES = (EpcRole.EPC, EpcRole.CHILD, EpcRole.INPUT)

#: The event table's columns in the order capture writes them: the event's own, then the
#: capture's (the same for every event of a document).
EVENT_COLUMNS = (
    "id",
    "event_id",
    "event_type",
    "event_time",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "body",
    "record_time",
    "job_id",
    "organisation_id",
    "context_id",
)
EPC_COLUMNS = ("event_id", "role", "key")


@dataclass(slots=True)
class Row:
    """An event ready to be written: the indexed columns, the body, the identifiers."""

    event_id: str
    event_type: str
    event_time: datetime
    action: str
    biz_step: str
    disposition: str
    read_point: str
    biz_location: str
    body: str
    keys: list[tuple[int, str]]


def identifiers(event: dict) -> list[tuple[int, str]]:
    """(role, match key) of every EPC and EPC class the event names, without repeats."""
    seen: dict[tuple[int, str], None] = {}
    for field, role in EPC_FIELDS:
        for epc in event.get(field) or ():
            seen[(role, match_key(epc))] = None
    parent = event.get("parentID")
    if parent:
        seen[(EpcRole.PARENT, match_key(parent))] = None
    for field, role in CLASS_FIELDS:
        for item in event.get(field) or ():
            seen[(role, match_key(item["epcClass"]))] = None
    return list(seen)


def prepare(event: dict, event_id: str, record_time: str) -> Row:
    """The row for a valid event. ``record_time`` (set by the repository, EPCIS §7.4.1) and
    ``event_id`` are written into the body, so a query returns them like any other field."""
    body = dict(event)
    body["eventID"] = event_id
    body["recordTime"] = record_time
    return Row(
        event_id=event_id,
        event_type=event["type"],
        event_time=datetime.fromisoformat(event["eventTime"]),
        action=event.get("action", ""),
        biz_step=bare_cbv(event.get("bizStep", ""), "bizStep"),
        disposition=bare_cbv(event.get("disposition", ""), "disposition"),
        read_point=(event.get("readPoint") or {}).get("id", ""),
        biz_location=(event.get("bizLocation") or {}).get("id", ""),
        body=orjson.dumps(body).decode(),
        keys=identifiers(event),
    )


@dataclass(slots=True)
class Candidate:
    """An event of a captured document to be stored: its position and its eventID (the
    sender's, or the CBV hash ID)."""

    index: int
    event: dict
    event_id: str


def prepared(
    candidates: Iterable[Candidate], record_time: str, errors: list[EventError]
) -> Iterator[Row]:
    """The rows of ``candidates``, prepared as they are asked for; an event naming a malformed
    EPC is left out and its error appended to ``errors``."""
    for c in candidates:
        try:
            yield prepare(c.event, c.event_id, record_time)
        except EpcError as exc:
            errors.append(
                EventError(
                    event_index=c.index,
                    event_id=c.event.get("eventID"),
                    field=getattr(exc, "field", "") or "",
                    code="epc",
                    message=str(exc),
                )
            )


def first_occurrences(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Each eventID once, where it first occurs. A later repeat that declares an error (the
    event sent again with ``errorDeclaration``, EPCIS 2.0 §7.4.1.2) adds its declaration to
    the first, so an event and its declaration in one document store the declared event."""
    first: dict[str, Candidate] = {}
    for c in candidates:
        seen = first.get(c.event_id)
        if seen is None:
            first[c.event_id] = c
        elif "errorDeclaration" in c.event and "errorDeclaration" not in seen.event:
            seen.event = {**seen.event, "errorDeclaration": c.event["errorDeclaration"]}
    return list(first.values())


def not_stored(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates whose event is not in the repository yet."""
    stored = set(
        Event.objects.filter(event_id__in=[c.event_id for c in candidates]).values_list(
            "event_id", flat=True
        )
    )
    return [c for c in candidates if c.event_id not in stored]


def declare_errors(candidates: list[Candidate]) -> int:
    """Add the error declarations among ``candidates`` to their stored events. An error
    declaration (EPCIS 2.0 §7.4.1.2) is the erroneous event sent again — same eventID — with
    ``errorDeclaration`` added; the repository keeps the event and adds the declaration to it.
    Returns how many events were marked."""
    marked = 0
    for c in candidates:
        if "errorDeclaration" not in c.event:
            continue
        event = Event.objects.filter(event_id=c.event_id).only("id", "body").first()
        if event is None:
            continue
        body = orjson.loads(event.body)
        if "errorDeclaration" in body:
            continue
        body["errorDeclaration"] = c.event["errorDeclaration"]
        Event.objects.filter(pk=event.pk).update(body=orjson.dumps(body).decode())
        marked += 1
    return marked


def write(
    rows: Iterable[Row],
    count: int,
    *,
    job_id: int,
    organisation_id: int,
    context_id: int | None,
    record_time: datetime,
) -> list[Row]:
    """Insert ``rows`` (at most ``count``, each eventID once and not stored yet) and count them
    into the lifecycle stages; returns the rows written. Call inside a transaction.

    ``rows`` may be a generator that prepares each row as it is asked for: on PostgreSQL the
    events are sent by ``COPY`` a chunk at a time as they are prepared, so that the server
    stores and indexes one chunk while Python prepares the next (the database server is a
    process of its own) — the writes were half of capture's time when they came after all
    the preparing."""
    ids = _reserve_ids(count)
    if connection.vendor == "postgresql":
        written = _copy_events(rows, ids, job_id, organisation_id, context_id, record_time)
    else:
        written = list(rows)
        shared = (connection.ops.adapt_datetimefield_value(record_time), job_id, organisation_id)
        _insert_many(
            "trace_event",
            EVENT_COLUMNS,
            (
                (
                    pk,
                    r.event_id,
                    r.event_type,
                    connection.ops.adapt_datetimefield_value(r.event_time),
                    r.action,
                    r.biz_step,
                    r.disposition,
                    r.read_point,
                    r.biz_location,
                    r.body,
                    *shared,
                    context_id,
                )
                for r, pk in zip(written, ids, strict=False)
            ),
        )
        _insert_many(
            "trace_eventepc",
            EPC_COLUMNS,
            ((pk, role, key) for r, pk in zip(written, ids, strict=False) for role, key in r.keys),
        )
    count_stages(written)
    return written


#: On PostgreSQL the event id sequence counts in steps of ``ID_BLOCK`` (migration 0002): one
#: ``nextval`` reserves that many ids. Fetching a value per event cost 4–7 µs an event.
ID_BLOCK = 1000


def _reserve_ids(n: int) -> list[int]:
    """``n`` unused event ids (ascending)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence('trace_event', 'id')) "
                "FROM generate_series(1, %s)",
                [-(-n // ID_BLOCK)],
            )
            starts = sorted(row[0] for row in cur.fetchall())
            return [id_ for s in starts for id_ in range(s, s + ID_BLOCK)][:n]
        # SQLite has one writer at a time: inside the caller's transaction the maximum
        # cannot move under us.
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM trace_event")
        start = cur.fetchone()[0] + 1
        return list(range(start, start + n))


#: Events sent to PostgreSQL per ``COPY`` data message: small enough for the server to start
#: on the first chunk soon, big enough that the messages cost nothing.
COPY_CHUNK = 50


def _copy_events(
    rows: Iterable[Row],
    ids: list[int],
    job_id: int,
    organisation_id: int,
    context_id: int | None,
    record_time: datetime,
) -> list[Row]:
    """``COPY`` the events chunk by chunk as ``rows`` yields them, gathering their identifier
    lines on the way; then ``COPY`` the identifiers. Text format built by hand: three times
    faster than psycopg adapting row by row (``write_row``)."""
    shared = f"\t{record_time.isoformat()}\t{job_id}\t{organisation_id}\t"
    shared += "\\N\n" if context_id is None else f"{context_id}\n"
    written: list[Row] = []
    epc_lines: list[str] = []
    with _copy("trace_event", EVENT_COLUMNS) as send:
        lines: list[str] = []
        for r, pk in zip(rows, ids, strict=False):
            written.append(r)
            lines.append(_event_line(pk, r) + shared)
            epc_lines.extend(f"{pk}\t{role}\t{_text(key)}\n" for role, key in r.keys)
            if len(lines) == COPY_CHUNK:
                send(lines)
                lines = []
        send(lines)
    with _copy("trace_eventepc", EPC_COLUMNS) as send:
        send(epc_lines)
    return written


def _event_line(pk: int, r: Row) -> str:
    """The event's columns up to ``body`` (``EVENT_COLUMNS``' order) as COPY text."""
    return "\t".join(
        (
            str(pk),
            _text(r.event_id),
            _text(r.event_type),
            r.event_time.isoformat(),
            _text(r.action),
            _text(r.biz_step),
            _text(r.disposition),
            _text(r.read_point),
            _text(r.biz_location),
            _text(r.body),
        )
    )


@contextmanager
def _copy(table: str, columns: tuple[str, ...]) -> Iterator[Callable[[list[str]], None]]:
    """A ``COPY … FROM STDIN`` in PostgreSQL's text format, yielding a function that sends a
    list of lines. Runs on psycopg's own cursor under Django's wrapper, so that errors come out
    as Django's (a re-sent event must raise IntegrityError, which capture handles)."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with (
        connection.cursor() as cur,
        connection.wrap_database_errors,
        cur.cursor.copy(statement) as copy,
    ):

        def send(lines: list[str]) -> None:
            if lines:
                copy.write("".join(lines).encode())

        yield send


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    """A text value escaped for COPY's text format (a backslash, tab, newline or return)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _insert_many(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def count_stages(rows: list[Row]) -> None:
    """Add the batch's tyres to ``StageCount`` by (stage, city of the location, year) — one
    upsert per group, so concurrent captures add up instead of overwriting each other."""
    cycle = lifecycle()
    rows = [r for r in rows if r.biz_step in cycle.by_step]
    if not rows:
        return
    where = _places({r.biz_location for r in rows if r.biz_location})
    counts: Counter[tuple[str, str, int]] = Counter()
    for r in rows:
        role, city = where.get(r.biz_location, (None, ""))
        stage = cycle.stage_of(r.event_type, r.biz_step, role)
        if stage is None:
            continue
        tyres = sum(1 for role_, _key in r.keys if role_ in TYRE_ROLES)
        if tyres:
            counts[(stage, city, _local_year(r.event_time))] += tyres
    if not counts:
        return
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO trace_stagecount (stage, city_code, year, tyres) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (stage, city_code, year) "
            "DO UPDATE SET tyres = trace_stagecount.tyres + excluded.tyres",
            [(*k, n) for k, n in sorted(counts.items())],
        )


def _local_year(moment: datetime) -> int:
    """The year in the site's time zone; converting only near New Year, where it can differ
    (a time-zone conversion costs more than the rest of the stage count)."""
    if 1 < moment.month < 12:
        return moment.year
    return timezone.localtime(moment).year


def _places(identifiers: set[str]) -> dict[str, tuple[str, str]]:
    """{identifier: (role, city code)} of the known places among ``identifiers``, with the list
    sent as one parameter (an IN list of hundreds of placeholders costs more to build)."""
    if not identifiers:
        return {}
    if connection.vendor == "postgresql":
        match, param = "= ANY(%s)", list(identifiers)
    else:
        match, param = (
            "IN (SELECT value FROM json_each(%s))",
            orjson.dumps(list(identifiers)).decode(),
        )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT l.identifier, l.role, o.code FROM trace_location l "
            f"JOIN orgs_organisation o ON o.id = l.city_id WHERE l.identifier {match}",
            [param],
        )
        return {identifier: (role, city) for identifier, role, city in cur.fetchall()}
