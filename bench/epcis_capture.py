"""EPCIS capture throughput, end to end, against a ceiling measured in the same run.

Usage:

    uv run python bench/epcis_capture.py --database-url postgresql://postgres@127.0.0.1:5432/tirebrain_bench_capture
    uv run python bench/epcis_capture.py --database-url sqlite:///var/bench_capture.sqlite3

Each document holds ``--events`` tyre events (ObjectEvents naming one to four SGTINs, as a
factory's or a fitter's system sends them), every event with its own eventID. Capture is timed
from the document's bytes to the finished job: POST /epcis/v2/capture through Django's whole
request stack in-process (token check, JSON parsing, JSON Schema and CBV validation, EPC match
keys, de-duplication, the writes with their indexes, the stage counts), one thread.

The ceiling is the least any implementation must do on this machine: ``orjson.loads`` of the
same documents plus PostgreSQL ``COPY`` of the same rows (their COPY text made beforehand) into
tables built like the repository's (same columns and indexes), measured in the same run.
``capture CPU s`` is this process's CPU time: capture is one thread; on PostgreSQL the server's
share of the work runs in its own process, at the same time (capture streams its rows).
"""

from __future__ import annotations

import argparse
import random
import time

import orjson
from _setup import django_on

STEPS = (
    ("commissioning", "active"),
    ("shipping", "in_transit"),
    ("receiving", "in_progress"),
    ("retail_selling", "retail_sold"),
    ("installing", "in_progress"),
)


def make_documents(n_docs: int, n_events: int, seed: int, run: str) -> list[bytes]:
    rng = random.Random(seed)
    docs = []
    serial = 0
    for d in range(n_docs):
        events = []
        for e in range(n_events):
            step, disposition = STEPS[rng.randrange(len(STEPS))]
            epcs = []
            for _ in range(rng.randint(1, 4)):
                serial += 1
                epcs.append(f"urn:epc:id:sgtin:0299999.0{rng.randint(10000, 10999)}.{serial}")
            place = f"urn:epc:id:sgln:0299999.{rng.randint(1, 400):05d}.0"
            events.append(
                {
                    "type": "ObjectEvent",
                    "eventID": f"urn:uuid:{run}-{d:04d}-4000-8000-{e:012d}",
                    "eventTime": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                    f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00.000+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "epcList": epcs,
                    "action": "ADD" if step == "commissioning" else "OBSERVE",
                    "bizStep": step,
                    "disposition": disposition,
                    "readPoint": {"id": place},
                    "bizLocation": {"id": place},
                }
            )
        docs.append(
            orjson.dumps(
                {
                    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
                    "type": "EPCISDocument",
                    "schemaVersion": "2.0",
                    "creationDate": "2025-12-31T00:00:00Z",
                    "epcisBody": {"eventList": events},
                }
            )
        )
    return docs


def ceiling(docs: list[bytes], pg_url: str) -> tuple[float, float]:
    """Seconds for orjson.loads of every document, and for COPY of the same rows.

    The rows' COPY text is made before the clock starts: the ceiling is the parsing plus what
    the server does to store and index them, with nothing of the work capture does between."""
    import psycopg

    from tirebrain.trace.store import EPC_COLUMNS, EVENT_COLUMNS, prepare

    start = time.perf_counter()
    parsed = [orjson.loads(d) for d in docs]
    t_loads = time.perf_counter() - start
    events, epcs, pk = [], [], 0
    for doc in parsed:
        for event in doc["epcisBody"]["eventList"]:
            pk += 1
            r = prepare(event, event["eventID"], "2025-12-31T00:00:00.000Z")
            columns = (pk, r.event_id, r.event_type, r.event_time.isoformat(), r.action,
                       r.biz_step, r.disposition, r.read_point, r.biz_location, r.body,
                       "2025-12-31T00:00:00+00:00", 1, 1, "\\N")  # fmt: skip
            events.append("\t".join(map(str, columns)) + "\n")
            epcs += [f"{pk}\t{role}\t{key}\n" for role, key in r.keys]
    event_data, epc_data = "".join(events).encode(), "".join(epcs).encode()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for table in ("trace_event", "trace_eventepc"):
            conn.execute(f"DROP TABLE IF EXISTS ceiling_{table}")
            conn.execute(f"CREATE TABLE ceiling_{table} (LIKE {table} INCLUDING ALL)")
        start = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for table, columns, data in (
                ("ceiling_trace_event", EVENT_COLUMNS, event_data),
                ("ceiling_trace_eventepc", EPC_COLUMNS, epc_data),
            ):
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as c:
                    c.write(data)
        t_copy = time.perf_counter() - start
        for table in ("trace_event", "trace_eventepc"):
            conn.execute(f"DROP TABLE ceiling_{table}")
    return t_loads, t_copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--ceiling-url",
        default="postgresql://postgres@127.0.0.1:5432/tirebrain_bench_capture",
        help="PostgreSQL database for the COPY ceiling",
    )
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    django_on(args.database_url)
    from _setup import create_pg_database
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tirebrain.accounts.services import create_token, create_user
    from tirebrain.core.reference import load_reference
    from tirebrain.trace.models import CaptureJob, Event, EventEpc, StageCount

    settings.EPCIS_MAX_EVENTS = max(settings.EPCIS_MAX_EVENTS, args.events)
    load_reference("bench")
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username="bench-hub").exists():
        create_user("bench", "bench-hub", role="province")
    key = create_token("bench", "bench-hub", "bench")
    EventEpc.objects.all().delete()
    Event.objects.all().delete()
    CaptureJob.objects.all().delete()
    StageCount.objects.all().delete()

    run = f"{random.Random().getrandbits(32):08x}"
    docs = make_documents(args.documents, args.events, args.seed, run)
    total = args.documents * args.events
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    # one warm-up document (schema compilation, first queries), not counted
    warm = make_documents(1, args.events, args.seed + 1, run[::-1])[0]
    client.post("/epcis/v2/capture", warm, content_type="application/ld+json", **headers)

    start, cpu_start = time.perf_counter(), time.process_time()
    for doc in docs:
        response = client.post(
            "/epcis/v2/capture", doc, content_type="application/ld+json", **headers
        )
        assert response.status_code == 202, response.content
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    failed = CaptureJob.objects.filter(success=False).count()
    assert failed == 0, list(CaptureJob.objects.filter(success=False).values("errors")[:1])
    stored = Event.objects.count() - args.events

    create_pg_database(args.ceiling_url)
    t_loads, t_copy = ceiling(docs, args.ceiling_url)
    rate = total / elapsed
    ceiling_rate = total / (t_loads + t_copy)
    print(
        f"database: {connection.vendor}; documents: {args.documents} × {args.events} events; "
        f"stored: {stored:,}"
    )
    print(
        "| database | events | capture s | events/s | capture CPU s | orjson.loads s | COPY s "
        "| ceiling events/s | × ceiling |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {connection.vendor} | {total:,} | {elapsed:.2f} | {rate:,.0f} | {cpu:.2f} "
        f"| {t_loads:.2f} | "
        f"{t_copy:.2f} | {ceiling_rate:,.0f} | {elapsed / (t_loads + t_copy):.1f} |"
    )


if __name__ == "__main__":
    main()
