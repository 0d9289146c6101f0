from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "ansinh.insurance"
    label = "insurance"
    verbose_name = _("Health insurance")

    def ready(self) -> None:
        from ansinh.imports.kinds import register
        from ansinh.insurance.imports import CardsImport

        register(CardsImport())
