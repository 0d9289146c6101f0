"""The ``ansinh`` command.

``ansinh rules …`` runs the pure rules engine on files and never loads Django (so a province
analyst can classify a spreadsheet without a database). Everything else is a Django
management command: ``ansinh demo``, ``ansinh migrate``, ``ansinh runserver`` …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "rules":
        from ansinh.rules.cli import main as rules_main

        return rules_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ansinh", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
