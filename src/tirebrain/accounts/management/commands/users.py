"""``tirebrain users create NAME --role ROLE [--scope CODE]`` and ``tirebrain users list``."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from tirebrain.accounts.services import AccountError, create_user
from tirebrain.core.management.base import CommandError, TireBrainCommand


class Command(TireBrainCommand):
    help = "Create users with a role (province, department, city, enterprise) and scope."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("name")
        create.add_argument("--role", required=True)
        create.add_argument(
            "--scope", default=None, help="City code (370500), credit code, or department code."
        )
        create.add_argument("--password", default=None, help="Default: a generated one, printed.")
        create.add_argument("--email", default="")
        sub.add_parser("list")

    def handle(self, *args, action: str, **options):
        if action == "list":
            for u in get_user_model().objects.select_related("profile__scope").order_by("username"):
                p = getattr(u, "profile", None)
                scope = p.scope.code if p and p.scope else ""
                self.stdout.write(f"{u.username:<20} {p.role if p else '-':<12} {scope}")
            return
        try:
            user, password = create_user(
                self.actor,
                options["name"],
                role=options["role"],
                scope=options["scope"],
                password=options["password"],
                email=options["email"],
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        shown = "" if options["password"] else f"; password: {password}"  # only a generated one
        self.stdout.write(f"Created {user.username} ({options['role']}){shown}")
