"""A tyre's life history and MATCH_epc with millions of EPCIS events stored: p50/p99 latency.

Usage (the data stay in the database; a re-run with the same --events measures at once):

    uv run python bench/trace_history.py --events 10000000 --samples 1000 \
        --database-url postgresql://postgres@127.0.0.1:5432/tirebrain_bench_trace
    uv run python bench/trace_history.py --events 1000000 \
        --database-url sqlite:///var/bench_trace.sqlite3

Data. Tyre lives modelled on ``tirebrain trace simulate``: production batches of 20 tyres
commissioned, shipped and received in one event each (factory RFID readers: SGTIN URNs); then
each tyre on its own (sidewall QR code: Digital Links) sold, fitted, removed, collected; truck
tyres inspected by their fleet and often retreaded for a second life; collected tyres consumed
by a recycler's TransformationEvent with many inputs and an output class by weight. Some lives
stop early (in stock, in use, removed and never collected). One *unit* — 10 batches, 200 tyres,
910 events — is drawn once in Python (``unit_template``); the database server then
writes it for as many units as ``--events`` needs (``INSERT … SELECT`` from small temporary
tables: the unit's events, the tyres each names, a product and a city per batch), with each
unit's own GTINs (1,000 products of 20 makers), serials, places, times (units start from 2015
to 2020; their last events reach October 2026) and event IDs. Event ids are slot-major (the
units' first events, then their second events…), so a tyre's events lie far apart in the
table, as they do in a repository that captured them over years. The events carry bodies as
capture stores them (eventID and recordTime included, 400–1,500 bytes), every identifier's
match key, a capture job and the province as the capturing organisation, and places that are
``Location`` master data in the province's cities.

Loading drops the event tables' indexes and constraints (primary and unique keys included) and
creates them again exactly as they were — checked by comparing the catalogue before and after —
then runs ``VACUUM ANALYZE`` (ANALYZE on SQLite): a repository that has been running has its
visibility map set by autovacuum, which is what lets the life history read the identifier
index alone.

Measure. Through Django's test client in-process (server time: routing, access, queries,
serialisation or templates; no network), as a provincial officer (API token; a logged-in session
for the page), after ``--warmup`` requests, over ``--samples`` tyres drawn at random (every tyre
is commissioned once, in a batch of equal size, so a random tyre of a random commissioning is a
uniform draw): MATCH_epc with the tyre's URN and with its Digital Link, the life history API and
page, and MATCH_epc with the EPC pattern of the tyre's product (first page of 30). ``--explain``
prints the plan and timing of each statement one request of each kind sends.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import orjson
from _setup import django_on, percentile

CST = timezone(timedelta(hours=8))
DAY = 86400
HOUR = 3600
BATCH = 20
BATCHES = 10  # per unit
TYRES_PER_UNIT = BATCH * BATCHES
FIRST_SERIAL = 1_000_000
#: Restricted-circulation GS1 prefixes (02…: never a real company), 7 digits like the demo's.
FACTORY_PREFIX = "02999"
FACTORIES = 20
ITEMS_PER_FACTORY = 50
PLACE_PREFIX = "0299998"
GCP_LENGTH = 7
#: Partner places in every city and places serving the whole province (as the demo has them).
PER_CITY = {"distributor": 2, "retailer": 4, "fleet": 1, "collector": 1}
PROVINCE_WIDE = {"retreader": 8, "recycler": 6}
VOCABULARY = "https://voc.tirebrain.sd.gov.cn/bizstep/"
ROUTES = (("reclaiming", "000001"), ("crumbing", "000002"), ("pyrolysing", "000003"))
FIRST_DAY = datetime(2015, 1, 5, 8, tzinfo=CST)
LAST_DAY = datetime(2026, 10, 31, 18, tzinfo=CST)
JOB_ID = "bench-trace-history"  # the capture job that marks a finished load
CHUNK_ROWS = 1_000_000
SEED = 2024


# ---------------------------------------------------------------------------------------------
# The unit: 200 tyre lives, drawn once


@dataclass(frozen=True)
class Slot:
    """One event of the unit: when (seconds after the unit starts), what, where and which tyres
    (offsets 0–199 in the unit). ``pick`` chooses among the places of ``role`` (in the batch's
    city for city roles); ``form`` is how the sender names tyres."""

    at: int
    event_type: str
    step: str
    disposition: str
    action: str
    role: str
    pick: int
    batch: int
    form: str
    tyres: tuple[int, ...]
    kg: float = 0.0
    route: int = 0


@dataclass
class Lives:
    """The unit's events so far, and the collected tyres waiting for their recycler."""

    rng: random.Random
    slots: list[Slot]
    collected: dict[int, list[tuple[int, int, int]]]  # recycler → (time, batch, tyre)

    def add(self, at: int, step: str, disposition: str, role: str, pick: int, batch: int,
            tyre: int, action: str = "OBSERVE") -> int:  # fmt: skip
        self.slots.append(
            Slot(at, "ObjectEvent", step, disposition, action, role, pick, batch, "dl", (tyre,))
        )
        return at


def unit_template(seed: int = SEED) -> list[Slot]:
    """The unit's events in time order (deterministic for a seed)."""
    rng = random.Random(seed)
    lives = Lives(rng, [], defaultdict(list))
    for b in range(BATCHES):
        truck = rng.random() < 0.3
        made = b * 3 * DAY + rng.randrange(10 * HOUR)
        shipped = made + rng.randint(1, 20) * DAY + rng.randrange(8 * HOUR)
        received = shipped + rng.randint(1, 4) * DAY
        tyres = tuple(range(b * BATCH, (b + 1) * BATCH))
        for at, step, disposition, role, action in (
            (made, "commissioning", "active", "factory", "ADD"),
            (shipped, "shipping", "in_transit", "factory", "OBSERVE"),
            (received, "receiving", "in_progress", "distributor", "OBSERVE"),
        ):
            lives.slots.append(
                Slot(at, "ObjectEvent", step, disposition, action, role, b, b, "urn", tyres)
            )
        for tyre in tyres:
            _life(lives, b, tyre, truck, received, first=True)
    _recycling(lives)
    return sorted(lives.slots, key=lambda s: (s.at, s.batch, s.tyres))


def _life(lives: Lives, b: int, tyre: int, truck: bool, since: int, first: bool) -> None:
    """One tyre from the shop (or the retreader) on; where its reported life stops is drawn."""
    rng = lives.rng
    progress = rng.random()
    if first and progress < 0.08:  # still in stock
        return
    where = ("fleet", 0) if truck else ("retailer", rng.randrange(PER_CITY["retailer"]))
    at = since + rng.randint(5, 150) * DAY + rng.randrange(9 * HOUR)
    if first:
        lives.add(at, "retail_selling", "retail_sold", *where, b, tyre)
    at = lives.add(at + HOUR, "installing", "in_progress", *where, b, tyre)
    life = int(rng.uniform(1.2, 3.0) * 365 if truck else rng.uniform(2.5, 6.0) * 365) * DAY
    in_use = progress < 0.40
    until = at + (int(life * rng.random()) if in_use else life)
    if truck:  # fleets read their tyres' tags at every check
        for check in range(at + 180 * DAY, until, 180 * DAY):
            lives.add(check + rng.randrange(8 * HOUR), "inspecting", "", "fleet", 0, b, tyre)
    if in_use:
        return
    at = lives.add(until, "removing", "needs_replacement", *where, b, tyre)
    if progress < 0.50:  # never reached the collection network
        return
    at = lives.add(at + rng.randint(2, 60) * DAY, "collecting", "inactive", "collector", 0, b, tyre)
    if truck and first and rng.random() < 0.55:
        retreader = rng.randrange(PROVINCE_WIDE["retreader"])
        at = lives.add(
            at + rng.randint(10, 60) * DAY, VOCABULARY + "retreading", "active", "retreader",
            retreader, b, tyre,
        )  # fmt: skip
        _life(lives, b, tyre, truck, at, first=False)
        return
    recycler = rng.randrange(PROVINCE_WIDE["recycler"])
    lives.collected[recycler].append((at, b, tyre))


def _recycling(lives: Lives) -> None:
    """Each recycler consumes its collected tyres in TransformationEvents of up to 40 tyres,
    with the material out by weight (55–70 % of 9.5 kg a tyre)."""
    rng = lives.rng
    for recycler, tyres in sorted(lives.collected.items()):
        tyres.sort()
        for i in range(0, len(tyres), 40):
            group = tyres[i : i + 40]
            route, _item = ROUTES[recycler % len(ROUTES)]
            lives.slots.append(
                Slot(
                    group[-1][0] + rng.randint(15, 90) * DAY,
                    "TransformationEvent",
                    VOCABULARY + route,
                    "",
                    "",
                    "recycler",
                    recycler,
                    group[0][1],
                    "dl",
                    tuple(t for _at, _b, t in group),
                    kg=round(len(group) * 9.5 * rng.uniform(0.55, 0.7), 1),
                    route=recycler % len(ROUTES),
                )
            )


def body_format(slot: Slot) -> str:
    """The event's JSON as capture stores it, with ``%s`` for what differs per unit, in the
    order SQL's format() fills them: eventTime, the tyres, place, place, eventID, recordTime,
    and the output class of a TransformationEvent."""
    event: dict = {"type": slot.event_type, "eventTime": "%s", "eventTimeZoneOffset": "+08:00"}
    if slot.event_type == "ObjectEvent":
        event |= {"epcList": ["%s"], "action": slot.action}
    else:
        event["inputEPCList"] = ["%s"]
    event["bizStep"] = slot.step
    if slot.disposition:
        event["disposition"] = slot.disposition
    event |= {"readPoint": {"id": "%s"}, "bizLocation": {"id": "%s"}}
    event |= {"eventID": "%s", "recordTime": "%s"}
    if slot.event_type == "TransformationEvent":
        event["outputQuantityList"] = [{"epcClass": "%s", "quantity": slot.kg, "uom": "KGM"}]
    return orjson.dumps(event).decode().replace('["%s"]', "[%s]")


# ---------------------------------------------------------------------------------------------
# SQL both databases run; the few functions that differ


@dataclass(frozen=True)
class Dialect:
    """Epoch seconds as the event tables' datetime column, as local (+08:00) and UTC ISO text,
    as a lot number (yyyymm); a comma-joined aggregate."""

    column: str
    local: str
    utc: str
    lot: str
    joined: str


POSTGRESQL = Dialect(
    column="to_timestamp({x})",
    local="to_char(to_timestamp({x} + 28800) AT TIME ZONE 'UTC', "
    '\'YYYY-MM-DD"T"HH24:MI:SS"+08:00"\')',
    utc="to_char(to_timestamp({x}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    lot="to_char(to_timestamp({x} + 28800) AT TIME ZONE 'UTC', 'YYYYMM')",
    joined="string_agg({x}, ',' ORDER BY m.tyre)",
)
SQLITE = Dialect(
    column="strftime('%Y-%m-%d %H:%M:%S', {x}, 'unixepoch')",
    local="strftime('%Y-%m-%dT%H:%M:%S+08:00', {x} + 28800, 'unixepoch')",
    utc="strftime('%Y-%m-%dT%H:%M:%S.000Z', {x}, 'unixepoch')",
    lot="strftime('%Y%m', {x} + 28800, 'unixepoch')",
    joined="group_concat({x}, ',')",
)


def _digits(expr: str, n: int) -> str:
    """``expr`` (0 ≤ expr < 10^n) as n digits, zero-padded, in SQL both databases speak."""
    return f"substr(CAST({10**n} + ({expr}) AS TEXT), 2)"


def _event_uuid(id_expr: str) -> str:
    """A version-4-shaped UUID URN per event id: digits scrambled from the id (a product modulo
    a prime), the id itself at the end (so unique); spread over the unique index like random
    UUIDs."""

    def scrambled(multiplier: int, prime: int, n: int) -> str:
        return _digits(f"({id_expr}) * {multiplier} % {prime} % {10**n}", n)

    parts = (
        scrambled(2654435761, 1000000007, 8),
        scrambled(40503, 999983, 4),
        "'4' || " + scrambled(69069, 99991, 3),
        "'8' || " + scrambled(1103515245, 9999991, 3),
        _digits(id_expr, 12),
    )
    return "'urn:uuid:' || " + " || '-' || ".join(parts)


@dataclass(frozen=True)
class Layout:
    """How many units, and how many events of the last (partial) unit, make ``events``."""

    events: int
    per_unit: int

    @property
    def units(self) -> int:
        return math.ceil(self.events / self.per_unit)

    @property
    def last_unit_slots(self) -> int:
        return self.events - (self.units - 1) * self.per_unit

    def present(self, slot: str, unit: str) -> str:
        """SQL: the slot exists in the unit (all do, but the last unit's latest)."""
        return f"({unit} < {self.units - 1} OR {slot} < {self.last_unit_slots})"

    def event_pk(self, slot: str, unit: str) -> str:
        return f"CAST({slot} AS BIGINT) * {self.units} + ({unit}) + 1"


def _tyre_key(batch: str, tyre: str) -> str:
    return f"'https://id.gs1.org/01/' || {batch}.gtin || '/21/' || CAST({tyre} AS TEXT)"


def _serial(unit_batch: str, member: str) -> str:
    """A tyre's serial: its number among all the units' tyres, from FIRST_SERIAL on."""
    return f"{FIRST_SERIAL} + {unit_batch}.u * {TYRES_PER_UNIT} + {member}.tyre"


def _material_key(sql: Dialect, at: str) -> str:
    """The output class of a recycler's event: the material's LGTIN class, lot yyyymm."""
    return f"'urn:epc:class:lgtin:{PLACE_PREFIX}.' || t.material || '.' || {sql.lot.format(x=at)}"


def insert_events(sql: Dialect, layout: Layout, first: int, stop: int, job: int, org: int) -> str:
    """INSERT the events of slots [first, stop) of every unit."""
    at = "k.start + t.at"
    serial = _serial("k", "m")
    # each tyre as its event names it (the URN from a factory's reader, else the Digital
    # Link), quoted for the body's JSON list
    named_tyre = (
        f"'\"' || CASE WHEN t.form = 'urn' THEN k.urn_prefix || CAST({serial} AS TEXT) "
        f"ELSE {_tyre_key('k', serial)} END || '\"'"
    )
    named = f"""
        SELECT m.slot, k.u, {sql.joined.format(x=named_tyre)} AS epcs
        FROM bench_member m JOIN bench_slot t ON t.slot = m.slot JOIN bench_batch k ON k.b = m.batch
        WHERE m.role <> 9 AND m.slot >= {first} AND m.slot < {stop}
          AND {layout.present("m.slot", "k.u")}
        GROUP BY m.slot, k.u"""
    pk = layout.event_pk("n.slot", "n.u")
    return f"""
        INSERT INTO trace_event (id, event_id, event_type, event_time, record_time, action,
            biz_step, disposition, read_point, biz_location, job_id, organisation_id, context_id,
            body)
        SELECT id, event_id, event_type, {sql.column.format(x="at")},
            {sql.column.format(x="at + delay")}, action, biz_step, disposition, place, place,
            {job}, {org}, NULL,
            format(body, {sql.local.format(x="at")}, epcs, place, place, event_id,
                   {sql.utc.format(x="at + delay")}, material)
        FROM (
            SELECT {pk} AS id, {_event_uuid(pk)} AS event_id, t.event_type, {at} AS at, t.delay,
                t.action, t.biz_step, t.disposition, p.identifier AS place, t.body, n.epcs,
                CASE WHEN t.event_type = 'TransformationEvent'
                    THEN {_material_key(sql, at)} END AS material
            FROM ({named}) n
            JOIN bench_slot t ON t.slot = n.slot
            JOIN bench_batch k ON k.u = n.u AND k.b = t.batch
            JOIN bench_place p ON p.role = t.role AND p.k = CASE
                WHEN t.role = 'factory' THEN k.factory
                WHEN t.per_city > 0 THEN k.city * t.per_city + t.pick % t.per_city
                ELSE t.pick END
        ) e
        ORDER BY id"""


def insert_keys(sql: Dialect, layout: Layout, first: int, stop: int) -> str:
    """INSERT the match keys (tyres: canonical Digital Links; output classes as given)."""
    serial = _serial("k", "m")
    return f"""
        INSERT INTO trace_eventepc (event_id, role, key)
        SELECT {layout.event_pk("m.slot", "k.u")}, m.role, CASE WHEN m.role = 9
            THEN {_material_key(sql, "k.start + t.at")} ELSE {_tyre_key("k", serial)} END
        FROM bench_member m JOIN bench_slot t ON t.slot = m.slot JOIN bench_batch k ON k.b = m.batch
        WHERE m.slot >= {first} AND m.slot < {stop} AND {layout.present("m.slot", "k.u")}"""


# ---------------------------------------------------------------------------------------------
# Loading


def _gtin(factory: int, item: int) -> str:
    from tirebrain.products.gtin import check_digit

    body = f"0{FACTORY_PREFIX}{factory:02d}{item:05d}"
    return body + check_digit(body)


def ensure_places(cities: list) -> dict[tuple[str, int], str]:
    """The bench's places as Location master data; {(role, k): identifier}, k as the loader
    numbers them (city × per city + n for city roles)."""
    from tirebrain.trace.models import Location, LocationRole

    wanted: list[tuple[str, int, object, str]] = []
    wanted += [("factory", f, cities[f % len(cities)], f"factory {f}") for f in range(FACTORIES)]
    for c, city in enumerate(cities):
        for role, count in PER_CITY.items():
            wanted += [(role, c * count + n, city, f"{role} {n + 1}") for n in range(count)]
    for role, count in PROVINCE_WIDE.items():
        wanted += [(role, n, cities[n % len(cities)], f"{role} {n + 1}") for n in range(count)]
    places = {}
    for n, (role, k, city, label) in enumerate(wanted, start=1):
        identifier = f"urn:epc:id:sgln:{PLACE_PREFIX}.{n:05d}.0"
        places[(role, k)] = identifier
        Location.objects.get_or_create(
            identifier=identifier,
            defaults={
                "name_zh": f"{city.name_zh}{LocationRole(role).label}{k + 1}（基准测试）",
                "name_en": f"{city.name_en} {label} (benchmark)",
                "role": role,
                "city": city,
                "is_demo": True,
            },
        )
    return places


def _fill_templates(cur, slots: list[Slot], layout: Layout, cities: list, places: dict) -> None:
    """The small tables the server expands: the unit's events and the tyres each names, a
    product, a city and a start time per batch of every unit, the places."""
    from tirebrain.trace.epc import sgtin_uri
    from tirebrain.trace.lifecycle import bare_cbv

    cur.execute(
        "CREATE TEMP TABLE bench_slot (slot int PRIMARY KEY, at bigint, delay int, "
        "event_type text, action text, biz_step text, disposition text, role text, pick int, "
        "per_city int, batch int, form text, material text, body text)"
    )
    cur.execute("CREATE TEMP TABLE bench_member (slot int, role int, batch int, tyre int)")
    cur.execute(
        "CREATE TEMP TABLE bench_batch (u int, b int, gtin text, urn_prefix text, factory int, "
        "city int, start bigint, PRIMARY KEY (u, b))"
    )
    cur.execute("CREATE TEMP TABLE bench_place (role text, k int, identifier text)")
    rng = random.Random(SEED)
    slot_rows, member_rows = [], []
    for n, s in enumerate(slots):
        delay = rng.randint(60, 600) if s.form == "urn" else rng.randint(60, 6 * HOUR)
        slot_rows.append(
            (n, s.at, delay, s.event_type, s.action, bare_cbv(s.step, "bizStep"),
             bare_cbv(s.disposition, "disposition"), s.role, s.pick, PER_CITY.get(s.role, 0),
             s.batch, s.form, ROUTES[s.route][1], body_format(s))
        )  # fmt: skip
        role = 1 if s.event_type == "ObjectEvent" else 4  # epcList / inputEPCList
        member_rows += [(n, role, t // BATCH, t) for t in s.tyres]
        if s.event_type == "TransformationEvent":
            member_rows.append((n, 9, s.batch, 0))  # outputQuantityList
    cur.executemany(f"INSERT INTO bench_slot VALUES ({', '.join(['%s'] * 14)})", slot_rows)
    cur.executemany("INSERT INTO bench_member VALUES (%s, %s, %s, %s)", member_rows)
    span = max(s.at for s in slots)
    first, last = FIRST_DAY.timestamp(), LAST_DAY.timestamp() - span
    step = (last - first) / max(1, layout.units - 1)
    products = {}
    for f in range(FACTORIES):
        for item in range(ITEMS_PER_FACTORY):
            gtin = _gtin(f, item)
            # the URN of serial 0, less the serial: a tyre's URN is this and its serial
            products[f * ITEMS_PER_FACTORY + item] = (gtin, sgtin_uri(gtin, "0", GCP_LENGTH)[:-1])
    batch_rows = []
    for u in range(layout.units):
        start = int(first + u * step)
        for b in range(BATCHES):
            product = rng.randrange(len(products))
            factory = product // ITEMS_PER_FACTORY
            city = factory % len(cities) if rng.random() < 0.5 else rng.randrange(len(cities))
            batch_rows.append((u, b, *products[product], factory, city, start))
    cur.executemany("INSERT INTO bench_batch VALUES (%s, %s, %s, %s, %s, %s, %s)", batch_rows)
    cur.executemany(
        "INSERT INTO bench_place VALUES (%s, %s, %s)",
        [(role, k, identifier) for (role, k), identifier in places.items()],
    )


def index_catalogue(cur, vendor: str) -> list[tuple]:
    """The event tables' indexes and the constraints behind them, as the catalogue has them."""
    if vendor == "sqlite":
        cur.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name IN ('trace_event', 'trace_eventepc') ORDER BY name"
        )
        return cur.fetchall()
    cur.execute(
        "SELECT i.tablename, i.indexname, i.indexdef, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_indexes i LEFT JOIN pg_constraint c ON c.conindid = "
        "(i.schemaname || '.' || i.indexname)::regclass AND c.contype IN ('p', 'u') "
        "WHERE i.tablename IN ('trace_event', 'trace_eventepc') ORDER BY i.indexname"
    )
    return cur.fetchall()


def drop_indexes(cur, vendor: str, catalogue: list[tuple]) -> None:
    """Drop what can be dropped (SQLite's automatic indexes of keys cannot)."""
    for row in catalogue:
        if vendor == "sqlite":
            if row[2]:
                cur.execute(f'DROP INDEX "{row[0]}"')
        elif row[3]:
            cur.execute(f'ALTER TABLE "{row[0]}" DROP CONSTRAINT "{row[3]}"')
        else:
            cur.execute(f'DROP INDEX "{row[1]}"')


def create_indexes(cur, vendor: str, catalogue: list[tuple]) -> None:
    """Create again, exactly as the catalogue had them (constraints first: the primary keys)."""
    for row in sorted(catalogue, key=lambda r: vendor == "sqlite" or not r[3]):
        start = time.perf_counter()
        if vendor == "sqlite":
            if not row[2]:
                continue
            cur.execute(row[2])
        elif row[3]:
            cur.execute(f'ALTER TABLE "{row[0]}" ADD CONSTRAINT "{row[3]}" {row[4]}')
        else:
            cur.execute(row[2])
        name = row[0] if vendor == "sqlite" else row[1]
        print(f"  index {name}: {time.perf_counter() - start:.0f} s", flush=True)


def load(events: int) -> tuple[float, bool]:
    """Fill the event tables with ``events`` events unless this bench already did. Returns the
    load's seconds (kept on the bench's capture job, so a re-run can report it too) and
    whether this run loaded."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tirebrain.orgs.models import Organisation, OrgKind
    from tirebrain.trace.models import CaptureJob, Event

    done = CaptureJob.objects.filter(capture_id=JOB_ID, event_count=events).first()
    if done and done.finished_at and Event.objects.count() == events:
        return (done.finished_at - done.created_at).total_seconds(), False
    started = time.perf_counter()
    slots = unit_template()
    layout = Layout(events, len(slots))
    vendor = connection.vendor
    sql = POSTGRESQL if vendor == "postgresql" else SQLITE
    province = Organisation.objects.get(kind=OrgKind.PROVINCE)
    cities = list(Organisation.objects.cities())
    places = ensure_places(cities)
    with transaction.atomic(), connection.cursor() as cur:
        # one transaction, DDL included: a load that fails leaves the tables as they were
        CaptureJob.objects.filter(capture_id=JOB_ID).delete()
        if vendor == "postgresql":
            cur.execute("TRUNCATE trace_event, trace_eventepc")
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        else:
            cur.execute("DELETE FROM trace_eventepc")
            cur.execute("DELETE FROM trace_event")
        job = CaptureJob.objects.create(
            capture_id=JOB_ID, organisation=province, running=False, document_format="bench"
        )
        catalogue = index_catalogue(cur, vendor)
        drop_indexes(cur, vendor, catalogue)
        _fill_templates(cur, slots, layout, cities, places)
        print(
            f"loading {events:,} events: {layout.units:,} units of {TYRES_PER_UNIT} tyres "
            f"and {layout.per_unit} events",
            flush=True,
        )
        per_chunk = max(1, CHUNK_ROWS // layout.units)
        for first in range(0, layout.per_unit, per_chunk):
            stop = min(layout.per_unit, first + per_chunk)
            cur.execute(insert_events(sql, layout, first, stop, job.pk, province.pk))
            cur.execute(insert_keys(sql, layout, first, stop))
            print(
                f"  slots {stop:>4}/{layout.per_unit}  {time.perf_counter() - started:.0f} s",
                flush=True,
            )
        create_indexes(cur, vendor, catalogue)
        if index_catalogue(cur, vendor) != catalogue:
            raise RuntimeError("the indexes after the load differ from the migrated schema")
        if vendor == "postgresql":
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('trace_event', 'id'), max(id)) "
                "FROM trace_event"
            )
        job.event_count = job.stored_count = events
        job.save(update_fields=["event_count", "stored_count"])
    with connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute("VACUUM ANALYZE trace_event")
            cur.execute("VACUUM ANALYZE trace_eventepc")
        else:
            cur.execute("ANALYZE")
    seconds = time.perf_counter() - started
    CaptureJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds), finished_at=timezone.now()
    )
    return seconds, True


# ---------------------------------------------------------------------------------------------
# Measuring


def sizes() -> list[tuple[str, int]]:
    """(relation, bytes) of the event tables — with their indexes and TOAST — and each index."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute("SELECT page_size * page_count FROM pragma_page_count, pragma_page_size")
            return [("database file", cur.fetchone()[0])]
        cur.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
            "('trace_event', 'trace_eventepc') UNION ALL "
            "SELECT indexname, pg_relation_size((schemaname || '.' || indexname)::regclass) "
            "FROM pg_indexes WHERE tablename IN ('trace_event', 'trace_eventepc') ORDER BY 1"
        )
        return cur.fetchall()


def sample_tyres(rng: random.Random, n: int) -> list[str]:
    """Match keys of ``n`` tyres drawn uniformly: a random commissioning event (every tyre is
    commissioned once, in batches of one size), a random tyre it names."""
    from tirebrain.trace.models import Event, EventEpc

    commissioned = list(Event.objects.filter(biz_step="commissioning").values_list("id", flat=True))
    chosen = [rng.choice(commissioned) for _ in range(n)]
    tyres: dict[int, list[str]] = defaultdict(list)
    for event, key in EventEpc.objects.filter(event_id__in=set(chosen)).values_list(
        "event_id", "key"
    ):
        tyres[event].append(key)
    return [rng.choice(sorted(tyres[event])) for event in chosen]


@dataclass(frozen=True)
class Request:
    label: str
    run: Callable[[str], int]  # the tyre's match key → how many events (steps) it was given


def _answer(label: str, response, count: Callable[[bytes], int]) -> int:
    """The events in a 200 answer; stops the bench on anything else."""
    if response.status_code != 200:
        sys.exit(f"{label}: HTTP {response.status_code} {response.content[:300]!r}")
    return count(response.content)


def _event_list(content: bytes) -> int:
    return len(orjson.loads(content)["epcisBody"]["queryResults"]["resultsBody"]["eventList"])


def requests(api, page) -> list[Request]:
    """The five requests, each given a tyre by its match key (``api``: a client with a
    provincial officer's token; ``page``: one logged in as that officer), and the life history
    itself without HTTP (what the API and the page build on)."""
    from tirebrain.trace.epc import decode
    from tirebrain.trace.history import history
    from tirebrain.trace.models import Event

    def urn(key: str) -> str:
        return decode(key, company_prefix_length=GCP_LENGTH).pure_identity_uri

    def pattern(key: str) -> str:
        tyre = decode(key, company_prefix_length=GCP_LENGTH)
        return f"urn:epc:idpat:sgtin:{tyre.company_prefix}.{tyre.item_reference}.*"

    def http(label: str, get: Callable[[str], object], count: Callable[[bytes], int]):
        return Request(label, lambda key: _answer(label, get(key), count))

    def steps(content: bytes) -> int:
        return len(orjson.loads(content)["steps"])

    def timeline(content: bytes) -> int:
        return content.count(b"<time datetime=")

    return [
        http(
            "GET /epcis/v2/events?MATCH_epc=<URN>",
            lambda key: api.get("/epcis/v2/events", {"MATCH_epc": urn(key)}),
            _event_list,
        ),
        http(
            "GET /epcis/v2/events?MATCH_epc=<Digital Link>",
            lambda key: api.get("/epcis/v2/events", {"MATCH_epc": key}),
            _event_list,
        ),
        http(
            "GET /api/v1/tyres/history?id=<URN>",
            lambda key: api.get("/api/v1/tyres/history", {"id": urn(key)}),
            steps,
        ),
        http(
            "GET /trace/tyre/?id=<URN> (page)",
            lambda key: page.get("/trace/tyre/", {"id": urn(key)}),
            timeline,
        ),
        http(
            "GET /epcis/v2/events?MATCH_epc=urn:epc:idpat:sgtin:CP.IR.*&perPage=30",
            lambda key: api.get("/epcis/v2/events", {"MATCH_epc": pattern(key), "perPage": "30"}),
            _event_list,
        ),
        Request(
            "trace.history.history(key), no HTTP",
            lambda key: len(history(key, Event.objects.all()).steps),
        ),
    ]


@dataclass
class Measured:
    total: list[float]  # ms per request
    sql: list[float]  # of which executing statements (sending, the server's work, receiving)
    events: list[int]


def measure(request: Request, keys: list[str], warmup: int) -> Measured:
    """Each request's time and its statements' time (ms), after ``warmup`` requests; stops
    on an answer without events."""
    from django.db import connection

    in_sql: list[float] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql.append(time.perf_counter() - start)

    measured = Measured([], [], [])
    with connection.execute_wrapper(timed):
        for n, key in enumerate(keys):
            in_sql.clear()
            start = time.perf_counter()
            found = request.run(key)
            elapsed = time.perf_counter() - start
            if not found:
                sys.exit(f"{request.label}: no event for {key}")
            if n >= warmup:
                measured.total.append(elapsed * 1000)
                measured.sql.append(sum(in_sql) * 1000)
                measured.events.append(found)
    return measured


def explain(request: Request, key: str) -> None:
    """Each statement the request sends, with the database's plan and timing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        request.run(key)
    print(f"\n### {request.label}\n")
    for query in queries.captured_queries:
        print(f"-- {query['time']} s\n{query['sql']}")
        if "trace_" not in query["sql"]:
            continue
        plan = (
            "EXPLAIN (ANALYZE, BUFFERS)"
            if connection.vendor == "postgresql"
            else ("EXPLAIN QUERY PLAN")
        )
        with connection.cursor() as cur:
            cur.execute(f"{plan} {query['sql']}")
            print("\n".join("    " + " | ".join(map(str, row)) for row in cur.fetchall()))


def officer():
    """The provincial officer the requests are made as (created once)."""
    from django.contrib.auth import get_user_model

    from tirebrain.accounts.services import create_user

    user = get_user_model().objects.filter(username="bench-trace").first()
    return user or create_user("bench", "bench-trace", role="province")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    args = parser.parse_args()

    django_on(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tirebrain.accounts.services import create_token
    from tirebrain.core.reference import load_reference

    load_reference("bench")
    call_command("collectstatic", interactive=False, verbosity=0)  # as `tirebrain serve` does
    seconds, now = load(args.events)
    print(
        f"{args.events:,} events loaded {'now' if now else 'by an earlier run'} in "
        f"{seconds / 60:.1f} min ({seconds:.0f} s)"
    )
    for name, size in sizes():
        print(f"  {name}: {size / 2**20:,.0f} MiB")
    user = officer()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token('bench', user.username, 'bench')}")
    page = Client()
    page.force_login(user)
    rng = random.Random(args.seed)
    print(f"\ndatabase: {connection.vendor}; warm-up {args.warmup}, samples {args.samples}\n")
    print(
        "| request | events stored | p50 ms | p99 ms | SQL p50 ms | SQL p99 ms "
        "| events in the answer (median) |"
    )
    print("|---|---|---|---|---|---|---|")
    kinds = requests(api, page)
    for request in kinds:
        m = measure(request, sample_tyres(rng, args.warmup + args.samples), args.warmup)
        print(
            f"| {request.label} | {args.events:,} | {percentile(m.total, 50):.1f} | "
            f"{percentile(m.total, 99):.1f} | {percentile(m.sql, 50):.1f} | "
            f"{percentile(m.sql, 99):.1f} | {percentile(m.events, 50):.0f} |",
            flush=True,
        )
    if args.explain:
        for request in kinds:
            explain(request, sample_tyres(rng, 1)[0])


if __name__ == "__main__":
    main()
