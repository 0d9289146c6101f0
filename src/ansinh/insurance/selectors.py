"""Coverage on any date, derived per person from card periods. Reads take a ``Scope``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext

from ansinh.accounts.scopes import Scope
from ansinh.core.periods import age_on, next_month
from ansinh.core.selectors import get_or_404
from ansinh.insurance.choices import (
    OWN_SHARE_GROUPS,
    CoverageStatus,
    GroupCode,
    Payer,
    payer_for,
)
from ansinh.insurance.coverage import CoverageRow as CoverageRow
from ansinh.insurance.coverage import count_coverage as count_coverage
from ansinh.insurance.coverage import coverage_by_village as coverage_by_village
from ansinh.insurance.coverage import coverage_series as coverage_series
from ansinh.insurance.coverage import month_ends as month_ends
from ansinh.insurance.coverage import present
from ansinh.insurance.models import (
    Card,
    CommuneInsuranceSettings,
    Reminder,
    ReminderStage,
    stage_label,
)
from ansinh.messaging.choices import Channel
from ansinh.poverty.choices import PovertyClass
from ansinh.poverty.selectors import status_on as poverty_status_on
from ansinh.registry.models import Person
from ansinh.registry.selectors import persons_for
from ansinh.rules.insurance import (
    Contribution,
    SubsidySplit,
    household_contributions,
    subsidy_split,
)

# Cards whose holders are reminded: households that pay themselves or in part, and children
# under 6 whose free card ends at their 6th birthday (they must join the household scheme).
REMINDED = Q(payer__in=[Payer.HOUSEHOLD, Payer.SUBSIDISED]) | Q(group_code=GroupCode.TE)

LAPSE_GAP_DAYS = 90  # a gap of 3 months or more: the next card waits 30 days [check]


def present_on(persons: QuerySet[Person], on: dt.date) -> QuerySet[Person]:
    """People who lived in the commune on ``on`` (born, not yet dead or gone)."""
    return persons.filter(present(on))


def known_on(on: dt.date, prefix: str = "") -> Q:
    """Cards known on ``on``: begun by then, or paid by then for a later period. A card
    without a payment date (state-paid, imported) counts as paid. The same rule decides the
    status, the follow-up lists and whether a reminder is still due."""
    return (
        Q(**{f"{prefix}valid_from__lte": on})
        | Q(**{f"{prefix}paid_on__isnull": True})
        | Q(**{f"{prefix}paid_on__lte": on})
    )


def is_known(card: Card, on: dt.date) -> bool:
    """``known_on`` for a card already loaded."""
    return card.valid_from <= on or card.paid_on is None or card.paid_on <= on


def with_last_card(persons: QuerySet[Person], on: dt.date) -> QuerySet[Person]:
    """Annotate ``last_to`` (end of the latest card known on ``on``, a renewal paid ahead
    included) and ``current_to`` (end of the latest card begun by ``on``: covered on ``on``
    when it is ``≥ on``)."""
    return persons.annotate(
        last_to=Max("cards__valid_to", filter=known_on(on, "cards__")),
        current_to=Max("cards__valid_to", filter=Q(cards__valid_from__lte=on)),
    )


def status_of(
    last_to: dt.date | None, on: dt.date, expiring_days: int, *, covered: bool | None = None
) -> str:
    """Status on ``on`` from the end of the latest known card. ``covered``: whether a card
    contains ``on`` (by default, when ``last_to ≥ on``: no card paid ahead of a gap)."""
    if last_to is None:
        return CoverageStatus.NEVER
    if last_to < on:
        return CoverageStatus.LAPSED
    if covered is False:
        return CoverageStatus.PAID_AHEAD
    if (last_to - on).days <= expiring_days:
        return CoverageStatus.EXPIRING
    return CoverageStatus.COVERED


@dataclass(frozen=True)
class CardStatus:
    """One person's cards read on a date."""

    status: str
    last_to: dt.date | None  # end of the latest known card
    current_to: dt.date | None  # end of the card valid on the date (None: not covered)
    next_from: dt.date | None  # start of the first known card beginning after the date
    last_card: Card | None

    @property
    def renewed_to(self) -> dt.date | None:
        """Covered now and already renewed: until when."""
        if self.current_to and self.last_to and self.last_to > self.current_to:
            return self.last_to
        return None


def card_status(cards: Iterable[Card], on: dt.date, expiring_days: int) -> CardStatus:
    """``status_of`` for one person's cards already loaded (the household page)."""
    known = sorted((c for c in cards if is_known(c, on)), key=lambda c: (c.valid_to, c.valid_from))
    begun = [c.valid_to for c in known if c.valid_from <= on]
    current_to = max(begun) if begun and max(begun) >= on else None
    last_to = known[-1].valid_to if known else None
    later = [c.valid_from for c in known if c.valid_from > on]
    return CardStatus(
        status=status_of(last_to, on, expiring_days, covered=current_to is not None),
        last_to=last_to,
        current_to=current_to,
        next_from=min(later) if later else None,
        last_card=known[-1] if known else None,
    )


# --- who pays ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WhoPays:
    """Who pays a person's card on a date, and the group code that decides it."""

    payer: str  # a ``Payer``
    group: str  # the card's group, or TE / HN / CN from age or the household's class

    @property
    def label(self) -> str:
        return str(Payer(self.payer).label)


def payer_of(age: int, card_group: str, card_payer: str, household_class: str) -> WhoPays:
    """THE rule. Children under 6 are the state's (with a card or not); so are members of a
    poor household, and members of a near-poor one pay a subsidised share of their own. Else
    the latest known card decides (its recorded payer): GD pays through the household,
    employers and social insurance pay DN/HT…, schools collect HS/SV. Without a card, or
    after a TE card (it ends at 6), a person joins through the household."""
    if age < 6:
        return WhoPays(Payer.STATE, GroupCode.TE)
    if household_class == PovertyClass.POOR:
        return WhoPays(Payer.STATE, GroupCode.HN)
    if household_class == PovertyClass.NEAR_POOR:
        return WhoPays(Payer.SUBSIDISED, GroupCode.CN)
    if not card_group or card_group == GroupCode.TE:
        return WhoPays(Payer.HOUSEHOLD, GroupCode.GD)
    return WhoPays(card_payer or payer_for(card_group), card_group)


def latest_cards(person_ids: Iterable[int], on: dt.date) -> dict[int, tuple[str, str]]:
    """person id -> (group code, payer) of the latest card known on ``on``."""
    rows = (
        Card.objects.filter(known_on(on), person_id__in=list(person_ids))
        .order_by("person_id", "valid_to", "valid_from")
        .values_list("person_id", "group_code", "payer")
    )
    return {pid: (group, payer) for pid, group, payer in rows}  # the last one per person wins


def who_pays(
    persons: Iterable[Person], on: dt.date, *, cards: dict[int, tuple[str, str]] | None = None
) -> dict[Person, WhoPays]:
    """``payer_of`` for each person on ``on`` (two queries whatever the number; one when
    their ``latest_cards`` are given)."""
    people = list(persons)
    if cards is None:
        cards = latest_cards((p.pk for p in people), on)
    classes = poverty_status_on({p.household_id for p in people}, on)
    return {
        p: payer_of(
            age_on(p.date_of_birth, on),
            *cards.get(p.pk, ("", "")),
            classes.get(p.household_id, ""),
        )
        for p in people
    }


def household_payers(persons: Iterable[Person], on: dt.date) -> list[Person]:
    """The people among ``persons`` who pay through the household on ``on`` (the ladder)."""
    return [p for p, who in who_pays(persons, on).items() if who.payer == Payer.HOUSEHOLD]


@dataclass(frozen=True)
class HouseholdContribution:
    """What renewing costs the household: the household-based ladder for its payers, plus
    the own share of members of subsidised groups (near-poor, farming households)."""

    payers: list[Person]
    ladder: list[Contribution]
    own_shares: list[tuple[Person, SubsidySplit]] = field(default_factory=list)

    @property
    def ladder_total(self) -> int:
        return sum(c.amount for c in self.ladder)

    @property
    def total(self) -> int:
        return self.ladder_total + sum(s.person for _, s in self.own_shares)


def household_contribution(
    persons: Iterable[Person],
    on: dt.date,
    months: int = 12,
    *,
    priced_on: dt.date | None = None,
    province: int | None = None,
    who: dict[Person, WhoPays] | None = None,
) -> HouseholdContribution:
    """The contribution for ``months`` of the people among ``persons`` who pay something
    themselves on ``on`` (amounts at the rates in force on ``priced_on``, default ``on``;
    ``who``: ``who_pays`` already read for these people on ``on``). Raises the rules
    engine's ``MissingParameterError`` when a rate is not configured."""
    price_day = priced_on or on
    people = list(persons)
    if who is None:
        who = who_pays(people, on)
    payers: list[Person] = []
    own: list[tuple[Person, SubsidySplit]] = []
    for person in people:
        pays = who[person]
        if pays.payer == Payer.HOUSEHOLD:
            payers.append(person)
        elif pays.payer == Payer.SUBSIDISED and pays.group in OWN_SHARE_GROUPS:
            own.append((person, subsidy_split(pays.group, price_day, months, province)))
    ladder = household_contributions(len(payers), price_day, months) if payers else []
    return HouseholdContribution(payers, ladder, own)


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
    """Who is expiring, lapsed or never covered on ``on`` (with the "free card" flag). A card
    already paid for a later period counts: a renewed person is covered (or "paid ahead"
    while a gap lasts), never expiring or lapsed."""
    persons = present_on(persons_for(scope), on).select_related("household", "village")
    if village_id:
        persons = persons.filter(village_id=village_id)
    persons = with_last_card(persons, on)
    annotated: Any = persons  # the stubs cannot see the annotation
    covered = Q(current_to__gte=on)
    if status == CoverageStatus.NEVER:
        annotated = annotated.filter(last_to__isnull=True)
    elif status == CoverageStatus.LAPSED:
        annotated = annotated.filter(last_to__lt=on)
    elif status == CoverageStatus.PAID_AHEAD:
        annotated = annotated.filter(last_to__gte=on).exclude(covered)
    elif status == CoverageStatus.EXPIRING:
        annotated = annotated.filter(covered, last_to__lte=on + dt.timedelta(days=expiring_days))
    else:
        annotated = annotated.filter(covered, last_to__gt=on + dt.timedelta(days=expiring_days))
    rows = list(annotated.order_by("last_to", "village__name", "given_key")[:limit])
    payers = who_pays(rows, on)
    groups = latest_cards((p.pk for p in rows), on)
    out = []
    for p in rows:
        last_to = p.last_to
        out.append(
            PersonCoverage(
                person=p,
                status=status_of(
                    last_to,
                    on,
                    expiring_days,
                    covered=p.current_to is not None and p.current_to >= on,
                ),
                last_to=last_to,
                days_lapsed=(on - last_to).days if last_to and last_to < on else None,
                should_be_free=payers[p].payer == Payer.STATE,
                last_group=groups.get(p.pk, ("", ""))[0],
            )
        )
    return out


def person_cards(person: Person) -> QuerySet[Card]:
    """Cards of a person already fetched through a scoped selector."""
    return person.cards.order_by("-valid_from")


def reminders_for(scope: Scope) -> QuerySet[Reminder]:
    qs = Reminder.objects.filter(commune_id=scope.commune_code)
    qs = scope.restrict(qs, "village_id")
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
    nxt = next_month(first)
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
            .values_list("household_id", "planned_for", "stage__days", "message_key", "expiry")
        )
        row.reminders = len(reminders)
        row.by_stage = {}
        for _, _, days, _, _ in reminders:  # by the stage's name, never its code
            name = stage_label(days)
            row.by_stage[name] = row.by_stage.get(name, 0) + 1
        messages = OutboxMessage.objects.filter(key__in=[r[3] for r in reminders])
        row.by_channel = {}
        for via, state, parts, cost in messages.values_list(
            "sent_via", "state", "parts", "cost_estimate"
        ):
            label = str(Channel(via).label) if via in Channel.values else gettext("Not sent yet")
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
        expired = scope.restrict(expired, "person__village_id")
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


# --- settings and reminder stages (the commune's own, not personal data) --------------------


def insurance_settings(scope: Scope) -> CommuneInsuranceSettings:
    """The commune's settings, or the defaults (unsaved) until the officer saves them: a
    page that reads them writes nothing."""
    found = CommuneInsuranceSettings.objects.filter(commune_id=scope.commune_code).first()
    return found or CommuneInsuranceSettings(commune_id=scope.commune_code)


def reminder_stages(scope: Scope) -> list[ReminderStage]:
    """The commune's reminder stages; the default ones until the commune has its own."""
    stages = list(ReminderStage.objects.filter(commune_id=scope.commune_code).order_by("days"))
    if stages:
        return stages
    from ansinh.insurance.services import DEFAULT_STAGES

    defaults = [
        ReminderStage(
            commune_id=scope.commune_code, code=c, days=d, sms_template=sms, zalo_template=zalo
        )
        for c, d, sms, zalo in DEFAULT_STAGES
    ]
    return sorted(defaults, key=lambda stage: stage.days)


def reminder_stage_get(scope: Scope, pk: int) -> ReminderStage:
    return get_or_404(ReminderStage.objects.filter(commune_id=scope.commune_code), pk)
