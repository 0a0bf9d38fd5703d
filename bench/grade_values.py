"""Label grading throughput: 1,000,000 deterministic value sets through ``grading.grade``.

Usage:

    uv run python bench/grade_values.py            # N = 1,000,000, best of 3
    uv run python bench/grade_values.py --n 100000 --repeat 5

Issue 4 asks for grading at registry scale, so this measures the per-item cost of
``grade(scheme, class, rolling_resistance=…, wet_grip=…, noise_db=…, …)`` in-process: value sets
are generated first (``random.Random(2024)``, realistic spreads per tyre class: about 70 % C1,
15 % C2, 15 % C3; raw measurements with more decimals than the tables; declared whole-decibel
noise; common section widths; some snow, extra-load and traction tyres), then graded in one
loop, best of ``--repeat`` runs. Prints the class counts (a cheap check that the loop did
the work) and a markdown table row with the command, N, the time and the date.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

SCHEME = "eu-2020-740"
# (weight, RRC mean, RRC sd, G mean, G sd, noise dB range) — spreads around the label classes
CLASSES = {
    "C1": (70, 8.2, 1.6, 1.38, 0.14, (66, 74)),
    "C2": (15, 7.4, 1.4, 1.22, 0.14, (68, 75)),
    "C3": (15, 5.6, 1.1, 1.05, 0.14, (68, 77)),
}
C1_WIDTHS = (155, 165, 175, 185, 195, 205, 215, 225, 235, 245, 255, 265, 275, 285, 295, 315)


def value_sets(n: int, seed: int) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    names = list(CLASSES)
    weights = [CLASSES[c][0] for c in names]
    sets: list[tuple[str, dict]] = []
    for tyre_class in rng.choices(names, weights, k=n):
        _w, rrc_mu, rrc_sd, g_mu, g_sd, (low, high) = CLASSES[tyre_class]
        kwargs = {
            "rolling_resistance": max(0.5, rng.gauss(rrc_mu, rrc_sd)),
            "wet_grip": max(0.3, rng.gauss(g_mu, g_sd)),
            "noise_db": float(rng.randint(low, high)),
            "snow": rng.random() < 0.2,
        }
        if tyre_class == "C1":
            kwargs["section_width_mm"] = rng.choice(C1_WIDTHS)
            kwargs["extra_load"] = rng.random() < 0.3
        else:
            kwargs["traction"] = rng.random() < 0.3
        sets.append((tyre_class, kwargs))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    import django

    django.setup()
    from tirebrain.products.grading import grade, load_schemes

    load_schemes()  # load and validate once, outside the timing
    sets = value_sets(args.n, args.seed)
    best = float("inf")
    results = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        results = [grade(SCHEME, tyre_class, **kwargs) for tyre_class, kwargs in sets]
        best = min(best, time.perf_counter() - start)

    for field in ("rr_class", "wet_class", "noise_class"):
        counts = Counter(getattr(r, field) for r in results)
        print(f"{field}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    per_item_ns = best / args.n * 1e9
    command = "uv run python bench/grade_values.py" + (
        f" --n {args.n}" if args.n != 1_000_000 else ""
    )
    print()
    print("| command | N | best of | time (s) | per item | date |")
    print("|---|---:|---:|---:|---:|---|")
    print(
        f"| `{command}` | {args.n:,} | {args.repeat} | {best:.3f} | {per_item_ns:,.0f} ns "
        f"| {date.today().isoformat()} |"
    )


if __name__ == "__main__":
    main()
