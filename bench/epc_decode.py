"""Decoding SGTIN-96 tags read by RFID readers: time per tag.

Usage:

    uv run python bench/epc_decode.py [--n 1000000] [--repeat 3]

Generates N SGTIN-96 tags as hex deterministically (``random.Random(2024)``): every partition
(mostly 7-, 8- and 9-digit company prefixes, as Chinese GS1 prefixes are), every filter value,
serials up to the 38-bit maximum — and times, in the same run:

(a) the floor: ``int(hex, 16)`` of every tag, which any decoder has to do;
(b) ``decode_hex`` of every tag into an ``Sgtin`` (filter, partition, GTIN digits, serial);
(c) ``match_key`` of every tag: decoding plus the check digit and the canonical Digital Link,
    what capture pays for a tag reported as hex.

Each is the best of ``--repeat`` runs, alternating; nothing is cached between tags. Prints
per-tag microseconds and a markdown row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Callable

# partition → weight: 5, 4 and 3 (7-, 8-, 9-digit company prefixes) are the common ones
PARTITION_WEIGHTS = [1, 1, 2, 10, 20, 30, 2]


def generate(n: int, seed: int = 2024) -> list[str]:
    from tirebrain.trace.epc import SGTIN_96, Sgtin

    rng = random.Random(seed)
    partitions = rng.choices(range(7), PARTITION_WEIGHTS, k=n)
    tags = []
    for partition in partitions:
        body = f"{rng.randrange(10**13):013d}"
        serial = str(rng.randrange(2**38))
        tags.append(Sgtin(body, serial, 12 - partition, rng.randrange(8), SGTIN_96).hex)
    return tags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    import django

    django.setup()
    from tirebrain.trace.epc import decode_hex, match_key

    tags = generate(args.n)
    for tag in tags[:1000]:  # the codec is right before it is timed
        assert decode_hex(tag).hex == tag

    def parse_all() -> None:
        for tag in tags:
            int(tag, 16)

    def decode_all() -> None:
        for tag in tags:
            decode_hex(tag)

    def key_all() -> None:
        for tag in tags:
            match_key(tag)

    def timed(fn: Callable[[], object]) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    best = {"int": float("inf"), "decode": float("inf"), "key": float("inf")}
    for _ in range(args.repeat):
        for name, fn in (("int", parse_all), ("decode", decode_all), ("key", key_all)):
            best[name] = min(best[name], timed(fn))
    us = {name: seconds / args.n * 1e6 for name, seconds in best.items()}

    command = ("uv run python bench/epc_decode.py " + " ".join(sys.argv[1:])).strip()
    print(f"tags: {args.n:,} SGTIN-96")
    print(
        f"int(hex, 16): {us['int']:.2f} µs/tag; decode_hex: {us['decode']:.2f} µs/tag; "
        f"match_key: {us['key']:.2f} µs/tag"
    )
    print()
    print("| date | command | tags | int(hex) µs/tag | decode_hex µs/tag | match_key µs/tag |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {datetime.date.today().isoformat()} | `{command}` | {args.n:,} | {us['int']:.2f} "
        f"| {us['decode']:.2f} | {us['key']:.2f} |"
    )


if __name__ == "__main__":
    main()
