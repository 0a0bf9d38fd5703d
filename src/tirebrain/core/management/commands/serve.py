"""Serve TireBrain with the production configuration: waitress, DEBUG off, static files by
WhiteNoise, security headers and login throttling from settings."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command

from tirebrain.core.management.base import CommandError, TireBrainCommand


class Command(TireBrainCommand):
    help = "Run the production web server (waitress) on HOST:PORT."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations.")

    def handle(self, *args, host: str, port: int, threads: int, no_migrate: bool, **options):
        if settings.DEBUG:
            raise CommandError("TIREBRAIN_DEBUG is on: `serve` runs the production configuration.")
        if not no_migrate:
            call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from waitress import serve

        from tirebrain.wsgi import application

        self.stdout.write(f"TireBrain serving on http://{host}:{port}/ (Ctrl-C to stop)")
        serve(application, host=host, port=port, threads=threads, ident="TireBrain")
