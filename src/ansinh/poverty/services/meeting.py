"""Village meetings (the 50% rule), public posting and complaints (steps 3–4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.places.models import Village
from ansinh.poverty.choices import (
    ROUND_STATUS_ORDER,
    EntryStatus,
    RoundStatus,
)
from ansinh.poverty.models import (
    Complaint,
    Posting,
    ReviewRound,
    RoundHousehold,
    VillageMeeting,
)
from ansinh.poverty.permissions import (
    ensure_officer,
    in_commune,
)

# --- village meeting --------------------------------------------------------------------


def agreement_reached(agree: int, attendees: int) -> bool:
    """Decision 24/2021: a result needs the agreement of at least 50% of the attendees."""
    return attendees > 0 and 2 * agree >= attendees


@transaction.atomic
def meeting_record(
    *,
    scope: Scope,
    rnd: ReviewRound,
    village: Village,
    held_on: dt.date,
    attendees: int,
    agreements: Mapping[int, int],
    chair: str = "",
    secretary: str = "",
) -> VillageMeeting:
    """Record a village meeting: for each approved household the number of attendees who
    agree with its result. Under 50% the household goes back to survey."""
    scope = in_commune(scope, rnd.commune_id)
    if not (scope.can_edit or (scope.can_propose and scope.allows_village(village.pk))):
        raise PermissionDenied(_("Only the officer or the village head records the meeting."))
    if village.commune_id != rnd.commune_id:
        raise ValidationError({"village": [_("Choose a village of the commune.")]})
    errors: dict[str, list[str]] = {}
    if attendees <= 0:
        errors["attendees"] = [_("Enter the number of attendees.")]
    entries = {
        e.pk: e
        for e in rnd.entries.select_for_update().filter(
            village=village, status=EntryStatus.APPROVED
        )
    }
    if not entries:
        errors["__all__"] = [_("No approved survey in this village waits for the meeting.")]
    for pk, agree in agreements.items():
        if pk not in entries:
            errors["__all__"] = [_("A household is not waiting for this meeting.")]
        elif agree < 0 or agree > attendees:
            errors[f"agree_{pk}"] = [_("Between 0 and the number of attendees.")]
    missing = [pk for pk in entries if pk not in agreements]
    if missing and "__all__" not in errors:
        errors["__all__"] = [_("Enter the agreement for every household.")]
    if errors:
        raise ValidationError(errors)
    meeting = VillageMeeting.objects.create(
        round=rnd,
        village=village,
        held_on=held_on,
        attendees=attendees,
        chair=chair[:100],
        secretary=secretary[:100],
        recorded_by=scope.user,
    )
    for pk, entry in entries.items():
        entry.meeting = meeting
        entry.agree_count = agreements[pk]
        entry.status = (
            EntryStatus.AGREED
            if agreement_reached(agreements[pk], attendees)
            else EntryStatus.RESURVEY
        )
        entry.save(update_fields=["meeting", "agree_count", "status"])
    if rnd.status in (RoundStatus.OPEN, RoundStatus.SURVEYING):
        rnd.status = RoundStatus.MEETINGS
        rnd.save(update_fields=["status"])
    audit.record(
        actor=scope,
        instance=meeting,
        action=AuditAction.CREATE,
        commune_code=rnd.commune_id,
        after={"attendees": attendees, "agreements": {str(k): v for k, v in agreements.items()}},
    )
    return meeting


# --- posting and complaints -------------------------------------------------------------


#: A posting may be recorded ahead (the list is printed before it goes up), at most this many
#: days after today.
POSTING_AHEAD_DAYS = 30


def check_posting_date(rnd: ReviewRound, posted_on: dt.date) -> None:
    """The day a list is posted: not before the round starts, not more than
    ``POSTING_AHEAD_DAYS`` days ahead. Raises a ``ValidationError`` on ``posted_on``."""
    latest = timezone.localdate() + dt.timedelta(days=POSTING_AHEAD_DAYS)
    if posted_on < rnd.start:
        raise ValidationError(
            {
                "posted_on": _("The list cannot be posted before the review starts (%(start)s).")
                % {"start": f"{rnd.start:%d/%m/%Y}"}
            },
            code="posting_before_round",
        )
    if posted_on > latest:
        raise ValidationError(
            {
                "posted_on": _("The posting date can be at most %(n)s days ahead (%(latest)s).")
                % {"n": POSTING_AHEAD_DAYS, "latest": f"{latest:%d/%m/%Y}"}
            },
            code="posting_too_far",
        )


@transaction.atomic
def posting_record(
    *, scope: Scope, rnd: ReviewRound, village: Village, posted_on: dt.date
) -> Posting:
    """Record the day the village's list is posted publicly (chosen by the officer, checked
    by :func:`check_posting_date`); the posting lasts ``round.posting_days`` days."""
    ensure_officer(scope, rnd.commune_id)
    if village.commune_id != rnd.commune_id:
        raise ValidationError(_("This village is not in the commune of the review."))
    check_posting_date(rnd, posted_on)
    posting = Posting.objects.create(
        round=rnd,
        village=village,
        posted_on=posted_on,
        until=posted_on + dt.timedelta(days=rnd.posting_days),
        recorded_by=scope.user,
    )
    if ROUND_STATUS_ORDER.index(rnd.status) < ROUND_STATUS_ORDER.index(RoundStatus.POSTING):
        rnd.status = RoundStatus.POSTING
        rnd.save(update_fields=["status"])
    audit.created(scope, posting, ["village", "posted_on", "until"], commune_code=rnd.commune_id)
    return posting


@transaction.atomic
def complaint_record(
    *,
    scope: Scope,
    entry: RoundHousehold,
    received_on: dt.date,
    text: str,
    outcome: str = "",
    resolved_on: dt.date | None = None,
    resurvey: bool = False,
) -> Complaint:
    """Record a complaint and, when resolved, its outcome; ``resurvey`` sends the household
    back to survey (then approval and the village meeting again)."""
    ensure_officer(scope, entry.round.commune_id)
    if not text.strip():
        raise ValidationError({"text": [_("Enter the complaint.")]})
    complaint = Complaint.objects.create(
        entry=entry,
        received_on=received_on,
        text=text.strip(),
        outcome=outcome.strip(),
        resolved_on=resolved_on,
        recorded_by=scope.user,
    )
    if resurvey and entry.status != EntryStatus.DECIDED:
        entry.status = EntryStatus.RESURVEY
        entry.approved_by = None
        entry.approved_at = None
        entry.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        actor=scope,
        instance=complaint,
        action=AuditAction.CREATE,
        commune_code=entry.round.commune_id,
        household_id=entry.household_id,
        after={"text": text, "outcome": outcome, "resurvey": resurvey},
    )
    return complaint
