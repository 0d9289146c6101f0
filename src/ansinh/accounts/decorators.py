from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ansinh.accounts.scopes import Scope, scope_for

View = Callable[..., HttpResponse]


def scoped(*, need: str | None = None) -> Callable[[View], View]:
    """Sign-in required; the view receives ``scope`` as its second argument.

    ``need`` names a Scope property that must be true ("can_edit", "can_see_audit_log" …).
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            scope: Scope = scope_for(request.user)  # type: ignore[arg-type]
            if need and not getattr(scope, need):
                raise PermissionDenied
            return view(request, scope, *args, **kwargs)

        return wrapper

    return decorator
