"""A temporary password must be changed before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect

from ansinh.accounts.scopes import Scope, scope_for


class PasswordChangeRequiredMiddleware:
    """Sends a signed-in user whose ``must_change_password`` is set to the password page.

    Left alone: the password page itself, signing out, static files, the language switch and
    the API (token clients cannot change a password; their tokens die with the old one).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            target = reverse("accounts:password_change")
            if not self._exempt(request.path_info, target):
                if request.headers.get("HX-Request"):
                    # htmx would swap the page into a fragment: ask it to navigate instead.
                    return HttpResponseClientRedirect(target)
                return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str, target: str) -> bool:
        allowed = (
            target,
            reverse("accounts:logout"),
            reverse("set_language"),
            settings.STATIC_URL or "/static/",
            "/api/",
        )
        return path.startswith(allowed)


class ScopeMiddleware:
    """``request.scope``: the signed-in user's :class:`~ansinh.accounts.scopes.Scope`, built
    lazily on first use (``None`` when signed out or the account has no commune), so that
    views of apps below ``accounts`` (places) get the same scope without importing it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = SimpleLazyObject(lambda: _scope_or_none(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def _scope_or_none(request: HttpRequest) -> Scope | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        return scope_for(user)
    except PermissionDenied:
        return None
