"""Review rounds and their household list (Decision 24/2021/QĐ-TTg steps 1–2): open, list
the current poor and near-poor, requests (Form 01/04) and committee additions, the committee,
moving forward."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.places.models import Commune, Village
from ansinh.poverty.choices import (
    REQUEST_REASONS,
    ROUND_STATUS_ORDER,
    ListReason,
    MemberStatus,
    PovertyClass,
    RoundKind,
    RoundStatus,
)
from ansinh.poverty.models import (
    DEFAULT_POSTING_DAYS,
    CommitteeMember,
    PovertyStatusPeriod,
    ReviewRound,
    RoundHousehold,
)
from ansinh.poverty.permissions import (
    ensure_approver,
    ensure_officer,
)
from ansinh.poverty.selectors import (
    POOR_SET,
    status_on,
)
from ansinh.registry.choices import HouseholdStatus as RegistryStatus
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Household, Person

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
    ensure_officer(scope, commune.code)
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
    audit.created(scope, rnd, ["kind", "year", "month", "standard_date"], commune_code=commune.code)
    if kind == RoundKind.ANNUAL:
        round_list_current(rnd=rnd, on=as_of or timezone.localdate())
    return rnd


def round_list_current(*, rnd: ReviewRound, on: dt.date) -> int:
    """Add every household poor or near-poor on ``on`` (idempotent)."""
    ids = list(
        PovertyStatusPeriod.objects.filter(
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
        ensure_officer(scope, rnd.commune_id)
        if request_date is None:
            errors["request_date"] = [_("Enter the date of the request.")]
        if not note.strip():
            errors["note"] = [_("Enter the reason given in the request.")]
    elif reason == ListReason.COMMITTEE:
        ensure_approver(scope, rnd.commune_id)
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
    audit.created(
        scope,
        entry,
        ["reason", "reason_note", "request_date", "request_members"],
        commune_code=rnd.commune_id,
        household_id=household.pk,
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
    ensure_officer(scope, rnd.commune_id)
    if user.commune_id != rnd.commune_id:
        raise ValidationError({"user": [_("Choose a user of this commune.")]})
    member, _created = CommitteeMember.objects.update_or_create(
        round=rnd, user=user, defaults={"role": role}
    )
    member.villages.set([v for v in villages if v.commune_id == rnd.commune_id])
    audit.record(  # who sits on the committee now, not a before/after of the row
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
    ensure_officer(scope, rnd.commune_id)
    if status == RoundStatus.DECIDED:
        raise ValidationError(_("A round is decided by recording the chairman's decision."))
    if ROUND_STATUS_ORDER.index(status) <= ROUND_STATUS_ORDER.index(rnd.status):
        raise ValidationError(_("A round only moves forward."))
    with audit.tracked(scope, rnd, ["status"], commune_code=rnd.commune_id):
        rnd.status = status
        rnd.save(update_fields=["status"])
    return rnd
