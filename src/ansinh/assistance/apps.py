from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "ansinh.assistance"
    label = "assistance"
    verbose_name = _("Social allowances")

    def ready(self) -> None:
        # Payments follow what the registry and the poverty review record (ansinh.assistance
        # .holds): a death holds the lines not yet exported, any relevant change makes the
        # payrolls stale. Both apps sit below this one, so they send signals.
        from ansinh.assistance import holds
        from ansinh.poverty.signals import statuses_changed
        from ansinh.registry.signals import person_changed, person_left

        person_left.connect(holds.on_person_left, dispatch_uid="assistance.person_left")
        person_changed.connect(holds.on_person_changed, dispatch_uid="assistance.person_changed")
        statuses_changed.connect(
            holds.on_statuses_changed, dispatch_uid="assistance.statuses_changed"
        )

        from ansinh.assistance.imports import AllowancesImport
        from ansinh.imports.kinds import register

        register(AllowancesImport())
