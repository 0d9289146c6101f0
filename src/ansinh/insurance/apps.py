from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The outbox topic of the renewal reminders.
REMINDER_TOPIC = "bhyt-reminder"


class InsuranceConfig(AppConfig):
    name = "ansinh.insurance"
    label = "insurance"
    verbose_name = _("Health insurance")

    def ready(self) -> None:
        from ansinh.imports.kinds import register
        from ansinh.insurance.imports import CardsImport
        from ansinh.messaging import topics

        register(CardsImport())
        topics.register(REMINDER_TOPIC, _("Health-insurance renewal reminders"))
