"""Vietnamese unless the user chose otherwise; sessions renewed without a write per request.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language, and many commune
computers run an English Chrome. ansinh shows Vietnamese by default and switches only when
the user picks a language (the ``set_language`` view stores it in the language cookie).
The REST API follows Accept-Language, which is how programs ask for a language.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if not chosen and request.path.startswith("/api/"):
            # Programs calling the API say what they want in Accept-Language.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionIdleMiddleware:
    """The idle timeout (``SESSION_COOKIE_AGE`` without a request ends the session) without a
    database write on every request: the session is renewed when the last renewal is older
    than ``SESSION_RENEW_SECONDS`` (a few minutes of an eight-hour timeout). Saving it on
    every request (``SESSION_SAVE_EVERY_REQUEST``) made every page a write, and SQLite
    queues writes: fifty officers at once waited on each other's sessions.

    After Django's ``SessionMiddleware``, so that its response step saves what this one
    marks."""

    KEY = "_renewed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.every = int(getattr(settings, "SESSION_RENEW_SECONDS", 300))

    @classmethod
    def signed_in(cls, sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        """``user_logged_in``: signing in saves the session, its first renewal."""
        session = getattr(request, "session", None)
        if session is not None:
            session[cls.KEY] = int(time.time())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or session.is_empty():
            return response  # no session to keep alive (signed out, a token client)
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= self.every:
            session[self.KEY] = now  # modified: SessionMiddleware saves it, new expiry
        return response
