"""Writes to the registry. Views, forms, the API and commands call these, never ``.save()``.

Every service is atomic, takes the caller's ``Scope`` (checked by
``ansinh.accounts.permissions``), validates with
``ansinh.registry.validation`` and leaves audit entries.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require, require_village
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.identifiers import mask
from ansinh.core.models import AuditAction
from ansinh.places.models import Village
from ansinh.registry import signals
from ansinh.registry.choices import (
    EventKind,
    HouseholdStatus,
    LifeStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
)
from ansinh.registry.models import ChangeProposal, Household, MembershipEvent, Person
from ansinh.registry.validation import PersonData, clean_person, clean_phone

HOUSEHOLD_FIELDS = ["code", "village", "address", "area_type_override", "phone", "notes", "status"]
PERSON_FIELDS = [
    "household",
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "cccd",
    "relationship",
    "phone",
    "bank",
    "bank_account_number",
    "bank_account_holder",
    "life_status",
    "status_date",
]


class PossibleDuplicate(ValidationError):
    """Same folded name and date of birth already in the commune: the officer must confirm."""

    def __init__(self, matches: Sequence[Person], field: str = "full_name"):
        self.matches = list(matches)
        names = "; ".join(
            _("%(name)s, born %(dob)s, household %(code)s")
            % {"name": p.full_name, "dob": f"{p.date_of_birth:%d/%m/%Y}", "code": p.household.code}
            for p in self.matches
        )
        super().__init__(
            {
                field: [
                    _(
                        "A person with the same name and date of birth is already registered "
                        "(%(names)s). Tick “This is a different person” to save anyway."
                    )
                    % {"names": names}
                ]
            },
        )


class CccdTakenElsewhere(ValidationError):
    """The personal ID belongs to someone the actor may not see (another commune, or a
    village outside the actor's scope): refused without naming them, and logged.

    The refusal rolls the service's transaction back, so the audit entry is written by the
    outermost registry service once its transaction has unwound (:func:`_logs_refusals`)."""

    def __init__(self, *, cccd: str, scope: Scope, village: Village, field: str = "cccd"):
        self.cccd, self.scope, self.village, self.field = cccd, scope, village, field
        self.logged = False
        super().__init__({field: [_("This personal ID is already registered elsewhere.")]})

    def keyed(self, field: str) -> CccdTakenElsewhere:
        """The same refusal under another form key (a member of a household form)."""
        return CccdTakenElsewhere(
            cccd=self.cccd, scope=self.scope, village=self.village, field=field
        )

    def log(self) -> None:
        """One EVENT entry in the commune where it was typed, on the village: the number
        masked, nothing of the other person (neither name nor id)."""
        if self.logged:
            return
        self.logged = True
        audit.record(
            actor=self.scope,
            instance=self.village,
            action=AuditAction.EVENT,
            note=_("A personal ID already registered elsewhere was refused (%(cccd)s).")
            % {"cccd": mask(self.cccd)},
            commune_code=self.village.commune_id,
        )


_service_depth: ContextVar[int] = ContextVar("registry_service_depth", default=0)
_F = TypeVar("_F", bound=Callable[..., Any])


def _logs_refusals(fn: _F) -> _F:
    """Put outside ``@transaction.atomic``: the outermost registry service logs a refused
    personal ID after its own transaction was rolled back (a nested service cannot: the
    outer one's rollback would take the entry with it)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = _service_depth.get()
        token = _service_depth.set(depth + 1)
        try:
            return fn(*args, **kwargs)
        except CccdTakenElsewhere as exc:
            if depth == 0:
                exc.log()
            raise
        finally:
            _service_depth.reset(token)

    return wrapper  # type: ignore[return-value]


# --- permissions ---------------------------------------------------------------------


def _ensure_can_edit(scope: Scope, village: Village) -> None:
    """The officer (or the system: the demo builder, an import) writes the registry."""
    require(
        scope,
        village.commune_id,
        can="edit",
        message=_("Your role cannot change the registry of this commune."),
    )


def _ensure_can_propose(scope: Scope, household: Household) -> None:
    message = _("You cannot propose changes for this household.")
    require(scope, household.commune_id, can="propose_or_edit", message=message)
    require_village(scope, household.village_id, message)


# --- checks ---------------------------------------------------------------------------


def _check_cccd_free(
    cccd: str, *, scope: Scope, village: Village, exclude_id: int | None = None
) -> None:
    """Refuse a personal ID that is already registered. The other person is named only
    when they are in the same commune and in the actor's scope (the officer needs to know
    which household to look at); otherwise the refusal says "elsewhere" and is logged."""
    if not cccd:
        return
    other = Person.objects.select_related("household", "village").filter(cccd=cccd)
    if exclude_id:
        other = other.exclude(pk=exclude_id)
    found = other.first()
    if found is None:
        return
    visible = found.commune_id == village.commune_id and (scope.allows_village(found.village_id))
    if not visible:
        raise CccdTakenElsewhere(cccd=cccd, scope=scope, village=village)
    raise ValidationError(
        {
            "cccd": [
                _(
                    "This personal ID is already registered to %(name)s, household "
                    "%(code)s (%(village)s)."
                )
                % {
                    "name": found.full_name,
                    "code": found.household.code,
                    "village": found.village.name,
                }
            ]
        }
    )


def _check_duplicate_name(
    commune_code: int, fields: dict[str, Any], *, exclude_id: int | None, confirmed: bool
) -> None:
    if confirmed:
        return
    qs = Person.objects.select_related("household").filter(
        commune_id=commune_code,
        folded_name=fields["folded_name"],
        date_of_birth=fields["date_of_birth"],
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    matches = list(qs[:5])
    if matches:
        raise PossibleDuplicate(matches)


def _check_batch_unique(people: Sequence[PersonData]) -> None:
    seen: dict[str, int] = {}
    for index, person in enumerate(people):
        if person.cccd and person.cccd in seen:
            raise ValidationError(
                {
                    f"members-{index}-cccd": [
                        _("The same personal ID is entered twice in this household.")
                    ]
                }
            )
        if person.cccd:
            seen[person.cccd] = index


def _next_household_code(village: Village) -> str:
    """VILLAGECODE-NNNN, the next free number in the village."""
    prefix = f"{village.code}-"
    codes = Household.objects.filter(commune_id=village.commune_id, code__startswith=prefix)
    highest = 0
    # Longest first, then highest: "TD-10000" comes before "TD-9999".
    newest = codes.order_by(Length("code").desc(), "-code").values_list("code", flat=True)
    for code in newest[:50]:
        match = re.fullmatch(rf"{re.escape(prefix)}(\d+)", code)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}{highest + 1:04d}"


def _save_person(
    *, scope: Scope, person: Person, action: AuditAction, before: dict[str, Any] | None
) -> Person:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        if "cccd" in str(exc).lower():
            _check_cccd_free(
                person.cccd or "", scope=scope, village=person.village, exclude_id=person.pk
            )
        raise
    after = audit.snapshot(person, PERSON_FIELDS)
    audit.record(
        actor=scope,
        instance=person,
        action=action,
        before=before,
        after=after,
        commune_code=person.commune_id,
        household_id=person.household_id,
    )
    if before is not None:
        changed = sorted(audit.diff(before, after))
        if changed:
            signals.person_changed.send(sender=Person, person=person, fields=changed, scope=scope)
    return person


def _event(
    *,
    scope: Scope,
    household: Household,
    person: Person,
    kind: str,
    date: dt.date,
    other: Household | None = None,
    place: str = "",
    note: str = "",
) -> MembershipEvent:
    if date > timezone.localdate():
        raise ValidationError({"date": [_("The date is in the future.")]})
    event = MembershipEvent.objects.create(
        household=household,
        person=person,
        kind=kind,
        date=date,
        other_household=other,
        place=place,
        note=note,
        recorded_by=scope.user,
    )
    audit.record(
        actor=scope,
        instance=household,
        action=AuditAction.EVENT,
        after={"event": kind, "person": person.full_name, "date": date.isoformat()},
        note=note,
        commune_code=household.commune_id,
        household_id=household.pk,
    )
    return event


# --- households -----------------------------------------------------------------------


@_logs_refusals
@transaction.atomic
def household_register(
    *,
    scope: Scope,
    village: Village,
    members: Sequence[PersonData],
    address: str = "",
    phone: str = "",
    notes: str = "",
    area_type_override: str = "",
    code: str = "",
    confirm_duplicates: bool = False,
) -> Household:
    """Register a new household with its members (exactly one head)."""
    _ensure_can_edit(scope, village)
    if not members:
        raise ValidationError({"members": [_("Add at least the head of household.")]})
    heads = [m for m in members if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        raise ValidationError({"members": [_("A household must have exactly one head.")]})
    cleaned: list[PersonData] = []
    errors: dict[str, list[str]] = {}
    for index, member in enumerate(members):
        try:
            cleaned.append(clean_person(member))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"members-{index}-{name}"] = messages
    if errors:
        raise ValidationError(errors)
    _check_batch_unique(cleaned)
    household = Household(
        commune_id=village.commune_id,
        village=village,
        code=(code or _next_household_code(village)).strip().upper(),
        address=address.strip(),
        phone=clean_phone(phone),
        notes=notes.strip(),
        area_type_override=area_type_override,
    )
    if Household.objects.filter(commune_id=village.commune_id, code=household.code).exists():
        raise ValidationError({"code": [_("This household code is already used.")]})
    household.save()
    audit.record(
        actor=scope,
        instance=household,
        action=AuditAction.CREATE,
        after=audit.snapshot(household, HOUSEHOLD_FIELDS),
        commune_code=household.commune_id,
        household_id=household.pk,
    )
    for index, member in enumerate(cleaned):
        fields = member.as_model_fields()
        try:
            _check_cccd_free(member.cccd, scope=scope, village=village)
            _check_duplicate_name(
                village.commune_id, fields, exclude_id=None, confirmed=confirm_duplicates
            )
        except PossibleDuplicate as exc:
            # Still a warning the officer can confirm: keep the type, key it by member.
            raise PossibleDuplicate(exc.matches, field=f"members-{index}-full_name") from exc
        except CccdTakenElsewhere as exc:
            raise exc.keyed(f"members-{index}-cccd") from exc
        except ValidationError as exc:
            raise ValidationError(
                {f"members-{index}-{k}": v for k, v in exc.message_dict.items()}
            ) from exc
        person = Person(
            household=household, commune_id=village.commune_id, village=village, **fields
        )
        _save_person(scope=scope, person=person, action=AuditAction.CREATE, before=None)
    return household


@transaction.atomic
def household_update(
    *,
    scope: Scope,
    household: Household,
    village: Village | None = None,
    address: str | None = None,
    phone: str | None = None,
    notes: str | None = None,
    area_type_override: str | None = None,
) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    _ensure_can_edit(scope, household.village)
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    if village is not None and village.pk != household.village_id:
        if village.commune_id != household.commune_id:
            raise ValidationError({"village": [_("Choose a village of this commune.")]})
        _ensure_can_edit(scope, village)
        household.village = village
        Person.objects.filter(household=household).update(village=village)
    if address is not None:
        household.address = address.strip()
    if phone is not None:
        try:
            household.phone = clean_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    if notes is not None:
        household.notes = notes.strip()
    if area_type_override is not None:
        household.area_type_override = area_type_override
    household.save()
    audit.record(
        actor=scope,
        instance=household,
        action=AuditAction.UPDATE,
        before=before,
        after=audit.snapshot(household, HOUSEHOLD_FIELDS),
        commune_code=household.commune_id,
        household_id=household.pk,
    )
    return household


# --- persons --------------------------------------------------------------------------


@_logs_refusals
@transaction.atomic
def person_add(
    *,
    scope: Scope,
    household: Household,
    data: PersonData,
    event_kind: str = EventKind.MOVE_IN,
    event_date: dt.date | None = None,
    place: str = "",
    note: str = "",
    confirm_duplicate: bool = False,
) -> Person:
    """Add a member (born, married in, moved in) and record the dated event."""
    _ensure_can_edit(scope, household.village)
    if event_kind not in {EventKind.BIRTH, EventKind.MARRIAGE, EventKind.MOVE_IN}:
        raise ValidationError({"event_kind": [_("Choose how the person joined the household.")]})
    data = clean_person(data)
    if (
        data.relationship == Relationship.HEAD
        and household.members.filter(
            relationship=Relationship.HEAD, life_status=LifeStatus.LIVING
        ).exists()
    ):
        raise ValidationError(
            {"relationship": [_("This household already has a head; change the head first.")]}
        )
    fields = data.as_model_fields()
    _check_cccd_free(data.cccd, scope=scope, village=household.village)
    _check_duplicate_name(
        household.commune_id, fields, exclude_id=None, confirmed=confirm_duplicate
    )
    person = Person(
        household=household,
        commune_id=household.commune_id,
        village_id=household.village_id,
        **fields,
    )
    _save_person(scope=scope, person=person, action=AuditAction.CREATE, before=None)
    date = event_date or (data.date_of_birth if event_kind == EventKind.BIRTH else None)
    _event(
        scope=scope,
        household=household,
        person=person,
        kind=event_kind,
        date=date or timezone.localdate(),
        place=place,
        note=note,
    )
    return person


@_logs_refusals
@transaction.atomic
def person_update(
    *, scope: Scope, person: Person, data: PersonData, confirm_duplicate: bool = False
) -> Person:
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    _ensure_can_edit(scope, person.household.village)
    data = clean_person(data)
    if (
        data.relationship == Relationship.HEAD
        and person.relationship != Relationship.HEAD
        and person.household.members.filter(
            relationship=Relationship.HEAD, life_status=LifeStatus.LIVING
        ).exists()
    ):
        raise ValidationError(
            {"relationship": [_("Use “Change head of household” to make this person the head.")]}
        )
    before = audit.snapshot(person, PERSON_FIELDS)
    fields = data.as_model_fields()
    _check_cccd_free(data.cccd, scope=scope, village=person.village, exclude_id=person.pk)
    if (fields["folded_name"], fields["date_of_birth"]) != (
        person.folded_name,
        person.date_of_birth,
    ):
        _check_duplicate_name(
            person.commune_id, fields, exclude_id=person.pk, confirmed=confirm_duplicate
        )
    for name, value in fields.items():
        setattr(person, name, value)
    return _save_person(scope=scope, person=person, action=AuditAction.UPDATE, before=before)


def _leave(
    *,
    scope: Scope,
    person: Person,
    status: str,
    kind: str,
    date: dt.date,
    place: str,
    note: str,
) -> Person:
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    _ensure_can_edit(scope, person.household.village)
    if person.life_status != LifeStatus.LIVING:
        raise ValidationError({"date": [_("This person is no longer living in the household.")]})
    if date < person.date_of_birth:
        raise ValidationError({"date": [_("The date is before the date of birth.")]})
    before = audit.snapshot(person, PERSON_FIELDS)
    person.life_status = status
    person.status_date = date
    _save_person(scope=scope, person=person, action=AuditAction.UPDATE, before=before)
    signals.person_left.send(sender=Person, person=person, scope=scope)
    _event(
        scope=scope,
        household=person.household,
        person=person,
        kind=kind,
        date=date,
        place=place,
        note=note,
    )
    return person


@transaction.atomic
def person_record_death(*, scope: Scope, person: Person, date: dt.date, note: str = "") -> Person:
    return _leave(
        scope=scope,
        person=person,
        status=LifeStatus.DECEASED,
        kind=EventKind.DEATH,
        date=date,
        place="",
        note=note,
    )


@transaction.atomic
def person_move_out(
    *, scope: Scope, person: Person, date: dt.date, place: str = "", note: str = ""
) -> Person:
    return _leave(
        scope=scope,
        person=person,
        status=LifeStatus.MOVED_AWAY,
        kind=EventKind.MOVE_OUT,
        date=date,
        place=place,
        note=note,
    )


@transaction.atomic
def household_change_head(
    *, scope: Scope, household: Household, new_head: Person, date: dt.date, note: str = ""
) -> Household:
    _ensure_can_edit(scope, household.village)
    if new_head.household_id != household.pk or new_head.life_status != LifeStatus.LIVING:
        raise ValidationError({"new_head": [_("Choose a living member of this household.")]})
    for old in household.members.filter(relationship=Relationship.HEAD).exclude(pk=new_head.pk):
        before = audit.snapshot(old, PERSON_FIELDS)
        old.relationship = Relationship.OTHER_RELATIVE
        _save_person(scope=scope, person=old, action=AuditAction.UPDATE, before=before)
    before = audit.snapshot(new_head, PERSON_FIELDS)
    new_head.relationship = Relationship.HEAD
    _save_person(scope=scope, person=new_head, action=AuditAction.UPDATE, before=before)
    _event(
        scope=scope,
        household=household,
        person=new_head,
        kind=EventKind.HEAD_CHANGE,
        date=date,
        note=note,
    )
    return household


@transaction.atomic
def household_split(
    *,
    scope: Scope,
    household: Household,
    members: Sequence[Person],
    new_head: Person,
    date: dt.date,
    village: Village | None = None,
    address: str = "",
    phone: str = "",
    note: str = "",
) -> Household:
    """Some members leave to form a new household (tách hộ)."""
    village = village or household.village
    _ensure_can_edit(scope, household.village)
    _ensure_can_edit(scope, village)
    member_ids = {m.pk for m in members}
    if new_head.pk not in member_ids:
        raise ValidationError({"new_head": [_("The new head must be one of the members leaving.")]})
    living = set(
        household.members.filter(life_status=LifeStatus.LIVING).values_list("pk", flat=True)
    )
    if not member_ids <= living:
        raise ValidationError({"members": [_("Only living members of this household can leave.")]})
    if member_ids == living:
        raise ValidationError({"members": [_("At least one member must stay.")]})
    if household.members.filter(pk__in=member_ids, relationship=Relationship.HEAD).exists():
        raise ValidationError(
            {"members": [_("Change the head of the old household before the head leaves.")]}
        )
    new = Household(
        commune_id=village.commune_id,
        village=village,
        code=_next_household_code(village),
        address=address.strip() or household.address,
        phone=clean_phone(phone),
    )
    new.save()
    audit.record(
        actor=scope,
        instance=new,
        action=AuditAction.CREATE,
        after=audit.snapshot(new, HOUSEHOLD_FIELDS),
        note=_("Split from household %(code)s") % {"code": household.code},
        commune_code=new.commune_id,
        household_id=new.pk,
    )
    for person in Person.objects.select_for_update().filter(pk__in=member_ids):
        before = audit.snapshot(person, PERSON_FIELDS)
        person.household = new
        person.village = village
        person.relationship = (
            Relationship.HEAD if person.pk == new_head.pk else Relationship.OTHER_RELATIVE
        )
        _save_person(scope=scope, person=person, action=AuditAction.UPDATE, before=before)
        _event(
            scope=scope,
            household=household,
            person=person,
            kind=EventKind.SPLIT,
            date=date,
            other=new,
            note=note,
        )
        _event(
            scope=scope,
            household=new,
            person=person,
            kind=EventKind.SPLIT,
            date=date,
            other=household,
            note=note,
        )
    return new


@transaction.atomic
def household_close(
    *, scope: Scope, household: Household, status: str, note: str = ""
) -> Household:
    _ensure_can_edit(scope, household.village)
    if status not in {HouseholdStatus.DISSOLVED, HouseholdStatus.MOVED_AWAY}:
        raise ValidationError({"status": [_("Choose dissolved or moved away.")]})
    if household.members.filter(life_status=LifeStatus.LIVING).exists():
        raise ValidationError(
            {"status": [_("Record every living member as moved away or deceased first.")]}
        )
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.status = status
    household.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=scope,
        instance=household,
        action=AuditAction.UPDATE,
        before=before,
        after=audit.snapshot(household, HOUSEHOLD_FIELDS),
        note=note,
        commune_code=household.commune_id,
        household_id=household.pk,
    )
    return household


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
