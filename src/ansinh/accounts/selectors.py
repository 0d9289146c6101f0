"""Reads of accounts: the installation's state and the users a scope manages.

An installation is **new** while no commune of the official list is *in use*: no commune has
a village or a user. The official list of provinces and communes is loaded by a migration
(``places``), so "the database has no commune" cannot mean an empty table. The set-up command,
the set-up page and the sign-in page ask :func:`installation_is_new`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.core.selectors import get_or_404
from ansinh.places.models import Commune, Village


def installation_is_new() -> bool:
    """No commune is in use yet: the set-up (page or ``ansinh setup``) has not run."""
    return not (Village.objects.exists() or User.objects.filter(commune__isnull=False).exists())


def communes_in_use() -> QuerySet[Commune]:
    """The communes this installation serves: those with a village or a user."""
    used = Q(pk__in=Village.objects.values("commune_id")) | Q(
        pk__in=User.objects.filter(commune__isnull=False).values("commune_id")
    )
    return Commune.objects.filter(used).select_related("province").order_by("province_id", "name")


def serves_province() -> bool:
    """The installation serves several communes (a province's): province officer accounts
    are offered on the accounts page."""
    return communes_in_use().count() > 1


def users_of(scope: Scope) -> QuerySet[User]:
    """The accounts of the scope's commune, for the officer (or the system) who manages
    them: active ones first, then by role and user name."""
    if not scope.can_edit:
        raise PermissionDenied(_("Only the commune officer manages accounts."))
    return (
        User.objects.filter(commune_id=scope.commune_code)
        .prefetch_related("villages")
        .order_by("-is_active", "role", "username")
    )


def user_get(scope: Scope, pk: int) -> User:
    """An account of the scope's commune, or 404 (never another commune's)."""
    return get_or_404(users_of(scope), pk)


def user_named(username: str) -> User | None:
    """The account with this user name, compared without regard to case (for the shell
    command, which then acts in that account's commune)."""
    return User.objects.filter(username__iexact=username.strip()).first()


def active_officers(commune_code: int) -> QuerySet[User]:
    """The active officers of a commune (the last one cannot be deactivated or demoted)."""
    return User.objects.filter(commune_id=commune_code, role=Role.OFFICER, is_active=True)
