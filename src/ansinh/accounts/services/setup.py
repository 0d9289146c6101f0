"""Setting up an installation: its commune, the commune's villages, the first officer.

Run by ``ansinh setup`` and by the set-up page (while the installation is new), always as the
system (``Scope.system(code, via=…)``). Running it again with the same values changes
nothing: villages already there are kept, an existing officer is neither re-created nor
given a new password. An installation already set up for another commune refuses, unless
``add_commune`` says that it serves several communes (a province's installation).

Two first visitors of the set-up page can submit at the same moment: the set-up takes an
installation-wide lock (a PostgreSQL advisory lock; SQLite's ``BEGIN IMMEDIATE`` already
lets one writer in at a time), checks again that the installation is new, and the second
visitor is told that it has just been set up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from ansinh.accounts import selectors
from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.accounts.services.users import check_username, user_add
from ansinh.accounts.village_names import MAX_NAME, MAX_VILLAGES, parse_villages, village_code
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.core.text import fold
from ansinh.places.choices import CommuneType, VillageKind
from ansinh.places.models import Commune, Village
from ansinh.places.services import village_create

#: The key of the PostgreSQL advisory lock held while an installation is set up ("ANSI").
LOCK_KEY = 0x414E5349


@dataclass
class SetupResult:
    """What a set-up did: ``created`` villages and the names ``kept`` (already there),
    the names dropped as ``duplicates`` or ``ignored`` (numbers only), the officer and
    whether it was created."""

    commune: Commune
    officer: User
    officer_created: bool
    created: list[Village] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.officer_created or bool(self.created)


def already_set_up_message() -> str:
    return _(
        "ansinh has just been set up (by someone else, or in another window). Sign in with "
        "the officer account that was created."
    )


def _lock_installation() -> None:
    """One set-up at a time (inside the caller's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def default_village_kind(commune: Commune) -> str:
    """The kind of a village whose name does not say it: tổ dân phố in a ward, thôn in a
    commune."""
    return VillageKind.TO_DAN_PHO if commune.kind == CommuneType.WARD else VillageKind.THON


def _check_commune(commune: Commune, *, add_commune: bool, only_if_new: bool) -> None:
    in_use = list(selectors.communes_in_use())
    if not in_use:
        return
    if only_if_new:
        raise ValidationError(already_set_up_message(), code="already_set_up")
    if commune.code in {c.code for c in in_use} or add_commune:
        return
    names = ", ".join(f"{c.name} ({c.province.name})" for c in in_use)
    raise ValidationError(
        {
            "commune": _(
                "This installation already serves %(communes)s. To serve %(commune)s as well "
                "(an installation of several communes), run the set-up with --add-commune."
            )
            % {"communes": names, "commune": commune.name}
        },
        code="other_commune",
    )


def _officer(username: str, commune: Commune) -> User | None:
    """The existing account ``username`` if it is this commune's officer (kept as it is);
    ``None`` when the name is free; refused when another account has it."""
    existing = selectors.user_named(username)
    if existing is None:
        return None
    if existing.commune_id == commune.code and existing.role == Role.OFFICER:
        return existing
    raise ValidationError(
        {
            "username": _(
                "The user name %(name)s is already used by another account: choose another."
            )
            % {"name": username.strip()}
        }
    )


def _check_password(password: str, username: str, full_name: str) -> None:
    if not password:
        raise ValidationError({"password": _("Choose a password for the officer.")})
    try:
        validate_password(password, User(username=username, full_name=full_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def installation_setup(
    *,
    scope: Scope,
    villages: str,
    officer_username: str,
    officer_password: str = "",
    officer_full_name: str = "",
    default_kind: str = "",
    add_commune: bool = False,
    only_if_new: bool = False,
) -> SetupResult:
    """Set up the commune ``scope.commune_code`` (see the module's docstring). ``villages``
    is the text typed or pasted (:func:`~ansinh.accounts.village_names.parse_villages`);
    ``officer_password`` is needed only when the officer account is created (Django's
    password validators apply). ``only_if_new``: refuse unless the installation is new (the
    set-up page).
    Long on purpose: the first day's steps in the order the set-up page shows them."""
    if not scope.is_system:
        raise PermissionDenied(_("Only ansinh itself sets up an installation."))
    commune = Commune.objects.select_related("province").filter(code=scope.commune_code).first()
    if commune is None:
        raise ValidationError(
            {"commune": _("No commune has the code %(code)s.") % {"code": scope.commune_code}}
        )
    _lock_installation()
    _check_commune(commune, add_commune=add_commune, only_if_new=only_if_new)

    kind = default_kind if default_kind in VillageKind.values else default_village_kind(commune)
    parsed = parse_villages(villages, kind)
    if parsed.too_long:
        raise ValidationError(
            {
                "villages": _("A village name has at most %(n)s characters: %(names)s")
                % {"n": MAX_NAME, "names": "; ".join(n[:40] + "…" for n in parsed.too_long)}
            }
        )
    if len(parsed.names) > MAX_VILLAGES:
        raise ValidationError(
            {"villages": _("At most %(n)s villages at a time.") % {"n": MAX_VILLAGES}}
        )
    existing = {fold(v.name): v for v in Village.objects.filter(commune=commune)}
    if not existing and not parsed.names:
        raise ValidationError({"villages": _("Enter the villages of the commune, one a line.")})

    officer = _officer(officer_username, commune)
    if officer is None:
        username = check_username(officer_username)
        _check_password(officer_password, username, officer_full_name)

    created: list[Village] = []
    kept: list[str] = []
    codes = set(Village.objects.filter(commune=commune).values_list("code", flat=True))
    for item in parsed.names:
        if fold(item.name) in existing:
            kept.append(existing[fold(item.name)].name)
            continue
        code = village_code(item.name, item.kind, codes)
        codes.add(code)
        created.append(
            village_create(scope=scope, commune=commune, name=item.name, kind=item.kind, code=code)
        )
    result = SetupResult(
        commune=commune,
        officer=officer
        or user_add(
            scope=scope,
            commune=commune,
            username=officer_username,
            role=Role.OFFICER,
            password=officer_password,
            must_change_password=False,
            full_name=officer_full_name,
        ),
        officer_created=officer is None,
        created=created,
        kept=kept,
        duplicates=parsed.duplicates,
        ignored=parsed.ignored,
    )
    if result.changed:
        audit.record(
            actor=scope,
            instance=commune,
            action=AuditAction.EVENT,
            note=(
                f"set-up: {len(result.created)} village(s) created, {len(result.kept)} kept; "
                f"officer {result.officer.username} "
                + ("created" if result.officer_created else "kept")
            ),
            commune_code=commune.code,
        )
    return result
