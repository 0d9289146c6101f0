from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved, in force")
    REJECTED = "rejected", _("Rejected")


class EntryOrigin(models.TextChoices):
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")
    IMPORT = "import", _("Imported file")


class ValueStatus(models.TextChoices):
    FIRM = "firm", _("Firm")
    CHECK = "check", _("To check")
