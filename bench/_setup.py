"""Shared set-up of the benchmark scripts: a database by URL, Django on it, percentiles."""

from __future__ import annotations

import os
from pathlib import Path


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def create_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def django_on(database_url: str) -> None:
    """Point TireBrain at ``database_url`` (creating a PostgreSQL database if needed), set Django
    up and migrate."""
    os.environ["TIREBRAIN_DATABASE_URL"] = database_url
    os.environ.setdefault("TIREBRAIN_DATA_DIR", str(Path("var").resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    if database_url.startswith("postgresql"):
        create_pg_database(database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
