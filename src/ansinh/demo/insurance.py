"""Demo health-insurance history for the demo commune.

~20 months of card periods: children under 6 (TE), pupils (HS), employees and pensioners,
poor and near-poor households (HN/CN), elderly on allowance (BT), and household-based cards
(GD) that lapse and renew. Eight months ago the commune started SMS reminders: from then on
households with a mobile phone renew more often and lapsed ones come back sooner, so coverage
rises from about 83% towards 87%, as in the source story. The reminders themselves are created
by replaying the real daily plan (``reminders_plan``) over those eight months.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import F

from ansinh.accounts.scopes import Scope
from ansinh.core.identifiers import is_mobile
from ansinh.core.periods import add_months, age_on
from ansinh.insurance.choices import CardSource, payer_for
from ansinh.insurance.models import Card, CommuneInsuranceSettings
from ansinh.insurance.services import reminders_plan
from ansinh.messaging.models import OutboxMessage
from ansinh.places.models import Commune
from ansinh.poverty.choices import PovertyClass
from ansinh.poverty.selectors import status_on
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Household, Person

HISTORY_MONTHS = 20
REMINDERS_MONTHS = 8


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the 28th at most, so that every month has it)."""
    return add_months(day, months).replace(day=min(day.day, 28))


def _birthday(born: dt.date, years: int) -> dt.date:
    """The ``years``-th birthday; someone born on 29 February has it on 1 March."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


def _card(person: Any, group: str, start: dt.date, end: dt.date, paid: dt.date | None) -> Card:
    return Card(
        person_id=person.pk,
        commune_id=person.commune_id,
        social_insurance_number=f"{72 if person.pk % 5 else 80:02d}{person.pk:08d}"[-10:],
        cccd=person.cccd or "",
        group_code=group,
        payer=payer_for(group),
        valid_from=start,
        valid_to=end,
        paid_on=paid,
        source=CardSource.IMPORTED,
    )


def build_insurance(*, commune: Commune, as_of: dt.date, seed: int = 42) -> dict[str, int]:
    """Long on purpose: the demo's cards and reminders, built in one pass in date order."""
    rng = random.Random(seed + 606)
    start = _add_months(as_of.replace(day=1), -HISTORY_MONTHS)
    reminders_start = _add_months(as_of, -REMINDERS_MONTHS)
    households = list(Household.objects.filter(commune=commune).values_list("pk", "phone"))
    # Poor and near-poor households carry state-paid (HN) and subsidised (CN) cards: the
    # official status from the poverty review when the demo has one, else a sample.
    status = status_on([hid for hid, _ in households], as_of)
    poor = {hid for hid, c in status.items() if c in (PovertyClass.POOR, PovertyClass.NEAR_POOR)}
    near_poor = {hid for hid in poor if status[hid] == PovertyClass.NEAR_POOR}
    if not poor:
        poor = {hid for hid, _ in rng.sample(households, k=min(43, len(households)))}
        near_poor = set(sorted(poor)[:23])
    with_mobile = {hid for hid, phone in households if phone and is_mobile(phone)}
    persons = Person.objects.filter(commune=commune, life_status=LifeStatus.LIVING).only(
        "pk", "household_id", "commune_id", "date_of_birth", "cccd"
    )
    cards: list[Card] = []
    gd_members: dict[int, list[Any]] = {}
    for p in persons.iterator(chunk_size=5000):
        age = age_on(p.date_of_birth, as_of)
        hid = p.household_id
        if p.household_id in poor:
            group = "CN" if hid in near_poor else "HN"
            cards.append(
                _card(p, group, dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31), None)
            )
            cards.append(
                _card(
                    p, group, dt.date(as_of.year - 1, 1, 1), dt.date(as_of.year - 1, 12, 31), None
                )
            )
        elif age < 6:
            if rng.random() < 0.97:
                sixth = _birthday(p.date_of_birth, 6) - dt.timedelta(days=1)
                cards.append(_card(p, "TE", max(p.date_of_birth, start), sixth, None))
        elif 6 <= age <= 18 and rng.random() < 0.93:
            cards += [
                _card(p, "HS", dt.date(year, 1, 1), dt.date(year, 12, 31), None)
                for year in (as_of.year - 1, as_of.year)
            ]
        elif age >= 80 and rng.random() < 0.85:
            cards.append(_card(p, "BT", start, dt.date(as_of.year, 12, 31), None))
        elif 19 <= age <= 55 and rng.random() < 0.24:
            cards.append(_card(p, "DN", start, dt.date(as_of.year + 1, 12, 31), None))
        elif age >= 60 and rng.random() < 0.12:
            cards.append(_card(p, "HT", start, dt.date(as_of.year + 1, 12, 31), None))
        else:
            gd_members.setdefault(hid, []).append(p)
    # Household-based cards: one renewal chain per household, 12-month periods.
    for hid, members in gd_members.items():
        phone = hid in with_mobile
        covered = rng.random() < 0.78
        expiry = start + dt.timedelta(days=rng.randrange(365))
        day = start
        while day <= as_of:
            if covered:
                paid = expiry - dt.timedelta(days=365 + rng.randrange(0, 25))
                begin = expiry - dt.timedelta(days=364)
                cards += [
                    _card(p, "GD", begin, expiry, paid) for p in members if p.date_of_birth <= begin
                ]
                reminded = phone and expiry >= reminders_start
                renew = rng.random() < (0.92 if reminded else 0.83)
                if renew:
                    day, expiry = expiry, expiry + dt.timedelta(days=365)
                    continue
                covered, day = False, expiry + dt.timedelta(days=1)
            else:
                # Lapsed: each month some come back (faster once they are being reminded).
                month_p = 0.06 if phone and day >= reminders_start else 0.03
                day = day + dt.timedelta(days=30)
                if rng.random() < month_p:
                    covered = True
                    expiry = day + dt.timedelta(days=30 + 364)  # valid 30 days after payment
    # Only periods begun by now; the latest chain element may start in the future: drop it.
    cards = [c for c in cards if c.valid_from <= as_of + dt.timedelta(days=30)]
    seen: set[tuple[int, dt.date]] = set()
    unique = []
    for c in cards:
        if (c.person_id, c.valid_from) not in seen:
            seen.add((c.person_id, c.valid_from))
            unique.append(c)
    with transaction.atomic():
        Card.objects.bulk_create(unique, batch_size=5000)
        CommuneInsuranceSettings.objects.update_or_create(
            commune=commune, defaults={"coverage_target_percent": 90, "expiring_days": 30}
        )
    planned = 0
    day = reminders_start
    while day <= as_of:
        planned += reminders_plan(
            scope=Scope.system(commune.code, "demo"), commune=commune, on=day, catch_up_days=0
        ).created
        day += dt.timedelta(days=1)
    _settle_history(as_of, rng)
    return {"cards": len(unique), "reminders": planned}


def _settle_history(as_of: dt.date, rng: random.Random) -> None:
    """Past reminders went out by SMS through the commune's phone: most were delivered,
    a few failed (phone off, wrong number). Today's stay queued for the dispatcher."""
    today = dt.datetime.combine(as_of, dt.time(0, 0)).astimezone()
    past = OutboxMessage.objects.filter(topic="bhyt-reminder", not_before__lt=today)
    ids = list(past.values_list("pk", flat=True))
    failed = set(rng.sample(ids, k=len(ids) // 30)) if ids else set()
    sent_only = set(rng.sample(ids, k=len(ids) // 12)) if ids else set()
    past.filter(pk__in=failed).update(
        state="failed",
        sent_via="sms",
        provider="android_sms_gateway",
        attempts=2,
        last_error="Failed: RESULT_ERROR_GENERIC_FAILURE",
        failed_at=F("not_before"),
    )
    past.filter(pk__in=sent_only - failed).update(
        state="sent",
        sent_via="sms",
        provider="android_sms_gateway",
        attempts=1,
        sent_at=F("not_before"),
    )
    past.exclude(pk__in=failed | sent_only).update(
        state="delivered",
        sent_via="sms",
        provider="android_sms_gateway",
        attempts=1,
        sent_at=F("not_before"),
        delivered_at=F("not_before"),
    )
