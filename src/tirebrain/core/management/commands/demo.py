"""``tirebrain demo``: database, plan, demo data set, demo users — then serve on :8000.

Every step is idempotent, so running the demo again keeps what is there and just serves.
"""

from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tirebrain.accounts.services import create_user
from tirebrain.core.management.base import TireBrainCommand, progress_bar
from tirebrain.core.reference import load_reference
from tirebrain.orgs.models import Enterprise
from tirebrain.plan.services import load_plan
from tirebrain.trace.models import Event

DEMO_PASSWORD = "tirebrain-demo"


def demo_users() -> list[tuple[str, str, str | None, str]]:
    """(user name, role, scope code, what they see) for the demo log-ins."""
    first_dongying = Enterprise.objects.filter(is_demo=True, city__code="370500").order_by("code")
    ent = first_dongying.first()
    users = [
        ("province", "province", None, "provincial officer: everything"),
        ("commerce", "department", "dept-com", "Department of Commerce: aggregates and registry"),
        ("dongying", "city", "370500", "Dongying city officer: Dongying only"),
        ("qingdao", "city", "370200", "Qingdao city officer: Qingdao only"),
    ]
    if ent is not None:
        users.append(("enterprise", "enterprise", ent.code, f"enterprise user: {ent.name_zh}"))
    return users


class Command(TireBrainCommand):
    help = "Set up the demo (database, plan, demo data, users) and serve it on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Set up, then exit.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--enterprises", type=int, default=150)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--tyres", type=int, default=5000, help="tyres whose lives the demo simulates"
        )

    def handle(self, *args, **options):
        from tirebrain.demo.generator import generate

        steps = ["database", "reference data", "plan", "demo data", "tyre lives", "users"]
        bar = lambda i: progress_bar(self.stderr, "Setting up the demo", i, len(steps))  # noqa: E731
        bar(0)
        call_command("migrate", verbosity=0)
        bar(1)
        load_reference(self.actor)
        bar(2)
        version = load_plan(self.actor, settings.PLAN_FILE).version
        bar(3)
        if not Enterprise.objects.filter(is_demo=True).exists():
            generate(self.actor, enterprises=options["enterprises"], seed=options["seed"])
        bar(4)
        if not Event.objects.exists():
            call_command("trace", "simulate", "--tyres", str(options["tyres"]), stdout=StringIO())
        bar(5)
        User = get_user_model()
        for name, role, scope, _what in demo_users():
            if not User.objects.filter(username=name).exists():
                create_user(self.actor, name, role=role, scope=scope, password=DEMO_PASSWORD)
        bar(6)
        n = Enterprise.objects.filter(is_demo=True).count()
        self.stdout.write(f"Demo ready: plan v{version.number}, {n} demo enterprises (示例数据).")
        self.stdout.write(
            f"Log in at http://{options['host']}:{options['port']}/ with password "
            f"“{DEMO_PASSWORD}” as:"
        )
        for name, _role, _scope, what in demo_users():
            self.stdout.write(f"  {name:<12} {what}")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"], no_migrate=True)
