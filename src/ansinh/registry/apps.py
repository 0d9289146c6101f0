from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ansinh.registry"
    label = "registry"
    verbose_name = _("Household registry")

    def ready(self) -> None:
        from ansinh.imports.kinds import register
        from ansinh.registry.imports import HouseholdsImport

        register(HouseholdsImport())
