"""Parse a size and grade its label values, per product, against merely splitting the size
string (issue 4's figure).

Usage:

    uv run python bench/parse_and_grade.py [--n 1000000] [--repeat 3]

Uses the same 1,000,000 size strings as ``bench/size_parse.py`` and the value sets of
``bench/grade_values.py`` (both deterministic). Per item: ``parse_size`` (a malformed string
raises and counts), then ``grader(scheme, class)`` — the bulk form of ``grade`` — with the
class and width the parse found and that item's rolling resistance, wet grip and noise (sizes
without an EU class — earthmover, agricultural, aircraft — are parsed only). The baseline is
splitting each string with one precompiled regular expression. Best of ``--repeat``,
alternating; prints ns per item, the ratio (goal: within 3×) and a markdown row.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    import django

    django.setup()
    from grade_values import value_sets
    from size_parse import SPLIT, generate

    from tirebrain.products.grading import grader, load_schemes
    from tirebrain.products.sizes import SizeError, parse_size

    load_schemes()
    sizes = generate(args.n)
    values = [kwargs for _c, kwargs in value_sets(args.n, 2024)]
    for v in values:  # the class and width come from the parsed size
        v.pop("section_width_mm", None)
        v.pop("traction", None)

    def split_all() -> None:
        for s in sizes:
            SPLIT.split(s)

    def parse_and_grade_all() -> None:
        for s, v in zip(sizes, values, strict=True):
            try:
                size = parse_size(s)
            except SizeError:
                continue
            if size.tyre_class:
                grader("eu-2020-740", size.tyre_class)(
                    v["rolling_resistance"],
                    v["wet_grip"],
                    v["noise_db"],
                    size.section_width_mm,
                    "normal",
                    v["snow"],
                )

    best = {"split": float("inf"), "parse+grade": float("inf")}
    for _ in range(args.repeat):
        for name, run in (("split", split_all), ("parse+grade", parse_and_grade_all)):
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    per = {k: v / args.n * 1e9 for k, v in best.items()}
    ratio = per["parse+grade"] / per["split"]
    print(
        f"split {per['split']:.0f} ns/item, parse+grade {per['parse+grade']:.0f} ns/item, "
        f"ratio {ratio:.2f}×"
    )
    print(
        f"| {datetime.date.today()} | `uv run python bench/parse_and_grade.py` | {args.n:,} | "
        f"{per['split']:,.0f} | {per['parse+grade']:,.0f} | {ratio:.2f}× |"
    )


if __name__ == "__main__":
    main()
