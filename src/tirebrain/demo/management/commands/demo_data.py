"""``tirebrain demo-data``: generate the deterministic demo data set (fictional enterprises)."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tirebrain.demo.generator import ELEMENTS, DemoDataError, generate

ACTOR = "cli"
BAR_WIDTH = 30


class TextProgress:
    """A one-line text progress bar (redrawn with \\r on a terminal, one line per stage if not)."""

    def __init__(self, out) -> None:
        self.out = out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.stage = ""
        self.last = -1

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.finish()
            self.stage, self.last = stage, -1
        percent = 100 if total <= 0 else int(done * 100 / total)
        if self.tty:
            if percent == self.last and done < total:
                return
            filled = BAR_WIDTH * percent // 100
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self._write(f"\r{stage:<12} [{bar}] {percent:3d}% {done:,}/{total:,}", ending="")
            self.out.flush()
        elif done >= total:
            self._write(f"{stage:<12} {done:,}/{total:,}")
        self.last = percent

    def finish(self) -> None:
        if self.tty and self.stage:
            self._write("")
        self.stage = ""

    def _write(self, text: str, ending: str = "\n") -> None:
        # plain text: a command's stderr is styled as an error by default
        self.out.write(text, style_func=str, ending=ending)


class Command(BaseCommand):
    help = (
        "Generate the deterministic demo data set: fictional enterprises, marked （示例） / "
        "(demo), with honours, yearly values and tyre products. Migrates and loads the reference "
        "data and the plan if needed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--enterprises", type=int, default=150, help="number of enterprises (default 150)"
        )
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete existing demo enterprises with their values and products first",
        )

    def handle(self, *args, enterprises: int, seed: int, reset: bool, **options) -> None:
        if enterprises < 1:
            raise CommandError("--enterprises must be at least 1")
        call_command("migrate", verbosity=0)
        ensure_reference_and_plan(ACTOR)
        progress = TextProgress(self.stderr)
        try:
            summary = generate(
                ACTOR, enterprises=enterprises, seed=seed, reset=reset, progress=progress
            )
        except DemoDataError as exc:
            progress.finish()
            raise CommandError(str(exc)) from None
        progress.finish()
        self.stdout.write(summary.line())


def ensure_reference_and_plan(actor) -> None:
    """Load the reference data and the plan unless they are there (both loaders are idempotent)."""
    from tirebrain.core.reference import load_reference
    from tirebrain.datavalues.models import DataElement
    from tirebrain.orgs.models import Organisation
    from tirebrain.plan.models import PlanVersion
    from tirebrain.plan.services import load_plan

    have_elements = set(DataElement.objects.values_list("code", flat=True))
    if not Organisation.objects.cities().exists() or not set(ELEMENTS) <= have_elements:
        load_reference(actor)
    if not PlanVersion.objects.exists():
        load_plan(actor, settings.PLAN_FILE)
