from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupCode(models.TextChoices):
    """Card group codes met in a commune [check: Decision 1351/QĐ-BHXH lists them all]."""

    HN = "HN", _("HN – poor household")
    CN = "CN", _("CN – near-poor household")
    TE = "TE", _("TE – child under 6")
    BT = "BT", _("BT – social allowance recipient")
    GB = "GB", _("GB – average-living farming household")
    GD = "GD", _("GD – household-based")
    HS = "HS", _("HS – pupil")
    SV = "SV", _("SV – student")
    HT = "HT", _("HT – pensioner")
    CC = "CC", _("CC – person with meritorious service")
    CK = "CK", _("CK – relative of a person with meritorious service")
    CB = "CB", _("CB – veteran")
    DN = "DN", _("DN – employee")
    OTHER = "XX", _("Other group")


# Groups whose card the state pays in full: a person of these groups without a card
# "should be covered for free" (policy note, section 3).
STATE_PAID_GROUPS = frozenset({"HN", "TE", "BT", "CC", "CK", "CB"})


class Payer(models.TextChoices):
    STATE = "state", _("State-paid")
    SUBSIDISED = "subsidised", _("Subsidised (near-poor, farming, pupils)")
    HOUSEHOLD = "household", _("Household-based")
    OTHER = "other", _("Employer, pension or other")


def payer_for(group: str) -> str:
    if group in STATE_PAID_GROUPS:
        return Payer.STATE
    if group in {"CN", "GB", "HS", "SV"}:
        return Payer.SUBSIDISED
    if group == "GD":
        return Payer.HOUSEHOLD
    return Payer.OTHER


# Subsidised groups whose members pay their own share at the commune (the state pays the
# rest); pupils and students (HS, SV) pay theirs through their school.
OWN_SHARE_GROUPS = frozenset({"CN", "GB"})


class CoverageStatus(models.TextChoices):
    COVERED = "covered", _("Covered")
    EXPIRING = "expiring", _("Expiring soon")
    LAPSED = "lapsed", _("Lapsed")
    NEVER = "never", _("Never covered")
    # Not covered on the day, but a card for a later period is already paid (after a gap the
    # new card starts 30 days after payment): nothing to chase.
    PAID_AHEAD = "paid_ahead", _("Paid, card not yet valid")


# Statuses an officer chases (the "who to follow up" list).
FOLLOW_UP = (CoverageStatus.EXPIRING, CoverageStatus.LAPSED, CoverageStatus.NEVER)


class FollowUpReason(models.TextChoices):
    """Why a household is on the follow-up list (a member's card)."""

    ANY = "any", _("Any reason")
    NEVER = "never", _("No card")
    EXPIRING = "expiring", _("Expiring soon")
    MONTH = "month", _("Expiring this month")
    LAPSED = "lapsed", _("Expired")


class CardSource(models.TextChoices):
    ENTERED = "entered", _("Entered by the officer")
    IMPORTED = "imported", _("Imported from the social-insurance list")
