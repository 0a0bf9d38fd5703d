"""``tirebrain epc decode EPC | encode --gtin G --serial S --company-prefix-length N``: every form
of a tyre's SGTIN, one ``name: value`` line each (``--json``: one JSON object).

A refused EPC is one line on stderr and exit status 2, like every refusal of bad input.
"""

from __future__ import annotations

import orjson

from tirebrain.core.management.base import CommandError, TireBrainCommand
from tirebrain.trace.epc import SCHEMES, EpcError, Sgtin, decode, encode


class Command(TireBrainCommand):
    help = "Decode an SGTIN (tag hex, EPC URI, Digital Link) or encode a GTIN and serial."
    # A pure codec: no database, no URLs, so no system checks to wait for (or to fail on).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        read = sub.add_parser("decode", help="print every form of an SGTIN given in any form")
        read.add_argument(
            "epc", help="tag hex, urn:epc:id:sgtin:…, urn:epc:tag:…, a Digital Link or (01)…(21)…"
        )
        read.add_argument(
            "--company-prefix-length",
            type=int,
            help="for a Digital Link or element string: also print the EPC URIs",
        )
        write = sub.add_parser("encode", help="print every form of the tag for a GTIN and serial")
        write.add_argument("--gtin", required=True, help="8, 12, 13 or 14 digits")
        write.add_argument("--serial", required=True)
        write.add_argument("--company-prefix-length", type=int, required=True)
        write.add_argument("--filter", type=int, default=0, help="0 to 7 (default 0, all others)")
        write.add_argument(
            "--scheme",
            choices=SCHEMES,
            help="default: sgtin-96 when the serial fits it (digits, no leading 0), else sgtin-198",
        )
        for subparser in (read, write):
            subparser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, action: str, json: bool, **options):
        try:
            if action == "decode":
                sgtin = decode(
                    options["epc"], company_prefix_length=options["company_prefix_length"]
                )
            else:
                sgtin = encode(
                    options["gtin"],
                    options["serial"],
                    options["company_prefix_length"],
                    filter=options["filter"],
                    scheme=options["scheme"],
                )
        except EpcError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self._print(sgtin, json)

    def _print(self, sgtin: Sgtin, as_json: bool) -> None:
        forms = sgtin.forms()
        if as_json:
            self.stdout.write(orjson.dumps(forms).decode())
        else:
            for name, value in forms.items():
                self.stdout.write(f"{name}: {value}")
