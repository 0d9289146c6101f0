"""Health-insurance cards (one row per validity period) and renewal reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.insurance.choices import CardSource, GroupCode, Payer
from ansinh.places.models import Commune, Village
from ansinh.registry.models import Household, Person


class Card(TimeStampedModel):
    """A period of health-insurance coverage of one person.

    The identifier appears in three forms over time: the legacy 15-character code (group,
    benefit level, province, 10 digits), the 10-digit social-insurance number (since 2021) and
    the 12-digit personal ID (from 2025-08-01). All three are kept; any finds the card.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cards"
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    legacy_code = models.CharField(_("card code (15 characters)"), max_length=15, blank=True)
    social_insurance_number = models.CharField(
        _("social insurance number"), max_length=10, blank=True, db_index=True
    )
    cccd = models.CharField(_("personal ID on the card"), max_length=12, blank=True)
    group_code = models.CharField(_("group"), max_length=2, choices=GroupCode.choices)
    payer = models.CharField(_("paid by"), max_length=10, choices=Payer.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    paid_on = models.DateField(
        _("paid on"), null=True, blank=True, help_text=_("For household-based cards.")
    )
    source = models.CharField(
        _("source"), max_length=10, choices=CardSource.choices, default=CardSource.ENTERED
    )

    class Meta:
        verbose_name = _("health-insurance card")
        verbose_name_plural = _("health-insurance cards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="card_valid_period",
            ),
            models.UniqueConstraint(fields=["person", "valid_from"], name="card_unique_period"),
        ]
        indexes = [
            models.Index(fields=["commune", "valid_to"], name="card_commune_expiry_idx"),
            models.Index(fields=["person", "-valid_to"], name="card_person_latest_idx"),
        ]

    def __str__(self) -> str:
        number = self.social_insurance_number or self.legacy_code or self.cccd
        return f"{self.group_code} {number} ({self.valid_from:%d/%m/%Y}–{self.valid_to:%d/%m/%Y})"


class CommuneInsuranceSettings(models.Model):
    """The commune's coverage target (no official target is configured for 2021–2030:
    the commune sets its own) and how many days ahead counts as "expiring"."""

    commune = models.OneToOneField(Commune, on_delete=models.PROTECT, related_name="+")
    coverage_target_percent = models.DecimalField(
        _("coverage target (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    expiring_days = models.PositiveSmallIntegerField(_("expiring within (days)"), default=30)

    class Meta:
        verbose_name = _("health-insurance settings")
        verbose_name_plural = _("health-insurance settings")

    def __str__(self) -> str:
        return str(self.commune)


def stage_label(days: int) -> str:
    """A reminder stage as an officer names it: "30 days before expiry", never its code."""
    if days < 0:
        return gettext("%(n)s days before expiry") % {"n": -days}
    if days == 0:
        return gettext("On the day the card expires")
    return gettext("%(n)s days after expiry") % {"n": days}


class ReminderStage(models.Model):
    """When to remind: ``days`` before expiry (negative) or after it lapsed (positive)."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    code = models.CharField(_("code"), max_length=20)
    days = models.SmallIntegerField(
        _("days from expiry"), help_text=_("Negative: before the card expires; positive: after.")
    )
    sms_template = models.TextField(_("SMS text (without diacritics)"))
    zalo_template = models.TextField(_("Zalo text"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder stage")
        verbose_name_plural = _("reminder stages")
        ordering = ["commune", "days"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="stage_unique_code"),
            models.UniqueConstraint(fields=["commune", "days"], name="stage_unique_days"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What the stage is called on a page ("30 days before expiry"), not its code."""
        return stage_label(self.days)


class Reminder(models.Model):
    """One reminder to one household for one expiry date and stage (even when several
    members expire together). The outbox key is ``bhyt:{household}:{expiry}:{stage}``."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="bhyt_reminders"
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(ReminderStage, on_delete=models.PROTECT, related_name="reminders")
    expiry = models.DateField(_("expiry date"))
    planned_for = models.DateField(_("planned for"))
    people = models.PositiveSmallIntegerField(_("people expiring"))
    phone = models.CharField(_("phone"), max_length=16)
    message_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "expiry", "stage"], name="reminder_once_per_stage"
            )
        ]
        indexes = [models.Index(fields=["commune", "planned_for"], name="reminder_day_idx")]

    def __str__(self) -> str:
        return self.message_key
