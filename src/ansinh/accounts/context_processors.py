from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ansinh.accounts.scopes import scope_for


def membership(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        scope = scope_for(user)
    except PermissionDenied:
        return {"scope": None}
    return {"scope": scope, "current_commune": user.commune}
