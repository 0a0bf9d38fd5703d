"""``tirebrain token create NAME``: print a new bearer token for the API."""

from __future__ import annotations

from tirebrain.accounts.services import AccountError, create_token
from tirebrain.core.management.base import CommandError, TireBrainCommand


class Command(TireBrainCommand):
    help = "Create an API bearer token for a user; the token is printed once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("name", help="The user name.")
        create.add_argument("--label", default="", help="What the token is for.")

    def handle(self, *args, action: str, name: str, label: str, **options):
        try:
            key = create_token(self.actor, name, label)
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(key)
