from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PovertyConfig(AppConfig):
    name = "ansinh.poverty"
    label = "poverty"
    verbose_name = _("Poverty review")

    def ready(self) -> None:
        from ansinh.imports.kinds import register
        from ansinh.poverty.imports import PovertyImport

        register(PovertyImport())
