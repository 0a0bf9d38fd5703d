"""EPCIS document validation and event hash ID speed, per event.

Usage:

    uv run python bench/epcis_validate.py [--events 1000] [--repeat 7] [--seed 2024]

Generates one EPCISDocument of ``--events`` tyre ObjectEvents deterministically: each names one to
four SGTIN URNs, has an eventID, an eventTime in +08:00 with milliseconds, a bizStep/disposition
pair of the tyre's life (commissioning … installing), a readPoint and bizLocation SGLN, and every
tenth carries a sensorElementList (tyre pressure and temperature). Times, best of ``--repeat``:

(a) jsonschema_rs alone, ``is_valid`` on the whole document (the validator ``trace.validation``
    compiles);
(b) jsonschema_rs alone, ``is_valid`` event by event against the schema's event definition;
(c) ``validate_document`` (schema + CBV/EPCIS rules), the whole check capture runs;
(d) ``validate_document`` on the same document with one bad event (the error path);
(e) ``event_hash_id`` of every event (what capture computes for events without an eventID),
    with the caches of canonical values and GTINs emptied before each run.

Prints per-event microseconds and milliseconds per document; the goal is (c) well under 30 ms
for 1,000 events (capture's budget is 100 µs per event end to end).
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import sys
import time
from collections.abc import Callable

STEPS = (
    ("commissioning", "active", "ADD"),
    ("shipping", "in_transit", "OBSERVE"),
    ("receiving", "in_progress", "OBSERVE"),
    ("retail_selling", "retail_sold", "OBSERVE"),
    ("installing", "in_progress", "OBSERVE"),
)
COMPANY = "6901234"


def make_document(n_events: int, seed: int) -> dict:
    rng = random.Random(seed)
    events, serial = [], 100000
    for i in range(n_events):
        step, disposition, action = rng.choice(STEPS)
        epcs = []
        for _ in range(rng.randint(1, 4)):
            serial += 1
            epcs.append(f"urn:epc:id:sgtin:{COMPANY}.0{rng.randint(10000, 99999)}.{serial}")
        site = f"urn:epc:id:sgln:{COMPANY}.{rng.randint(10000, 99999)}.0"
        event = {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{rng.getrandbits(128):032x}",
            "eventTime": f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:"
            f"{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}+08:00",
            "eventTimeZoneOffset": "+08:00",
            "epcList": epcs,
            "action": action,
            "bizStep": step,
            "disposition": disposition,
            "readPoint": {"id": site},
            "bizLocation": {"id": site},
        }
        if i % 10 == 0:
            event["sensorElementList"] = [
                {
                    "sensorMetadata": {"time": event["eventTime"], "deviceID": site},
                    "sensorReport": [
                        {"type": "Pressure", "value": rng.randint(200, 260), "uom": "KPA"},
                        {"type": "Temperature", "value": rng.randint(150, 400) / 10, "uom": "CEL"},
                    ],
                }
            ]
        events.append(event)
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-30T00:00:00.000Z",
        "epcisBody": {"eventList": events},
    }


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    import django

    django.setup()
    from tirebrain.trace import hashid
    from tirebrain.trace.validation import _validators, validate_document

    doc = make_document(args.events, args.seed)
    events = doc["epcisBody"]["eventList"]
    bad = copy.deepcopy(doc)
    bad["epcisBody"]["eventList"][args.events // 2]["bizStep"] = "Shipping"
    document_validator, event_validator = _validators()
    assert document_validator.is_valid(doc) and not validate_document(doc)
    assert len(validate_document(bad)) == 1

    runs = {
        "(a) jsonschema_rs, whole document": lambda: document_validator.is_valid(doc),
        "(b) jsonschema_rs, event by event": lambda: all(map(event_validator.is_valid, events)),
        "(c) validate_document": lambda: validate_document(doc),
        "(d) validate_document, 1 bad event": lambda: validate_document(bad),
        "(e) event_hash_id, every event": lambda: (
            hashid._canonical.cache_clear(),
            hashid._gtin_or_sscc.cache_clear(),
            [hashid.event_hash_id(e, doc["@context"]) for e in events],
        ),
    }
    print(
        f"{args.events} tyre ObjectEvents, best of {args.repeat}, Python {sys.version.split()[0]}"
    )
    for name, run in runs.items():
        seconds = best(run, args.repeat)
        print(f"{name:40} {seconds * 1e3:8.2f} ms/doc {seconds * 1e6 / args.events:8.2f} µs/event")


if __name__ == "__main__":
    main()
