"""``ansinh users``: the accounts of the installation from the shell.

Subcommands ``list``, ``add USERNAME --role R [--commune CODE] [--village NAME …]
[--full-name …] [--phone …]``, ``update USERNAME [--role R] [--village NAME …] [--full-name …]
[--phone …] [--commune CODE]``, ``deactivate USERNAME``, ``reactivate USERNAME``,
``reset-password USERNAME``. They act as ``Scope.system(code, via="ansinh users")`` in the
account's commune, through the same services as the accounts page (audited, the last officer
kept). ``add`` and ``reset-password`` print the one-time password once. Exit codes: 0 done,
1 refused (the reason on stderr), 2 a usage error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts import selectors, services
from ansinh.accounts.choices import Role
from ansinh.accounts.management.commands._common import REFUSED, USAGE, refusal
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.core.identifiers import format_phone
from ansinh.places import selectors as places_selectors
from ansinh.places.models import Commune

VIA = "ansinh users"


def _account_options(parser: CommandParser, *, adding: bool) -> None:
    parser.add_argument("username")
    parser.add_argument("--role", choices=Role.values, required=adding)
    parser.add_argument(
        "--commune",
        type=int,
        help="The commune's code (needed when the installation serves several)."
        if adding
        else "Move the account to this commune (one the installation serves).",
    )
    parser.add_argument(
        "--village",
        action="append",
        dest="villages",
        metavar="NAME",
        help="A village of a village head; repeat for each.",
    )
    parser.add_argument("--full-name")
    parser.add_argument("--phone")


class Command(BaseCommand):
    help = "List, add, update, deactivate or reactivate accounts, or reset a password."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="The accounts, by commune.")
        listing.add_argument("--commune", type=int)
        _account_options(sub.add_parser("add", help="A new account."), adding=True)
        _account_options(sub.add_parser("update", help="Change an account."), adding=False)
        for name in ("deactivate", "reactivate", "reset-password"):
            sub.add_parser(name).add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "list":
                self._list(options["commune"])
            elif action == "add":
                self._add(options)
            else:
                self._change(action, options)
        except (ValidationError, PermissionDenied) as exc:
            raise refusal(exc) from exc

    # -- subcommands --

    def _list(self, commune_code: int | None) -> None:
        communes = list(selectors.communes_in_use())
        if commune_code is not None:
            communes = [c for c in communes if c.code == commune_code]
        for commune in communes:
            self.stdout.write(f"{commune.name} ({commune.province.name}), {commune.code}")
            scope = Scope.system(commune.code, via=VIA)
            for u in selectors.users_of(scope):
                last = (
                    timezone.localtime(u.last_login).strftime("%d/%m/%Y %H:%M")
                    if u.last_login
                    else _("never")
                )
                state = _("active") if u.is_active else _("deactivated")
                villages = ", ".join(v.name for v in u.villages.all())
                self.stdout.write(
                    f"  {u.username:<20} {u.full_name or '—':<26} {u.get_role_display():<22} "
                    f"{state:<12} {last:<16} {villages}".rstrip()
                )

    def _add(self, options: dict[str, Any]) -> None:
        commune = self._commune_for_add(options["commune"])
        scope = Scope.system(commune.code, via=VIA)
        villages = services.villages_named(commune, options["villages"] or [])
        user, password = services.user_create(
            scope=scope,
            commune=commune,
            username=options["username"],
            role=options["role"],
            full_name=options["full_name"] or "",
            phone=options["phone"] or "",
            villages=villages,
        )
        self.stdout.write(
            _("Account %(username)s created (%(role)s, %(commune)s).")
            % {"username": user.username, "role": user.get_role_display(), "commune": commune}
        )
        self._show_password(password)

    def _change(self, action: str, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        scope = Scope.system(user.commune_id or 0, via=VIA)
        if action == "deactivate":
            services.user_deactivate(scope=scope, user=user)
            self.stdout.write(_("%(name)s can no longer sign in.") % {"name": user.username})
        elif action == "reactivate":
            services.user_reactivate(scope=scope, user=user)
            self.stdout.write(_("%(name)s can sign in again.") % {"name": user.username})
        elif action == "reset-password":
            self._show_password(services.user_password_reset(scope=scope, user=user))
        else:
            self._update(scope, user, options)

    def _update(self, scope: Scope, user: User, options: dict[str, Any]) -> None:
        commune = None
        if options["commune"] is not None:
            commune = places_selectors.commune_find(options["commune"])
            if commune is None:
                raise CommandError(
                    _("No commune has the code %(code)s.") % {"code": options["commune"]},
                    returncode=REFUSED,
                )
        target = commune or user.commune
        assert target is not None  # _user() refuses an account without a commune
        if options["villages"] is not None:
            villages = services.villages_named(target, options["villages"])
        elif commune is None:
            villages = list(user.villages.all())
        else:
            villages = []
        services.user_update(
            scope=scope,
            user=user,
            role=options["role"] or user.role,
            full_name=user.full_name if options["full_name"] is None else options["full_name"],
            phone=format_phone(user.phone) if options["phone"] is None else options["phone"],
            villages=villages,
            commune=commune,
        )
        self.stdout.write(_("Account %(username)s saved.") % {"username": user.username})

    # -- helpers --

    def _show_password(self, password: str) -> None:
        shown = _("One-time password (shown once): %(password)s") % {"password": password}
        self.stdout.write(shown)
        self.stdout.write(_("The person must choose a new password at the first sign-in."))

    def _user(self, username: str) -> User:
        user = selectors.user_named(username)
        if user is None:
            raise CommandError(
                _("No account has the user name %(username)s.") % {"username": username},
                returncode=REFUSED,
            )
        if user.commune_id is None:
            raise CommandError(
                _("%(username)s is an administrator account without a commune.")
                % {"username": user.username},
                returncode=REFUSED,
            )
        return user

    def _commune_for_add(self, code: int | None) -> Commune:
        if code is not None:
            commune = places_selectors.commune_find(code)
            if commune is None:
                raise CommandError(
                    _("No commune has the code %(code)s.") % {"code": code}, returncode=REFUSED
                )
            return commune
        in_use = list(selectors.communes_in_use())
        if len(in_use) == 1:
            return in_use[0]
        if not in_use:
            raise CommandError(
                _("The installation is not set up yet: run ansinh setup first."),
                returncode=REFUSED,
            )
        raise CommandError(
            _("This installation serves several communes: say which with --commune."),
            returncode=USAGE,
        )
