"""Writes for health insurance: commune settings, reminder stages and the daily reminder plan.

The reminder stages (their SMS and Zalo templates, checked against the longest household
head's name) and the commune's insurance settings are edited here, and :func:`reminders_plan`
creates each day's reminders and their outbox messages. Card writes live in
:mod:`ansinh.insurance.cards` and are re-exported here (``card_register``, ``card_update``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.money import format_vnd
from ansinh.insurance.cards import CARD_FIELDS, _ensure_officer, card_register, card_update
from ansinh.insurance.models import Card, CommuneInsuranceSettings, Reminder, ReminderStage
from ansinh.insurance.selectors import REMINDED, household_contribution, known_on, who_pays
from ansinh.messaging.choices import Channel
from ansinh.messaging.services import messages_enqueue_bulk
from ansinh.messaging.sms import sms_parts, to_gsm_text
from ansinh.places.models import Commune
from ansinh.registry.choices import LifeStatus, Relationship
from ansinh.registry.models import Person
from ansinh.registry.selectors import HouseholdContact, household_contacts

VN = ZoneInfo("Asia/Ho_Chi_Minh")


# --- reminder stages ------------------------------------------------------------------

DEFAULT_STAGES: list[tuple[str, int, str, str]] = [
    (
        "truoc_30",
        -30,
        (
            "{xa}: the BHYT cua {so_nguoi} nguoi trong ho {chu_ho} het han {ngay}. "
            "Muc dong 12 thang: {muc_dong}. Xin gia han som."
        ),
        (
            "{xa_dau} thông báo: thẻ BHYT của {so_nguoi} người trong hộ {chu_ho_dau} sẽ hết hạn "
            "ngày {ngay}. Mức đóng BHYT hộ gia đình 12 tháng: {muc_dong}. Vui lòng gia hạn "
            "trước ngày hết hạn để không bị gián đoạn quyền lợi."
        ),
    ),
    (
        "truoc_15",
        -15,
        (
            "{xa}: the BHYT cua {so_nguoi} nguoi trong ho {chu_ho} het han {ngay}. "
            "Con 15 ngay, xin gia han de khong gian doan."
        ),
        (
            "{xa_dau} nhắc: thẻ BHYT của {so_nguoi} người trong hộ {chu_ho_dau} hết hạn ngày "
            "{ngay} (còn 15 ngày). Mức đóng 12 tháng: {muc_dong}."
        ),
    ),
    (
        "truoc_3",
        -3,
        (
            "{xa}: the BHYT ho {chu_ho} het han {ngay}. Gia han truoc ngay nay de khong bi "
            "cho 30 ngay moi co hieu luc."
        ),
        (
            "{xa_dau}: thẻ BHYT của hộ {chu_ho_dau} hết hạn ngày {ngay}. Gia hạn ngay để thẻ "
            "mới có giá trị liên tục."
        ),
    ),
    (
        "sau_7",
        7,
        (
            "{xa}: the BHYT ho {chu_ho} da het han {ngay}. Gia han trong 3 thang de duoc "
            "lien tuc; muc dong 12 thang: {muc_dong}."
        ),
        (
            "{xa_dau}: thẻ BHYT của hộ {chu_ho_dau} đã hết hạn ngày {ngay}. Gia hạn trong 3 "
            "tháng để quyền lợi liên tục. Mức đóng 12 tháng: {muc_dong}."
        ),
    ),
    (
        "sau_45",
        45,
        (
            "{xa}: the BHYT ho {chu_ho} het han tu {ngay}. Qua 3 thang the moi phai cho 30 "
            "ngay. Xin gia han ngay."
        ),
        (
            "{xa_dau}: thẻ BHYT của hộ {chu_ho_dau} đã hết hạn từ {ngay}. Sau 3 tháng, thẻ mới "
            "phải chờ 30 ngày mới có giá trị. Vui lòng gia hạn ngay."
        ),
    ),
]

# A long name for checking templates when the commune has no longer one.
LONGEST_NAME_FOR_CHECK = "Nguyễn Thị Bích Phượng"
SAMPLE_AMOUNT = 3_535_920


def render(template: str, context: dict[str, str]) -> str:
    return template.format(**context)


def message_context(
    commune: Commune, head: str, people: int, expiry: dt.date, amount: int, *, zalo: bool
) -> dict[str, str]:
    """Template fields: SMS without diacritics and "1.263.600d"; Zalo as written."""
    money = format_vnd(amount)
    return {
        "xa": to_gsm_text(commune.name),
        "xa_dau": commune.name,
        "chu_ho": to_gsm_text(head).upper(),
        "chu_ho_dau": head,
        "so_nguoi": str(people),
        "ngay": expiry.strftime("%d/%m/%Y"),
        "muc_dong": money if zalo else money.replace(" đ", "d"),
    }


def sample_context(
    commune: Commune, head_name: str = LONGEST_NAME_FOR_CHECK, *, zalo: bool = False
) -> dict[str, str]:
    return message_context(commune, head_name, 4, dt.date(2026, 12, 31), SAMPLE_AMOUNT, zalo=zalo)


def check_sms_template(template: str, commune: Commune, longest_head: str) -> None:
    """An SMS template must give one GSM-7 part (160 characters) with real names."""
    try:
        text = render(template, sample_context(commune, longest_head))
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(
            {"sms_template": [_("Unknown field in the template: %(field)s") % {"field": exc}]}
        ) from exc
    encoding, parts = sms_parts(text)
    if encoding != "gsm7":
        raise ValidationError({"sms_template": [_("Write the SMS without diacritics.")]})
    if parts > 1:
        raise ValidationError(
            {
                "sms_template": [
                    _(
                        "With the longest head-of-household name (%(name)s) the SMS has "
                        "%(length)s characters; one SMS holds 160."
                    )
                    % {"name": longest_head, "length": len(text)}
                ]
            }
        )


def longest_head_name(commune: Commune) -> str:
    names = Person.objects.filter(
        commune=commune, relationship=Relationship.HEAD, life_status=LifeStatus.LIVING
    ).values_list("full_name", flat=True)
    longest = max(names.iterator(), key=lambda n: len(to_gsm_text(n)), default="")
    if len(to_gsm_text(longest)) > len(to_gsm_text(LONGEST_NAME_FOR_CHECK)):
        return longest
    return LONGEST_NAME_FOR_CHECK


SETTINGS_FIELDS = ["coverage_target_percent", "expiring_days"]


@transaction.atomic
def insurance_settings_update(
    *, scope: Scope, coverage_target_percent: Decimal | None, expiring_days: int
) -> CommuneInsuranceSettings:
    """The commune's coverage target and how many days ahead counts as "expiring"."""
    _ensure_officer(scope, scope.commune_code)
    conf = CommuneInsuranceSettings.objects.filter(
        commune_id=scope.commune_code
    ).first() or CommuneInsuranceSettings(commune_id=scope.commune_code)
    with audit.tracked(scope, conf, SETTINGS_FIELDS, commune_code=scope.commune_code):
        conf.coverage_target_percent = coverage_target_percent
        conf.expiring_days = expiring_days
        conf.save()
    return conf


STAGE_FIELDS = ["code", "days", "sms_template", "zalo_template"]


@transaction.atomic
def stages_keep_defaults(*, scope: Scope) -> list[ReminderStage]:
    """The officer keeps the default stages, to edit their texts (audited)."""
    _ensure_officer(scope, scope.commune_code)
    commune = Commune.objects.get(code=scope.commune_code)
    before = set(ReminderStage.objects.filter(commune=commune).values_list("code", flat=True))
    stages = stages_ensure_defaults(commune=commune)
    for stage in stages:
        if stage.code not in before:
            audit.created(scope, stage, STAGE_FIELDS, commune_code=scope.commune_code)
    return stages


@transaction.atomic
def stages_ensure_defaults(*, commune: Commune) -> list[ReminderStage]:
    for code, days, sms, zalo in DEFAULT_STAGES:
        ReminderStage.objects.get_or_create(
            commune=commune,
            code=code,
            defaults={"days": days, "sms_template": sms, "zalo_template": zalo},
        )
    return list(ReminderStage.objects.filter(commune=commune, is_active=True))


@transaction.atomic
def stage_update(
    *, scope: Scope, stage: ReminderStage, sms_template: str, zalo_template: str, is_active: bool
) -> ReminderStage:
    _ensure_officer(scope, stage.commune_id)
    check_sms_template(sms_template, stage.commune, longest_head_name(stage.commune))
    fields = ["sms_template", "zalo_template", "is_active"]
    with audit.tracked(scope, stage, fields, commune_code=stage.commune_id):
        stage.sms_template = sms_template.strip()
        stage.zalo_template = zalo_template.strip()
        stage.is_active = is_active
        stage.save()
    return stage


# --- the daily plan -------------------------------------------------------------------


@dataclass
class PlanReport:
    on: dt.date
    due_households: int = 0
    created: int = 0
    already_planned: int = 0
    no_phone: int = 0
    nothing_to_pay: int = 0  # only state-paid or school-paid cards expire: not reminded
    by_stage: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DueGroup:
    household_id: int
    expiry: dt.date
    person_ids: tuple[int, ...]  # the members whose card expires that day, not renewed


def _due_groups(
    commune: Commune, stage: ReminderStage, on: dt.date, catch_up_days: int
) -> list[DueGroup]:
    """Households and expiry dates whose members' latest card expires in the stage's window."""
    last = on - dt.timedelta(days=stage.days)
    first = last - dt.timedelta(days=max(0, catch_up_days))
    # Renewed: a later period already known on that day, i.e. paid by then (a replay or a
    # back-filled import must not count a payment that happened afterwards) — the same
    # rule as the status on the people and household pages.
    renewed = Card.objects.filter(
        known_on(on), person_id=OuterRef("person_id"), valid_to__gt=OuterRef("valid_to")
    )
    rows = (
        Card.objects.filter(commune=commune, valid_to__gte=first, valid_to__lte=last)
        .filter(REMINDED)
        .filter(Q(person__life_status=LifeStatus.LIVING) | Q(person__status_date__gt=on))
        .exclude(Exists(renewed))
        .values_list("person__household_id", "valid_to", "person_id")
        .order_by("person__household_id", "valid_to", "person_id")
    )
    groups: dict[tuple[int, dt.date], set[int]] = {}
    for hid, expiry, pid in rows:
        groups.setdefault((hid, expiry), set()).add(pid)
    return [DueGroup(hid, expiry, tuple(sorted(ids))) for (hid, expiry), ids in groups.items()]


def _renewal_amounts(
    commune: Commune, groups: list[DueGroup], on: dt.date
) -> dict[tuple[int, dt.date], int]:
    """What renewing the expiring cards of each group costs for 12 months: the household
    ladder for the members who pay through the household when the new card would start,
    plus the own share of near-poor or farming-household members (children under 6 and
    pupils are paid for elsewhere). Rates in force on ``on``, the day of the reminder."""
    by_day: dict[dt.date, list[DueGroup]] = {}
    for g in groups:
        by_day.setdefault(max(on, g.expiry + dt.timedelta(days=1)), []).append(g)
    persons = Person.objects.only("pk", "household_id", "date_of_birth").in_bulk(
        {pid for g in groups for pid in g.person_ids}
    )
    out = {}
    for day, day_groups in by_day.items():
        who = who_pays([persons[pid] for g in day_groups for pid in g.person_ids], day)
        for g in day_groups:
            out[g.household_id, g.expiry] = household_contribution(
                [persons[pid] for pid in g.person_ids],
                day,
                12,
                priced_on=on,
                province=commune.province_id,
                who=who,
            ).total
    return out


def _reminder(
    commune: Commune,
    stage: ReminderStage,
    group: DueGroup,
    contact: HouseholdContact,
    *,
    on: dt.date,
    amount: int,
    channel: str,
    by: User | None,
) -> tuple[Reminder, dict[str, Any]]:
    """One household's reminder of ``stage`` and its outbox message (as
    :func:`messages_enqueue_bulk` takes it): SMS and Zalo texts, sent from 8:00 on ``on``
    until the card expires (before expiry) or a week later (after)."""
    hid, expiry, people = group.household_id, group.expiry, len(group.person_ids)
    phone, head, village_id = contact.phone, contact.head, contact.village_id
    context = message_context(commune, head, people, expiry, amount, zalo=False)
    zalo_context = message_context(commune, head, people, expiry, amount, zalo=True)
    key = f"bhyt:{hid}:{expiry.isoformat()}:{stage.code}"
    ttl = expiry if stage.days < 0 else on + dt.timedelta(days=7)
    reminder = Reminder(
        household_id=hid,
        commune=commune,
        village_id=village_id,
        stage=stage,
        expiry=expiry,
        planned_for=on,
        people=people,
        phone=phone,
        message_key=key,
        created_by=by,
    )
    message = {
        "key": key,
        "to": phone,
        "channel": channel,
        "sms_text": render(stage.sms_template, context),
        "zalo_template": stage.code,
        "zalo_data": {"text": render(stage.zalo_template or "", zalo_context)},
        "topic": "bhyt-reminder",
        "commune_code": commune.code,
        "not_before": dt.datetime.combine(on, dt.time(8, 0), tzinfo=VN),
        "expires_at": dt.datetime.combine(ttl, dt.time(20, 0), tzinfo=VN),
    }
    return reminder, message


def reminders_plan(
    *,
    commune: Commune,
    on: dt.date,
    scope: Scope,
    catch_up_days: int = 2,
    channel: str = Channel.SMS,
) -> PlanReport:
    """Create the reminders due on ``on`` and their outbox messages. Idempotent: running it
    again (or concurrently) creates nothing twice (unique reminder and message keys)."""
    report = PlanReport(on=on)
    stages = stages_ensure_defaults(commune=commune)
    for stage in stages:
        groups = _due_groups(commune, stage, on, catch_up_days)
        report.due_households += len(groups)
        existing = set(
            Reminder.objects.filter(
                stage=stage, household_id__in=[g.household_id for g in groups]
            ).values_list("household_id", "expiry")
        )
        contacts = household_contacts(scope, (g.household_id for g in groups))
        new = [g for g in groups if (g.household_id, g.expiry) not in existing]
        amounts = _renewal_amounts(commune, new, on)
        reminders, messages = [], []
        for g in groups:
            if (g.household_id, g.expiry) in existing:
                report.already_planned += 1
                continue
            amount = amounts[g.household_id, g.expiry]
            if not amount:
                report.nothing_to_pay += 1
                continue
            contact = contacts.get(g.household_id)
            if contact is None or not contact.phone:  # no mobile phone
                report.no_phone += 1
                continue
            reminder, message = _reminder(
                commune, stage, g, contact, on=on, amount=amount, channel=channel, by=scope.user
            )
            reminders.append(reminder)
            messages.append(message)
        if not reminders:
            continue
        with transaction.atomic():
            Reminder.objects.bulk_create(reminders, batch_size=2000, ignore_conflicts=True)
            created = messages_enqueue_bulk(messages)
        report.created += created
        report.by_stage[stage.code] = report.by_stage.get(stage.code, 0) + created
    return report


__all__ = [
    "CARD_FIELDS",
    "PlanReport",
    "card_register",
    "card_update",
    "check_sms_template",
    "reminders_plan",
    "stage_update",
    "stages_ensure_defaults",
]
