"""Households, persons, membership events and village heads' change proposals."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.places.choices import AreaType
from ansinh.places.models import Commune, Village
from ansinh.registry.choices import (
    Bank,
    Ethnicity,
    EventKind,
    HouseholdStatus,
    LifeStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
    Sex,
)
from ansinh.registry.fields import SearchKeyField


class Household(TimeStampedModel):
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="households"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="households"
    )
    code = SearchKeyField(_("household code"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area_type_override = models.CharField(
        _("area type (if different from the village)"),
        max_length=5,
        choices=AreaType.choices,
        blank=True,
    )
    phone = models.CharField(_("contact phone"), max_length=16, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.ACTIVE,
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="household_unique_code"),
        ]
        indexes = [
            models.Index(fields=["village", "code"], name="household_village_code_idx"),
            models.Index(fields=["commune", "phone"], name="household_phone_idx"),
        ]

    def __str__(self) -> str:
        return str(self.code)

    @property
    def area_type(self) -> str:
        return self.area_type_override or self.village.area_type


class Person(TimeStampedModel):
    """A member of a household. ``commune``/``village`` mirror the household's (kept by the
    services) so that scoped searches are a single indexed range scan."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    full_name = models.CharField(_("full name"), max_length=100)
    folded_name = SearchKeyField(_("name without diacritics"), max_length=100, editable=False)
    given_key = SearchKeyField(_("given name first"), max_length=100, editable=False)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.KINH
    )
    cccd = SearchKeyField(_("personal ID (CCCD)"), max_length=12, null=True, blank=True)
    relationship = models.CharField(
        _("relationship to head"), max_length=16, choices=Relationship.choices
    )
    phone = SearchKeyField(_("phone"), max_length=16, blank=True)
    bank = models.CharField(_("bank"), max_length=16, choices=Bank.choices, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=19, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    life_status = models.CharField(
        _("status"), max_length=12, choices=LifeStatus.choices, default=LifeStatus.LIVING
    )
    status_date = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(fields=["cccd"], name="person_unique_cccd"),
            models.CheckConstraint(
                condition=models.Q(life_status="living") | models.Q(status_date__isnull=False),
                name="person_status_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(bank="")
                | (~models.Q(bank_account_number="") & ~models.Q(bank_account_holder="")),
                name="person_bank_account_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "given_key"], name="person_given_idx"),
            models.Index(fields=["commune", "phone"], name="person_phone_idx"),
            models.Index(fields=["village", "given_key"], name="person_village_given_idx"),
            models.Index(fields=["commune", "folded_name", "date_of_birth"], name="person_dup_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_head(self) -> bool:
        return self.relationship == Relationship.HEAD


class MembershipEvent(models.Model):
    """A dated change in who lives in a household."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="events"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=EventKind.choices)
    date = models.DateField(_("date"))
    other_household = models.ForeignKey(
        Household,
        verbose_name=_("other household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place = models.CharField(_("from / to"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["household", "-date"], name="event_household_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class ChangeProposal(models.Model):
    """A change a village head asks for; the officer applies or rejects it.

    Its scope is its ``village``: the household's village (kept by the services when the
    household moves), or, for a new household (``new_household``, no ``household`` yet), the
    village where the household is to be registered. Applying a new household links the
    household it created (``created_household``)."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="proposals"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    kind = models.CharField(_("change"), max_length=20, choices=ProposalKind.choices)
    payload = models.JSONField(_("proposed values"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)
    created_household = models.OneToOneField(
        Household,
        verbose_name=_("household created"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="origin_proposal",
    )
    # Household (or village), person, kind and payload hashed: the same change cannot wait
    # twice.
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["status", "household"], name="proposal_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(status="pending") & ~models.Q(fingerprint=""),
                name="proposal_unique_pending",
            ),
            # A new household has no household yet; every other change is about one.
            models.CheckConstraint(
                condition=models.Q(kind="new_household", household__isnull=True)
                | (~models.Q(kind="new_household") & models.Q(household__isnull=False)),
                name="proposal_household_unless_new",
            ),
            # Only an applied new household links the household it created, and it always does.
            models.CheckConstraint(
                condition=models.Q(
                    kind="new_household", status="applied", created_household__isnull=False
                )
                | (
                    ~models.Q(kind="new_household", status="applied")
                    & models.Q(created_household__isnull=True)
                ),
                name="proposal_created_household_when_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.household or self.village}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A change to a household is in the household's village unless told otherwise."""
        if getattr(self, "village_id", None) is None and self.household_id is not None:
            self.village_id = (
                Household.objects.filter(pk=self.household_id).values_list("village_id", flat=True)
            ).get()
        super().save(*args, **kwargs)

    @property
    def is_new_household(self) -> bool:
        return self.kind == ProposalKind.NEW_HOUSEHOLD

    @staticmethod
    def fingerprint_of(
        household_id: int | None,
        person_id: int | None,
        kind: str,
        payload: dict[str, Any],
        *,
        village_id: int | None = None,
    ) -> str:
        """The same household, person, kind and values give the same fingerprint (keys in
        any order); the note is not part of it. A new household (no household yet) is
        told apart by its ``village_id``."""
        parts: list[Any] = [household_id, person_id, kind, payload]
        if village_id is not None:
            parts.append(village_id)
        text = json.dumps(
            parts,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()
