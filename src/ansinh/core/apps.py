from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ansinh.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from ansinh.core.middleware import SessionIdleMiddleware
        from ansinh.core.web import IdConverter

        # <id:pk>: 1–18 digits, so a 20-digit id is a 404 before any view runs
        register_converter(IdConverter, "id")
        # signing in writes the session: it counts as its first renewal
        user_logged_in.connect(SessionIdleMiddleware.signed_in, dispatch_uid="session-renewed")
