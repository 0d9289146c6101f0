from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "ansinh.policy"
    label = "policy"
    verbose_name = _("Policy parameters")

    def ready(self) -> None:
        from ansinh.policy.provider import parameters_in_force
        from ansinh.rules.parameters import set_provider

        # Every lookup of the rules engine in this process now sees the approved values.
        set_provider(parameters_in_force)
