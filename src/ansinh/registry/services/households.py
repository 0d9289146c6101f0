"""Households: register (with their members), update, change the head, split, close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.places.models import Village
from ansinh.registry.checks import (
    CccdTakenElsewhere,
    PossibleDuplicate,
    _check_batch_unique,
    _check_cccd_free,
    _check_duplicate_name,
    _logs_refusals,
)
from ansinh.registry.choices import (
    EventKind,
    HouseholdStatus,
    LifeStatus,
    Relationship,
)
from ansinh.registry.models import ChangeProposal, Household, Person
from ansinh.registry.services.common import (
    HOUSEHOLD_FIELDS,
    _create_person,
    _ensure_can_edit,
    _event,
    _next_household_code,
    _saving_person,
)
from ansinh.registry.validation import PersonData, clean_person, clean_phone

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
    note: str = "",
) -> Household:
    """Register a new household with its members (exactly one head). ``note`` goes on the
    household's audit entry (e.g. the proposal it comes from)."""
    _ensure_can_edit(scope, village)
    cleaned, phone = _clean_household(members, phone)
    household = Household(
        commune_id=village.commune_id,
        village=village,
        code=(code or _next_household_code(village)).strip().upper(),
        address=address.strip(),
        phone=phone,
        notes=notes.strip(),
        area_type_override=area_type_override,
    )
    if Household.objects.filter(commune_id=village.commune_id, code=household.code).exists():
        raise ValidationError({"code": [_("This household code is already used.")]})
    household.save()
    audit.created(
        scope,
        household,
        HOUSEHOLD_FIELDS,
        note=note,
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
        _create_person(scope, person)
    return household


def _clean_household(members: Sequence[PersonData], phone: str) -> tuple[list[PersonData], str]:
    """A new household's members and phone, cleaned and checked together (every error at
    once): at least one member, exactly one head, each one by ``clean_person``, no CCCD
    twice. A member's errors are keyed ``members-<i>-<field>``. Registering a household and a
    village head's proposal of one both use it."""
    if not members:
        raise ValidationError({"members": [_("Add at least the head of household.")]})
    heads = [m for m in members if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        raise ValidationError({"members": [_("A household must have exactly one head.")]})
    cleaned: list[PersonData] = []
    errors: dict[str, list[str]] = {}
    try:  # the household's phone is checked with its members: every error at once
        phone = clean_phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for index, member in enumerate(members):
        try:
            cleaned.append(clean_person(member))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"members-{index}-{name}"] = messages
    if errors:
        raise ValidationError(errors)
    _check_batch_unique(cleaned)
    return cleaned, phone


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
    with audit.tracked(
        scope,
        household,
        HOUSEHOLD_FIELDS,
        commune_code=household.commune_id,
        household_id=household.pk,
    ):
        if village is not None and village.pk != household.village_id:
            if village.commune_id != household.commune_id:
                raise ValidationError({"village": [_("Choose a village of this commune.")]})
            _ensure_can_edit(scope, village)
            household.village = village
            Person.objects.filter(household=household).update(village=village)
            # a proposal's scope is its village: the household's proposals move with it
            ChangeProposal.objects.filter(household=household).update(village=village)
        if address is not None:
            household.address = address.strip()
        if phone is not None:
            household.phone = clean_phone(phone)  # a bad number is keyed "phone"
        if notes is not None:
            household.notes = notes.strip()
        if area_type_override is not None:
            household.area_type_override = area_type_override
        household.save()
    return household


@transaction.atomic
def household_change_head(
    *, scope: Scope, household: Household, new_head: Person, date: dt.date, note: str = ""
) -> Household:
    _ensure_can_edit(scope, household.village)
    if new_head.household_id != household.pk or new_head.life_status != LifeStatus.LIVING:
        raise ValidationError({"new_head": [_("Choose a living member of this household.")]})
    for old in household.members.filter(relationship=Relationship.HEAD).exclude(pk=new_head.pk):
        with _saving_person(scope, old):
            old.relationship = Relationship.OTHER_RELATIVE
    with _saving_person(scope, new_head):
        new_head.relationship = Relationship.HEAD
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
    audit.created(
        scope,
        new,
        HOUSEHOLD_FIELDS,
        note=_("Split from household %(code)s") % {"code": household.code},
        commune_code=new.commune_id,
        household_id=new.pk,
    )
    for person in Person.objects.select_for_update().filter(pk__in=member_ids):
        with _saving_person(scope, person):
            person.household = new
            person.village = village
            person.relationship = (
                Relationship.HEAD if person.pk == new_head.pk else Relationship.OTHER_RELATIVE
            )
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
    with audit.tracked(
        scope,
        household,
        HOUSEHOLD_FIELDS,
        note=note,
        commune_code=household.commune_id,
        household_id=household.pk,
    ):
        household.status = status
        household.save(update_fields=["status", "updated_at"])
    return household
