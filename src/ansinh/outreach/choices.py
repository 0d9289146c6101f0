"""Kinds of the outreach app (TextChoices, English labels translated)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaperSize(models.TextChoices):
    A4 = "A4", _("A4 (one page to post)")
    A5 = "A5", _("A5 (a leaflet to hand out)")


class Group(models.TextChoices):
    """Whom a group message goes to."""

    VILLAGE = "village", _("Every household of a village")
    BHYT_MONTH = "bhyt_month", _("Households with a BHYT card expiring this month")
    POOR = "poor", _("Poor and near-poor households")
