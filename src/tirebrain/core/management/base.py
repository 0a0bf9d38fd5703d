"""Shared pieces of TireBrain's commands: refusals printed as where-and-why lines."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from tirebrain.core.errors import Rejected


class TireBrainCommand(BaseCommand):
    """A command whose ``Rejected`` errors become one line per problem and exit status 2."""

    actor = "cli"

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except Rejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"Refused: {len(exc.errors)} problem(s); nothing was stored.")
            sys.exit(2)


def progress_bar(stream, label: str, done: int, total: int, width: int = 30) -> None:
    """A one-line text progress bar that redraws itself (stderr, no dependency)."""
    filled = int(width * done / total) if total else width
    stream.write(f"\r{label:<24} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        stream.write("\n")
    stream.flush()


__all__ = ["CommandError", "TireBrainCommand", "progress_bar"]
