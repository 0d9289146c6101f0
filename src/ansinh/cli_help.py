"""What ``ansinh`` says about itself: ``ansinh``, ``ansinh help`` and ``ansinh --help`` list the
commands an officer or an administrator uses first, in groups with a line each (the batch
rules ``ansinh rules …`` among them), before Django's own list of commands.

Public interface::

    GROUPS                      # (title, ((command, description), …)), the texts as msgids
    overview() -> str           # the groups, in the active language
    print_help(out) -> int      # the overview, then Django's list (or why it cannot be read)

Every management command of ansinh's apps is in ``GROUPS`` (``tests/test_cli_help.py``).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from django.utils.translation import gettext


def gettext_noop(message: str) -> str:
    """Marks a text for translation (``makemessages`` extracts it), translated when shown.
    Django's own asks for the settings, which ``ansinh --help`` may not be able to read."""
    return message


#: The groups of commands: (title, ((command, description), …)), the texts as msgids.
GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        gettext_noop("Getting started"),
        (
            ("setup", gettext_noop("Set up a new installation: commune, villages, first officer")),
            ("users", gettext_noop("Accounts: list, add, change, deactivate, new password")),
            ("migrate", gettext_noop("Create or update the database (install or upgrade)")),
            ("serve", gettext_noop("Run the web server for real use (gunicorn)")),
            ("demo", gettext_noop("Build a demo commune with demo users, to try ansinh")),
            ("runserver", gettext_noop("Run the development web server (reloads the code)")),
        ),
    ),
    (
        gettext_noop("The commune's data"),
        (
            ("import", gettext_noop("Import the commune's lists: households, poverty, cards …")),
            ("backup", gettext_noop("Back up the whole database, dated, keeping recent copies")),
            ("restore", gettext_noop("Restore a backup into an empty database")),
            ("policy", gettext_noop("Export the approved policy values, or import a file")),
            ("cards", gettext_noop("Import health insurance card periods from a file")),
            ("places_sync", gettext_noop("Load or refresh the provinces and communes")),
        ),
    ),
    (
        gettext_noop("Scheduled jobs"),
        (
            ("reminders", gettext_noop("Plan the health insurance renewal reminders of a day")),
            ("messages", gettext_noop("Send the messages that are due, or show the outbox")),
            ("coordination", gettext_noop("Send the officer the daily digest of overdue items")),
            ("db_optimize", gettext_noop("Refresh the database statistics (after an import)")),
            ("api_token", gettext_noop("Create, list or revoke the API tokens of an account")),
        ),
    ),
    (
        gettext_noop("Batch rules, without a database (ansinh rules …)"),
        (
            ("rules poverty", gettext_noop("Classify households (poor, near-poor) from files")),
            ("rules allowance", gettext_noop("Monthly social allowances of a list of people")),
            ("rules bhyt", gettext_noop("Household health insurance contributions")),
        ),
    ),
)


def overview() -> str:
    """The groups of commands, each with its line, in the active language."""
    width = max(len(command) for _title, rows in GROUPS for command, _text in rows) + 3
    lines = [
        gettext("ansinh: social assistance for communes."),
        gettext("Usage: ansinh <command> [options]. Help on one command: ansinh <command> --help"),
    ]
    for title, rows in GROUPS:
        lines += ["", gettext(title)]
        lines += [f"  {command.ljust(width)}{gettext(text)}" for command, text in rows]
    return "\n".join(lines) + "\n"


def _django_ready() -> str:
    """Load the installation's settings; the reason they cannot be read, else ""."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    try:
        django.setup()
    except Exception as exc:  # a missing secret key, a bad DATABASE_URL …: still say who we are
        from django.conf import settings

        if not settings.configured:
            from pathlib import Path

            settings.configure(
                USE_I18N=True,
                LANGUAGE_CODE="vi",
                LOCALE_PATHS=[Path(__file__).resolve().parent / "locale"],
            )
            django.setup()  # no app: enough for the translations of the overview
        return str(exc) or type(exc).__name__
    return ""


def print_help(out: TextIO | None = None) -> int:
    """Print the overview, then Django's own list of commands (when the settings can be read;
    else why not). Returns the exit code: 0."""
    out = out or sys.stdout
    problem = _django_ready()
    out.write(overview())
    out.write("\n" + gettext("Every command (Django's list):") + "\n")
    if problem:
        out.write(
            gettext("It is shown once the installation's settings can be read:")
            + "\n"
            + problem
            + "\n"
        )
        return 0
    from django.core.management import ManagementUtility

    out.write(ManagementUtility(["ansinh"]).main_help_text() + "\n")
    return 0
