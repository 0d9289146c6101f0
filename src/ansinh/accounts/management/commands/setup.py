"""``ansinh setup --commune CODE --village NAME [--village NAME …] --officer USERNAME``.

Sets up an empty installation: the commune it serves, the commune's villages and the first
officer account (see ``ansinh.accounts.services.setup``). The officer's password comes from
the environment variable ``ANSINH_SETUP_PASSWORD``, else it is asked twice at the terminal;
without either the command stops (exit code 2). Running it again changes nothing (villages
already there and an existing officer are kept, "đã có"); another commune on an installation
already set up needs ``--add-commune``.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ansinh.accounts import selectors, services
from ansinh.accounts.management.commands._common import REFUSED, USAGE, refusal, stdin_is_tty
from ansinh.accounts.scopes import Scope
from ansinh.accounts.services import SetupResult
from ansinh.places import selectors as places_selectors
from ansinh.places.choices import VillageKind
from ansinh.places.models import Commune

PASSWORD_VARIABLE = "ANSINH_SETUP_PASSWORD"  # noqa: S105 (the name of the variable)
VIA = "ansinh setup"


class Command(BaseCommand):
    help = (
        "Set up an empty installation: its commune, the commune's villages and the first "
        "officer (password from ANSINH_SETUP_PASSWORD, else asked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--commune",
            required=True,
            help="The commune's 5-digit code (a name lists the communes it matches).",
        )
        parser.add_argument(
            "--village",
            action="append",
            default=[],
            dest="villages",
            metavar="NAME",
            help="A village (thôn, ấp, khu phố, tổ dân phố); repeat for each.",
        )
        parser.add_argument(
            "--villages-file",
            type=Path,
            help="A text file of villages, one a line (UTF-8), e.g. a column copied from Excel.",
        )
        parser.add_argument("--officer", required=True, metavar="USERNAME")
        parser.add_argument("--full-name", default="", help="The officer's full name.")
        parser.add_argument(
            "--kind",
            choices=VillageKind.values,
            default="",
            help="The type of a village whose name does not say it.",
        )
        parser.add_argument(
            "--add-commune",
            action="store_true",
            help="Serve this commune too on an installation already set up for another.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        commune = self._commune(options["commune"])
        villages = list(options["villages"])
        if options["villages_file"] is not None:
            try:
                villages.append(options["villages_file"].read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(
                    _("Cannot read %(path)s: %(error)s")
                    % {"path": options["villages_file"], "error": exc},
                    returncode=USAGE,
                ) from exc
        password = ""
        if selectors.user_named(options["officer"]) is None:
            password = self._password()
        try:
            result = services.installation_setup(
                scope=Scope.system(commune.code, via=VIA),
                villages="\n".join(villages),
                default_kind=options["kind"],
                officer_username=options["officer"],
                officer_password=password,
                officer_full_name=options["full_name"],
                add_commune=options["add_commune"],
            )
        except (ValidationError, PermissionDenied) as exc:
            raise refusal(exc) from exc
        self._summary(result)

    def _commune(self, value: str) -> Commune:
        text = value.strip()
        if text.isdigit():
            commune = places_selectors.commune_find(int(text[:9]))
            if commune is None:
                raise CommandError(
                    _("No commune has the code %(code)s.") % {"code": text}, returncode=REFUSED
                )
            return commune
        found = places_selectors.communes_search(text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise CommandError(
                _("No commune of the official list matches %(query)s.") % {"query": text},
                returncode=REFUSED,
            )
        lines = [f"  {c.code}  {c.name} ({c.province.name})" for c in found]
        raise CommandError(
            _("Several communes match %(query)s: give the code of yours with --commune.")
            % {"query": text}
            + "\n"
            + "\n".join(lines),
            returncode=REFUSED,
        )

    def _password(self) -> str:
        from_env = os.environ.get(PASSWORD_VARIABLE, "")
        if from_env:
            return from_env
        if not stdin_is_tty():
            raise CommandError(
                _(
                    "The officer's password is needed: set the environment variable "
                    "%(variable)s, or run the command in a terminal to type it."
                )
                % {"variable": PASSWORD_VARIABLE},
                returncode=USAGE,
            )
        first = getpass.getpass(_("Password for the officer: "))
        again = getpass.getpass(_("The same password again: "))
        if first != again:
            raise CommandError(_("The two passwords are not the same."), returncode=REFUSED)
        return first

    def _summary(self, result: SetupResult) -> None:
        commune = result.commune
        out = self.stdout.write
        out(f"{commune.name} ({commune.province.name}), {_('code')} {commune.code}")
        if result.created:
            out(
                _("Villages created (%(n)s): %(names)s")
                % {"n": len(result.created), "names": ", ".join(v.name for v in result.created)}
            )
        if result.kept:
            out(
                _("Villages already there (%(n)s): %(names)s")
                % {"n": len(result.kept), "names": ", ".join(result.kept)}
            )
        if result.duplicates:
            out(_("Entered twice, kept once: %(names)s") % {"names": ", ".join(result.duplicates)})
        if result.ignored:
            out(_("Left out (numbers, headings): %(cells)s") % {"cells": ", ".join(result.ignored)})
        if result.officer_created:
            out(_("Officer %(username)s created.") % {"username": result.officer.username})
        else:
            out(
                _("Officer %(username)s already there: not changed (password kept).")
                % {"username": result.officer.username}
            )
        if not result.changed:
            out(_("Nothing changed: this installation was already set up like this."))
