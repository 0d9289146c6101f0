"""Official statuses recorded from a decision made outside a review round in ansinh: the
commune's current poor and near-poor list, imported (``ansinh.poverty.imports``).

A round's decision (:func:`ansinh.poverty.services.decision.round_results_apply`) writes the
same periods; here one household's status is set from a date without touching what is
recorded after it: a later period stays, the new one ends the day before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.poverty import signals
from ansinh.poverty.choices import PovertyClass
from ansinh.poverty.models import PovertyStatusPeriod
from ansinh.poverty.permissions import ensure_officer
from ansinh.registry.models import Household

STATUS_FIELDS = ["household", "poverty_class", "valid_from", "valid_to", "basis"]
#: the classes a decision lists (the others are what a household is when on no list)
LISTED = (PovertyClass.POOR, PovertyClass.NEAR_POOR)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class StatusDecided:
    """One household's class from ``valid_from``, by the decision ``basis``."""

    household_id: int
    poverty_class: str
    valid_from: dt.date
    basis: str


def status_change(period: PovertyStatusPeriod | None, item: StatusDecided) -> str:
    """What recording ``item`` would do, given the period recorded on its date (starting
    that day, or covering it): the same class is unchanged (a period starting that day only
    gets the new basis)."""
    if period is None:
        return CREATED
    if period.valid_from == item.valid_from:
        same = period.poverty_class == item.poverty_class and period.basis == item.basis[:200]
        return UNCHANGED if same else UPDATED
    return UNCHANGED if period.poverty_class == item.poverty_class else CREATED


def period_on(household_id: int, day: dt.date) -> PovertyStatusPeriod | None:
    """The recorded period of the household that covers ``day``."""
    return (
        PovertyStatusPeriod.objects.filter(household_id=household_id, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


@transaction.atomic
def statuses_record(
    *, scope: Scope, commune_code: int, items: Sequence[StatusDecided], note: str = ""
) -> list[str]:
    """Record each household's official class from its date (``created``, ``updated`` or
    ``unchanged`` for each item, in order). The period covering the date ends the day before;
    a period recorded later stays and the new one ends the day before it. Every change is
    audited; the apps built on the statuses are told once (``statuses_changed``)."""
    ensure_officer(scope, commune_code)
    ids = {item.household_id for item in items}
    in_commune = set(
        Household.objects.filter(pk__in=ids, commune_id=commune_code).values_list("pk", flat=True)
    )
    done: list[str] = []
    changed: list[int] = []
    for item in items:
        if item.household_id not in in_commune:
            raise ValidationError(_("This household belongs to another commune."))
        if item.poverty_class not in LISTED:
            raise ValidationError(_("Choose poor or near-poor household."))
        action = _record(scope, commune_code, item, note)
        done.append(action)
        if action != UNCHANGED:
            changed.append(item.household_id)
    if changed:
        signals.statuses_changed.send(
            sender=PovertyStatusPeriod,
            commune_code=commune_code,
            household_ids=changed,
            effective_date=min(i.valid_from for i in items if i.household_id in set(changed)),
        )
    return done


def _record(scope: Scope, commune_code: int, item: StatusDecided, note: str) -> str:
    period = period_on(item.household_id, item.valid_from)
    action = status_change(period, item)
    if action == UNCHANGED:
        return action
    if action == UPDATED:
        assert period is not None
        with audit.tracked(
            scope,
            period,
            STATUS_FIELDS,
            commune_code=commune_code,
            household_id=item.household_id,
            note=note,
        ):
            period.poverty_class = item.poverty_class
            period.basis = item.basis[:200]
            period.save(update_fields=["poverty_class", "basis"])
        return action
    day_before = item.valid_from - dt.timedelta(days=1)
    if period is not None:
        with audit.tracked(
            scope,
            period,
            STATUS_FIELDS,
            commune_code=commune_code,
            household_id=item.household_id,
            note=note,
        ):
            period.valid_to = day_before
            period.save(update_fields=["valid_to"])
    later = (
        PovertyStatusPeriod.objects.filter(
            household_id=item.household_id, valid_from__gt=item.valid_from
        )
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    created = PovertyStatusPeriod.objects.create(
        household_id=item.household_id,
        poverty_class=item.poverty_class,
        valid_from=item.valid_from,
        valid_to=later - dt.timedelta(days=1) if later else None,
        basis=item.basis[:200],
        recorded_by=scope.user,
    )
    audit.created(
        scope,
        created,
        STATUS_FIELDS,
        commune_code=commune_code,
        household_id=item.household_id,
        note=note,
    )
    return CREATED
