"""The ``tirebrain`` console script: every operator task is a Django management command.

``tirebrain demo-data …`` runs the ``demo_data`` command; Django's own commands (migrate,
createsuperuser, …) are available too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirebrain.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tirebrain", *args])


if __name__ == "__main__":
    main()
