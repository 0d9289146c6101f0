"""Accounts of a commune, managed by its officer (or by ``ansinh users``, as the system).

Accounts are never deleted: the audit log names them. They are deactivated, and the last
active officer of a commune can be neither deactivated nor given another role, so that
somebody can always manage the commune. A new account and a reset password get a one-time
password, shown once to the officer who hands it over; it must be changed at the next
sign-in (``PasswordChangeRequiredMiddleware``), and setting it ends the account's API tokens
(``User.save`` stamps ``password_changed_at``). The audit log records every change, never a
password or its hash.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.accounts import selectors
from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.identifiers import IdentifierError, normalize_phone
from ansinh.core.models import AuditAction
from ansinh.core.text import fold
from ansinh.places.models import Commune, Village

#: What the audit log keeps of an account (with its villages by name). Never the password.
USER_FIELDS = [
    "username",
    "full_name",
    "role",
    "commune",
    "phone",
    "is_active",
    "must_change_password",
]
# One-time passwords: no 0/o, no 1/l/i, nothing to misread when it is read out or copied by
# hand; 12 characters of 31 (about 59 bits), in groups of four.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,29}")


def one_time_password() -> str:
    """A random readable password such as ``k7pm-x3ta-q9rd``."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def _manage(scope: Scope, commune_code: int | None) -> None:
    require(
        scope,
        commune_code or 0,
        can="edit",
        message=_("Only the commune officer manages accounts."),
    )


def snapshot(user: User) -> dict[str, Any]:
    """The audited values of ``user``: :data:`USER_FIELDS` and the names of its villages."""
    return {
        **audit.snapshot(user, USER_FIELDS),
        "villages": sorted(v.name for v in user.villages.all()),
    }


def check_username(username: str, *, exclude_pk: int | None = None) -> str:
    """The user name, trimmed, if it is well formed and free (compared without regard to
    case: "CanBo" and "canbo" are the same name to a person)."""
    username = (username or "").strip()
    if not _USERNAME.fullmatch(username):
        raise ValidationError(
            {
                "username": _(
                    "A user name has 3 to 30 letters without accents, digits, dots, dashes "
                    "or underscores, e.g. truongap.tandong."
                )
            }
        )
    taken = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {"username": _("The user name %(name)s is already taken.") % {"name": username}}
        )
    return username


def _clean_phone(phone: str) -> str:
    if not (phone or "").strip():
        return ""
    try:
        return normalize_phone(phone)
    except IdentifierError as exc:
        raise ValidationError({"phone": _(exc.message) % dict(exc.params)}) from exc


def _check_role(scope: Scope, role: str, *, was: str = "") -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    offered = scope.is_system or was == Role.PROVINCE or selectors.serves_province()
    if role == Role.PROVINCE and not offered:
        raise ValidationError(
            {
                "role": _(
                    "Province officer accounts are for an installation that serves several "
                    "communes of a province."
                )
            }
        )


def _check_villages(role: str, commune_code: int, villages: Sequence[Village]) -> list[Village]:
    """The villages a role keeps: a village head's (at least one, all of the commune);
    nobody else has villages."""
    if role != Role.VILLAGE_HEAD:
        return []
    if not villages:
        raise ValidationError({"villages": _("A village head needs at least one village.")})
    if any(v.commune_id != commune_code for v in villages):
        raise ValidationError({"villages": _("Choose villages of the account's commune.")})
    return list(villages)


def _keeps_an_officer(user: User, *, role: str, commune_code: int, is_active: bool) -> None:
    """Refuse a change that would leave the user's commune without an active officer. The
    commune's active officers are locked (PostgreSQL) so that two officers deactivating each
    other at the same moment cannot both succeed."""
    if not (user.is_active and user.role == Role.OFFICER and user.commune_id is not None):
        return
    if is_active and role == Role.OFFICER and commune_code == user.commune_id:
        return
    officers = list(
        selectors.active_officers(user.commune_id).select_for_update().values_list("pk", flat=True)
    )
    if not [pk for pk in officers if pk != user.pk]:
        raise ValidationError(
            {
                "role": _(
                    "%(name)s is the last active officer of the commune: create or reactivate "
                    "another officer account first."
                )
                % {"name": user}
            }
        )


def _not_an_administrator(user: User) -> None:
    if user.is_superuser:
        raise PermissionDenied(
            _("This is an administrator account: it is managed from the server's shell.")
        )


def user_add(
    *,
    scope: Scope,
    commune: Commune,
    username: str,
    role: str,
    password: str,
    must_change_password: bool,
    full_name: str = "",
    phone: str = "",
    villages: Sequence[Village] = (),
) -> User:
    """Create an account (checked and audited); the caller is atomic and chose the password:
    :func:`user_create` a one-time one, the set-up the first officer's own."""
    _manage(scope, commune.code)
    username = check_username(username)
    _check_role(scope, role)
    villages = _check_villages(role, commune.code, villages)
    user = User(
        username=username,
        role=role,
        commune=commune,
        full_name=" ".join((full_name or "").split())[:100],
        phone=_clean_phone(phone),
        must_change_password=must_change_password,
    )
    user.set_password(password)
    user.save()
    user.villages.set(villages)
    audit.record(
        actor=scope,
        instance=user,
        action=AuditAction.CREATE,
        after=snapshot(user),
        commune_code=commune.code,
    )
    return user


@transaction.atomic
def user_create(
    *,
    scope: Scope,
    username: str,
    role: str,
    full_name: str = "",
    phone: str = "",
    villages: Sequence[Village] = (),
    commune: Commune | None = None,
) -> tuple[User, str]:
    """A new account of the scope's commune (or of ``commune``) with a one-time password,
    returned to be shown once; the person must change it at the first sign-in."""
    target = commune or Commune.objects.get(code=scope.commune_code)
    password = one_time_password()
    user = user_add(
        scope=scope,
        commune=target,
        username=username,
        role=role,
        password=password,
        must_change_password=True,
        full_name=full_name,
        phone=phone,
        villages=villages,
    )
    return user, password


@transaction.atomic
def user_update(
    *,
    scope: Scope,
    user: User,
    role: str,
    full_name: str = "",
    phone: str = "",
    villages: Sequence[Village] = (),
    commune: Commune | None = None,
) -> User:
    """Change an account's role, villages, name or phone. ``commune`` moves the account to
    another commune this installation serves: only the system (``ansinh users update``) may,
    an officer manages one commune."""
    _manage(scope, user.commune_id)
    _not_an_administrator(user)
    target: int = (user.commune_id or 0) if commune is None else commune.code
    if target != user.commune_id:
        if not scope.is_system:
            raise PermissionDenied(_("An officer cannot move an account to another commune."))
        if not selectors.communes_in_use().filter(pk=target).exists():
            raise ValidationError({"commune": _("This installation does not serve that commune.")})
    _check_role(scope, role, was=user.role)
    kept = _check_villages(role, target, villages)
    _keeps_an_officer(user, role=role, commune_code=target, is_active=user.is_active)
    before = snapshot(user)
    user.role = role
    user.commune_id = target
    user.full_name = " ".join((full_name or "").split())[:100]
    user.phone = _clean_phone(phone)
    user.save(update_fields=["role", "commune", "full_name", "phone"])
    user.villages.set(kept)
    audit.record(
        actor=scope,
        instance=user,
        action=AuditAction.UPDATE,
        before=before,
        after=snapshot(user),
        commune_code=target,
    )
    return user


def _set_active(scope: Scope, user: User, active: bool) -> User:
    _manage(scope, user.commune_id)
    _not_an_administrator(user)
    if user.is_active == active:
        return user
    if not active:
        _keeps_an_officer(user, role=user.role, commune_code=user.commune_id or 0, is_active=False)
    before = snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=scope,
        instance=user,
        action=AuditAction.UPDATE,
        before=before,
        after=snapshot(user),
        commune_code=user.commune_id,
    )
    return user


@transaction.atomic
def user_deactivate(*, scope: Scope, user: User) -> User:
    """The account can no longer sign in (its sessions and API tokens stop working at their
    next request). It stays in the list and in the audit log."""
    return _set_active(scope, user, False)


@transaction.atomic
def user_reactivate(*, scope: Scope, user: User) -> User:
    return _set_active(scope, user, True)


@transaction.atomic
def user_password_reset(*, scope: Scope, user: User) -> str:
    """A new one-time password for ``user``, returned to be shown once. The old password and
    every API token stop working; the person must choose a new password at the next
    sign-in; a sign-in lockout of that user name is lifted."""
    _manage(scope, user.commune_id)
    _not_an_administrator(user)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated: reactivate it first."))
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=scope,
        instance=user,
        action=AuditAction.EVENT,
        note="password reset: one-time password issued",
        commune_code=user.commune_id,
    )
    _lift_lockout(user.username)
    return password


def _lift_lockout(username: str) -> None:
    from axes.utils import reset

    reset(username=username)


def villages_named(commune: Commune, names: Iterable[str]) -> list[Village]:
    """The commune's villages with these names (compared folded: "ap tan dong" is Ấp Tân
    Đông), for the shell command; an unknown name is refused with the names there are."""
    villages = {fold(v.name): v for v in Village.objects.filter(commune=commune)}
    found, missing = [], []
    for name in names:
        village = villages.get(fold(name))
        if village is None:
            missing.append(name)
        else:
            found.append(village)
    if missing:
        raise ValidationError(
            {
                "villages": _("No village %(missing)s in %(commune)s (there are: %(known)s).")
                % {
                    "missing": ", ".join(missing),
                    "commune": commune.name,
                    "known": ", ".join(sorted(v.name for v in villages.values())) or "—",
                }
            }
        )
    return found
