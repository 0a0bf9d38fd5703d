"""Tyre size parsing speed against merely splitting the same strings (issue 4).

Usage:

    uv run python bench/size_parse.py [--n 1000000] [--repeat 3]

Generates N size strings deterministically (``random.Random(2024)``) from a mix like the
province's product lists — mostly passenger metric, then truck/bus, light truck and commercial,
agricultural, earthmover, flotation, aircraft and inch-coded bias, written with the spacing and
case variations seen in enterprises' reports, and 1 % malformed — and times, in the same run:

(a) the baseline, splitting every string into its parts with one regular expression,
    ``re.split(r"[/\\s\\-xX]+|(?<=\\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\\d)", s)`` as the issue
    writes it, and the same pattern precompiled (no pattern-cache look-up: a faster baseline,
    so a stricter comparison);
(b) ``parse_size`` over all strings (a malformed one raises ``SizeError``, caught; it counts).

Each is the best of ``--repeat`` runs, alternating. Every string is parsed each time: there is no
cache of results. Prints per-item nanoseconds, the ratios (goal: within 3×) and a markdown row
for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import sys
import time
from collections.abc import Callable

PATTERN = r"[/\s\-xX]+|(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)"
SPLIT = re.compile(PATTERN)

PASSENGER_SPEEDS = ["T", "H", "H", "V", "V", "W", "Y", "Q", "S"]
WIDTHS = [155, 165, 175, 185, 195, 205, 215, 225, 235, 245, 255, 265, 275, 285, 295, 305]
ASPECTS = [30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80]
RIMS = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22]
MALFORMED = [
    "205/55R16 91X",
    "205/5R16 91V",
    "205/55R 91V",
    "205/55",
    "205/55R16 300V",
    "205/55R16.3 91V",
    "205/55R16 91V extra",
    "",
    "abc",
]


def passenger(rng: random.Random) -> str:
    w, a, r = rng.choice(WIDTHS), rng.choice(ASPECTS), rng.choice(RIMS)
    li = rng.randint(75, 112)
    speed = rng.choice(PASSENGER_SPEEDS)
    roll = rng.random()
    if roll < 0.45:
        return f"{w}/{a}R{r} {li}{speed}"
    if roll < 0.75:
        return f"{w}/{a} R{r} {li}{speed}"
    if roll < 0.82:
        return f"{w}/{a}ZR{r} {li}{rng.choice('WY')}"
    if roll < 0.90:
        return f"{w}/{a}R{r} {li}{speed} XL"
    if roll < 0.94:
        return f"P{w}/{a}R{r} {li}{speed}"
    if roll < 0.97:
        return f"{w}/{a}r{r} {li}{speed.lower()}"
    if roll < 0.99:
        return f"{w}/{a}R{r} ({li}Y)"
    return f"{w}/{a}RF{r} {li}{speed}"


def light_truck(rng: random.Random) -> str:
    if rng.random() < 0.5:
        w, a, r = (
            rng.choice([195, 205, 215, 225, 235]),
            rng.choice([65, 70, 75]),
            rng.choice([14, 15, 16]),
        )
        li = rng.randint(100, 115)
        return f"{w}/{a}R{r}C {li}/{li - 2}{rng.choice('RST')}"
    w, a, r = rng.choice([245, 265, 285, 315]), rng.choice([70, 75]), rng.choice([16, 17, 18])
    li = rng.randint(115, 126)
    return f"LT{w}/{a}R{r} {li}/{li - 3}{rng.choice('QRS')}"


def truck(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        w, a = rng.choice([(295, 80), (315, 80), (315, 70), (295, 60), (275, 70)])
        li = rng.randint(146, 156)
        return f"{w}/{a}R22.5 {li}/{li - 3}{rng.choice('LMK')}"
    if roll < 0.6:
        w = rng.choice([11, 12, 13])
        li = rng.randint(146, 156)
        return f"{w}R22.5 {li}/{li - 3}{rng.choice('LMK')}"
    if roll < 0.8:
        w, a = rng.choice([(385, 65), (385, 55), (445, 45), (425, 65)])
        return f"{w}/{a}R22.5 {rng.randint(158, 166)}{rng.choice('JKL')}"
    li = rng.randint(150, 156)
    return f"315/70 R22.5 {li}/{li - 4}L ({li - 2}/{li - 6}M)"


def agricultural(rng: random.Random) -> str:
    roll = rng.random()
    w, a = rng.choice([(480, 70), (520, 85), (650, 65), (710, 70), (650, 85)])
    r = rng.choice([24, 28, 30, 34, 38, 42])
    li = rng.randint(135, 182)
    if roll < 0.3:
        return f"{w}/{a}R{r}"
    if roll < 0.6:
        return f"{w}/{a}R{r} {li}A8/{li}B"
    if roll < 0.85:
        return f"{rng.choice(['IF', 'VF'])} {w}/{a}R{r} {li}D"
    return f"{rng.choice(['16.9', '18.4', '12.4', '14.9'])}R{rng.choice([24, 28, 30, 38])}"


def other(rng: random.Random) -> str:
    return rng.choice(
        [
            "31x10.50R15LT 109S",
            "33X12.50R20LT 114Q",
            "35x12.50R17LT 121Q",
            "59/80R63",
            "40.00R57",
            "27.00R49",
            "18.00-25",
            "46/90R57",
            "29.5R25",
            "875/65R29",
            "H44.5x16.5-21",
            "46x17R20",
            "H37x14.0-15",
            "6.50-16",
            "7.50-16",
        ]
    )


def generate(n: int, seed: int = 2024) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.62:
            out.append(passenger(rng))
        elif roll < 0.72:
            out.append(light_truck(rng))
        elif roll < 0.88:
            out.append(truck(rng))
        elif roll < 0.94:
            out.append(agricultural(rng))
        elif roll < 0.99:
            out.append(other(rng))
        else:
            out.append(rng.choice(MALFORMED))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    import django

    django.setup()
    from tirebrain.products.sizes import SizeError, parse_size

    strings = generate(args.n)
    parse_size("205/55 R16 91V")  # reads the reference tables once, outside the timing

    def re_split_all() -> None:
        split = re.split
        for s in strings:
            split(PATTERN, s)

    def split_all() -> None:
        split = SPLIT.split
        for s in strings:
            split(s)

    def parse_all() -> int:
        errors = 0
        for s in strings:
            try:
                parse_size(s)
            except SizeError:
                errors += 1
        return errors

    def timed(fn: Callable[[], object]) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    re_split_best = split_best = parse_best = float("inf")
    for _ in range(args.repeat):
        re_split_best = min(re_split_best, timed(re_split_all))
        split_best = min(split_best, timed(split_all))
        parse_best = min(parse_best, timed(parse_all))
    errors = parse_all()

    re_split_ns = re_split_best / args.n * 1e9
    split_ns = split_best / args.n * 1e9
    parse_ns = parse_best / args.n * 1e9
    ratio = parse_ns / re_split_ns
    strict = parse_ns / split_ns
    command = ("uv run python bench/size_parse.py " + " ".join(sys.argv[1:])).strip()
    print(f"strings: {args.n:,} ({errors:,} malformed, refused with SizeError)")
    print(
        f"re.split: {re_split_ns:,.0f} ns/item; precompiled split: {split_ns:,.0f} ns/item; "
        f"parse_size: {parse_ns:,.0f} ns/item"
    )
    print(f"ratio: {ratio:.2f}× re.split, {strict:.2f}× precompiled split (goal: ≤ 3×)")
    print()
    print(
        "| date | command | strings | re.split ns/item | precompiled split ns/item "
        "| parse_size ns/item | ratio | ratio (precompiled) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {datetime.date.today().isoformat()} | `{command}` | {args.n:,} | {re_split_ns:,.0f} "
        f"| {split_ns:,.0f} | {parse_ns:,.0f} | {ratio:.2f}× | {strict:.2f}× |"
    )


if __name__ == "__main__":
    main()
