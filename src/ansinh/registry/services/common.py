"""What every registry service shares: who may write, the audited fields, saving a person,
recording a membership event, the next household code."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require, require_village
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.places.models import Village
from ansinh.registry import signals
from ansinh.registry.checks import _check_cccd_free
from ansinh.registry.models import Household, MembershipEvent, Person

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


# --- permissions ---------------------------------------------------------------------


def _ensure_can_edit(scope: Scope, village: Village) -> None:
    """The officer (or the system: the demo builder, an import) writes the registry."""
    require(
        scope,
        village.commune_id,
        can="edit",
        message=_("Your role cannot change the registry of this commune."),
    )


def _ensure_can_propose(scope: Scope, village: Village, message: str = "") -> None:
    """A village head proposes in the own villages (the officer may too)."""
    message = message or _("You cannot propose changes for this household.")
    require(scope, village.commune_id, can="propose_or_edit", message=message)
    require_village(scope, village.pk, message)


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


def _save(scope: Scope, person: Person) -> None:
    """Save ``person``; a CCCD taken meanwhile by someone else becomes a readable error."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        if "cccd" in str(exc).lower():
            _check_cccd_free(
                person.cccd or "", scope=scope, village=person.village, exclude_id=person.pk
            )
        raise


def _create_person(scope: Scope, person: Person) -> Person:
    """Save a new ``person`` and audit its creation."""
    _save(scope, person)
    audit.created(
        scope,
        person,
        PERSON_FIELDS,
        commune_code=person.commune_id,
        household_id=person.household_id,
    )
    return person


@contextmanager
def _saving_person(scope: Scope, person: Person) -> Iterator[None]:
    """The block changes ``person``; it is then saved, the change audited (under the household
    the person is in afterwards) and ``person_changed`` sent with the fields that changed."""
    with audit.tracked(scope, person, PERSON_FIELDS, commune_code=person.commune_id) as change:
        yield
        _save(scope, person)
        change.household_id = person.household_id
    if change.entry is not None:
        fields = sorted(change.entry.changes)
        signals.person_changed.send(sender=Person, person=person, fields=fields, scope=scope)


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
