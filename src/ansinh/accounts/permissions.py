"""Who may do what: the one place services ask.

Every service takes a :class:`~ansinh.accounts.scopes.Scope` and starts with ``require``;
a scope of another commune, or a role without the right, gets ``PermissionDenied`` with the
service's own message. The system (:meth:`Scope.system`) may do what the officer may.
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope

Right = Literal[
    "edit", "approve", "propose", "propose_or_edit", "committee", "coordinate", "contribute"
]


def allows(scope: Scope, commune_code: int, can: Right) -> bool:
    if scope.commune_code != commune_code:
        return False
    if can == "edit":
        return scope.can_edit
    if can == "approve":
        return scope.can_approve
    if can == "propose":
        return scope.can_propose
    if can == "propose_or_edit":
        return scope.can_propose or scope.can_edit
    if can == "coordinate":  # the coordination board: assign, triage, close any item
        return scope.can_approve
    if can == "contribute":  # report, comment: every role that works (not auditors)
        return scope.can_approve or scope.can_propose
    return scope.is_committee


def require(scope: Scope, commune_code: int, *, can: Right, message: str = "") -> None:
    """Raise ``PermissionDenied`` unless ``scope`` has the right ``can`` in the commune."""
    if not allows(scope, commune_code, can):
        raise PermissionDenied(message or _("Your role cannot do this here."))


def require_village(scope: Scope, village_id: int, message: str = "") -> None:
    """Village heads act only in their own villages."""
    if not scope.allows_village(village_id):
        raise PermissionDenied(message or _("Your role cannot do this here."))
