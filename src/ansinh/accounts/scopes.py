"""What a user may see and do. Every selector of personal data takes a ``Scope``.

A ``Scope`` is built from the user once per request; it cannot be built for a user without a
commune (except superusers, who get no personal data through the product pages either: they
administer, they do not browse households).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User


@dataclass(frozen=True)
class Scope:
    user: User
    commune_code: int
    role: str
    village_ids: frozenset[int] | None  # None = every village of the commune

    @property
    def can_edit(self) -> bool:
        """Write registry records directly."""
        return self.role == Role.OFFICER

    @property
    def can_propose(self) -> bool:
        """Village heads propose changes that the officer applies."""
        return self.role == Role.VILLAGE_HEAD

    @property
    def can_approve(self) -> bool:
        return self.role in {Role.OFFICER, Role.COMMITTEE}

    @property
    def can_see_audit_log(self) -> bool:
        return self.role in {Role.OFFICER, Role.AUDITOR}

    def allows_village(self, village_id: int) -> bool:
        return self.village_ids is None or village_id in self.village_ids


def scope_for(user: User) -> Scope:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("not signed in")
    if user.commune_id is None or not user.role:
        raise PermissionDenied("this account has no commune or role")
    village_ids = None
    if user.role == Role.VILLAGE_HEAD:
        village_ids = frozenset(user.villages.values_list("id", flat=True))
    return Scope(user=user, commune_code=user.commune_id, role=user.role, village_ids=village_ids)
