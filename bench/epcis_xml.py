"""EPCIS 2.0 XML → JSON-LD conversion speed, per event (``trace.xmlbinding``).

Usage:

    uv run python bench/epcis_xml.py [--events 1000] [--repeat 5]

Builds two capture documents of ``--events`` events each by repeating one official GS1 example
event (``tests/trace/gs1/XML``): a plain ObjectEvent (Example 9.6.1: EPCs, bizStep,
disposition, readPoint, bizLocation, one bizTransaction) and the "all possible fields"
ObjectEvent (quantities, sources, destinations, a sensor element with every attribute and nested
user extensions, persistent disposition). Times, best of ``--repeat``: lxml's parse of the bytes
alone (the floor: the tree the converter walks) and ``parse_xml_document`` (the conversion and
the check against the official EPCIS 2.0 XSD). Prints µs per event for both and the share the
rest adds.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src")]
EXAMPLES = HERE.parent / "tests" / "trace" / "gs1" / "XML"
SOURCES = {
    "plain ObjectEvent (9.6.1)": "Example_9.6.1-ObjectEvent-2020_06_18a.xml",
    "all-fields ObjectEvent": "WithFullCombinationOfFields/object_event_all_possible_fields.xml",
}
EVENT = re.compile(rb"<ObjectEvent>.*?</ObjectEvent>", re.DOTALL)


def repeated(path: Path, events: int) -> bytes:
    """The example document with its EventList holding ``events`` copies of its first event."""
    data = path.read_bytes()
    event = EVENT.search(data)
    start, end = data.index(b"<EventList>") + len(b"<EventList>"), data.index(b"</EventList>")
    return data[:start] + event.group(0) * events + data[end:]


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    import django

    django.setup()
    from lxml import etree

    from tirebrain.trace.xmlbinding import parse_xml_document

    for label, name in SOURCES.items():
        data = repeated(EXAMPLES / name, args.events)
        count = len(parse_xml_document(data)["epcisBody"]["eventList"])
        assert count == args.events, count
        floor = best(lambda data=data: etree.fromstring(data), args.repeat)
        full = best(lambda data=data: parse_xml_document(data), args.repeat)
        per = 1e6 / args.events
        print(
            f"{label}: {len(data) / args.events:,.0f} bytes/event; "
            f"lxml parse {floor * per:.1f} µs/event, parse_xml_document {full * per:.1f} µs/event "
            f"({full / floor:.1f}× the bare parse)"
        )


if __name__ == "__main__":
    main()
