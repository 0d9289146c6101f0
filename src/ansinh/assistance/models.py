"""Allowance cases and their history, the eligibility guard, monthly payrolls and lines,
funeral-support claims. Money is integer đồng."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import get_language, gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from ansinh.assistance.choices import (
    BankCheck,
    CaseEventKind,
    CaseStatus,
    GuardAction,
    GuardOrigin,
    GuardRule,
    LineKind,
    LineStatus,
    PaymentMethod,
    PayrollStatus,
    Scheme,
    StopReason,
)
from ansinh.core.models import TimeStampedModel
from ansinh.places.models import Commune, Village
from ansinh.registry.choices import Bank
from ansinh.registry.models import Household, Person
from ansinh.rules import guard as guard_rules

USER = settings.AUTH_USER_MODEL


class Case(TimeStampedModel):
    """One person's monthly allowance under one scheme, from application to stop."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="allowance_cases"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    groups = models.JSONField(_("groups"), default=list, blank=True)
    children = models.PositiveSmallIntegerField(_("children raised"), default=0)
    pension = models.BigIntegerField(_("pension or monthly benefit (đồng)"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.APPLIED
    )
    applied_on = models.DateField(_("application date"))
    documents = models.TextField(_("documents received"), blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=40, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_signer = models.CharField(_("signed by"), max_length=100, blank=True)
    effective_month = models.DateField(_("paid from (month)"), null=True, blank=True)
    backdate_reason = models.CharField(_("reason for back-dating"), max_length=300, blank=True)
    household_status = models.CharField(
        _("household status at decision"), max_length=10, blank=True
    )
    basis = models.CharField(_("basis"), max_length=40, blank=True)
    coefficient = models.CharField(_("coefficient"), max_length=8, blank=True)
    amount = models.BigIntegerField(_("monthly amount"), default=0)
    amount_from = models.DateField(_("amount applies from"), null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    explanation_text = models.TextField(_("why this amount"), blank=True)
    payment_method = models.CharField(
        _("payment"), max_length=6, choices=PaymentMethod.choices, default=PaymentMethod.BANK
    )
    bank = models.CharField(_("bank"), max_length=16, choices=Bank.choices, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=19, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    stop_reason = models.CharField(
        _("stop reason"), max_length=14, choices=StopReason.choices, blank=True
    )
    stop_note = models.CharField(_("note"), max_length=300, blank=True)
    end_month = models.DateField(_("not paid from (month)"), null=True, blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("allowance case")
        verbose_name_plural = _("allowance cases")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme"],
                condition=models.Q(status__in=["active", "suspended"]),
                name="case_one_open_per_scheme",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="case_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="active")
                | (models.Q(effective_month__isnull=False) & ~models.Q(decision_number="")),
                name="case_active_is_decided",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "status"], name="case_commune_status_idx"),
            models.Index(fields=["village", "status"], name="case_village_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_scheme_display()}"


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=CaseEventKind.choices)
    date = models.DateField(_("date"))
    month = models.DateField(_("effective month"), null=True, blank=True)
    amount = models.BigIntegerField(_("amount"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class Payroll(models.Model):
    """One month's payments of a commune: generated and guarded together, prepared by the
    officer, approved by a committee member, exported to the banks, reconciled, closed.

    ``inputs_version`` counts the changes that matter to the payments (a person's life status,
    a case, a bank account, a poverty status, a payment result); ``guarded_version`` is the
    value it had when the last *complete* guard run started. The payroll is fresh only when
    both are equal: prepare, approve and export refuse a stale payroll (they run the guard
    again first)."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=PayrollStatus.choices, default=PayrollStatus.DRAFT
    )
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    prepared_by = models.ForeignKey(
        USER, verbose_name=_("prepared by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    inputs_version = models.BigIntegerField(default=0)
    guarded_version = models.BigIntegerField(null=True, blank=True)
    guarded_at = models.DateTimeField(_("last checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payroll")
        verbose_name_plural = _("payrolls")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "month"], name="payroll_unique_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"

    @property
    def locked(self) -> bool:
        return self.status in (PayrollStatus.APPROVED, PayrollStatus.CLOSED)

    @property
    def fresh(self) -> bool:
        """The last complete guard run saw every change that matters to the payments."""
        return self.guarded_version is not None and self.guarded_version == self.inputs_version


class PayrollLine(models.Model):
    """One payment: a case, the month it is for, and its kind. The account is a snapshot.

    ``exported_at``: when it first went into a payment file (bank file or cash list); from
    then on it can no longer be held. ``recovery``: why money paid (or sent to the bank) on
    this line must be recovered (truy thu), e.g. a death recorded after the export."""

    # no single-column indexes: (payroll, status) and the unique (case, month, kind) lead with
    # these columns and serve every lookup; two fewer indexes to maintain per inserted line
    payroll = models.ForeignKey(
        Payroll, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="lines", db_index=False)
    month = models.DateField(_("for month"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    amount = models.BigIntegerField(_("amount"))
    method = models.CharField(_("payment"), max_length=6, choices=PaymentMethod.choices)
    bank = models.CharField(_("bank"), max_length=16, choices=Bank.choices, blank=True)
    account_number = models.CharField(_("account number"), max_length=19, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    # unique by a constraint rather than unique=True: on PostgreSQL unique=True adds a second
    # (LIKE) index that no lookup uses, and every line inserted maintained it
    reference = models.CharField(_("reference"), max_length=35)
    status = models.CharField(
        _("status"), max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    result_reason = models.CharField(_("reason"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    recovery = models.CharField(_("to recover"), max_length=300, blank=True)
    # a bank result that said "paid" with another amount: what the bank paid, and what the
    # officer made of it (BankCheck)
    bank_amount = models.BigIntegerField(_("amount in the bank's result"), null=True, blank=True)
    bank_check = models.CharField(
        _("bank result check"), max_length=10, choices=BankCheck.choices, blank=True
    )

    class Meta:
        verbose_name = _("payroll line")
        verbose_name_plural = _("payroll lines")
        ordering = ["id"]
        constraints = [
            # A line once per case, month and kind, where regular and arrears count as one
            # kind (a month's entitlement is paid once, whichever payroll carries it): one
            # index instead of two, each maintained for every inserted line
            models.UniqueConstraint(
                "case",
                "month",
                models.Case(
                    models.When(
                        kind__in=[LineKind.REGULAR, LineKind.ARREARS],
                        then=models.Value("entitlement"),
                    ),
                    default="kind",
                ),
                name="payroll_line_once",
            ),
            models.UniqueConstraint(fields=["reference"], name="payroll_line_reference_once"),
        ]
        indexes = [
            models.Index(fields=["payroll", "status"], name="line_payroll_status_idx"),
            # the few lines with a bank result to check or accepted (the next payroll pays
            # the rest of those paid short): a small index, not one entry per line
            models.Index(
                fields=["bank_check"],
                condition=~models.Q(bank_check=""),
                name="line_bank_check_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def note_text(self) -> str:
        """The note in the reader's language: what an event that held the line says
        (``assistance.holds`` stores it as a key), else the note as written."""
        return guard_rules.render_text(self.note, gettext, _reader_lang())

    @property
    def recovery_text(self) -> str:
        """Why this line's money must be recovered, in the reader's language."""
        return guard_rules.render_text(self.recovery, gettext, _reader_lang())

    @property
    def paid_amount(self) -> int:
        """What the recipient received: the bank's amount where the officer accepted another
        amount than the one due, else the amount due."""
        if self.bank_check == BankCheck.ACCEPTED and self.bank_amount is not None:
            return self.bank_amount
        return self.amount

    @property
    def recovery_amount(self) -> int:
        """What must be recovered: what the bank paid over the amount due when that is the
        reason, else everything the recipient received on this line."""
        if self.recovery.startswith(f"{GuardRule.BANK_AMOUNT}:"):
            return max(self.paid_amount - self.amount, 0)
        return self.paid_amount


def _reader_lang() -> str:
    """The number formats of the active language: ``vi`` or ``en``."""
    return "vi" if (get_language() or "vi").startswith("vi") else "en"


def guard_rule_choices() -> list[tuple[str, Any]]:
    """The checks of the guard's rule table (:mod:`ansinh.rules.guard`): a new rule needs no
    migration."""
    return [(code, gettext_lazy(label)) for code, label in guard_rules.LABELS.items()]


class _GuardMessage(DeferredAttribute):
    """``item.message``: the stored sentence if there is one (items stored before the rules
    became a table, or raised by an event before its messages did), else the check's message
    from its key and parameters, made a sentence in the active language now."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        text = super().__get__(instance, cls)
        if text or not instance.message_key:
            return text
        rendered = guard_rules.render(
            instance.rule, instance.message_key, instance.message_params, gettext, _reader_lang()
        )
        return rendered if rendered is not None else ""

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class GuardMessageField(models.CharField):  # type: ignore[type-arg]
    """The stored sentence; reading it gives the sentence to show (:class:`_GuardMessage`)."""

    descriptor_class = _GuardMessage

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        return model_instance.__dict__.get(self.attname)  # the stored value, never a rendering


class GuardItem(models.Model):
    """A reason not to pay a case as is in a month; the officer resolves it.

    A guard run, and an event (``assistance.holds``), store the message as a key of the check's
    messages in the guard's table and their parameters, made a sentence in the reader's
    language when read (``message``); items stored before carry the sentence itself."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="guard_items")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    rule = models.CharField(_("check"), max_length=20, choices=guard_rule_choices)
    blocking = models.BooleanField(_("blocks approval"), default=True)
    message = GuardMessageField(_("message"), max_length=400, blank=True)
    message_key = models.CharField(max_length=40, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=12, choices=GuardAction.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    origin = models.CharField(
        _("raised by"), max_length=5, choices=GuardOrigin.choices, default=GuardOrigin.GUARD
    )

    class Meta:
        verbose_name = _("guard item")
        verbose_name_plural = _("guard items")
        ordering = ["resolved_at", "case_id", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["case", "month", "rule"], name="guard_item_once")
        ]
        indexes = [models.Index(fields=["commune", "month"], name="guard_commune_month_idx")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} – {self.case}"


class FuneralClaim(models.Model):
    """Funeral support (Decree 20 Art. 11) for a deceased recipient: once per person."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="funeral_claim")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    claimant_name = models.CharField(_("claimant"), max_length=100)
    claimant_relationship = models.CharField(_("relationship"), max_length=60, blank=True)
    death_date = models.DateField(_("date of death"))
    claimed_on = models.DateField(_("claim date"))
    amount = models.BigIntegerField(_("amount"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("funeral support claim")
        verbose_name_plural = _("funeral support claims")

    def __str__(self) -> str:
        return str(self.person)


class PaymentAccount(models.Model):
    """The account the commune pays allowances from (the debtor of the bank files)."""

    commune = models.OneToOneField(Commune, on_delete=models.PROTECT, related_name="+")
    holder = models.CharField(_("account holder"), max_length=140)
    bank = models.CharField(_("bank"), max_length=16, choices=Bank.choices)
    account_number = models.CharField(_("account number"), max_length=19)
    bic = models.CharField(
        _("BIC/SWIFT code of the bank"),
        max_length=11,
        blank=True,
        help_text=_("8 or 11 characters, if the bank asks for it."),
    )
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("paying account")
        verbose_name_plural = _("paying accounts")

    def __str__(self) -> str:
        return f"{self.holder} – {self.account_number}"
