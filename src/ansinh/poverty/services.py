"""Writes of the poverty review (Decision 24/2021/QĐ-TTg): rounds and their household list,
surveys, village meetings, public posting, complaints and the chairman's decision.

Style as in the registry: keyword-only arguments, the caller's ``scope``, one transaction,
an audit entry for every change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.models import User
from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.places.models import Commune, Village
from ansinh.poverty import signals
from ansinh.poverty.choices import (
    REQUEST_REASONS,
    ROUND_STATUS_ORDER,
    CommitteeRole,
    EntryStatus,
    ListReason,
    MemberStatus,
    PovertyClass,
    RoundKind,
    RoundStatus,
)
from ansinh.poverty.classification import MEMBER_FIELDS, classify_answers
from ansinh.poverty.models import (
    DEFAULT_POSTING_DAYS,
    CommitteeMember,
    Complaint,
    HouseholdStatus,
    Posting,
    ReviewRound,
    RoundHousehold,
    VillageMeeting,
)
from ansinh.poverty.selectors import (
    POOR_SET,
    escaped_before,
    status_on,
    transition_of,
)
from ansinh.registry.choices import HouseholdStatus as RegistryStatus
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Household, Person

ENTRY_RESULT_FIELDS = ["status", "answers", "result_class", "deprived_count", "problem"]
REPORT_FIELDS = ["report_number", "report_date", "report_recipient"]


# --- permissions ------------------------------------------------------------------------


def _scope(scope: Scope, commune_code: int) -> Scope:
    if scope.commune_code != commune_code:
        raise PermissionDenied(_("This round belongs to another commune."))
    return scope


def _ensure_officer(scope: Scope, commune_code: int) -> None:
    require(scope, commune_code, can="edit", message=_("Only the commune officer can do this."))


def _ensure_approver(scope: Scope, commune_code: int) -> None:
    require(scope, commune_code, can="approve", message=_("Your role cannot approve results."))


def _uid(scope: Scope) -> int | None:
    return scope.user.pk if scope.user is not None else None


def survey_villages(scope: Scope, rnd: ReviewRound) -> frozenset[int] | None:
    """Villages whose households ``scope`` may survey in ``rnd`` (None = all, empty = none):
    the officer everywhere; village heads their villages; committee members assigned as
    surveyors or village heads the villages of their assignment."""
    scope = _scope(scope, rnd.commune_id)
    if scope.can_edit:
        return None
    allowed: set[int] = set(scope.village_ids or ()) if scope.can_propose else set()
    assigned = CommitteeMember.objects.filter(
        round=rnd, user=scope.user, role__in=[CommitteeRole.SURVEYOR, CommitteeRole.VILLAGE_HEAD]
    )
    for member in assigned:
        ids = set(member.villages.values_list("id", flat=True))
        if scope.village_ids is not None:
            ids &= set(scope.village_ids)
        allowed |= ids
    return frozenset(allowed)


def can_survey(scope: Scope, entry: RoundHousehold) -> bool:
    if entry.round.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        return False
    if entry.status in (EntryStatus.AGREED, EntryStatus.DECIDED):
        return False
    allowed = survey_villages(scope, entry.round)
    return allowed is None or entry.village_id in allowed


def can_approve(scope: Scope, entry: RoundHousehold) -> bool:
    """Officer or committee, never someone who saved this survey."""
    scope = _scope(scope, entry.round.commune_id)
    return (
        scope.can_approve
        and _uid(scope) not in entry.surveyors
        and entry.status == EntryStatus.SURVEYED
        and bool(entry.result_class)
    )


# --- rounds and the household list ------------------------------------------------------


def default_standard_date(kind: str, year: int, month: int | None) -> dt.date:
    if kind == RoundKind.ANNUAL:
        return dt.date(year + 1, 1, 1)
    return dt.date(year, month or 1, 15)


@transaction.atomic
def round_open(
    *,
    scope: Scope,
    commune: Commune,
    kind: str,
    year: int,
    month: int | None = None,
    standard_date: dt.date | None = None,
    posting_days: int = DEFAULT_POSTING_DAYS,
    plan_escape_target: int | None = None,
    as_of: dt.date | None = None,
) -> ReviewRound:
    """Open a round. An annual round lists the current poor and near-poor households
    automatically; a regular (monthly) round reviews the households that ask (Form 01/04)."""
    _ensure_officer(scope, commune.code)
    if kind == RoundKind.REGULAR and not month:
        raise ValidationError({"month": [_("A regular review needs its month.")]})
    if kind == RoundKind.ANNUAL:
        month = None
    if ReviewRound.objects.filter(commune=commune, kind=kind, year=year, month=month).exists():
        raise ValidationError({"year": [_("This round exists already.")]})
    rnd = ReviewRound.objects.create(
        commune=commune,
        kind=kind,
        year=year,
        month=month,
        standard_date=standard_date or default_standard_date(kind, year, month),
        posting_days=posting_days,
        plan_escape_target=plan_escape_target,
        created_by=scope.user,
    )
    audit.record(
        actor=scope,
        instance=rnd,
        action=AuditAction.CREATE,
        commune_code=commune.code,
        after=audit.snapshot(rnd, ["kind", "year", "month", "standard_date"]),
    )
    if kind == RoundKind.ANNUAL:
        list_current(rnd=rnd, on=as_of or timezone.localdate())
    return rnd


def list_current(*, rnd: ReviewRound, on: dt.date) -> int:
    """Add every household poor or near-poor on ``on`` (idempotent)."""
    ids = list(
        HouseholdStatus.objects.filter(
            household__commune_id=rnd.commune_id,
            poverty_class__in=POOR_SET,
            valid_from__lte=on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("household_id", flat=True)
    )
    classes = status_on(ids, on)
    have = set(rnd.entries.values_list("household_id", flat=True))
    villages = dict(Household.objects.filter(id__in=ids).values_list("id", "village_id"))
    new = [
        RoundHousehold(
            round=rnd,
            household_id=hid,
            village_id=villages[hid],
            reason=ListReason.CURRENT_POOR
            if classes[hid] == PovertyClass.POOR
            else ListReason.CURRENT_NEAR_POOR,
            previous_class=classes[hid],
        )
        for hid in ids
        if hid not in have
    ]
    RoundHousehold.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _previous_class(household: Household, rnd: ReviewRound) -> str:
    return status_on([household.pk], timezone.localdate())[household.pk]


def validate_request_members(
    household: Household, members: Mapping[Any, str], *, complete: bool
) -> dict[str, str]:
    """The member table of Form 01/04: ``{person id: status}``. Every key must be a living
    member of ``household``, every value working / not working / studying; ``complete``:
    every living member must have a status. Returns the table with string keys."""
    living = {
        p.pk: p for p in Person.objects.filter(household=household, life_status=LifeStatus.LIVING)
    }
    out: dict[str, str] = {}
    errors: list[str] = []
    for key, status in members.items():
        pk = int(key) if str(key).isdigit() else None
        if pk is None or pk not in living:
            errors.append(
                _("A person in the member table is not a living member of this household.")
            )
            continue
        if status not in MemberStatus.values:
            errors.append(
                _("Choose working, not working or studying for %(name)s.")
                % {"name": living[pk].full_name}
            )
            continue
        out[str(pk)] = status
    if complete and not errors:
        missing = [p.full_name for pk, p in living.items() if str(pk) not in out]
        if missing:
            errors.append(
                _("Choose the status of every member: %(names)s.") % {"names": ", ".join(missing)}
            )
    if errors:
        raise ValidationError({"members": list(dict.fromkeys(errors))})
    return out


@transaction.atomic
def household_add(
    *,
    scope: Scope,
    rnd: ReviewRound,
    household: Household,
    reason: str,
    note: str = "",
    request_date: dt.date | None = None,
    members: Mapping[Any, str] | None = None,
) -> RoundHousehold:
    """Put a household on the list: a request (Form 01 or 04, entered by the officer, with
    its date, reason and the status of every living member) or an addition by the
    committee (member statuses optional)."""
    errors: dict[str, list[str]] = {}
    if reason in REQUEST_REASONS:
        _ensure_officer(scope, rnd.commune_id)
        if request_date is None:
            errors["request_date"] = [_("Enter the date of the request.")]
        if not note.strip():
            errors["note"] = [_("Enter the reason given in the request.")]
    elif reason == ListReason.COMMITTEE:
        _ensure_approver(scope, rnd.commune_id)
        if not note.strip():
            errors["note"] = [_("Say why the committee adds this household.")]
    else:
        raise ValidationError({"reason": [_("Choose a reason.")]})
    if household.commune_id != rnd.commune_id or household.status != RegistryStatus.ACTIVE:
        raise ValidationError({"household": [_("Choose a current household of the commune.")]})
    if rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        raise ValidationError(_("The round is decided: no household can be added."))
    table: dict[str, str] = {}
    try:
        table = validate_request_members(
            household, members or {}, complete=reason in REQUEST_REASONS
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    entry, created = RoundHousehold.objects.get_or_create(
        round=rnd,
        household=household,
        defaults={
            "village_id": household.village_id,
            "reason": reason,
            "reason_note": note.strip()[:300],
            "request_date": request_date,
            "request_members": table,
            "previous_class": _previous_class(household, rnd),
        },
    )
    if not created:
        raise ValidationError({"household": [_("This household is on the list already.")]})
    audit.record(
        actor=scope,
        instance=entry,
        action=AuditAction.CREATE,
        commune_code=rnd.commune_id,
        household_id=household.pk,
        after=audit.snapshot(entry, ["reason", "reason_note", "request_date", "request_members"]),
    )
    return entry


@transaction.atomic
def committee_set(
    *,
    scope: Scope,
    rnd: ReviewRound,
    user: User,
    role: str,
    villages: Iterable[Village] = (),
) -> CommitteeMember:
    _ensure_officer(scope, rnd.commune_id)
    if user.commune_id != rnd.commune_id:
        raise ValidationError({"user": [_("Choose a user of this commune.")]})
    member, _created = CommitteeMember.objects.update_or_create(
        round=rnd, user=user, defaults={"role": role}
    )
    member.villages.set([v for v in villages if v.commune_id == rnd.commune_id])
    audit.record(
        actor=scope,
        instance=member,
        action=AuditAction.UPDATE,
        commune_code=rnd.commune_id,
        after={"user": user.pk, "role": role},
    )
    return member


@transaction.atomic
def round_advance(*, scope: Scope, rnd: ReviewRound, status: str) -> ReviewRound:
    """Move the round to a later step (never back)."""
    _ensure_officer(scope, rnd.commune_id)
    if status == RoundStatus.DECIDED:
        raise ValidationError(_("A round is decided by recording the chairman's decision."))
    if ROUND_STATUS_ORDER.index(status) <= ROUND_STATUS_ORDER.index(rnd.status):
        raise ValidationError(_("A round only moves forward."))
    before = audit.snapshot(rnd, ["status"])
    rnd.status = status
    rnd.save(update_fields=["status"])
    audit.record(
        actor=scope,
        instance=rnd,
        action=AuditAction.UPDATE,
        before=before,
        after=audit.snapshot(rnd, ["status"]),
        commune_code=rnd.commune_id,
    )
    return rnd


# --- survey -----------------------------------------------------------------------------


def prefill(entry: RoundHousehold) -> dict[str, Any]:
    """Answers pre-filled from the registry: living members with birth date and sex. Every
    other fact (health insurance included) starts unknown."""
    members: dict[str, Any] = {}
    registry: dict[str, Any] = {}
    for p in entry.household.members.filter(life_status=LifeStatus.LIVING).order_by(
        "date_of_birth"
    ):
        key = str(p.pk)
        registry[key] = {"date_of_birth": p.date_of_birth.isoformat(), "sex": p.sex}
        members[key] = {
            "full_name": p.full_name,
            **registry[key],
            **{f: None for f in MEMBER_FIELDS if f not in registry[key]},
        }
    return {"a": {}, "b1": {}, "b2": {}, "members": members, "registry": registry, "notes": {}}


def _clean(value: Any) -> Any:
    if value in ("", "unknown"):
        return None
    if value in ("yes", "true", "on", True):
        return True
    if value in ("no", "false", False):
        return False
    return value


def _number(value: Any, cast: type, field: str, errors: dict[str, list[str]]) -> Any:
    if value in (None, ""):
        return None
    try:
        number = cast(str(value).replace(".", "").replace(",", "") if cast is int else value)
    except (TypeError, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if number != number or number < 0 or number > 10**12:  # NaN, negative, absurd
        errors[field] = [_("Enter a number of zero or more.")]
        return None
    return number


def _section(entry: RoundHousehold, section: str, data: Mapping[str, Any]) -> dict[str, Any]:
    answers = dict(entry.answers or prefill(entry))
    errors: dict[str, list[str]] = {}
    if section == "a":
        answers["a"] = {
            "screened_out": _clean(data.get("screened_out")),
            "note": str(data.get("note", ""))[:300],
        }
    elif section == "b1":
        route = data.get("route") or None
        answers["b1"] = {
            "route": route,
            "income_per_capita": _number(
                data.get("income_per_capita"), int, "income_per_capita", errors
            ),
            "b1_score": _number(data.get("b1_score"), int, "b1_score", errors),
        }
    elif section == "b2":
        b2 = {
            k: _clean(data.get(k))
            for k in (
                "house_type",
                "safe_water",
                "hygienic_latrine",
                "internet",
                "info_assets",
                "waste_treatment",
            )
        }
        b2["floor_area_m2"] = _number(data.get("floor_area_m2"), float, "floor_area_m2", errors)
        answers["b2"] = b2
    elif section.startswith("member:"):
        key = section.split(":", 1)[1]
        members = dict(answers.get("members") or {})
        if key not in members:
            raise ValidationError(_("This person is not a member of the household."))
        member = dict(members[key])
        for f in MEMBER_FIELDS:
            if f in data:
                member[f] = _clean(data.get(f))
        if member.get("date_of_birth"):
            try:
                dt.date.fromisoformat(str(member["date_of_birth"]))
            except ValueError:
                errors["date_of_birth"] = [_("Enter a valid date.")]
        registry = (answers.get("registry") or {}).get(key, {})
        notes = dict(answers.get("notes") or {})
        for f, value in registry.items():
            if member.get(f) != value:
                note = str(data.get(f"note_{f}", "") or notes.get(f"{key}.{f}", "")).strip()
                if not note:
                    errors[f"note_{f}"] = [_("Say why the registry value is corrected.")]
                notes[f"{key}.{f}"] = note
            else:
                notes.pop(f"{key}.{f}", None)
        members[key] = member
        answers["members"] = members
        answers["notes"] = notes
    else:
        raise ValidationError(_("Unknown section."))
    if errors:
        raise ValidationError(errors)
    return answers


def _apply_result(entry: RoundHousehold) -> None:
    hh = entry.household
    res = classify_answers(hh.code, hh.area_type, entry.answers, entry.round.standard_date)
    entry.result_class = res.result_class
    entry.flags = res.flags
    entry.deprived_count = res.deprived_count
    entry.explanation = res.explanation
    entry.explanation_text = res.text
    entry.parameter_versions = res.versions
    entry.problem = res.problem or (("Còn thiếu: " + "; ".join(res.missing)) if res.missing else "")


@transaction.atomic
def survey_save(
    *, scope: Scope, entry: RoundHousehold, section: str, data: Mapping[str, Any]
) -> RoundHousehold:
    """Save one section of the survey and recompute the class from the rules engine."""
    entry = (
        RoundHousehold.objects.select_for_update()
        .select_related("round", "household__village")
        .get(pk=entry.pk)
    )
    if not can_survey(scope, entry):
        raise PermissionDenied(_("You cannot survey this household."))
    before = audit.snapshot(entry, ENTRY_RESULT_FIELDS)
    entry.answers = _section(entry, section, data)
    _apply_result(entry)
    if scope.user is not None and scope.user.pk not in entry.surveyors:
        entry.surveyors = [*entry.surveyors, scope.user.pk]
    entry.surveyed_by = scope.user
    entry.surveyed_at = timezone.now()
    entry.status = EntryStatus.SURVEYED
    entry.approved_by = None
    entry.approved_at = None
    entry.save()
    if entry.round.status == RoundStatus.OPEN:
        ReviewRound.objects.filter(pk=entry.round_id).update(status=RoundStatus.SURVEYING)
    audit.record(
        actor=scope,
        instance=entry,
        action=AuditAction.UPDATE,
        before=before,
        after=audit.snapshot(entry, ENTRY_RESULT_FIELDS),
        note=f"section {section}",
        commune_code=entry.round.commune_id,
        household_id=entry.household_id,
    )
    return entry


@transaction.atomic
def survey_approve(*, scope: Scope, entry: RoundHousehold) -> RoundHousehold:
    """The officer or a committee member checks a complete survey (not their own)."""
    entry = RoundHousehold.objects.select_for_update().select_related("round").get(pk=entry.pk)
    _ensure_approver(scope, entry.round.commune_id)
    if _uid(scope) in entry.surveyors:
        raise PermissionDenied(_("You cannot approve a survey you took part in."))
    if entry.status != EntryStatus.SURVEYED or not entry.result_class:
        raise ValidationError(_("Only a complete survey with a result can be approved."))
    entry.status = EntryStatus.APPROVED
    entry.approved_by = scope.user
    entry.approved_at = timezone.now()
    entry.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        actor=scope,
        instance=entry,
        action=AuditAction.UPDATE,
        before={"status": EntryStatus.SURVEYED},
        after={"status": entry.status},
        commune_code=entry.round.commune_id,
        household_id=entry.household_id,
    )
    return entry


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
    scope = _scope(scope, rnd.commune_id)
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


@transaction.atomic
def posting_record(
    *, scope: Scope, rnd: ReviewRound, village: Village, posted_on: dt.date
) -> Posting:
    _ensure_officer(scope, rnd.commune_id)
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
    audit.record(
        actor=scope,
        instance=posting,
        action=AuditAction.CREATE,
        commune_code=rnd.commune_id,
        after={"posted_on": posted_on.isoformat()},
    )
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
    _ensure_officer(scope, entry.round.commune_id)
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


# --- report up (step 5) -----------------------------------------------------------------


def default_report_recipient(commune: Commune) -> str:
    """Who receives the commune's report. Until 1 July 2025 it was the district; districts no
    longer exist, so by default the province's People's Committee (the officer may change it,
    e.g. to name the department that handles poverty reduction)."""
    from ansinh.places.choices import ProvinceType

    province = commune.province
    kind = "thành phố" if province.kind == ProvinceType.CITY else "tỉnh"
    return f"Ủy ban nhân dân {kind} {province.name}"


def can_report(rnd: ReviewRound) -> bool:
    """The results are reported once posted publicly and before the chairman's decision."""
    return ROUND_STATUS_ORDER.index(rnd.status) >= ROUND_STATUS_ORDER.index(
        RoundStatus.POSTING
    ) and rnd.status not in (RoundStatus.DECIDED, RoundStatus.CLOSED)


@transaction.atomic
def report_record(
    *,
    scope: Scope,
    rnd: ReviewRound,
    number: str,
    reported_on: dt.date | None,
    recipient: str,
) -> ReviewRound:
    """Step 5 of Decision 24/2021: the commune reports the results upward (annual review:
    preliminary before 15 November, official before 20 December; regular review: on the 5th
    of the following month). Recorded again to correct it, until the decision."""
    _ensure_officer(scope, rnd.commune_id)
    rnd = ReviewRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        raise ValidationError(_("The round is decided: its report can no longer be changed."))
    if not can_report(rnd):
        raise ValidationError(_("The results are reported once the lists have been posted."))
    errors: dict[str, list[str]] = {}
    if not number.strip():
        errors["number"] = [_("Enter the number of the report.")]
    if reported_on is None:
        errors["reported_on"] = [_("Enter the date of the report.")]
    if not recipient.strip():
        errors["recipient"] = [_("Enter who receives the report.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(rnd, REPORT_FIELDS)
    rnd.report_number = number.strip()[:50]
    rnd.report_date = reported_on
    rnd.report_recipient = recipient.strip()[:200]
    rnd.save(update_fields=REPORT_FIELDS)
    audit.record(
        actor=scope,
        instance=rnd,
        action=AuditAction.UPDATE,
        before=before,
        after=audit.snapshot(rnd, REPORT_FIELDS),
        commune_code=rnd.commune_id,
        note="report",
    )
    return rnd


# --- decision ---------------------------------------------------------------------------


@transaction.atomic
def decide(
    *,
    scope: Scope,
    rnd: ReviewRound,
    number: str,
    signed_on: dt.date,
    effective_date: dt.date,
) -> dict[str, int]:
    """The chairman's decision (Form 02): every household agreed by its village becomes
    official from ``effective_date``; the previous period ends the day before. An annual
    round needs its report upward first (step 5)."""
    _ensure_approver(scope, rnd.commune_id)
    if rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        raise ValidationError(_("This round is decided already."))
    if not number.strip():
        raise ValidationError({"number": [_("Enter the decision number.")]})
    if rnd.kind == RoundKind.ANNUAL and not rnd.report_number:
        raise ValidationError(
            _(
                "Report the results upward before the chairman's decision (Decision "
                "24/2021/QĐ-TTg, step 5): record the report first."
            )
        )
    if rnd.report_date and signed_on < rnd.report_date:
        raise ValidationError(
            {"signed_on": [_("The decision cannot be signed before the report of the results.")]}
        )
    entries = list(
        rnd.entries.select_for_update()
        .filter(status=EntryStatus.AGREED)
        .only("pk", "round", "household", "result_class", "status", "transition")
    )
    if not entries:
        raise ValidationError(_("No household has been agreed by a village meeting yet."))
    counts = apply_results(
        scope=scope, entries=entries, effective_date=effective_date, basis=number.strip()
    )
    rnd.decision_number = number.strip()
    rnd.decision_signed_on = signed_on
    rnd.effective_date = effective_date
    rnd.status = RoundStatus.DECIDED
    rnd.save(update_fields=["decision_number", "decision_signed_on", "effective_date", "status"])
    signals.statuses_changed.send(
        sender=ReviewRound,
        commune_code=rnd.commune_id,
        household_ids=[e.household_id for e in entries],
        effective_date=effective_date,
    )
    audit.record(
        actor=scope,
        instance=rnd,
        action=AuditAction.EVENT,
        commune_code=rnd.commune_id,
        after={"decision": number, "effective_date": effective_date.isoformat(), **counts},
        note="decision",
    )
    return counts


def apply_results(
    *,
    scope: Scope,
    entries: list[RoundHousehold],
    effective_date: dt.date,
    basis: str,
) -> dict[str, int]:
    """Stored results → transitions and HouseholdStatus periods (bulk; used by ``decide``
    and the bench). Caller holds the transaction."""
    ids = [e.household_id for e in entries]
    day_before = effective_date - dt.timedelta(days=1)
    current: dict[int, str] = {}
    escaped: set[int] = set()
    for start in range(0, len(ids), 5000):  # PostgreSQL takes at most 65,535 parameters
        current.update(status_on(ids[start : start + 5000], day_before))
        escaped |= escaped_before(ids[start : start + 5000], effective_date)
    counts: dict[str, int] = {}
    new_periods = []
    for entry in entries:
        previous = current[entry.household_id]
        entry.transition = transition_of(
            previous, entry.result_class, entry.household_id in escaped
        )
        entry.status = EntryStatus.DECIDED
        key = str(entry.transition)
        counts[key] = counts.get(key, 0) + 1
        if entry.result_class != previous:
            new_periods.append(
                HouseholdStatus(
                    household_id=entry.household_id,
                    poverty_class=entry.result_class,
                    valid_from=effective_date,
                    basis=basis[:200],
                    recorded_by=scope.user,
                )
            )
    changed = [p.household_id for p in new_periods]
    for start in range(0, len(changed), 900):
        chunk = changed[start : start + 900]
        HouseholdStatus.objects.filter(household_id__in=chunk, valid_from__lte=day_before).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=effective_date)
        ).update(valid_to=day_before)
        HouseholdStatus.objects.filter(
            household_id__in=chunk, valid_from__gte=effective_date
        ).delete()
    HouseholdStatus.objects.bulk_create(new_periods, batch_size=1000)
    update_many(entries, ["transition", "status"])
    return counts


RESULT_FIELDS = [
    "result_class",
    "flags",
    "deprived_count",
    "explanation",
    "explanation_text",
    "parameter_versions",
    "problem",
]


def classify_round(*, rnd: ReviewRound, batch: int = 10_000, explain: bool = True) -> int:
    """Recompute the stored result of every surveyed household of a round in batches (one
    call of the rules engine per batch); used when a round is closed and by the bench. A
    refused standard (e.g. 2027) is stored as the problem of every entry."""
    from ansinh.poverty.classification import classify_many, refusal_message
    from ansinh.rules.errors import MissingParameterError

    done = 0
    qs = rnd.entries.exclude(answers={}).only("pk", "round", "household", "village", "answers")
    qs = qs.order_by("pk")
    village_area = {
        v.pk: v.area_type
        for v in Village.objects.filter(commune_id=rnd.commune_id).select_related("commune")
    }
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return done
        last = chunk[-1].pk
        override = dict(
            Household.objects.filter(pk__in=[e.household_id for e in chunk])
            .exclude(area_type_override="")
            .values_list("pk", "area_type_override")
        )
        items = [
            (str(e.pk), override.get(e.household_id) or village_area[e.village_id], e.answers)
            for e in chunk
        ]
        try:
            results = classify_many(items, rnd.standard_date, explain=explain)
        except MissingParameterError as exc:
            for e in chunk:
                e.result_class, e.problem = "", refusal_message(exc)
        else:
            for e in chunk:
                res = results[str(e.pk)]
                e.result_class = res.result_class
                e.flags = res.flags
                e.deprived_count = res.deprived_count
                e.explanation = res.explanation
                e.explanation_text = res.text
                e.parameter_versions = res.versions
                e.problem = res.problem
        with transaction.atomic():
            update_many(chunk, RESULT_FIELDS)
        done += len(chunk)


def update_many(entries: list[RoundHousehold], fields: list[str]) -> None:
    """``UPDATE … WHERE id = ?`` for every entry in one ``executemany``: much faster than
    ``bulk_update``'s CASE expressions for wide JSON rows, on SQLite and PostgreSQL."""
    from django.db import connection

    meta = RoundHousehold._meta
    columns: list[Field[Any, Any]] = [
        c for c in (meta.get_field(f) for f in fields) if isinstance(c, Field)
    ]
    table = connection.ops.quote_name(meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(str(c.column))} = %s" for c in columns)
    rows = [
        [c.get_db_prep_save(getattr(e, c.attname), connection) for c in columns] + [e.pk]
        for e in entries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608 (quoted names)
