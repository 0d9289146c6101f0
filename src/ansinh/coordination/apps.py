from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "ansinh.coordination"
    label = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        from ansinh.coordination import photos

        photos.register_heif()  # HEIC photos, when pillow-heif is installed
