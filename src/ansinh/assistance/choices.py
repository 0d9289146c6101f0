from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    SOCIAL_ASSISTANCE = "social_assistance", _("Monthly social allowance (Decree 20)")
    SOCIAL_PENSION = "social_pension", _("Social pension")


class CaseStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    VERIFIED = "verified", _("Verified")
    ACTIVE = "active", _("Receiving (decided)")
    SUSPENDED = "suspended", _("Suspended")
    STOPPED = "stopped", _("Stopped")
    TRANSFERRED = "transferred", _("Transferred to another commune")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (CaseStatus.ACTIVE, CaseStatus.SUSPENDED)


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")


class StopReason(models.TextChoices):
    DEATH = "death", _("Death")
    MOVED = "moved", _("Moved away")
    NOT_ELIGIBLE = "not_eligible", _("No longer eligible")
    OTHER = "other", _("Other")


class CaseEventKind(models.TextChoices):
    APPLIED = "applied", _("Application received")
    VERIFIED = "verified", _("Verified")
    DECIDED = "decided", _("Decision signed")
    ADJUSTED = "adjusted", _("Amount adjusted")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    STOPPED = "stopped", _("Stopped")
    TRANSFERRED = "transferred", _("Transferred")
    PAYMENT = "payment", _("Payment method changed")


class HouseholdStatus(models.TextChoices):
    """The household's official status as the rules engine reads it (``Case.household_status``)."""

    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")
    OTHER = "other", _("Neither poor nor near-poor")


class LineKind(models.TextChoices):
    REGULAR = "regular", _("Monthly")
    ARREARS = "arrears", _("Arrears")
    ADJUSTMENT = "adjustment", _("Adjustment")
    CARRIED = "carried", _("Carried over (failed payment)")
    SHORTFALL = "shortfall", _("Rest of a short bank payment")


class PayrollStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PREPARED = "prepared", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("To pay")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CARRIED = "carried", _("Failed, carried to next month")
    CASH = "cash", _("Failed, paid in cash")
    HELD = "held", _("Held: not to be paid")


class BankCheck(models.TextChoices):
    """A bank result that does not match its line (``PayrollLine.bank_check``): the officer
    accepts the amount the bank paid or follows it up; a later result file can settle it."""

    WRONG_AMOUNT = "amount", _("Wrong amount in the bank's result")
    FOLLOW_UP = "follow_up", _("Being followed up with the bank")
    ACCEPTED = "accepted", _("Amount paid by the bank accepted")


class GuardRule(StrEnum):
    """Codes of the guard's checks that the code names. The checks themselves (labels,
    predicates, messages, actions) are the table in :mod:`ansinh.rules.guard`: a rule nobody
    names needs no constant here."""

    PERSON_GONE = "person_gone"
    TWO_CASES = "two_cases"
    AMOUNT_CHANGED = "amount_changed"
    HOUSEHOLD_STATUS = "household_status"
    BANK_ACCOUNT = "bank_account"
    SHARED_ACCOUNT = "shared_account"
    BANK_FAILED = "bank_failed"
    ENDED_ARREARS = "ended_arrears"
    CASE_ENDED = "case_ended"
    BANK_AMOUNT = "bank_amount"


class GuardOrigin(models.TextChoices):
    """Who raised a guard item: a guard run (closed again when no longer found) or an event
    recorded after the payroll was made (a death, a move, a case ended: kept until resolved)."""

    GUARD = "guard", _("Guard run")
    EVENT = "event", _("Event after generation")


class GuardAction(models.TextChoices):
    CONFIRMED = "confirmed", _("Checked: pay as is")
    STOPPED = "stopped", _("Case stopped")
    RECOMPUTED = "recomputed", _("Amount recomputed")
    CASH = "cash", _("Switched to cash")
    HELD = "held", _("Payment held this month")
    NOT_OWED = "not_owed", _("Not owed: will not be paid")
    CLEARED = "cleared", _("No longer applies")
