"""Proposals from village heads: submitted once, applied by the officer through the same
services (same validation), or rejected with a reason; every decision audited.

A proposal's scope is its village. A new household (``proposal_submit_household``) is checked
on submission with the same functions that register a household (``_clean_household``, the
CCCD check), so that what would be refused on apply is refused at once; applying it registers
the household and its members through ``household_register``, which checks them again."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.places.models import Village
from ansinh.registry.checks import (
    CccdTakenElsewhere,
    PossibleDuplicate,
    _check_cccd_free,
    _logs_refusals,
    for_member,
)
from ansinh.registry.choices import EventKind, ProposalKind, ProposalStatus
from ansinh.registry.models import ChangeProposal, Household, Person
from ansinh.registry.services.common import _ensure_can_edit, _ensure_can_propose
from ansinh.registry.services.households import (
    _clean_household,
    household_register,
    household_update,
)
from ansinh.registry.services.persons import (
    person_add,
    person_move_out,
    person_record_death,
    person_update,
)
from ansinh.registry.validation import PersonData

# --- proposals from village heads -----------------------------------------------------


@transaction.atomic
def proposal_submit(
    *,
    scope: Scope,
    household: Household,
    kind: str,
    payload: dict[str, Any],
    person: Person | None = None,
    note: str = "",
) -> ChangeProposal:
    """A change to a recorded household or one of its members (a new household:
    :func:`proposal_submit_household`)."""
    _ensure_can_propose(scope, household.village)
    if kind not in ProposalKind.values or kind == ProposalKind.NEW_HOUSEHOLD:
        raise ValidationError({"kind": [_("Unknown change.")]})
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": [_("This person is not in this household.")]})
    fingerprint = ChangeProposal.fingerprint_of(
        household.pk, person.pk if person is not None else None, kind, payload
    )
    return _create(
        scope,
        ChangeProposal(
            household=household,
            village_id=household.village_id,
            person=person,
            kind=kind,
            payload=payload,
            note=note,
            fingerprint=fingerprint,
        ),
    )


@_logs_refusals
@transaction.atomic
def proposal_submit_household(
    *,
    scope: Scope,
    village: Village,
    members: Sequence[PersonData],
    address: str = "",
    phone: str = "",
    notes: str = "",
    note: str = "",
) -> ChangeProposal:
    """A village head proposes a new household with its members, in one of the own
    villages. Refused at once (errors keyed as on the household form: ``phone``,
    ``members-<i>-<field>``) for what registering it would refuse: a member's field, no head
    or two, a CCCD twice, a CCCD already recorded or waiting in another proposal. A member
    with the name and date of birth of someone recorded is not refused: the officer sees it
    (``selectors.proposal_duplicates``) and confirms on apply."""
    _ensure_can_propose(scope, village, _("You cannot propose a household in this village."))
    if not village.is_active:
        raise ValidationError({"village": [_("This village is no longer in use.")]})
    cleaned, phone = _clean_household(members, phone)
    _check_members_free(scope, village, cleaned)
    payload = {
        "address": address.strip(),
        "phone": phone,
        "notes": notes.strip(),
        "members": [person_payload(m) for m in cleaned],
    }
    kind = ProposalKind.NEW_HOUSEHOLD
    return _create(
        scope,
        ChangeProposal(
            household=None,
            village=village,
            kind=kind,
            payload=payload,
            note=note.strip(),
            fingerprint=ChangeProposal.fingerprint_of(
                None, None, kind, payload, village_id=village.pk
            ),
        ),
    )


def person_payload(data: PersonData) -> dict[str, Any]:
    """A person's cleaned values as a proposal keeps them (dates as ISO text)."""
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in data.as_model_fields().items()
        if k not in {"folded_name", "given_key"}
    }


def _create(scope: Scope, proposal: ChangeProposal) -> ChangeProposal:
    """Save a new proposal unless the same change is already waiting; audit it."""
    already_sent = ValidationError(
        {NON_FIELD_ERRORS: [_("This proposal was already sent and is waiting for the officer.")]}
    )
    if scope.user is None:  # a proposal is a person's: the system applies, never proposes
        raise PermissionDenied(_("You cannot propose changes for this household."))
    pending = ChangeProposal.objects.filter(status=ProposalStatus.PENDING)
    if pending.filter(fingerprint=proposal.fingerprint).exists():
        raise already_sent
    proposal.proposed_by = scope.user
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:  # the same change sent at the same moment
        raise already_sent from exc
    audit.record(
        actor=scope,
        instance=proposal,
        action=AuditAction.CREATE,
        after={"kind": proposal.kind, **proposal.payload},
        commune_code=proposal.village.commune_id,
        household_id=proposal.household_id,
    )
    return proposal


def _member_cccds_waiting(commune_code: int) -> set[str]:
    """The CCCDs in the commune's pending proposals (new members, new or changed CCCDs)."""
    kinds = [ProposalKind.NEW_HOUSEHOLD, ProposalKind.ADD_PERSON, ProposalKind.UPDATE_PERSON]
    found: set[str] = set()
    rows = ChangeProposal.objects.filter(
        status=ProposalStatus.PENDING, village__commune_id=commune_code, kind__in=kinds
    ).values_list("kind", "payload")
    for kind, payload in rows:
        members = payload.get("members", []) if kind == ProposalKind.NEW_HOUSEHOLD else [payload]
        found.update(str(m["cccd"]) for m in members if isinstance(m, dict) and m.get("cccd"))
    return found


def _check_members_free(scope: Scope, village: Village, members: Sequence[PersonData]) -> None:
    """No member's CCCD is recorded already, or waiting in another proposal."""
    waiting = _member_cccds_waiting(village.commune_id)
    for index, member in enumerate(members):
        key = f"members-{index}-cccd"
        try:
            _check_cccd_free(member.cccd, scope=scope, village=village)
        except CccdTakenElsewhere as exc:
            raise exc.keyed(key) from exc
        except ValidationError as exc:
            raise ValidationError({key: exc.messages}) from exc
        if member.cccd and member.cccd in waiting:
            raise ValidationError(
                {key: [_("This personal ID is already in a proposal waiting for the officer.")]}
            )


def _person_data(payload: dict[str, Any], base: Person | None = None) -> PersonData:
    """A proposal's values, on top of the person's current ones when there is a person."""
    if base is not None:
        return PersonData.from_person(base).changed(payload)
    start = PersonData(full_name="", date_of_birth=dt.date.min, sex="", relationship="")
    return start.changed(payload)


# --- the officer's decision -----------------------------------------------------------


@_logs_refusals
@transaction.atomic
def proposal_apply(
    *, scope: Scope, proposal: ChangeProposal, confirm_duplicates: bool = False
) -> ChangeProposal:
    """The officer applies a proposal through the same services (same validation). The
    proposal row is locked first: applied twice, or at the same moment, it changes the
    registry once. ``confirm_duplicates``: the officer has checked that the persons with the
    same name and date of birth as a proposed member are other people."""
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    _ensure_can_edit(scope, proposal.village)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError({"status": [_("This proposal was already decided.")]})
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD:
        proposal.created_household = _apply_new_household(scope, proposal, confirm_duplicates)
    else:
        _apply_change(scope, proposal, confirm_duplicates)
    proposal.status = ProposalStatus.APPLIED
    proposal.decided_by = scope.user
    proposal.decided_at = timezone.now()
    proposal.save()
    _record_decision(scope, proposal)
    return proposal


def _apply_change(scope: Scope, proposal: ChangeProposal, confirm_duplicates: bool) -> None:
    household, person, payload = proposal.household, proposal.person, proposal.payload
    if household is None:
        raise ValidationError({"kind": [_("This proposal cannot be applied.")]})
    if proposal.kind == ProposalKind.UPDATE_HOUSEHOLD:
        household_update(
            scope=scope,
            household=household,
            address=payload.get("address"),
            phone=payload.get("phone"),
            notes=payload.get("notes"),
        )
    elif proposal.kind == ProposalKind.UPDATE_PERSON and person is not None:
        person_update(
            scope=scope,
            person=person,
            data=_person_data(payload, person),
            confirm_duplicate=confirm_duplicates,
        )
    elif proposal.kind == ProposalKind.ADD_PERSON:
        person_add(
            scope=scope,
            household=household,
            data=_person_data(payload),
            event_kind=payload.get("event_kind", EventKind.MOVE_IN),
            event_date=dt.date.fromisoformat(payload["event_date"])
            if payload.get("event_date")
            else None,
            confirm_duplicate=confirm_duplicates,
        )
    elif proposal.kind == ProposalKind.RECORD_DEATH and person is not None:
        person_record_death(
            scope=scope,
            person=person,
            date=dt.date.fromisoformat(payload["date"]),
            note=proposal.note,
        )
    elif proposal.kind == ProposalKind.RECORD_MOVE_OUT and person is not None:
        person_move_out(
            scope=scope,
            person=person,
            date=dt.date.fromisoformat(payload["date"]),
            place=payload.get("place", ""),
            note=proposal.note,
        )
    else:
        raise ValidationError({"kind": [_("This proposal cannot be applied.")]})


def _apply_new_household(
    scope: Scope, proposal: ChangeProposal, confirm_duplicates: bool
) -> Household:
    """Register the proposed household and its members as the officer would. What was
    recorded meanwhile (a member's CCCD, the same name and date of birth) refuses it, with
    the member named; nothing is written then and the proposal stays pending."""
    village, payload = proposal.village, proposal.payload
    if not village.is_active:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("%(name)s is no longer in use: make it active again or reject the proposal.")
                    % {"name": village.name}
                ]
            }
        )
    members = [_person_data(m) for m in payload.get("members", []) if isinstance(m, dict)]
    note = _("From proposal no. %(number)s of %(name)s, %(date)s") % {
        "number": proposal.pk,
        "name": proposal.proposed_by,
        "date": f"{timezone.localtime(proposal.proposed_at):%d/%m/%Y}",
    }
    try:
        return household_register(
            scope=scope,
            village=village,
            members=members,
            address=str(payload.get("address", "")),
            phone=str(payload.get("phone", "")),
            notes=str(payload.get("notes", "")),
            confirm_duplicates=confirm_duplicates,
            note=note,
        )
    except ValidationError as exc:
        raise _naming_members(exc, members) from exc


_MEMBER_KEY = re.compile(r"members-(\d+)-")


def _naming_members(error: ValidationError, members: Sequence[PersonData]) -> ValidationError:
    """A registration's errors keyed ``members-<i>-<field>`` with the member's name in front
    of each message: applied from the proposal list, they are shown away from the member.
    A duplicate warning already names the person (and keeps its type); a CCCD of someone
    outside the scope keeps its type, so that the refusal is logged."""

    def member_of(key: str) -> str:
        match = _MEMBER_KEY.match(key)
        index = int(match.group(1)) if match else -1
        return members[index].full_name if 0 <= index < len(members) else ""

    if isinstance(error, PossibleDuplicate) or not hasattr(error, "error_dict"):
        return error
    if isinstance(error, CccdTakenElsewhere):
        return error.keyed(error.field, who=member_of(error.field))
    named: dict[str, list[str]] = {}
    for key, texts in error.message_dict.items():
        who = member_of(key)
        named[key] = [for_member(who, text) if who else text for text in texts]
    return ValidationError(named)


def _record_decision(scope: Scope, proposal: ChangeProposal) -> None:
    """The officer's decision, logged as ``decision`` (pending → applied or rejected) and its
    note: names the history shows, not the model's ``status`` field, so not ``audit.tracked``.
    An applied new household's decision is in the new household's history."""
    audit.record(
        actor=scope,
        instance=proposal,
        action=AuditAction.UPDATE,
        before={"decision": ProposalStatus.PENDING, "decision_note": ""},
        after={"decision": proposal.status, "decision_note": proposal.decision_note},
        commune_code=proposal.village.commune_id,
        household_id=proposal.household_id or proposal.created_household_id,
    )


@transaction.atomic
def proposal_reject(*, scope: Scope, proposal: ChangeProposal, reason: str) -> ChangeProposal:
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    _ensure_can_edit(scope, proposal.village)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError({"status": [_("This proposal was already decided.")]})
    if not reason.strip():
        raise ValidationError({"decision_note": [_("Say why the proposal is rejected.")]})
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = scope.user
    proposal.decided_at = timezone.now()
    proposal.decision_note = reason.strip()
    proposal.save()
    _record_decision(scope, proposal)
    return proposal
