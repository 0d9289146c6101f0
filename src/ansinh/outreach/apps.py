from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "ansinh.outreach"
    label = "outreach"
    verbose_name = _("Outreach to residents")

    def ready(self) -> None:
        from ansinh.messaging import topics

        topics.register("outreach", _("Message to a group of households"))
