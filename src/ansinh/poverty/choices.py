from django.db import models
from django.utils.translation import gettext_lazy as _


class PovertyClass(models.TextChoices):
    """Classes of the multidimensional standard (rules engine codes)."""

    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")
    AVERAGE = "average", _("Household with average living standard")
    NOT_POOR = "not_poor", _("Not poor")
