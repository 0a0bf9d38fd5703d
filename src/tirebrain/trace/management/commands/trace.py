"""``tirebrain trace simulate | restage``: demo tyre lives through the capture endpoint, and
recounting the lifecycle stages after the stage rules changed."""

from __future__ import annotations

from datetime import date

from tirebrain.core.management.base import CommandError, TireBrainCommand


class Command(TireBrainCommand):
    help = "Traceability: simulate demo tyre lives (EPCIS events) or recount lifecycle stages."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("simulate", help="send synthetic tyre lives to the capture endpoint")
        sim.add_argument("--tyres", type=int, default=5000)
        sim.add_argument("--seed", type=int, default=2024)
        sim.add_argument("--until", type=date.fromisoformat, default=date(2026, 10, 31))
        sim.add_argument("--batch", type=int, default=1000, help="events per document")
        sim.add_argument("--url", help="a running server's base URL (default: in process)")
        sim.add_argument("--token", help="API token for --url")
        sub.add_parser("restage", help="recount StageCount from the stored events")

    def handle(self, *args, action: str, **options):
        getattr(self, f"do_{action}")(**options)

    def do_simulate(self, tyres, seed, until, batch, url, token, **options):
        from tirebrain.accounts.models import ApiToken
        from tirebrain.accounts.services import create_token
        from tirebrain.trace.simulate import (
            documents,
            hub_user,
            send_http,
            send_in_process,
            simulate_events,
        )

        if url and not token:
            raise CommandError("--url needs --token")
        docs = documents(simulate_events(tyres, seed=seed, until=until), size=batch)
        if url:
            jobs = send_http(docs, url, token)
        else:
            user = hub_user()
            key = create_token(self.actor, user.username, "trace simulate")
            jobs = send_in_process(docs, key)
        stored = duplicates = sent = 0
        try:
            for job in jobs:
                if not job["success"]:
                    raise CommandError(f"capture job {job['captureID']} failed: {job['errors']}")
                sent += job["eventCount"]
                stored += job["storedCount"]
                duplicates += job["duplicateCount"]
        finally:
            if not url:
                ApiToken.objects.filter(user=user, name="trace simulate").delete()
        self.stdout.write(
            f"Sent {sent:,} events for {tyres:,} tyres: {stored:,} stored, "
            f"{duplicates:,} already there."
        )

    def do_restage(self, **options):
        from tirebrain.trace.recycling import restage

        n = restage()
        self.stdout.write(f"Recounted: {n:,} stage counts.")
