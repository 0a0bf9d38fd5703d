"""Cockpit and /api/v1/targets server time at a given data size.

Usage (one database per size; the generator runs once and is reused):

    uv run python bench/cockpit_latency.py --enterprises 10000 --database-url sqlite:///var/bench10k.sqlite3
    uv run python bench/cockpit_latency.py --enterprises 10000 \
        --database-url postgresql://postgres@127.0.0.1:5432/tirebrain_bench10k

Requests go through Django's test client in-process, so the figure is the server's time to
build the response (routing, queries, templates), without network or browser. Prints median and
p95 over ``--repeat`` requests after ``--warmup`` requests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _setup import django_on, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=150)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    django_on(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tirebrain.accounts.services import create_token, create_user
    from tirebrain.datavalues.models import DataValue
    from tirebrain.orgs.models import Enterprise

    call_command("collectstatic", interactive=False, verbosity=0)  # as `tirebrain serve` does
    if Enterprise.objects.filter(is_demo=True).count() != args.enterprises:
        call_command("demo_data", enterprises=args.enterprises, seed=args.seed, reset=True)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench").first()
    if user is None:
        user, _pw = create_user("bench", "bench", role="province", password="bench-pw-1")
    key = create_token("bench", "bench")
    client = Client()
    client.force_login(user)
    values = DataValue.objects.count()
    print(
        f"database: {connection.vendor}; enterprises: {Enterprise.objects.count():,}; "
        f"values: {values:,}"
    )

    def measure(label: str, fetch) -> None:
        for _ in range(args.warmup):
            fetch()
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = fetch()
            samples.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                sys.exit(f"{label}: HTTP {response.status_code}")
        print(
            f"| {label} | {connection.vendor} | {args.enterprises:,} | {values:,} | "
            f"{statistics.median(samples):.1f} | {percentile(samples, 95):.1f} |"
        )

    print("| request | database | enterprises | values | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    measure("GET /cockpit/", lambda: client.get("/cockpit/"))
    measure("GET /cockpit/?org=370500", lambda: client.get("/cockpit/?org=370500"))
    measure("GET /cockpit/T1/", lambda: client.get("/cockpit/T1/"))
    measure(
        "GET /api/v1/targets",
        lambda: client.get("/api/v1/targets", HTTP_AUTHORIZATION=f"Bearer {key}"),
    )


if __name__ == "__main__":
    main()
