"""The unread counter of the main menu: "Điều phối (3)"."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from ansinh.accounts.choices import Role
from ansinh.coordination.selectors import unread_count

#: The roles that leave read marks (auditors and province officers only read: no counter).
COUNTED = (Role.OFFICER, Role.COMMITTEE, Role.VILLAGE_HEAD)


def unread(request: HttpRequest) -> dict[str, Any]:
    """How many of the user's items changed since they last opened them: one query, made
    only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in COUNTED:
        return {}
    if user.commune_id is None:
        return {}
    return {"coordination_unread": cache(lambda: unread_count(user))}
