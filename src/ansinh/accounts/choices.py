from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Commune officer")
    COMMITTEE = "committee", _("Committee member")
    VILLAGE_HEAD = "village_head", _("Village head")
    AUDITOR = "auditor", _("Auditor")
    PROVINCE = "province", _("Province officer")
