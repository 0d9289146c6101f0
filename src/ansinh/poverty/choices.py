from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PovertyClass(models.TextChoices):
    """Classes of the multidimensional standard (rules engine codes)."""

    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")
    AVERAGE = "average", _("Household with average living standard")
    NOT_POOR = "not_poor", _("Not poor")


class RoundKind(models.TextChoices):
    ANNUAL = "annual", _("Annual review (for the following year)")
    REGULAR = "regular", _("Regular review (monthly)")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open: listing households")
    SURVEYING = "surveying", _("Surveying")
    MEETINGS = "meetings", _("Village meetings")
    POSTING = "posting", _("Public posting")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")


ROUND_STATUS_ORDER = [s.value for s in RoundStatus]


class CommitteeRole(models.TextChoices):
    HEAD = "head", _("Head of the steering committee")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", pgettext_lazy("committee role", "Member")
    VILLAGE_HEAD = "village_head", _("Village head")
    SURVEYOR = "surveyor", _("Surveyor")


class ListReason(models.TextChoices):
    CURRENT_POOR = "current_poor", _("On the current poor list")
    CURRENT_NEAR_POOR = "current_near_poor", _("On the current near-poor list")
    REQUEST = "request", _("Request (Form 01)")
    ESCAPE_REQUEST = "escape_request", _("Request to be recognised as escaped (Form 04)")
    COMMITTEE = "committee", _("Added by the committee")


class MemberStatus(models.TextChoices):
    """The status of each member on a request (Form 01 and Form 04 of Decision 24/2021)."""

    WORKING = "working", _("Working")
    NOT_WORKING = "not_working", _("Not working")
    STUDYING = "studying", _("Studying")


REQUEST_REASONS = (ListReason.REQUEST, ListReason.ESCAPE_REQUEST)


class EntryStatus(models.TextChoices):
    LISTED = "listed", _("To survey")
    SURVEYED = "surveyed", _("Surveyed")
    APPROVED = "approved", _("Survey approved")
    AGREED = "agreed", _("Agreed by the village meeting")
    RESURVEY = "resurvey", _("To survey again")
    DECIDED = "decided", _("Decided")


class Transition(models.TextChoices):
    STAYS_POOR = "stays_poor", _("Stays poor")
    NEAR_POOR_TO_POOR = "near_poor_to_poor", _("Poor, from near-poor")
    NEW_POOR = "new_poor", _("New poor")
    RELAPSED_POOR = "relapsed_poor", _("Poor again after escaping (relapsed)")
    POOR_TO_NEAR_POOR = "poor_to_near_poor", _("Near-poor, from poor")
    STAYS_NEAR_POOR = "stays_near_poor", _("Stays near-poor")
    NEW_NEAR_POOR = "new_near_poor", _("New near-poor")
    RELAPSED_NEAR_POOR = "relapsed_near_poor", _("Near-poor again after escaping")
    ESCAPED_POOR = "escaped_poor", _("Escaped poverty")
    ESCAPED_NEAR_POOR = "escaped_near_poor", _("Escaped near-poverty")
    STAYS_OUT = "stays_out", _("Neither poor nor near-poor")
