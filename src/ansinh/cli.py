"""The ``ansinh`` command.

``ansinh rules …`` runs the pure rules engine on files and never loads Django (so a province
analyst can classify a spreadsheet without a database). Everything else is a Django
management command: ``ansinh demo``, ``ansinh migrate``, ``ansinh runserver`` …

``ansinh``, ``ansinh help`` and ``ansinh --help`` introduce the commands an officer or an
administrator uses first, in groups (:mod:`ansinh.cli_help`), before Django's own list;
``ansinh <command> --help`` and ``ansinh help <command>`` are each command's own help.
"""

from __future__ import annotations

import os
import sys

#: What asks for the overview of the commands (alone on the command line, or nothing at all).
HELP_WORDS = ("help", "--help", "-h")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "rules":
        from ansinh.rules.cli import main as rules_main

        return rules_main(args[1:])
    if not args or (len(args) == 1 and args[0] in HELP_WORDS):
        from ansinh.cli_help import print_help

        return print_help()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ansinh", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
