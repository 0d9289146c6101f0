"""Vietnamese unless the user chose otherwise.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language, and many commune
computers run an English Chrome. ansinh shows Vietnamese by default and switches only when
the user picks a language (the ``set_language`` view stores it in the language cookie).
The REST API follows Accept-Language, which is how programs ask for a language.
"""

from __future__ import annotations

from collections.abc import Callable

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
