"""What a user may see and do. Every selector of personal data and every service takes a
``Scope``.

A ``Scope`` is built from the user once per request; it cannot be built for a user without a
commune (except superusers, who get no personal data through the product pages either: they
administer, they do not browse households). Jobs and commands act as the **system**
(:meth:`Scope.system`): an explicit actor, named in the audit log ("Hệ thống: demo"), never a
missing one. Who may do what is decided in :mod:`ansinh.accounts.permissions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User

SYSTEM = "system"
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    user: User | None  # None only for the system
    commune_code: int
    role: str
    village_ids: frozenset[int] | None  # None = every village of the commune
    via: str = ""  # the system's job or command ("demo", "reminders plan")

    @classmethod
    def system(cls, commune_code: int, via: str) -> Scope:
        """ansinh itself acting in a commune: a command, a scheduled job, the demo builder.
        It may do what the officer may; the audit log names ``via``."""
        if not via.strip():
            raise ValueError("the system acts through a named job or command")
        return cls(user=None, commune_code=commune_code, role=SYSTEM, village_ids=None, via=via)

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM

    @property
    def can_edit(self) -> bool:
        """Write registry records directly."""
        return self.role in {Role.OFFICER, SYSTEM}

    @property
    def can_propose(self) -> bool:
        """Village heads propose changes that the officer applies."""
        return self.role == Role.VILLAGE_HEAD

    @property
    def can_approve(self) -> bool:
        return self.role in {Role.OFFICER, Role.COMMITTEE, SYSTEM}

    @property
    def is_committee(self) -> bool:
        """A committee member (or the system): the one who approves a payroll."""
        return self.role in {Role.COMMITTEE, SYSTEM}

    @property
    def is_province(self) -> bool:
        """A province officer: reads the commune like an auditor, administers policy values."""
        return self.role == Role.PROVINCE

    @property
    def can_see_audit_log(self) -> bool:
        return self.role in {Role.OFFICER, Role.AUDITOR}

    @property
    def sees_full_identifiers(self) -> bool:
        """CCCD, phone and bank account numbers in full: the officer and the village head
        (who only ever sees the own villages) work with them. Auditors and committee members
        see them masked and reveal one at a time, which is logged."""
        return self.role in {Role.OFFICER, Role.VILLAGE_HEAD}

    def restrict(self, qs: QuerySet[M], village_field: str = "village_id") -> QuerySet[M]:
        """``qs`` limited to the scope's villages (a village head's); the commune filter is
        the selector's own."""
        if self.village_ids is None:
            return qs
        return qs.filter(**{f"{village_field}__in": self.village_ids})

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
