from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ansinh.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.urls import register_converter

        from ansinh.core.web import IdConverter

        # <id:pk>: 1–18 digits, so a 20-digit id is a 404 before any view runs
        register_converter(IdConverter, "id")
