"""``tirebrain plan load PATH | list | diff V1 V2``: the plan file as versioned data."""

from __future__ import annotations

from pathlib import Path

from tirebrain.core.management.base import CommandError, TireBrainCommand
from tirebrain.plan.models import PlanVersion
from tirebrain.plan.services import diff_versions, load_plan


class Command(TireBrainCommand):
    help = "Load a plan file (a new version only if it changed), list versions, or diff two."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load")
        load.add_argument("path", type=Path)
        sub.add_parser("list")
        diff = sub.add_parser("diff")
        diff.add_argument("v1", type=int)
        diff.add_argument("v2", type=int)
        diff.add_argument("--plan", default=None, help="Plan code (default: the newest plan).")

    def handle(self, *args, action: str, **options):
        getattr(self, f"do_{action}")(**options)

    def do_load(self, path: Path, **options):
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        result = load_plan(self.actor, path)
        v = result.version
        if result.created:
            self.stdout.write(
                f"Loaded {path.name} as {v.plan_code} version {v.number} "
                f"({v.targets.count()} targets, {v.tasks.count()} tasks)."
            )
        else:
            self.stdout.write(f"{path.name} is unchanged: still {v.plan_code} version {v.number}.")

    def do_list(self, **options):
        for v in PlanVersion.objects.order_by("plan_code", "number"):
            self.stdout.write(
                f"{v.plan_code} v{v.number}  {v.loaded_at:%Y-%m-%d %H:%M}  "
                f"{v.source_name}  {v.content_sha256[:12]}"
            )

    def do_diff(self, v1: int, v2: int, plan: str | None, **options):
        current = PlanVersion.objects.current(plan)
        if current is None:
            raise CommandError("No plan is loaded.")
        versions = {v.number: v for v in PlanVersion.objects.filter(plan_code=current.plan_code)}
        for n in (v1, v2):
            if n not in versions:
                raise CommandError(f"{current.plan_code} has no version {n}.")
        changes = diff_versions(versions[v1], versions[v2])
        for c in changes:
            if c.kind == "changed":
                self.stdout.write(f"~ {c.section} {c.code} {c.field}: {c.before!r} → {c.after!r}")
            else:
                self.stdout.write(f"{'+' if c.kind == 'added' else '-'} {c.section} {c.code}")
        self.stdout.write(f"{len(changes)} change(s) from v{v1} to v{v2}.")
