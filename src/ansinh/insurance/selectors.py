"""Coverage on any date, derived per person from card periods. Reads take a ``Scope``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from ansinh.accounts.scopes import Scope
from ansinh.core.periods import age_on
from ansinh.insurance.choices import STATE_PAID_GROUPS, CoverageStatus, GroupCode, Payer
from ansinh.insurance.models import Card, Reminder
from ansinh.messaging.choices import Channel
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Person
from ansinh.registry.selectors import persons_for, villages_for

# Cards whose holders are reminded: households that pay themselves or in part, and children
# under 6 whose free card ends at their 6th birthday (they must join the household scheme).
REMINDED = Q(payer__in=[Payer.HOUSEHOLD, Payer.SUBSIDISED]) | Q(group_code=GroupCode.TE)

LAPSE_GAP_DAYS = 90  # a gap of 3 months or more: the next card waits 30 days [check]


def present_on(persons: QuerySet[Person], on: dt.date) -> QuerySet[Person]:
    """People who lived in the commune on ``on`` (born, not yet dead or gone)."""
    return persons.filter(date_of_birth__lte=on).filter(
        Q(life_status=LifeStatus.LIVING) | Q(status_date__gt=on)
    )


def with_last_card(persons: QuerySet[Person], on: dt.date) -> QuerySet[Person]:
    """Annotate ``last_to`` (end of the latest card begun by ``on``) and its group."""
    return persons.annotate(
        last_to=Max("cards__valid_to", filter=Q(cards__valid_from__lte=on)),
    )


def status_of(last_to: dt.date | None, on: dt.date, expiring_days: int) -> str:
    if last_to is None:
        return CoverageStatus.NEVER
    if last_to < on:
        return CoverageStatus.LAPSED
    if (last_to - on).days <= expiring_days:
        return CoverageStatus.EXPIRING
    return CoverageStatus.COVERED


@dataclass(frozen=True)
class CoverageRow:
    village_id: int | None
    name: str
    people: int
    covered: int

    @property
    def rate(self) -> float:
        return self.covered / self.people if self.people else 0.0


def coverage_by_village(scope: Scope, on: dt.date) -> list[CoverageRow]:
    """People present and people covered on ``on``, per village, with the commune total."""
    persons = present_on(persons_for(scope), on)
    people = dict(persons.values_list("village_id").annotate(n=Count("id")))
    covered_ids = Card.objects.filter(
        commune_id=scope.commune_code, valid_from__lte=on, valid_to__gte=on
    ).values("person_id")
    covered = dict(
        persons.filter(id__in=covered_ids).values_list("village_id").annotate(n=Count("id"))
    )
    rows = [
        CoverageRow(v.pk, v.name, people.get(v.pk, 0), covered.get(v.pk, 0))
        for v in villages_for(scope)
    ]
    total = CoverageRow(None, "", sum(r.people for r in rows), sum(r.covered for r in rows))
    return [*rows, total]


def month_ends(until: dt.date, months: int) -> list[dt.date]:
    out = []
    year, month = until.year, until.month
    for _ in range(months):
        first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
        out.append(min(first_next - dt.timedelta(days=1), until))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def coverage_series(scope: Scope, until: dt.date, months: int = 12) -> list[tuple[dt.date, float]]:
    """The commune's coverage rate at the end of each of the last ``months`` months."""
    series = []
    for day in month_ends(until, months):
        total = coverage_by_village(scope, day)[-1]
        series.append((day, total.rate))
    return series


@dataclass(frozen=True)
class PersonCoverage:
    person: Person
    status: str
    last_to: dt.date | None
    days_lapsed: int | None
    should_be_free: bool
    last_group: str


def people_by_status(
    scope: Scope,
    on: dt.date,
    status: str,
    *,
    expiring_days: int = 30,
    village_id: int | None = None,
    limit: int = 500,
) -> list[PersonCoverage]:
    """Who is expiring, lapsed or never covered on ``on`` (with the "free card" flag)."""
    persons = present_on(persons_for(scope), on).select_related("household", "village")
    if village_id:
        persons = persons.filter(village_id=village_id)
    persons = with_last_card(persons, on)
    annotated: Any = persons  # the stubs cannot see the annotation
    if status == CoverageStatus.NEVER:
        annotated = annotated.filter(last_to__isnull=True)
    elif status == CoverageStatus.LAPSED:
        annotated = annotated.filter(last_to__lt=on)
    elif status == CoverageStatus.EXPIRING:
        annotated = annotated.filter(
            last_to__gte=on, last_to__lte=on + dt.timedelta(days=expiring_days)
        )
    else:
        annotated = annotated.filter(last_to__gte=on)
    rows = list(annotated.order_by("last_to", "village__name", "given_key")[:limit])
    groups = dict(
        Card.objects.filter(person_id__in=[p.pk for p in rows])
        .order_by("person_id", "valid_to")
        .values_list("person_id", "group_code")
    )  # the last one per person wins
    out = []
    for p in rows:
        last_to = p.last_to
        group = groups.get(p.pk, "")
        free = age_on(p.date_of_birth, on) < 6 or group in STATE_PAID_GROUPS
        out.append(
            PersonCoverage(
                person=p,
                status=status_of(last_to, on, expiring_days),
                last_to=last_to,
                days_lapsed=(on - last_to).days if last_to and last_to < on else None,
                should_be_free=free,
                last_group=group,
            )
        )
    return out


def person_cards(person: Person) -> QuerySet[Card]:
    """Cards of a person already fetched through a scoped selector."""
    return person.cards.order_by("-valid_from")


def reminders_for(scope: Scope) -> QuerySet[Reminder]:
    qs = Reminder.objects.filter(commune_id=scope.commune_code)
    if scope.village_ids is not None:
        qs = qs.filter(village_id__in=scope.village_ids)
    return qs.select_related("household", "stage")


@dataclass
class CampaignMonth:
    month: dt.date
    reminders: int = 0
    by_stage: dict[str, int] | None = None
    by_channel: dict[str, int] | None = None
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    sms_parts: int = 0
    cost: int = 0
    reminded_households: int = 0
    reminded_renewed: int = 0
    unreminded_households: int = 0
    unreminded_renewed: int = 0
    coverage: float = 0.0

    @property
    def reminded_rate(self) -> float:
        return self.reminded_renewed / self.reminded_households if self.reminded_households else 0.0

    @property
    def unreminded_rate(self) -> float:
        if not self.unreminded_households:
            return 0.0
        return self.unreminded_renewed / self.unreminded_households


def _month_range(first: dt.date) -> tuple[dt.date, dt.date]:
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def _renewed_within(anchors: dict[int, dt.date], before: int, after: int) -> int:
    """How many households paid for a card from ``before`` days before to ``after`` days
    after their anchor date (one query for all of them)."""
    if not anchors:
        return 0
    start = min(anchors.values()) - dt.timedelta(days=before)
    end = max(anchors.values()) + dt.timedelta(days=after)
    payments: dict[int, list[dt.date]] = {}
    for hid, paid in Card.objects.filter(
        person__household_id__in=list(anchors), paid_on__gte=start, paid_on__lte=end
    ).values_list("person__household_id", "paid_on"):
        if paid is not None:
            payments.setdefault(hid, []).append(paid)
    return sum(
        1
        for hid, day in anchors.items()
        if any(
            day - dt.timedelta(days=before) <= paid <= day + dt.timedelta(days=after)
            for paid in payments.get(hid, [])
        )
    )


def campaign(scope: Scope, until: dt.date, months: int = 8) -> list[CampaignMonth]:
    """Per month: reminders by stage and channel, delivery, SMS parts and cost, and whether
    reminded households renewed within 30 days more often than households not reminded."""
    from ansinh.messaging.models import OutboxMessage

    out = []
    for month_end in month_ends(until, months):
        first, last = _month_range(month_end.replace(day=1))
        row = CampaignMonth(month=first)
        reminders = list(
            reminders_for(scope)
            .filter(planned_for__gte=first, planned_for__lte=last)
            .values_list("household_id", "planned_for", "stage__code", "message_key", "expiry")
        )
        row.reminders = len(reminders)
        row.by_stage = {}
        for _, _, code, _, _ in reminders:
            row.by_stage[code] = row.by_stage.get(code, 0) + 1
        messages = OutboxMessage.objects.filter(key__in=[r[3] for r in reminders])
        row.by_channel = {}
        for via, state, parts, cost in messages.values_list(
            "sent_via", "state", "parts", "cost_estimate"
        ):
            label = str(Channel(via).label) if via in Channel.values else "—"
            row.by_channel[label] = row.by_channel.get(label, 0) + 1
            row.sent += state in {"sent", "delivered"}
            row.delivered += state == "delivered"
            row.failed += state == "failed"
            row.sms_parts += parts or 0
            row.cost += cost or 0
        # Households whose (reminded kind of) card expired this month: did they renew by
        # 30 days after expiry? Reminded households against the others, same yardstick.
        expired = Card.objects.filter(
            REMINDED, commune_id=scope.commune_code, valid_to__gte=first, valid_to__lte=last
        )
        if scope.village_ids is not None:
            expired = expired.filter(person__village_id__in=scope.village_ids)
        expiry: dict[int, dt.date] = {}
        for hid, day in expired.values_list("person__household_id", "valid_to"):
            expiry[hid] = min(day, expiry.get(hid, day))
        reminded_ids = set(
            reminders_for(scope)
            .filter(expiry__gte=first, expiry__lte=last)
            .values_list("household_id", flat=True)
        )
        reminded = {h: d for h, d in expiry.items() if h in reminded_ids}
        others = {h: d for h, d in expiry.items() if h not in reminded_ids}
        row.reminded_households = len(reminded)
        row.reminded_renewed = _renewed_within(reminded, 60, 30)
        row.unreminded_households = len(others)
        row.unreminded_renewed = _renewed_within(others, 60, 30)
        row.coverage = coverage_by_village(scope, month_end)[-1].rate
        out.append(row)
    return out
