"""Load the reference data files (divisions, data elements, honours, product lines)."""

from __future__ import annotations

from pathlib import Path

from tirebrain.core.management.base import TireBrainCommand
from tirebrain.core.reference import load_reference


class Command(TireBrainCommand):
    help = "tirebrain reference load [--dir DATA_DIR]: load data/divisions.yaml and metadata.yaml."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])
        parser.add_argument("--dir", type=Path, default=None)

    def handle(self, *args, action: str, dir: Path | None, **options):
        counts = load_reference(self.actor, dir)
        self.stdout.write(
            f"Reference data: {counts['cities']} cities, {counts['data_elements']} data elements."
        )
