from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "ansinh.coordination"
    label = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        from ansinh.coordination import photos
        from ansinh.core.backups.datafolders import register_data_folder

        photos.register_heif()  # HEIC photos from iPhones (pillow-heif)
        # Every backup carries the photos the database refers to (ADR 0013).
        register_data_folder(
            "coordination", folder=photos.photos_root, referenced=photos.referenced
        )
        from ansinh.coordination.notify import TOPIC
        from ansinh.messaging import topics

        topics.register(TOPIC, _("Coordination board"))
