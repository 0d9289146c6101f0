"""The follow-up list: the households with a member whose health-insurance card is missing,
expiring or expired on a date, one row per household with each member's card.

Set-based: the members due are ONE aggregate query over the commune's people (their latest
card known on the date, :func:`due_list`); the households in list order are one indexed read
of the commune's households, kept in Python when one of their members is due. A page is then
a few queries whatever its size (its households, their members, their payers), and so is a
chunk of the workbook or of the printed lists per ấp, which read the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from ansinh.accounts.scopes import Scope
from ansinh.core.periods import next_month
from ansinh.insurance.choices import CoverageStatus, FollowUpReason, Payer
from ansinh.insurance.selectors import latest_cards, present_on, status_of, who_pays, with_last_card
from ansinh.registry.choices import Relationship
from ansinh.registry.models import Household, Person
from ansinh.registry.selectors import households_for, persons_for

__all__ = [
    "DueList",
    "FollowUpHousehold",
    "MemberCard",
    "due_households",
    "due_list",
    "due_people",
    "followup_all",
    "followup_rows",
    "households_in_order",
    "reason_of",
]

#: Households read at a time for a whole list (a workbook, the printed lists): the ids of a
#: chunk stay well under SQLite's limit of bound parameters.
CHUNK = 500


def reason_of(value: str | None) -> str:
    """A ``FollowUpReason`` from a query parameter (``any`` when missing or unknown)."""
    return value if value in FollowUpReason.values else FollowUpReason.ANY


def _month_end(on: dt.date) -> dt.date:
    return next_month(on.replace(day=1)) - dt.timedelta(days=1)


def _due(reason: str, on: dt.date, expiring_days: int) -> Q:
    """Who is due for ``reason`` among people annotated by ``with_last_card``."""
    covered = Q(current_to__gte=on)
    never = Q(last_to__isnull=True)
    lapsed = Q(last_to__lt=on)
    expiring = covered & Q(last_to__lte=on + dt.timedelta(days=expiring_days))
    if reason == FollowUpReason.NEVER:
        return never
    if reason == FollowUpReason.LAPSED:
        return lapsed
    if reason == FollowUpReason.EXPIRING:
        return expiring
    if reason == FollowUpReason.MONTH:
        return covered & Q(last_to__lte=_month_end(on))
    return never | lapsed | expiring


def due_people(
    scope: Scope,
    on: dt.date,
    reason: str,
    *,
    expiring_days: int = 30,
    village_id: int | None = None,
) -> QuerySet[Person]:
    """The people present on ``on`` (in the scope, in ``village_id`` if given) due for
    ``reason``: no card, a card expired, or one ending within ``expiring_days`` days (or by
    the end of the month). A card already paid for a later period counts: a renewed person is
    never due."""
    persons = present_on(persons_for(scope), on)
    if village_id:
        persons = persons.filter(village_id=village_id)
    annotated: Any = with_last_card(persons, on)  # the stubs cannot see the annotation
    return annotated.filter(_due(reason, on, expiring_days))  # type: ignore[no-any-return]


def due_households(
    scope: Scope,
    on: dt.date,
    reason: str,
    *,
    expiring_days: int = 30,
    village_id: int | None = None,
) -> QuerySet[Household]:
    """The households with at least one member due (see :func:`due_people`), by village
    then code, as a queryset (the list itself reads :func:`due_list`)."""
    due = due_people(scope, on, reason, expiring_days=expiring_days, village_id=village_id)
    return (
        households_for(scope)
        .filter(pk__in=due.values("household_id"))
        .select_related("village")
        .order_by("village__name", "code", "pk")
    )


@dataclass(frozen=True)
class DueList:
    """The follow-up list on a date: its households' ids in list order (by village, then
    code) and how many people are due in all."""

    household_ids: list[int]
    people: int


def due_list(
    scope: Scope,
    on: dt.date,
    reason: str,
    *,
    expiring_days: int = 30,
    village_id: int | None = None,
) -> DueList:
    """The households to follow up, in list order, and the number of people due: the
    aggregate over the people runs once (two queries in all)."""
    due = due_people(scope, on, reason, expiring_days=expiring_days, village_id=village_id)
    members = dict(due.values_list("pk", "household_id"))
    wanted = set(members.values())
    households = households_for(scope)
    if village_id:
        households = households.filter(village_id=village_id)
    order = households.order_by("village__name", "code", "pk").values_list("pk", flat=True)
    return DueList([pk for pk in order if pk in wanted], len(members))


#: What the list, the workbook and the printed lists show of a household (a whole
#: commune's households are read for a workbook).
HOUSEHOLD_FIELDS = ("pk", "code", "phone", "address", "village_id", "village__name")


def households_in_order(ids: Sequence[int]) -> list[Household]:
    """The households ``ids`` (a page of :class:`DueList`) with their villages, in order."""
    found = Household.objects.select_related("village").only(*HOUSEHOLD_FIELDS).in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True)
class MemberCard:
    """One member of a listed household and their card on the date."""

    person: Person
    status: str
    last_to: dt.date | None
    days_lapsed: int | None
    should_be_free: bool
    group: str
    due: bool

    @property
    def status_label(self) -> str:
        return str(CoverageStatus(self.status).label)


@dataclass
class FollowUpHousehold:
    """A listed household: its head, its phone, its members with their cards."""

    household: Household
    members: list[MemberCard] = field(default_factory=list)

    @property
    def head_name(self) -> str:
        heads = [m.person.full_name for m in self.members if m.person.is_head]
        return heads[0] if heads else ""

    @property
    def due_members(self) -> list[MemberCard]:
        return [m for m in self.members if m.due]


def _is_due(status: str, last_to: dt.date | None, on: dt.date, reason: str, days: int) -> bool:
    if status == CoverageStatus.NEVER:
        return reason in (FollowUpReason.ANY, FollowUpReason.NEVER)
    if status == CoverageStatus.LAPSED:
        return reason in (FollowUpReason.ANY, FollowUpReason.LAPSED)
    if status == CoverageStatus.PAID_AHEAD or last_to is None:
        return False
    if reason == FollowUpReason.MONTH:
        return last_to <= _month_end(on)
    ends_soon = (last_to - on).days <= days
    return ends_soon and reason in (FollowUpReason.ANY, FollowUpReason.EXPIRING)


#: What the list, the workbook and the printed lists read of a member (and ``who_pays``):
#: a whole commune's members are read for a workbook, and a full ``Person`` costs ten times
#: more to build.
MEMBER_FIELDS = ("pk", "household_id", "full_name", "date_of_birth", "relationship")


def _members(households: Sequence[Household], on: dt.date) -> list[Any]:
    """The members present on ``on`` of ``households`` with their latest cards (one query),
    head first, then by age."""
    persons = (
        present_on(Person.objects.filter(household_id__in=[h.pk for h in households]), on)
        .only(*MEMBER_FIELDS)
        .order_by("household_id", "date_of_birth", "pk")
    )
    rows = list(with_last_card(persons, on))
    rows.sort(key=lambda p: (p.household_id, p.relationship != Relationship.HEAD))
    return rows


def followup_rows(
    households: Iterable[Household], on: dt.date, reason: str, *, expiring_days: int = 30
) -> list[FollowUpHousehold]:
    """``households`` (a page of :func:`due_households`) with every member present on
    ``on``: the card status, the end of the latest card, whether the card should be free and
    whether the member is due for ``reason``. Four queries whatever the number."""
    listed = list(households)
    members = _members(listed, on)
    groups = latest_cards((p.pk for p in members), on)
    payers = who_pays(members, on, cards=groups)
    out = {h.pk: FollowUpHousehold(household=h) for h in listed}
    for p in members:
        last_to = p.last_to
        covered = p.current_to is not None and p.current_to >= on
        status = status_of(last_to, on, expiring_days, covered=covered)
        out[p.household_id].members.append(
            MemberCard(
                person=p,
                status=status,
                last_to=last_to,
                days_lapsed=(on - last_to).days if last_to and last_to < on else None,
                should_be_free=payers[p].payer == Payer.STATE,
                group=groups.get(p.pk, ("", ""))[0],
                due=_is_due(status, last_to, on, reason, expiring_days),
            )
        )
    return list(out.values())


def followup_all(
    household_ids: Sequence[int], on: dt.date, reason: str, *, expiring_days: int = 30
) -> Iterator[FollowUpHousehold]:
    """Every household of ``household_ids`` (:class:`DueList`) with its members, in order,
    :data:`CHUNK` households at a time."""
    for start in range(0, len(household_ids), CHUNK):
        part = households_in_order(household_ids[start : start + CHUNK])
        yield from followup_rows(part, on, reason, expiring_days=expiring_days)
