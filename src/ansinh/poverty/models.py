"""The official poverty status of households over time (set by the chairman's decisions)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.periods import next_month
from ansinh.poverty.choices import (
    CommitteeRole,
    EntryStatus,
    ListReason,
    PovertyClass,
    RoundKind,
    RoundStatus,
    Transition,
)
from ansinh.registry.models import Household


class PovertyStatusPeriod(models.Model):
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


# --- the review procedure (Decision 24/2021/QĐ-TTg) -------------------------------------

#: Days a preliminary list stays posted. The law's number is not in the policy note: this is
#: a per-round setting; 7 is our default (a working week plus a weekend), not a legal figure.
DEFAULT_POSTING_DAYS = 7


class ReviewRound(models.Model):
    """One review: annual (1 Sep – 14 Dec, result for the following year) or regular (monthly,
    from the 15th, decision within 15 days)."""

    commune = models.ForeignKey(
        "places.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RoundKind.choices)
    year = models.PositiveSmallIntegerField(_("year of the review"))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    standard_date = models.DateField(
        _("date whose standard applies"),
        help_text=_("Annual: 1 January of the following year; regular: the start date."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    posting_days = models.PositiveSmallIntegerField(
        _("days of public posting"), default=DEFAULT_POSTING_DAYS
    )
    plan_escape_target = models.PositiveIntegerField(
        _("plan: households to escape poverty"), null=True, blank=True
    )
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_signed_on = models.DateField(_("decision signed on"), null=True, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    # step 5: the commune reports the results upward before the chairman's decision
    report_number = models.CharField(_("report number"), max_length=50, blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)
    report_recipient = models.CharField(
        _("report sent to"),
        max_length=200,
        blank=True,
        help_text=_("Districts no longer exist since 1 July 2025: by default the province."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-year", "-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "kind", "year", "month"], name="poverty_round_unique"
            ),
            models.UniqueConstraint(
                fields=["commune", "kind", "year"],
                condition=models.Q(month__isnull=True),
                name="poverty_round_unique_annual",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == RoundKind.ANNUAL:
            return f"Rà soát định kỳ năm {self.year}"
        return f"Rà soát thường xuyên tháng {self.month:02d}/{self.year}"

    @property
    def start(self) -> dt.date:
        if self.kind == RoundKind.ANNUAL:
            return dt.date(self.year, 9, 1)
        return dt.date(self.year, self.month or 1, 15)

    @property
    def deadline(self) -> dt.date:
        """Annual: 14 December; regular: 15 days after the start."""
        if self.kind == RoundKind.ANNUAL:
            return dt.date(self.year, 12, 14)
        return self.start + dt.timedelta(days=15)

    @property
    def report_preliminary_due(self) -> dt.date | None:
        """Annual review: preliminary results reported before 15 November."""
        return dt.date(self.year, 11, 15) if self.kind == RoundKind.ANNUAL else None

    @property
    def report_due(self) -> dt.date:
        """Annual review: official results before 20 December; regular review: on the 5th of
        the following month (Decision 24/2021/QĐ-TTg)."""
        if self.kind == RoundKind.ANNUAL:
            return dt.date(self.year, 12, 20)
        month = self.month or 1
        return next_month(dt.date(self.year, month, 1)).replace(day=5)

    @property
    def result_year(self) -> int:
        return self.year + 1 if self.kind == RoundKind.ANNUAL else self.year


class CommitteeMember(models.Model):
    """A member of the commune's steering committee for one round."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=12, choices=CommitteeRole.choices)
    villages = models.ManyToManyField(
        "places.Village", verbose_name=_("villages"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("committee member")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="poverty_committee_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class RoundHousehold(models.Model):
    """A household on a round's list, its survey (forms A/B1/B2) and its result."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="entries")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey("places.Village", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=ListReason.choices)
    reason_note = models.CharField(_("details"), max_length=300, blank=True)
    request_date = models.DateField(_("date of the request"), null=True, blank=True)
    # Form 01/04 member table: {"<person id>": "working" | "not_working" | "studying"}
    request_members = models.JSONField(_("member status (Form 01)"), default=dict, blank=True)
    previous_class = models.CharField(
        _("class before the round"), max_length=10, choices=PovertyClass.choices
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.LISTED
    )
    # survey: answers as typed (with corrections of pre-filled values), result as computed
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    surveyors = models.JSONField(default=list, blank=True)  # ids of every user who saved
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    surveyed_at = models.DateTimeField(null=True, blank=True)
    result_class = models.CharField(
        _("result"), max_length=10, choices=PovertyClass.choices, blank=True
    )
    flags = models.JSONField(default=dict, blank=True)
    deprived_count = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    explanation_text = models.TextField(blank=True)
    parameter_versions = models.JSONField(default=dict, blank=True)
    problem = models.TextField(_("why there is no result"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # village meeting
    meeting = models.ForeignKey(
        "VillageMeeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    agree_count = models.PositiveIntegerField(_("attendees agreeing"), null=True, blank=True)
    # decision
    transition = models.CharField(
        _("movement"), max_length=20, choices=Transition.choices, blank=True
    )

    class Meta:
        verbose_name = _("household under review")
        ordering = ["village__name", "household__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="poverty_entry_unique"),
        ]
        indexes = [models.Index(fields=["round", "village"], name="poverty_entry_village_idx")]

    def __str__(self) -> str:
        return f"{self.household} / {self.round}"


class VillageMeeting(models.Model):
    """The village meeting chaired by the village head; a result needs ≥ 50% of attendees."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="meetings")
    village = models.ForeignKey("places.Village", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date of the meeting"))
    attendees = models.PositiveIntegerField(_("number of attendees"))
    chair = models.CharField(_("chaired by"), max_length=100, blank=True)
    secretary = models.CharField(_("secretary"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("village meeting")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.village} {self.held_on:%d/%m/%Y}"


class Posting(models.Model):
    """The preliminary list of a village, posted publicly for ``round.posting_days``."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="postings")
    village = models.ForeignKey("places.Village", on_delete=models.PROTECT, related_name="+")
    posted_on = models.DateField(_("posted on"))
    until = models.DateField(_("until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("public posting")
        ordering = ["posted_on", "id"]

    def __str__(self) -> str:
        return f"{self.village} {self.posted_on:%d/%m/%Y}"


class Complaint(models.Model):
    entry = models.ForeignKey(RoundHousehold, on_delete=models.CASCADE, related_name="complaints")
    received_on = models.DateField(_("received on"))
    text = models.TextField(_("complaint"))
    outcome = models.TextField(_("outcome"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("complaint")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.entry.household} {self.received_on:%d/%m/%Y}"
