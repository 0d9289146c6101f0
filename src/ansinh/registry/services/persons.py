"""Persons: add a member (born, married in, moved in), update, record a death or a move out."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.registry import signals
from ansinh.registry.checks import _check_cccd_free, _check_duplicate_name, _logs_refusals
from ansinh.registry.choices import (
    EventKind,
    LifeStatus,
    Relationship,
)
from ansinh.registry.models import Household, Person
from ansinh.registry.services.common import (
    _create_person,
    _ensure_can_edit,
    _event,
    _saving_person,
)
from ansinh.registry.validation import PersonData, clean_person

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
    _create_person(scope, person)
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
    fields = data.as_model_fields()
    _check_cccd_free(data.cccd, scope=scope, village=person.village, exclude_id=person.pk)
    if (fields["folded_name"], fields["date_of_birth"]) != (
        person.folded_name,
        person.date_of_birth,
    ):
        _check_duplicate_name(
            person.commune_id, fields, exclude_id=person.pk, confirmed=confirm_duplicate
        )
    with _saving_person(scope, person):
        for name, value in fields.items():
            setattr(person, name, value)
    return person


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
    with _saving_person(scope, person):
        person.life_status = status
        person.status_date = date
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
