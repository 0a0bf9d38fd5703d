"""``tirebrain products rederive``: classes, label grades and high-end verdicts again, after a
grading table (data/grading/) or the plan's thresholds changed."""

from __future__ import annotations

from tirebrain.core.management.base import TireBrainCommand


class Command(TireBrainCommand):
    help = "Product registry maintenance: re-derive every product's classes and verdicts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rederive", help="derive every product again from the current rules")

    def handle(self, *args, action: str, **options):
        from tirebrain.products.services import rederive_all

        changed = rederive_all(self.actor)
        self.stdout.write(f"Re-derived the registry: {changed:,} products changed.")
