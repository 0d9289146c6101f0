"""Proposals from village heads: submitted once, applied by the officer through the same
services (same validation), or rejected with a reason; every decision audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.registry.checks import _logs_refusals
from ansinh.registry.choices import (
    EventKind,
    ProposalKind,
    ProposalStatus,
)
from ansinh.registry.models import ChangeProposal, Household, Person
from ansinh.registry.services.common import _ensure_can_edit, _ensure_can_propose
from ansinh.registry.services.households import household_update
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
    _ensure_can_propose(scope, household)
    if kind not in ProposalKind.values:
        raise ValidationError({"kind": [_("Unknown change.")]})
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": [_("This person is not in this household.")]})
    fingerprint = ChangeProposal.fingerprint_of(
        household.pk, person.pk if person is not None else None, kind, payload
    )
    already_sent = ValidationError(
        {NON_FIELD_ERRORS: [_("This proposal was already sent and is waiting for the officer.")]}
    )
    if scope.user is None:  # a proposal is a person's: the system applies, never proposes
        raise PermissionDenied(_("You cannot propose changes for this household."))
    pending = ChangeProposal.objects.filter(status=ProposalStatus.PENDING)
    if pending.filter(fingerprint=fingerprint).exists():
        raise already_sent
    try:
        with transaction.atomic():
            proposal = ChangeProposal.objects.create(
                household=household,
                person=person,
                kind=kind,
                payload=payload,
                note=note,
                proposed_by=scope.user,
                fingerprint=fingerprint,
            )
    except IntegrityError as exc:  # the same change sent at the same moment
        raise already_sent from exc
    audit.record(
        actor=scope,
        instance=proposal,
        action=AuditAction.CREATE,
        after={"kind": kind, **payload},
        commune_code=household.commune_id,
        household_id=household.pk,
    )
    return proposal


def _person_data(payload: dict[str, Any], base: Person | None = None) -> PersonData:
    """A proposal's values, on top of the person's current ones when there is a person."""
    if base is not None:
        return PersonData.from_person(base).changed(payload)
    start = PersonData(full_name="", date_of_birth=dt.date.min, sex="", relationship="")
    return start.changed(payload)


@_logs_refusals
@transaction.atomic
def proposal_apply(*, scope: Scope, proposal: ChangeProposal) -> ChangeProposal:
    """The officer applies a proposal through the same services (same validation)."""
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    _ensure_can_edit(scope, proposal.household.village)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError({"status": [_("This proposal was already decided.")]})
    household, person, payload = proposal.household, proposal.person, proposal.payload
    if proposal.kind == ProposalKind.UPDATE_HOUSEHOLD:
        household_update(
            scope=scope,
            household=household,
            address=payload.get("address"),
            phone=payload.get("phone"),
            notes=payload.get("notes"),
        )
    elif proposal.kind == ProposalKind.UPDATE_PERSON and person is not None:
        person_update(scope=scope, person=person, data=_person_data(payload, person))
    elif proposal.kind == ProposalKind.ADD_PERSON:
        person_add(
            scope=scope,
            household=household,
            data=_person_data(payload),
            event_kind=payload.get("event_kind", EventKind.MOVE_IN),
            event_date=dt.date.fromisoformat(payload["event_date"])
            if payload.get("event_date")
            else None,
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
    proposal.status = ProposalStatus.APPLIED
    proposal.decided_by = scope.user
    proposal.decided_at = timezone.now()
    proposal.save()
    _record_decision(scope, proposal)
    return proposal


def _record_decision(scope: Scope, proposal: ChangeProposal) -> None:
    """The officer's decision, logged as ``decision`` (pending → applied or rejected) and its
    note: names the history shows, not the model's ``status`` field, so not ``audit.tracked``."""
    audit.record(
        actor=scope,
        instance=proposal,
        action=AuditAction.UPDATE,
        before={"decision": ProposalStatus.PENDING, "decision_note": ""},
        after={"decision": proposal.status, "decision_note": proposal.decision_note},
        commune_code=proposal.household.commune_id,
        household_id=proposal.household_id,
    )


@transaction.atomic
def proposal_reject(*, scope: Scope, proposal: ChangeProposal, reason: str) -> ChangeProposal:
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    _ensure_can_edit(scope, proposal.household.village)
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
