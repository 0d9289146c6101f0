"""The official poverty status of households over time (set by the chairman's decisions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.poverty.choices import PovertyClass
from ansinh.registry.models import Household


class HouseholdStatus(models.Model):
    """One period of a household's official class: from ``valid_from`` (the decision's
    effective date) until ``valid_to`` (the day before the next one), open-ended if None."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="poverty_statuses",
    )
    poverty_class = models.CharField(_("class"), max_length=10, choices=PovertyClass.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    basis = models.CharField(
        _("basis"), max_length=200, blank=True, help_text=_("e.g. the decision number")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household poverty status")
        verbose_name_plural = _("household poverty statuses")
        ordering = ["household", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "valid_from"], name="poverty_status_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="poverty_status_period",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "valid_from"], name="poverty_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.poverty_class} {self.valid_from:%d/%m/%Y}"
