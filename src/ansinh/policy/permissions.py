"""Who administers policy values (issue: the 2027 standard).

- **Enter** a value: a province officer; where the installation has no active province account,
  the commune officer. The system (a command, the demo) may too.
- **Approve** or reject: a second person — a committee member or a province officer (or the
  system), never the one who entered the value.
- **Read** the page: every signed-in role (the law is public).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.policy.models import PolicyValue


def has_province_account() -> bool:
    return User.objects.filter(role=Role.PROVINCE, is_active=True).exists()


def can_enter(scope: Scope) -> bool:
    if scope.is_system or scope.is_province:
        return True
    return scope.role == Role.OFFICER and not has_province_account()


def can_decide(scope: Scope, entry: PolicyValue | None = None) -> bool:
    if not (scope.is_system or scope.is_province or scope.role == Role.COMMITTEE):
        return False
    if entry is None or scope.user is None:
        return True
    return entry.entered_by_id != scope.user.pk


def require_enter(scope: Scope) -> None:
    if not can_enter(scope):
        raise PermissionDenied(
            _(
                "Only the policy administrator enters policy values: the province officer, or "
                "the commune officer where the installation has no province account."
            )
        )


def require_decide(scope: Scope, entry: PolicyValue) -> None:
    if not can_decide(scope):
        raise PermissionDenied(
            _("A committee member or a province officer approves policy values.")
        )
    if not can_decide(scope, entry):
        raise PermissionDenied(
            _("A second person approves a policy value: not the one who entered it.")
        )
