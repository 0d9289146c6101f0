"""Demo data of the poverty review: last year's completed annual round (reported to the
province, then decided: the decision made the official statuses: 43 poor and near-poor
households, 0.91% of ~4,700, as in the source story), this year's annual round in progress
(with Form 01 requests and a Form 04 request, each with its member table) and a regular
(monthly) round with a village meeting held.

This year's annual round is for the following year: from 2027 the standard's thresholds are
not in the policy note; the demo enters illustrative ones through the policy page's services
(``demo/policy.py``), so the surveyed households are classified, every explanation marked
"GIÁ TRỊ MINH HỌA – không phải văn bản pháp luật"; the average-living band stays missing.
The regular round of the month, under the standard in force, shows surveys, approvals and a
village meeting.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.demo.policy import build_policy
from ansinh.places.models import Commune, Village
from ansinh.poverty import services
from ansinh.poverty.choices import (
    CommitteeRole,
    EntryStatus,
    ListReason,
    MemberStatus,
    RoundKind,
    RoundStatus,
)
from ansinh.poverty.classification import classify_answers, classify_many
from ansinh.poverty.models import (
    Posting,
    PovertyStatusPeriod,
    ReviewRound,
    RoundHousehold,
    VillageMeeting,
)
from ansinh.registry.choices import HouseholdStatus as RegistryStatus
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Household, Person

# (class before, class after, households for a commune of ~4,700): 16 poor + 27 near-poor.
OUTCOMES = [
    ("poor", "poor", 12),
    ("poor", "near_poor", 5),
    ("poor", "not_poor", 3),
    ("near_poor", "poor", 2),
    ("near_poor", "near_poor", 18),
    ("near_poor", "not_poor", 10),
    ("not_poor", "poor", 2),
    ("not_poor", "near_poor", 4),
    ("not_poor", "not_poor", 2),
]
TARGET = 43
REQUEST_REASONS = [
    "Chồng mất sức lao động, con nhỏ đi học",
    "Mất mùa, nợ vay vốn sản xuất",
    "Nhà dột nát sau mưa bão",
    "Chủ hộ bệnh nặng dài ngày",
    "Hộ có việc làm ổn định, xin ra khỏi danh sách",
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _as(user: User | None, commune: Commune) -> Scope:
    """The demo acts as its users, or as the system when there is none."""
    return scope_for(user) if user is not None else Scope.system(commune.code, "demo")


def _answers(
    members: list[Person], target: str, on: dt.date, insured: bool = True
) -> dict[str, Any]:
    """Survey answers that describe a household of class ``target``."""
    people: dict[str, Any] = {}
    registry: dict[str, Any] = {}
    for p in members:
        age = on.year - p.date_of_birth.year
        key = str(p.pk)
        registry[key] = {"date_of_birth": p.date_of_birth.isoformat(), "sex": p.sex}
        people[key] = {
            "full_name": p.full_name,
            **registry[key],
            "health_insurance": insured and target != "poor",
            "work": "self_employed" if 16 <= age < 60 else "not_working",
            "studying": 3 <= age < 18,
            "qualification": "upper_secondary" if age >= 18 else "primary",
            "malnourished": False,
            "disability": "none",
            "monthly_allowance": False,
        }
    poor = target == "poor"
    return {
        "a": {"screened_out": False, "note": ""},
        "b1": {
            "route": "income",
            "income_per_capita": {"poor": 1_100_000, "near_poor": 1_350_000}.get(target, 3_500_000),
            "b1_score": None,
        },
        "b2": {
            "house_type": "makeshift" if poor else "durable",
            "floor_area_m2": 60.0,
            "safe_water": not poor,
            "hygienic_latrine": target not in ("poor", "near_poor"),
            "internet": True,
            "info_assets": True,
            "waste_treatment": True,
        },
        "members": people,
        "registry": registry,
        "notes": {},
    }


def _members(ids: list[int], born_by: dt.date) -> dict[int, list[Person]]:
    """Living members born by ``born_by`` (the demo's past rounds did not know the babies
    born since)."""
    out: dict[int, list[Person]] = {i: [] for i in ids}
    for p in Person.objects.filter(
        household_id__in=ids, life_status=LifeStatus.LIVING, date_of_birth__lte=born_by
    ).order_by("date_of_birth"):
        out[p.household_id].append(p)
    return out


def _request_statuses(household_id: int, on: dt.date, rng: random.Random) -> dict[str, str]:
    """The member table of a request (Form 01/04): every living member working, not working
    or studying, by age (a quarter of the working-age members without work)."""
    out: dict[str, str] = {}
    for p in Person.objects.filter(
        household_id=household_id, life_status=LifeStatus.LIVING
    ).order_by("date_of_birth", "pk"):
        age = on.year - p.date_of_birth.year
        if 6 <= age < 18:
            status = MemberStatus.STUDYING
        elif 18 <= age < 60 and rng.random() >= 0.25:
            status = MemberStatus.WORKING
        else:
            status = MemberStatus.NOT_WORKING
        out[str(p.pk)] = status.value
    return out


def _set_result(entry: RoundHousehold, res: Any) -> None:
    entry.result_class = res.result_class
    entry.flags = res.flags
    entry.deprived_count = res.deprived_count
    entry.explanation = res.explanation
    entry.explanation_text = res.text
    entry.parameter_versions = res.versions
    entry.problem = res.problem or (("Còn thiếu: " + "; ".join(res.missing)) if res.missing else "")


@transaction.atomic
def build_poverty(*, commune: Commune, as_of: dt.date, seed: int = 42) -> dict[str, Any]:
    """Build the demo's poverty review; does nothing if the commune has rounds already.

    Long on purpose: the demo's review rounds, told step by step as Decision 24 orders them.
    """
    if ReviewRound.objects.filter(commune=commune).exists():
        return {"skipped": True}
    build_policy(commune=commune)  # the illustrative 2027 thresholds the current round uses
    rng = random.Random(seed + 2021)
    system = Scope.system(commune.code, "demo")
    officer, chair = _user("canbo"), _user("phochutich")
    heads = {u.username: u for u in User.objects.filter(username__in=["truongap1", "truongap2"])}
    villages = list(Village.objects.filter(commune=commune, is_active=True).order_by("code"))
    by_code = {v.code: v for v in villages}
    candidates = list(
        Household.objects.filter(
            commune=commune, status=RegistryStatus.ACTIVE, members__life_status=LifeStatus.LIVING
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", "village_id", "code")
    )
    if not candidates:
        return {"skipped": True}
    scale = max(len(candidates) * 0.00915, 3) / TARGET
    plan: list[tuple[str, str]] = []
    for before, after, n in OUTCOMES:
        plan += [(before, after)] * max(1 if n >= 5 else 0, round(n * scale))
    chosen = rng.sample(candidates, k=min(len(plan) + 12, len(candidates)))
    last_year = as_of.year - 1
    village_of = {pk: v for pk, v, _ in chosen}

    # official statuses before last year's round
    prior = dict(zip([pk for pk, _, _ in chosen], plan, strict=False))
    PovertyStatusPeriod.objects.bulk_create(
        PovertyStatusPeriod(
            household_id=pk,
            poverty_class=before,
            valid_from=dt.date(last_year, 1, 1),
            basis=f"Quyết định công nhận kết quả rà soát năm {last_year - 1}",
        )
        for pk, (before, _after) in prior.items()
        if before != "not_poor"
    )

    # --- last year's annual round, completed --------------------------------------------
    rnd = services.round_open(
        scope=system,
        commune=commune,
        kind=RoundKind.ANNUAL,
        year=last_year,
        as_of=dt.date(last_year, 9, 1),
        plan_escape_target=max(1, round(2 * scale)),
    )
    _committee(rnd, officer, chair, heads, by_code)
    for pk, (before, _after) in prior.items():
        if before == "not_poor":
            RoundHousehold.objects.create(
                round=rnd,
                household_id=pk,
                village_id=village_of[pk],
                reason=ListReason.REQUEST,
                reason_note=rng.choice(REQUEST_REASONS[:4]),
                request_date=dt.date(last_year, 9, rng.randrange(5, 25)),
                previous_class="not_poor",
            )
    entries = list(rnd.entries.all())
    standard = rnd.standard_date
    members = _members([e.household_id for e in entries], dt.date(last_year, 10, 1))
    items = [
        (str(e.pk), "rural", _answers(members[e.household_id], prior[e.household_id][1], standard))
        for e in entries
    ]
    results = classify_many(items, standard)
    meetings: dict[int, VillageMeeting] = {}
    for e, (_code, _area, answers) in zip(entries, items, strict=True):
        village = e.village_id
        if village not in meetings:
            attendees = rng.randrange(25, 60)
            meetings[village] = VillageMeeting.objects.create(
                round=rnd,
                village_id=village,
                held_on=dt.date(last_year, 11, rng.randrange(3, 12)),
                attendees=attendees,
                chair="Trưởng ấp",
                secretary="Chi hội phụ nữ",
                recorded_by=officer,
            )
        m = meetings[village]
        e.answers = answers
        _set_result(e, results[str(e.pk)])
        e.status = EntryStatus.AGREED
        e.surveyors = [officer.pk] if officer else []
        e.surveyed_by = officer
        e.surveyed_at = timezone.now()
        e.approved_by = chair
        e.approved_at = timezone.now()
        e.meeting = m
        e.agree_count = rng.randrange((m.attendees + 1) // 2 + 1, m.attendees + 1)
    RoundHousehold.objects.bulk_update(
        entries,
        [
            "answers",
            "result_class",
            "flags",
            "deprived_count",
            "explanation",
            "explanation_text",
            "parameter_versions",
            "problem",
            "status",
            "surveyors",
            "surveyed_by",
            "surveyed_at",
            "approved_by",
            "approved_at",
            "meeting",
            "agree_count",
        ],
    )
    for village in meetings:
        posted = dt.date(last_year, 11, 16)
        Posting.objects.create(
            round=rnd,
            village_id=village,
            posted_on=posted,
            until=posted + dt.timedelta(days=rnd.posting_days),
            recorded_by=officer,
        )
    ReviewRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.POSTING)
    rnd.refresh_from_db()
    decision_number = rng.randrange(120, 260)
    # step 5: the official results reported to the province before the decision
    rnd = services.report_record(
        scope=system,
        rnd=rnd,
        number=f"{decision_number - 7}/BC-UBND",
        reported_on=dt.date(last_year, 12, 12),
        recipient=services.default_report_recipient(commune),
    )
    counts = services.round_decide(
        scope=system,
        rnd=rnd,
        number=f"{decision_number}/QĐ-UBND",
        signed_on=dt.date(last_year, 12, 20),
        effective_date=dt.date(last_year + 1, 1, 1),
    )
    if last_year + 1 == as_of.year:
        ReviewRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.CLOSED)

    # --- this year's annual round, in progress ----------------------------------------
    current = services.round_open(
        scope=system,
        commune=commune,
        kind=RoundKind.ANNUAL,
        year=as_of.year,
        as_of=as_of,
        plan_escape_target=max(1, round(3 * scale)),
    )
    _committee(current, officer, chair, heads, by_code)
    # three requests (Form 01) with their member tables, and one Form 04 request from a
    # household on the current list (a separate generator keeps the rest of the demo as it was)
    status_rng = random.Random(seed + 2024)
    spare = [c for c in chosen if c[0] not in prior][:3]
    households = Household.objects.in_bulk([pk for pk, _v, _c in spare])
    for pk, _village, _code in spare:
        note = rng.choice(REQUEST_REASONS[:4])
        services.household_add(
            scope=system,
            rnd=current,
            household=households[pk],
            reason=ListReason.REQUEST,
            note=note,
            request_date=as_of - dt.timedelta(days=rng.randrange(20, 60)),
            members=_request_statuses(pk, as_of, status_rng),
        )
    escaping = (
        current.entries.filter(reason__in=[ListReason.CURRENT_POOR, ListReason.CURRENT_NEAR_POOR])
        .order_by("household__code")
        .first()
    )
    if escaping is not None:
        statuses = _request_statuses(escaping.household_id, as_of, status_rng)
        escaping.reason = ListReason.ESCAPE_REQUEST
        escaping.reason_note = REQUEST_REASONS[4]
        escaping.request_date = as_of - dt.timedelta(days=15)
        escaping.request_members = services.validate_request_members(
            escaping.household, statuses, complete=True
        )
        escaping.save(update_fields=["reason", "reason_note", "request_date", "request_members"])
    entries = list(current.entries.select_related("household__village"))
    members = _members([e.household_id for e in entries], as_of)
    surveyed_villages = {v.pk for v in villages[: max(1, len(villages) // 2)]}
    surveyed = 0
    for e in entries:
        if e.village_id not in surveyed_villages or rng.random() < 0.3:
            continue
        target = rng.choice(["poor", "near_poor", "near_poor", "not_poor"])
        e.answers = _answers(members[e.household_id], target, current.standard_date)
        res = classify_answers(
            e.household.code, e.household.area_type, e.answers, current.standard_date
        )
        _set_result(e, res)
        e.status = EntryStatus.SURVEYED
        e.surveyors = [officer.pk] if officer else []
        e.surveyed_by = officer
        e.surveyed_at = timezone.now()
        e.save()
        surveyed += 1
    if surveyed:
        ReviewRound.objects.filter(pk=current.pk).update(status=RoundStatus.SURVEYING)

    # --- the regular review of the month, with a village meeting ----------------------
    month_start = as_of if as_of.day >= 15 else (as_of.replace(day=1) - dt.timedelta(days=1))
    regular = services.round_open(
        scope=system,
        commune=commune,
        kind=RoundKind.REGULAR,
        year=month_start.year,
        month=month_start.month,
    )
    taken = {pk for pk, _, _ in chosen}
    first_village = villages[0].pk if villages else None
    requests = [c for c in candidates if c[0] not in taken and c[1] == first_village][:3]
    requests += [c for c in candidates if c[0] not in taken and c[1] != first_village][:1]
    members = _members([pk for pk, _, _ in requests], regular.standard_date)
    approved = []
    for i, (pk, village, code) in enumerate(requests):
        target = ["poor", "near_poor", "not_poor", "near_poor"][i % 4]
        e = RoundHousehold.objects.create(
            round=regular,
            household_id=pk,
            village_id=village,
            reason=ListReason.REQUEST,
            reason_note=REQUEST_REASONS[i % 4],
            previous_class="not_poor",
            request_date=regular.start,
            request_members=_request_statuses(pk, regular.start, status_rng),
        )
        e.answers = _answers(members[pk], target, regular.standard_date)
        _set_result(e, classify_answers(code, "rural", e.answers, regular.standard_date))
        e.status = EntryStatus.SURVEYED
        head = heads.get("truongap1") if village == by_code.get("TD", villages[0]).pk else None
        who = head or officer
        e.surveyors = [who.pk] if who else []
        e.surveyed_by = head or officer
        e.surveyed_at = timezone.now()
        if i < 3 and e.result_class:
            e.status = EntryStatus.APPROVED
            e.approved_by = chair
            e.approved_at = timezone.now()
            if village == first_village:
                approved.append(e)
        e.save()
    if approved and villages and officer:
        services.meeting_record(
            scope=_as(officer, commune),
            rnd=regular,
            village=villages[0],
            held_on=min(as_of, regular.start + dt.timedelta(days=5)),
            attendees=32,
            # the first household convinces only 12 of 32: back to survey (the 50% rule)
            agreements={e.pk: 20 if n else 12 for n, e in enumerate(approved)},
            chair="Trưởng ấp",
            secretary="Bí thư chi bộ ấp",
        )
    return {
        "last_round": rnd.pk,
        "decided": counts,
        "current_round": current.pk,
        "current_listed": current.entries.count(),
        "current_surveyed": surveyed,
        "regular_round": regular.pk,
        "poor_and_near_poor": PovertyStatusPeriod.objects.filter(
            household__commune=commune,
            valid_to__isnull=True,
            poverty_class__in=["poor", "near_poor"],
        ).count(),
    }


def _committee(
    rnd: ReviewRound,
    officer: User | None,
    chair: User | None,
    heads: dict[str, User],
    by_code: dict[str, Village],
) -> None:
    system = Scope.system(rnd.commune_id, "demo")
    if chair:
        services.committee_set(scope=system, rnd=rnd, user=chair, role=CommitteeRole.HEAD)
    if officer:
        services.committee_set(scope=system, rnd=rnd, user=officer, role=CommitteeRole.MEMBER)
    for username, code in (("truongap1", "TD"), ("truongap2", "DH")):
        if username in heads and code in by_code:
            services.committee_set(
                scope=system,
                rnd=rnd,
                user=heads[username],
                role=CommitteeRole.VILLAGE_HEAD,
                villages=[by_code[code]],
            )
