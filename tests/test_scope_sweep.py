"""Scopes proved by enumeration (issue 10, item 2; ADR 0001).

Every URL pattern of the project (walked from ``get_resolver()``) and every operation of the
API (walked from the OpenAPI schema) is requested in a small world of two communes, as

1. the village head of ấp Tân Đông, with the ids of the other village's and the other
   commune's objects;
2. the auditor of commune A, trying to *write* (every URL by POST, every API write): nothing
   may change in the database except the rows that only log the attempt;
3. the officer of commune B, with the ids of commune A's objects;
4. an anonymous client: every page sends to the sign-in page (or 401/403/404/405), the API
   answers 401, except the public endpoints listed in ``PUBLIC``.

Every response is decoded by type (HTML, JSON, CSV, XML as text; PDF with pypdf; XLSX with
openpyxl) and searched for the *markers* of every person outside the requester's scope: the
full name and household address (compared folded, without diacritics), the CCCD, the phone
(in any of the forms the app prints: "0980 540 561", "+84980540561" …) and the bank account
number. No response may be a 500, and an object outside the scope must answer exactly like an
object that does not exist (a 404, never a 403 that reveals it).

All problems are collected and listed in one assertion message; ``pytest -s`` prints the number
of requests per role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import itertools
import json
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, StringConverter
from openpyxl import load_workbook
from pypdf import PdfReader

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.api.api import api
from ansinh.assistance import payroll as pr
from ansinh.assistance import services as assistance
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.coordination import services as coordination
from ansinh.coordination.meetings import services as meetings
from ansinh.coordination.meetings.models import AgendaEntry, Meeting
from ansinh.coordination.models import Item as CoordinationItem
from ansinh.coordination.models import Photo as CoordinationPhoto
from ansinh.core.text import fold
from ansinh.core.web import IdConverter
from ansinh.imports.models import ImportJob
from ansinh.insurance import services as insurance
from ansinh.insurance.models import Card, CommuneInsuranceSettings, ReminderStage
from ansinh.messaging import services as messaging
from ansinh.messaging.models import OutboxMessage
from ansinh.outreach import services as outreach
from ansinh.outreach.models import Broadcast, Leaflet
from ansinh.places.models import Commune, Village
from ansinh.poverty import services as poverty
from ansinh.poverty.choices import ListReason, PovertyClass
from ansinh.poverty.models import (
    Posting,
    PovertyStatusPeriod,
    ReviewRound,
    RoundHousehold,
    VillageMeeting,
)
from ansinh.poverty.views.documents import EXPORTS as POVERTY_EXPORTS
from ansinh.registry import services as registry
from ansinh.registry.models import ChangeProposal, Household, Person
from tests import factories as f
from tests.coordination.conftest import phone_photo
from tests.poverty.conftest import RECIPIENT

pytestmark = [
    pytest.mark.django_db,
    # The scopes are ORM filters, the same SQL on both backends; on PostgreSQL the write check
    # (a digest of every table after each request) turns the ~70 s sweep into a quarter of an
    # hour of CI. The hand-written scope tests (tests/registry/test_scopes.py and each app's)
    # run on both databases.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the generated sweep runs on SQLite (same ORM filters on PostgreSQL)",
    ),
]

D = dt.date
TODAY = D(2026, 11, 28)  # the day the world is built "as of" (the poverty tests' day)
COMMUNE_A = f.TAN_DONG  # Xã Tân Đông, Tây Ninh
COMMUNE_B = 28468  # Xã Tân Phú, Đồng Tháp: a commune of another province
MISSING = 10**9  # an id that exists in no table (fits the <id:pk> converter)
JUNK = "khong-co"  # a value no str parameter accepts
#: Each account's full name and phone (markers: only the own commune's officer sees them).
ACCOUNTS = {
    "officer_a": ("Tài Khoản Xuân", "+84911000101"),
    "committee_a": ("Tài Khoản Hạ", "+84911000202"),
    "auditor_a": ("Tài Khoản Thu", "+84911000303"),
    "head_td": ("Tài Khoản Lập", "+84911000404"),
    "officer_b": ("Tài Khoản Tuyết", "+84911000505"),
    "committee_b": ("Tài Khoản Lộ", "+84911000606"),
}
#: What a visitor would send to take over an installation already set up (commune B, which
#: is in use, and a new officer): the set-up page must not exist any more.
SETUP_TAKEOVER = {
    "q": "tan phu",
    "commune": str(COMMUNE_B),
    "villages": "Ấp Chiếm Quyền",
    "username": "chiemquyen",
    "password": "Mat-khau-moi-2026",
    "password_again": "Mat-khau-moi-2026",
}

# --- the world ---------------------------------------------------------------------------------

# Given names of the people (and the alleys of their addresses): all distinct once folded, and
# no folded word is a prefix of another, so a marker cannot be found inside another one.
WORDS = [
    "Một",
    "Hai",
    "Bốn",
    "Năm",
    "Sáu",
    "Bảy",
    "Tám",
    "Chín",
    "Mười",
    "Giáp",
    "Bính",
    "Đinh",
    "Mậu",
    "Kỷ",
    "Canh",
    "Nhâm",
    "Quý",
    "Sửu",
    "Ngọ",
    "Tuất",
    "Hợi",
    "Dần",
    "Mão",
    "Thìn",
    "Mùi",
    "Dậu",
]
_word = iter(WORDS)
_number = itertools.count(11)


@dataclass
class PersonSpec:
    surname: str
    dob: D
    sex: str
    relationship: str
    with_cccd: bool = True
    word: str = field(default_factory=lambda: next(_word))
    n: int = field(default_factory=lambda: next(_number))

    @property
    def full_name(self) -> str:
        return f"{self.surname} Bí Mật {self.word}"

    @property
    def phone(self) -> str:  # a Viettel mobile, unique: 0980 540 561 style
        return f"098{self.n:02d}4{self.n:02d}6{self.n % 10}"

    @property
    def account(self) -> str:
        return f"7{self.n:02d}31{self.n:02d}5{self.n:02d}9"

    def data(self) -> Any:
        extra: dict[str, Any] = {}
        if self.with_cccd:  # adults: phone and bank account
            extra = {
                "phone": self.phone,
                "bank": "agribank",
                "bank_account_number": self.account,
                "bank_account_holder": fold(self.full_name).upper(),
            }
        return f.person(
            self.full_name, self.dob, self.sex, self.relationship, with_cccd=self.with_cccd, **extra
        )


@dataclass(frozen=True)
class Marker:
    """One piece of personal data of one person (or household) of the world."""

    owner: str  # "Lê Bí Mật Năm" / "household DH-0001"
    kind: str  # name | address | cccd | phone | account
    value: str
    commune: int
    village: int

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.kind, self.value)


def _digits(value: str) -> str:
    sep = r"[\s.\-]?"
    return sep.join(value)


_PATTERNS: dict[tuple[str, str], re.Pattern[str]] = {}


def _pattern(kind: str, value: str) -> re.Pattern[str]:
    key = (kind, value)
    if key not in _PATTERNS:
        if kind in ("name", "address"):  # on folded text, whole words
            rx = r"(?<![a-z0-9])" + re.escape(fold(value)) + r"(?![a-z0-9])"
        elif kind == "phone":  # +84980540561 → 0980 540 561, +84 980 540 561, 84980540561 …
            national = value.removeprefix("+84")
            rx = r"(?<!\d)(?:\+?\s?84|0)[\s.\-]?" + _digits(national) + r"(?!\d)"
        else:  # CCCD, bank account: the digits, possibly grouped
            rx = r"(?<!\d)" + _digits(value) + r"(?!\d)"
        _PATTERNS[key] = re.compile(rx)
    return _PATTERNS[key]


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    markers: list[Marker]
    # model label -> {pk: (commune code, village id or None)} of every object an id may name
    objects: dict[str, dict[int, tuple[int, int | None]]]
    villages: dict[str, Village]
    own: dict[str, Any]  # in-scope objects for the positive controls

    def in_scope(self, scope: Scope | None, commune: int, village: int | None) -> bool:
        if scope is None:
            return False
        if commune != scope.commune_code:
            return False
        return village is None or scope.allows_village(village)

    def foreign_markers(self, scope: Scope | None) -> list[Marker]:
        return [m for m in self.markers if not self.in_scope(scope, m.commune, m.village)]

    def pks(self, label: str, scope: Scope | None, *, foreign: bool) -> list[int]:
        return sorted(
            pk
            for pk, (commune, village) in self.objects[label].items()
            if self.in_scope(scope, commune, village) != foreign
        )

    def foreign_ids(self, scope: Scope | None) -> list[int]:
        """The union of the pks of every object outside ``scope``, whatever its table."""
        return sorted({pk for label in self.objects for pk in self.pks(label, scope, foreign=True)})

    def all_ids(self) -> list[int]:
        return sorted({pk for objs in self.objects.values() for pk in objs})


def _as(user: Any, service: Any, **kwargs: Any) -> Any:
    """Call a service as ``user`` (every service takes the caller's scope)."""
    return service(scope=scope_for(user), **kwargs)


def _household(village: Village, officer: Any, *people: PersonSpec) -> Household:
    word = next(_word)
    return _as(
        officer,
        registry.household_register,
        village=village,
        members=[p.data() for p in people],
        address=f"Hẻm Bí Mật {word}",
        phone=f"097{next(_number):02d}5{next(_number):04d}",
    )


def _proposed_household(user: Any, village: Village, *people: PersonSpec) -> ChangeProposal:
    """A new household proposed (not registered): its members exist only in the proposal."""
    word = next(_word)
    return _as(
        user,
        registry.proposal_submit_household,
        village=village,
        members=[p.data() for p in people],
        address=f"Hẻm Bí Mật {word}",
        phone=f"097{next(_number):02d}5{next(_number):04d}",
    )


def _coordination_item(user: Any, village: Village, household: Household) -> CoordinationItem:
    """A problem of ``household`` reported by ``user``: its head's name in the title, the
    details, a comment, with a photo."""
    head = household.members.order_by("pk").first()
    item = _as(
        user,
        coordination.item_report,
        kind="problem",
        topic="housing",
        title=f"Mái nhà {head.full_name} bị tốc",
        body=f"Gọi {head.phone} hoặc đến {household.address}.",
        village=village,
        household=household,
        photos=[phone_photo((64, 48))],
    )
    _as(user, coordination.comment_add, item=item, text=f"{head.full_name} cần hỗ trợ gấp.")
    return item


def _meeting(officer: Any, items: list[CoordinationItem]) -> Meeting:
    """A closed committee meeting on ``items``: each decision names the household's head."""
    meeting = _as(officer, meetings.meeting_create, held_on=D(2026, 11, 30), items=items)
    for entry in meeting.entries.select_related("item__household"):
        head = entry.item.household.members.order_by("pk").first()
        _as(officer, meetings.meeting_decide, entry=entry, decision=f"Hỗ trợ {head.full_name}.")
    return _as(officer, meetings.meeting_close, meeting=meeting)


def _decide(officer: Any, person: Person, groups: list[str]) -> Case:
    """An allowance case applied for, verified and decided in September 2026 (as
    ``tests/assistance/conftest.decide``)."""
    case = _as(
        officer,
        assistance.case_apply,
        person=person,
        scheme="social_assistance",
        groups=groups,
        applied_on=D(2026, 8, 26),
        documents="Đơn, CCCD",
    )
    _as(officer, assistance.case_verify, case=case, verified_on=D(2026, 9, 10))
    return _as(
        officer,
        assistance.case_decide,
        case=case,
        decision_number=f"{case.pk}/QĐ-UBND",
        decision_date=D(2026, 9, 15),
        signer="Nguyễn Văn Chủ Tịch",
        effective_month=None,
        backdate_reason="",
    )


def _fill(entry: RoundHousehold, surveyor: Any) -> RoundHousehold:
    """Every section of the survey answered (as ``tests/poverty/conftest.fill``): an income of
    1.2 million and four deprivations, every member's answers."""
    save = poverty.survey_save
    _as(surveyor, save, entry=entry, section="a", data={"screened_out": "no"})
    _as(
        surveyor,
        save,
        entry=entry,
        section="b1",
        data={"route": "income", "income_per_capita": "1200000"},
    )
    _as(
        surveyor,
        save,
        entry=entry,
        section="b2",
        data={
            "house_type": "makeshift",
            "floor_area_m2": "60",
            "safe_water": "no",
            "hygienic_latrine": "no",
            "internet": "yes",
            "info_assets": "yes",
        },
    )
    entry.refresh_from_db()
    for key, m in entry.answers["members"].items():
        adult = TODAY.year - int(m["date_of_birth"][:4]) >= 18
        _as(
            surveyor,
            save,
            entry=entry,
            section=f"member:{key}",
            data={
                "date_of_birth": m["date_of_birth"],
                "sex": m["sex"],
                "health_insurance": "no",
                "work": "self_employed" if adult else "not_working",
                "studying": "no" if adult else "yes",
                "qualification": "upper_secondary" if adult else "primary",
                "malnourished": "no",
                "disability": "none",
                "monthly_allowance": "no",
            },
        )
    entry.refresh_from_db()
    return entry


def _poverty_round(
    commune_code: int,
    officer: Any,
    committee: Any,
    villages: list[Village],
    classes: dict[Household, str],
) -> ReviewRound:
    """The annual review of 2025 taken to "decided": surveyed, approved, agreed at a meeting
    in every village, posted, reported upward, decided (Form 02)."""
    for household, cls in classes.items():
        PovertyStatusPeriod.objects.create(
            household=household, poverty_class=cls, valid_from=D(2026, 1, 1)
        )
    commune = Commune.objects.get(code=commune_code)
    rnd = _as(officer, poverty.round_open, commune=commune, kind="annual", year=2025, as_of=TODAY)
    for entry in rnd.entries.all():
        _as(committee, poverty.survey_approve, entry=_fill(entry, officer))
    for village in villages:
        agreed = {e.pk: 8 for e in rnd.entries.filter(village=village)}
        _as(
            officer,
            poverty.meeting_record,
            rnd=rnd,
            village=village,
            held_on=TODAY,
            attendees=10,
            agreements=agreed,
            chair="Chủ trì",
            secretary="Thư ký",
        )
        _as(officer, poverty.posting_record, rnd=rnd, village=village, posted_on=TODAY)
    rnd = _as(
        officer,
        poverty.report_record,
        rnd=rnd,
        number="15/BC-UBND",
        reported_on=TODAY,
        recipient=RECIPIENT,
    )
    _as(
        committee,
        poverty.round_decide,
        rnd=rnd,
        number="125/QĐ-UBND",
        signed_on=TODAY,
        effective_date=D(2026, 12, 1),
    )
    rnd.refresh_from_db()
    return rnd


def _payrolls(commune_code: int, officer: Any, committee: Any, shared: tuple[Case, Case]) -> None:
    """October approved (maker-checker); November a draft whose guard found an account shared
    by two households (two blocking items, left open)."""
    october = _as(officer, pr.payroll_generate, commune_code=commune_code, month=D(2026, 10, 1))
    _as(officer, pr.payroll_prepare, payroll=october)
    _as(committee, pr.payroll_approve, payroll=october)
    first, second = shared
    _as(
        officer,
        assistance.case_payment_set,
        case=second,
        method="bank",
        bank="agribank",
        account_number=first.bank_account_number,
        account_holder=first.bank_account_holder,
    )
    _as(officer, pr.payroll_generate, commune_code=commune_code, month=D(2026, 11, 1))


def build_world() -> World:
    global _word, _number
    _word, _number = iter(WORDS), itertools.count(11)
    td = f.village()
    dh = f.village(name="Ấp Đông Hiệp", code="DH")
    b1 = f.village(commune_code=COMMUNE_B, name="Ấp Phú Mỹ", code="PM")
    b2 = f.village(commune_code=COMMUNE_B, name="Ấp Phú Lợi", code="PL")
    users = {
        "officer_a": f.user("canbo", f.Role.OFFICER),
        "committee_a": f.user("phochutich", f.Role.COMMITTEE),
        "auditor_a": f.user("kiemtra", f.Role.AUDITOR),
        "head_td": f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[td]),
        "officer_b": f.user("canbo_b", f.Role.OFFICER, commune_code=COMMUNE_B),
        "committee_b": f.user("phochutich_b", f.Role.COMMITTEE, commune_code=COMMUNE_B),
    }
    officer_a, committee_a = users["officer_a"], users["committee_a"]
    officer_b, committee_b = users["officer_b"], users["committee_b"]
    # the accounts' names and phones are personal data too (the accounts pages list them)
    for key, (full_name, phone) in ACCOUNTS.items():
        users[key].full_name, users[key].phone = full_name, phone
        users[key].save(update_fields=["full_name", "phone"])

    td1 = _household(
        td,
        officer_a,
        PersonSpec("Trần", D(1980, 5, 17), "male", "head"),
        PersonSpec("Trần", D(1983, 2, 3), "female", "spouse"),
        PersonSpec("Trần", D(2012, 9, 1), "male", "child", with_cccd=False),
    )
    td2 = _household(td, officer_a, PersonSpec("Phạm", D(1946, 2, 5), "female", "head"))
    dh1 = _household(
        dh,
        officer_a,
        PersonSpec("Lê", D(1990, 4, 10), "male", "head"),
        PersonSpec("Lê", D(2024, 12, 20), "male", "child", with_cccd=False),
    )
    dh2 = _household(
        dh,
        officer_a,
        PersonSpec("Võ", D(1945, 3, 3), "female", "head"),
        PersonSpec("Võ", D(1970, 7, 7), "male", "child"),
    )
    b_1 = _household(
        b1,
        officer_b,
        PersonSpec("Hồ", D(1985, 6, 6), "male", "head"),
        PersonSpec("Hồ", D(1944, 1, 9), "female", "parent"),
    )
    b_2 = _household(
        b2,
        officer_b,
        PersonSpec("Đỗ", D(1992, 8, 8), "male", "head"),
        PersonSpec("Đỗ", D(2023, 3, 1), "female", "child", with_cccd=False),
    )

    def person(hh: Household, index: int = 0) -> Person:
        return hh.members.order_by("pk")[index]

    # allowances: decided cases, payrolls with lines and guard items
    elderly, disabled = ["elderly_80_no_pension"], ["disability_severe"]
    case_td = _decide(officer_a, person(td2), elderly)
    case_dh = _decide(officer_a, person(dh1), disabled)
    _decide(officer_a, person(dh2), elderly)
    _payrolls(COMMUNE_A, officer_a, committee_a, (case_td, case_dh))
    case_b1 = _decide(officer_b, person(b_1, 1), elderly)
    case_b2 = _decide(officer_b, person(b_2), disabled)
    _payrolls(COMMUNE_B, officer_b, committee_b, (case_b1, case_b2))

    # the annual poverty review, decided, in both communes
    _poverty_round(
        COMMUNE_A,
        officer_a,
        committee_a,
        [td, dh],
        {td1: PovertyClass.POOR, dh1: PovertyClass.NEAR_POOR, dh2: PovertyClass.POOR},
    )
    _poverty_round(
        COMMUNE_B,
        officer_b,
        committee_b,
        [b1, b2],
        {b_1: PovertyClass.POOR, b_2: PovertyClass.NEAR_POOR},
    )
    # a regular round still open in A: a request (Form 01) from ấp Đông Hiệp, surveyed
    regular = _as(
        officer_a,
        poverty.round_open,
        commune=Commune.objects.get(code=COMMUNE_A),
        kind="regular",
        year=2026,
        month=11,
    )
    request = _as(
        officer_a,
        poverty.household_add,
        rnd=regular,
        household=dh2,
        reason=ListReason.REQUEST,
        note="Chủ hộ bệnh nặng",
        request_date=TODAY,
        members={p.pk: "not_working" for p in dh2.members.all()},
    )
    _fill(request, officer_a)

    # BHYT cards (one expiring soon, one expired), reminder stages and settings
    for hh, officer in (
        (td1, officer_a),
        (dh1, officer_a),
        (dh2, officer_a),
        (b_1, officer_b),
        (b_2, officer_b),
    ):
        for year in (2025, 2026):
            _as(
                officer,
                insurance.card_register,
                person=person(hh),
                group_code="GD",
                valid_from=D(year, 1, 1),
                valid_to=D(year, 12, 31),
            )
    for code in (COMMUNE_A, COMMUNE_B):  # what the pages create on their first visit
        commune = Commune.objects.get(code=code)
        insurance.stages_ensure_defaults(commune=commune)
        CommuneInsuranceSettings.objects.get_or_create(commune=commune)

    # the outbox: a reminder to each household head (the SMS names the head)
    for hh in (td1, dh1, dh2, b_1, b_2):
        head = person(hh)
        messaging.message_enqueue(
            key=f"sweep-{hh.pk}",
            to=head.phone,
            channel="sms",
            topic="bhyt",
            sms_text=f"The BHYT cua ho {fold(head.full_name)} sap het han",
            commune_code=hh.commune_id,
        )

    # proposals: the village head's, and one in commune B
    _as(
        users["head_td"],
        registry.proposal_submit,
        household=td1,
        person=person(td1, 1),
        kind="update_person",
        payload={"ethnicity": "hoa"},
    )
    _as(
        officer_b,
        registry.proposal_submit,
        household=b_1,
        person=person(b_1, 1),
        kind="update_person",
        payload={"ethnicity": "hoa"},
    )
    # new households proposed, with marker names: the village head's own, one in ấp Đông Hiệp
    # (the officer may propose too), one in commune B
    proposal_td = _proposed_household(
        users["head_td"],
        td,
        PersonSpec("Tạ", D(1991, 1, 11), "male", "head"),
        PersonSpec("Tạ", D(2020, 2, 2), "female", "child", with_cccd=False),
    )
    _proposed_household(officer_a, dh, PersonSpec("Lý", D(1987, 7, 17), "female", "head"))
    _proposed_household(officer_b, b1, PersonSpec("Mai", D(1979, 9, 19), "male", "head"))

    # the coordination board: an item of each ấp naming a person of its household (with a
    # photo and a comment naming them too), one in commune B, an announcement of commune A
    coordination_td = _coordination_item(users["head_td"], td, td1)
    coordination_dh = _coordination_item(officer_a, dh, dh1)
    coordination_b = _coordination_item(officer_b, b1, b_1)
    # committee meetings: commune A's on both ấp's items and commune B's, closed, each
    # decision naming the household's head (a village head reads only the own ấp's decision)
    _meeting(officer_a, [coordination_td, coordination_dh])
    _meeting(officer_b, [coordination_b])
    _as(
        officer_a,
        coordination.item_report,
        kind="announcement",
        topic="other",
        title="Họp giao ban thứ Hai",
    )

    # outreach: a loudspeaker announcement per ấp naming a person of the ấp (a village head
    # sees the own ấp's), one in commune B; the shipped leaflets and one naming a person
    for officer, village, hh in ((officer_a, td, td1), (officer_a, dh, dh1), (officer_b, b1, b_1)):
        _as(
            officer,
            outreach.announcement_create,
            text=f"Mời {person(hh).full_name} đến nhà văn hóa ấp nhận quà.",
            villages=[village],
            planned_at=dt.datetime(2026, 11, 27, 19, tzinfo=dt.UTC),
        )
        _as(officer, outreach.leaflets_ensure_defaults)
        _as(
            officer,
            outreach.leaflet_save,
            title=f"Giấy mời {person(hh).full_name}",
            body="Kính mời đến UBND xã {ten_xa}.",
            size="A5",
        )

    # an import checked in each commune, its problems naming a person of the commune
    for hh in (td1, b_1):
        head = person(hh)
        ImportJob.objects.create(
            commune_id=hh.commune_id,
            kind="households",
            filename="ds.xlsx",
            stored_name=f"sweep-{hh.pk}.xlsx",
            sha256="0" * 64,
            headers=["Họ và tên"],
            mapping={"full_name": 0},
            state="checked",
            counts={"invalid": 1},
            problems=[[5, "full_name", head.full_name, "The name is empty.", {}]],
            problems_total=1,
        )

    tokens = {role: f.api_token(u) for role, u in users.items()}
    return World(
        users=users,
        tokens=tokens,
        markers=_markers(),
        objects=_objects(),
        villages={"td": td, "dh": dh, "b1": b1, "b2": b2},
        own={
            "td1": td1,
            "td2": td2,
            "dh1": dh1,
            "b_1": b_1,
            "case_td": case_td,
            "proposal_td": proposal_td,
            "coordination_td": coordination_td,
        },
    )


def _markers() -> list[Marker]:
    out: list[Marker] = []
    for p in Person.objects.all():
        where = {"commune": p.commune_id, "village": p.village_id}
        out.append(Marker(p.full_name, "name", p.full_name, **where))
        for kind, value in (
            ("cccd", p.cccd),
            ("phone", p.phone),
            ("account", p.bank_account_number),
        ):
            if value:
                out.append(Marker(p.full_name, kind, value, **where))
    for h in Household.objects.all():
        where = {"commune": h.commune_id, "village": h.village_id}
        out.append(Marker(f"household {h.code}", "address", h.address, **where))
        out.append(Marker(f"household {h.code}", "phone", h.phone, **where))
    for proposal in ChangeProposal.objects.filter(kind="new_household"):  # not yet registered
        where = {"commune": proposal.village.commune_id, "village": proposal.village_id}
        owner = f"proposal {proposal.pk}"
        out.append(Marker(owner, "address", proposal.payload["address"], **where))
        out.append(Marker(owner, "phone", proposal.payload["phone"], **where))
        for m in proposal.payload["members"]:
            out.append(Marker(m["full_name"], "name", m["full_name"], **where))
            for kind, key in (
                ("cccd", "cccd"),
                ("phone", "phone"),
                ("account", "bank_account_number"),
            ):
                if m.get(key):
                    out.append(Marker(m["full_name"], kind, m[key], **where))
    for u in User.objects.exclude(commune=None):  # an account: of its commune, no village
        where = {"commune": u.commune_id, "village": None}
        out.append(Marker(f"account {u.username}", "name", u.full_name, **where))
        out.append(Marker(f"account {u.username}", "phone", u.phone, **where))
    assert len({m.value for m in out}) == len(out), "markers must be unique"
    return out


def _objects() -> dict[str, dict[int, tuple[int, int | None]]]:
    """Where every object an id in a URL may name lives: (commune, village or None)."""

    def rows(qs: Any, *fields: str) -> dict[int, tuple[int, int | None]]:
        return {pk: (commune, village) for pk, commune, village in qs.values_list("pk", *fields)}

    def commune_level(qs: Any, commune: str) -> dict[int, tuple[int, int | None]]:
        return {pk: (c, None) for pk, c in qs.values_list("pk", commune)}

    messages = {  # a household's reminder is of its ấp; a coordination message the commune's
        m.pk: (
            m.commune_code,
            None
            if m.topic == "coordination"
            else Person.objects.filter(phone=m.to).get().village_id,
        )
        for m in OutboxMessage.objects.all()
    }
    return {
        "places.village": {v.pk: (v.commune_id, v.pk) for v in Village.objects.all()},
        "registry.household": rows(Household.objects, "commune_id", "village_id"),
        "registry.person": rows(Person.objects, "commune_id", "village_id"),
        "registry.changeproposal": rows(
            ChangeProposal.objects, "village__commune_id", "village_id"
        ),
        "poverty.reviewround": commune_level(ReviewRound.objects, "commune_id"),
        "poverty.roundhousehold": rows(RoundHousehold.objects, "round__commune_id", "village_id"),
        "poverty.villagemeeting": rows(VillageMeeting.objects, "round__commune_id", "village_id"),
        "poverty.posting": rows(Posting.objects, "round__commune_id", "village_id"),
        "insurance.card": rows(Card.objects, "commune_id", "person__village_id"),
        "insurance.reminderstage": commune_level(ReminderStage.objects, "commune_id"),
        "assistance.case": rows(Case.objects, "commune_id", "household__village_id"),
        "assistance.payroll": commune_level(Payroll.objects, "commune_id"),
        "assistance.payrollline": rows(
            PayrollLine.objects, "payroll__commune_id", "case__household__village_id"
        ),
        "assistance.guarditem": rows(
            GuardItem.objects, "case__commune_id", "case__household__village_id"
        ),
        "messaging.outboxmessage": messages,
        "accounts.user": commune_level(User.objects.exclude(commune=None), "commune_id"),
        "imports.importjob": commune_level(ImportJob.objects, "commune_id"),
        # an announcement has no village: the whole commune sees it
        "coordination.item": rows(CoordinationItem.objects, "commune_id", "village_id"),
        "coordination.meeting": commune_level(Meeting.objects, "commune_id"),
        "coordination.agendaentry": rows(
            AgendaEntry.objects, "meeting__commune_id", "item__village_id"
        ),
        "coordination.photo": rows(
            CoordinationPhoto.objects, "item__commune_id", "item__village_id"
        ),
        "outreach.broadcast": rows(Broadcast.objects, "commune_id", "village_id"),
        "outreach.leaflet": commune_level(Leaflet.objects, "commune_id"),
    }


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Any) -> World:
    settings.VAR_DIR = tmp_path / "var"  # the coordination photos
    return build_world()


# --- what is requested -------------------------------------------------------------------------

#: URL patterns not requested at all, with the reason.
SKIPPED = {
    "set_language": "the language switch: no data, it only sets a cookie",
    "accounts:logout": "signing out would end the session the sweep runs in",
    **{
        f"policy:{n}": "policy values are the installation's law values, of no commune or "
        "village (tests/policy/test_policy.py::test_every_role_on_every_policy_page)"
        for n in ("enter", "entry", "approve", "reject", "pdf")
    },
}
#: The API's operations are requested from its OpenAPI schema, with a bearer token (TokenAuth
#: ignores the session); of its URL patterns only these are requested as pages.
API_PAGES = {"api:openapi-json", "api:openapi-view", "api:api-root"}
#: What an anonymous client may open (any status but a 500; the marker check still applies).
#: Static files are served by WhiteNoise (a middleware, not a URL pattern): nothing to request.
PUBLIC = {
    "accounts:login": "the sign-in page",
    "health": "the load balancer's probe, says 'ok'",
    "api:openapi-json": "the API's description: no data",
    "api:openapi-view": "the API's documentation page: no data",
    "messaging:webhook_sms_gateway": "the SMS gateway's callback: HMAC-signed, 401 without",
    "messaging:webhook_esms": "eSMS's callback: a token in its URL, 401 without",
}
#: The values a str URL parameter takes: what the view accepts (read from the view) + junk.
STR_VALUES = {
    ("poverty:export", "which"): [*POVERTY_EXPORTS, JUNK],
    ("assistance:payroll_export", "fmt"): ["csv", "xlsx", "xml", "cash", JUNK],
    ("core:problems", "token"): [JUNK],  # a token lives only in the session of its import
    ("imports:upload", "kind"): ["households", JUNK],
}
#: The model an int URL parameter names: used to tell a foreign object from a missing one
#: (both must answer alike) and to aim the write probes. Every int parameter must be here.
_HOUSEHOLD = "registry.household"
_PERSON = "registry.person"
_ROUND = "poverty.reviewround"
_ENTRY = "poverty.roundhousehold"
ROUTE_MODELS: dict[str, dict[str, str]] = {
    **{
        f"registry:{n}": {"pk": _HOUSEHOLD}
        for n in (
            "household_detail",
            "household_edit",
            "person_create",
            "household_change_head",
            "household_split",
            "household_reveal",
        )
    },
    **{
        f"registry:{n}": {"pk": _PERSON}
        for n in ("person_edit", "person_death", "person_move_out", "person_reveal")
    },
    "registry:proposal_decide": {"pk": "registry.changeproposal"},
    "registry:proposal_detail": {"pk": "registry.changeproposal"},
    "places:village_edit": {"pk": "places.village"},
    **{
        f"accounts:{n}": {"pk": "accounts.user"}
        for n in ("user_edit", "user_deactivate", "user_reactivate", "user_password_reset")
    },
    "messaging:message_detail": {"pk": "messaging.outboxmessage"},
    "messaging:message_cancel": {"pk": "messaging.outboxmessage"},
    "insurance:household_cards": {"pk": _HOUSEHOLD},
    "insurance:stage_edit": {"pk": "insurance.reminderstage"},
    **{
        f"poverty:{n}": {"pk": _ROUND}
        for n in (
            "round",
            "household_add",
            "committee",
            "round_advance",
            "report_up",
            "report_pdf",
            "decide",
            "decision_pdf",
            "report",
            "export",
        )
    },
    "poverty:meeting": {"pk": _ROUND, "village_pk": "places.village"},
    "poverty:posting": {"pk": _ROUND, "village_pk": "places.village"},
    **{
        f"poverty:{n}": {"pk": _ENTRY}
        for n in ("survey", "approve", "complaint", "request_pdf", "certificate")
    },
    "poverty:minutes_pdf": {"pk": "poverty.villagemeeting"},
    "poverty:posting_pdf": {"pk": "poverty.posting"},
    **{
        f"assistance:{n}": {"pk": "assistance.case"}
        for n in ("case_detail", "case_decision_pdf", "case_reveal")
    },
    "assistance:payroll_detail": {"pk": "assistance.payroll"},
    "assistance:payroll_export": {"pk": "assistance.payroll"},
    "assistance:guard_resolve": {"pk": "assistance.guarditem"},
    "assistance:line_resolve": {"pk": "assistance.payrollline"},
    **{
        f"coordination:{n}": {"pk": "coordination.item"}
        for n in (
            "item",
            "item_comment",
            "item_status",
            "item_assign",
            "item_edit",
            "item_live",
            "announcement_remind",
        )
    },
    "coordination:photo": {"pk": "coordination.photo"},
    **{
        f"coordination:{n}": {"pk": "coordination.meeting"}
        for n in ("meeting", "meeting_edit", "meeting_add", "meeting_step", "meeting_pdf")
    },
    "coordination:meeting_decide": {"pk": "coordination.agendaentry"},
    "coordination:meeting_entry": {"pk": "coordination.agendaentry"},
    "outreach:broadcast_mark": {"pk": "outreach.broadcast"},
    "outreach:leaflet_edit": {"pk": "outreach.leaflet"},
    "outreach:leaflet_pdf": {"pk": "outreach.leaflet"},
    "assistance:line_bank_check": {"pk": "assistance.payrollline"},
    **{
        f"imports:{n}": {"pk": "imports.importjob"}
        for n in ("job", "job_progress", "job_columns", "job_commit", "job_cancel", "job_refused")
    },
}
API_PARAM_MODELS = {
    "household_id": _HOUSEHOLD,
    "person_id": _PERSON,
    "case_id": "assistance.case",
    "item_id": "coordination.item",
    "payroll_id": "assistance.payroll",
}
#: Views that answer htmx with another template (a fragment): requested both ways.
HTMX_ROUTES = {
    "coordination:item_comment",
    "registry:household_list",
    "poverty:household_add",
    "poverty:survey",
    "accounts:setup",
}
#: GET views that write by design (on the requester's own objects only).
GET_WRITES = {
    "assistance:payroll_export": "a payment file is the act of paying: the last guard run and "
    "the export stamp are written",
}

# --- what may change ---------------------------------------------------------------------------

#: Tables whose rows may change during the sweep: they only log or carry the session.
IGNORED_TABLES = {
    "core_auditentry": "the audit log records refused attempts, reveals and exports",
    "django_session": "a request renews the session row every few minutes (the idle timeout)",
    "coordination_itemread": "opening an item remembers when its reader last saw it (the unread "
    "marks): a trace of the reading, not of the data",
    "coordination_recipient": "opening an announcement is its reader's read receipt (read_at of "
    "their own row): a trace of the reading, not of the data",
    "axes_accessattempt": "django-axes counts sign-in attempts",
    "axes_accessfailurelog": "django-axes logs failed sign-ins",
    "axes_accesslog": "django-axes logs sign-ins",
    "axes_accessattemptexpiration": "django-axes' lockout expiry of sign-in attempts",
}
#: Tables compared by their number of rows only.
COUNT_ONLY = {
    "accounts_apitoken": "TokenAuth stamps last_used_at on every API request",
    "places_province": "reference data (34 rows): counted",
    "places_commune": "reference data (3,321 rows): counted",
    "auth_permission": "Django's reference data: counted",
    "django_content_type": "Django's reference data: counted",
}


def db_state() -> dict[str, Any]:
    """Every table of every model (and auto-created m2m table): its row count, and a digest of
    its rows unless it is in ``COUNT_ONLY`` (an update is a change too)."""
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in IGNORED_TABLES or table in out:
                continue
            quoted = connection.ops.quote_name(table)
            if table in COUNT_ONLY:
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 (a model's table)
                out[table] = cursor.fetchone()[0]
                continue
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            rows = sorted(repr(r) for r in cursor.fetchall())
            out[table] = (len(rows), hashlib.blake2b("\n".join(rows).encode()).hexdigest()[:16])
    return out


def db_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    changes = []
    for table, was in before.items():
        now = after.get(table)
        if was == now:
            continue
        if isinstance(was, tuple) and isinstance(now, tuple) and was[0] == now[0]:
            changes.append(f"{table}: rows updated")
        else:
            n0 = was[0] if isinstance(was, tuple) else was
            n1 = now[0] if isinstance(now, tuple) else now
            changes.append(f"{table}: {n0} → {n1} rows")
    return changes


# --- reading a response ------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_TYPES = {"application/xml", "application/javascript", "image/svg+xml", "application/yaml"}


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


def xlsx_text(body: bytes) -> str:
    book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    parts = []
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def decode(response: Any) -> tuple[str, str]:
    """The text of a response by its type, and a problem if it cannot be read."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    ctype = response.get("Content-Type", "").split(";")[0].strip().lower()
    if not body:
        return "", ""
    try:
        if ctype == "image/jpeg":  # a photo (coordination): no text to search
            return "", ""
        if ctype == "application/pdf":
            return pdf_text(body), ""
        if ctype == XLSX:
            return xlsx_text(body), ""
        if ctype == "application/json":  # django-ninja escapes non-ASCII (\u00ed): parse it
            return json.dumps(json.loads(body), ensure_ascii=False), ""
        if ctype.startswith("text/") or ctype in TEXT_TYPES:
            return html.unescape(body.decode("utf-8-sig", errors="replace")), ""
    except Exception as exc:
        return body.decode("latin-1"), f"cannot read the {ctype} body: {exc!r}"
    return body.decode("latin-1"), f"no reader for content type {ctype!r}"


def found(text: str, markers: Iterable[Marker]) -> list[Marker]:
    """The markers present in ``text``: names and addresses folded (also with the spaces
    squeezed out, for a PDF line broken inside a name), numbers in any grouping."""
    folded = fold(text)
    squeezed = folded.replace(" ", "")
    hits = []
    for m in markers:
        if m.kind in ("name", "address"):
            if m.pattern.search(folded) or fold(m.value).replace(" ", "") in squeezed:
                hits.append(m)
        elif m.pattern.search(text):
            hits.append(m)
    return hits


# --- the URLs ----------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str
    template: str
    params: tuple[tuple[str, str], ...]  # (name, "int" | "str")

    def url(self, kwargs: dict[str, Any]) -> str:
        return "/" + _PARAM.sub(lambda m: str(kwargs[m.group("name")]), self.template)

    @property
    def ints(self) -> list[str]:
        return [n for n, kind in self.params if kind == "int"]

    @property
    def strs(self) -> list[str]:
        return [n for n, kind in self.params if kind == "str"]


def routes() -> tuple[list[Route], list[str]]:
    """Every URL pattern of the project, and the problems of walking it."""
    out: list[Route] = []
    problems: list[str] = []

    def walk(patterns: Any, prefix: str, namespace: str, converters: dict[str, Any]) -> None:
        for p in patterns:
            convs = {**converters, **getattr(p.pattern, "converters", {})}
            if not hasattr(p.pattern, "converters"):
                problems.append(f"{prefix}{p.pattern}: a regex pattern, the sweep cannot fill it")
                continue
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                walk(p.url_patterns, prefix + str(p.pattern), ns, convs)
                continue
            assert isinstance(p, URLPattern)
            name = ":".join(x for x in (namespace, p.name) if x) or prefix + str(p.pattern)
            params = []
            for pname, conv in convs.items():
                if isinstance(conv, IdConverter | IntConverter):
                    params.append((pname, "int"))
                elif isinstance(conv, StringConverter):
                    params.append((pname, "str"))
                else:
                    problems.append(f"{name}: no values for a {type(conv).__name__} parameter")
            out.append(Route(name, prefix + str(p.pattern), tuple(params)))

    walk(get_resolver().url_patterns, "", "", {})
    return out, problems


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # "/api/households/{household_id}"
    op_id: str
    params: tuple[str, ...]  # path parameters

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def url(self, kwargs: dict[str, Any]) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: str(kwargs[m.group(1)]), self.path)


def operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            out.append(Operation(method.upper(), path, op.get("operationId", ""), params))
    return out


# --- what is sent ------------------------------------------------------------------------------

NEW_PERSON = {
    "full_name": "Nguyễn Văn Mới",
    "date_of_birth": "1990-01-01",
    "sex": "male",
    "relationship": "head",
    "ethnicity": "01",
}


def page_payloads(name: str, w: World) -> list[dict[str, Any]]:
    """Form data a POST to ``name`` would carry if it were allowed (enough to pass the form
    where the view has no other check), so that a missing permission check would write."""
    td = w.villages["td"].pk
    persons = sorted(w.objects[_PERSON])
    entries = sorted(w.objects[_ENTRY])
    day = "2026-11-29"
    table: dict[str, list[dict[str, Any]]] = {
        "accounts:login": [{"username": "kiemtra", "password": "wrong-password"}],
        "accounts:password_change": [
            {
                "old_password": "wrong-password",
                "new_password1": "Mat-khau-moi-2026",
                "new_password2": "Mat-khau-moi-2026",
            }
        ],
        "registry:household_create": [
            {
                "village": td,
                "address": "Hẻm Mới",
                "members-TOTAL_FORMS": "1",
                "members-INITIAL_FORMS": "0",
                "members-MIN_NUM_FORMS": "1",
                "members-MAX_NUM_FORMS": "30",
                **{f"members-0-{k}": v for k, v in NEW_PERSON.items()},
            }
        ],
        "registry:household_edit": [
            {
                "village": td,
                "address": "Đã sửa",
                "phone": "",
                "notes": "sửa",
                "area_type_override": "",
            }
        ],
        "registry:person_create": [
            {
                **NEW_PERSON,
                "relationship": "child",
                "date_of_birth": "2026-11-01",
                "event_kind": "birth",
                "event_date": "2026-11-01",
            }
        ],
        "registry:person_edit": [{**NEW_PERSON, "full_name": "Nguyễn Văn Đổi Tên"}],
        "registry:person_death": [{"date": day, "note": "thử"}],
        "registry:person_move_out": [{"date": day, "place": "TP HCM", "note": "thử"}],
        "registry:household_change_head": [{"new_head": p, "date": day} for p in persons[:3]],
        "registry:household_split": [
            {"members": [p], "new_head": p, "village": td, "date": day} for p in persons[:3]
        ],
        "registry:proposal_decide": [{"action": "apply"}, {"action": "reject", "reason": "x"}],
        # a village head may propose in the own villages: the probes name the others
        "registry:proposal_household": [
            {
                "village": village.pk,
                "address": "Hẻm Mới",
                "members-TOTAL_FORMS": "1",
                "members-INITIAL_FORMS": "1",
                "members-MIN_NUM_FORMS": "1",
                "members-MAX_NUM_FORMS": "30",
                **{f"members-0-{k}": v for k, v in NEW_PERSON.items()},
            }
            for village in (w.villages["dh"], w.villages["b1"])
        ],
        "registry:person_reveal": [{"field": "cccd"}],
        "registry:household_reveal": [{"field": "phone"}],
        "places:village_list": [{"name": "Ấp Mới", "kind": "ap", "code": "MOI"}],
        "places:village_edit": [{"name": "Ấp Đổi Tên", "kind": "ap", "code": "X"}],
        "accounts:setup": [SETUP_TAKEOVER],
        "accounts:user_create": [
            {"username": "taikhoanmoi", "full_name": "Tài Khoản Mới", "role": "auditor"}
        ],
        "accounts:user_edit": [
            {"full_name": "Tài Khoản Đổi Tên", "role": "committee", "villages": [td]},
            {"full_name": "Tài Khoản Đổi Tên", "role": "village_head", "villages": [td]},
        ],
        "messaging:message_cancel": [{"reason": "thử"}],
        "insurance:coverage": [{"coverage_target_percent": "95", "expiring_days": "10"}],
        "insurance:household_cards": [
            {
                "person": p,
                "group_code": "GD",
                "valid_from": "2027-01-01",
                "valid_to": "2027-12-31",
                "social_insurance_number": "7912345678",
            }
            for p in persons[:3]
        ],
        "insurance:stage_edit": [
            {"sms_template": "{xa}: nhac gia han", "zalo_template": "", "is_active": "on"}
        ],
        "poverty:rounds": [
            {"kind": "regular", "year": "2026", "month": "12", "posting_days": "10"}
        ],
        "poverty:household_add": [
            {"household_code": h.code, "reason": "committee", "note": "thử", "request_date": day}
            for h in Household.objects.order_by("pk")[:2]
        ],
        "poverty:committee": [{"user": u.pk, "role": "member"} for u in w.users.values()][:2],
        "poverty:round_advance": [{"status": s} for s in ("surveying", "meetings", "posting")],
        "poverty:meeting": [
            {
                "held_on": day,
                "attendees": "10",
                "chair": "",
                "secretary": "",
                **{f"agree_{e}": "8" for e in entries},
            }
        ],
        "poverty:posting": [{"posted_on": day}],
        "poverty:report_up": [{"number": "16/BC-UBND", "reported_on": day, "recipient": RECIPIENT}],
        "poverty:decide": [
            {"number": "1/QĐ-UBND", "signed_on": day, "effective_date": "2027-01-01"}
        ],
        "poverty:survey": [
            {"section": "a", "screened_out": "yes"},
            {"section": "b1", "route": "income", "income_per_capita": "9000000"},
        ],
        "poverty:complaint": [{"received_on": day, "text": "thử", "resurvey": "on"}],
        "assistance:case_apply": [
            {
                "person": p,
                "scheme": "social_assistance",
                "groups": "disability_severe",
                "applied_on": day,
                "documents": "Đơn",
            }
            for p in persons[:3]
        ],
        "assistance:case_detail": [
            {"action": "suspend", "suspend-on": day, "suspend-note": "thử"},
            {"action": "payment", "payment-method": "cash"},
            {"action": "stop", "stop-reason": "other", "stop-event_date": day},
        ],
        "assistance:case_reveal": [{"field": "bank_account_number"}],
        "assistance:payroll_list": [{"month": "2026-12"}],
        "assistance:payroll_detail": [
            {"step": s} for s in ("approve", "regenerate", "prepare", "close", "cash_paid")
        ],
        "assistance:guard_resolve": [{"action": "confirmed", "note": "thử"}],
        "assistance:line_resolve": [{"action": "carried", "note": "thử"}],
        "assistance:line_bank_check": [{"action": "accept", "seen": "0", "note": "thử"}],
        # a village head reports in the own villages: the probes name another one
        **{
            f"coordination:{n}": [
                {
                    "kind": kind,
                    "village": w.villages["dh"].pk,
                    "topic": "housing",
                    "title": "Thử",
                    "key": "sweep-item",
                }
            ]
            for n, kind in (("report", "problem"), ("item_new", "task"))
        },
        "coordination:item_comment": [{"text": "Thử", "key": "sweep-comment"}],
        "coordination:meeting_new": [{"held_on": "30/11/2026", "place": "Hội trường"}],
        "coordination:meeting_add": [{"item": w.own["coordination_td"].pk}],
        "coordination:meeting_edit": [{"held_on": "01/12/2026", "place": "Nhà văn hóa"}],
        "coordination:meeting_step": [{"do": "hold"}, {"do": "close"}],
        "coordination:meeting_decide": [{"do": "postpone"}, {"e0-decision": "thử", "do": "decide"}],
        "coordination:meeting_entry": [{"do": "up"}, {"do": "remove"}],
        "outreach:broadcast_mark": [{"date": "29/11/2026", "time": "19:00"}],
        "coordination:item_status": [
            {"action": a, "note": "thử"} for a in ("acknowledge", "finish", "close")
        ],
        "coordination:item_assign": [{"assignees": [w.users["officer_a"].pk]}],
        "coordination:item_edit": [{"title": "Đổi", "body": "", "topic": "other", "priority": "2"}],
        "assistance:payment_account": [
            {"holder": "UBND xã", "bank": "agribank", "account_number": "123456789", "bic": ""}
        ],
    }
    return table.get(name, [{}])


#: The query an API write needs to reach its view. ``create_person`` declares a default for
#: ``event_kind`` but answers 422 "Field required" without it (reported, not fixed here).
API_WRITE_QUERY = {"create_person": "?event_kind=move_in"}
API_OP_PREFIX = "ansinh_api_api_"


def api_payloads(op: Operation, village: int) -> list[dict[str, Any]]:
    table = {
        "create_household": [
            {"village_id": village, "address": "Hẻm Mới", "members": [NEW_PERSON]}
        ],
        "update_household": [{"address": "Đã sửa"}, {"village_id": village}],
        "create_person": [{**NEW_PERSON, "relationship": "child"}],
        "update_person": [{"phone": "0912 000 111"}, {"full_name": "Nguyễn Văn Đổi Tên"}],
    }
    # operation ids are "ansinh_api_api_<function>" (kept when the endpoints moved to apps)
    return table[op.op_id.removeprefix(API_OP_PREFIX)]


# --- the sweep ---------------------------------------------------------------------------------


@dataclass
class Problem:
    kind: str  # 500 | leak | write | exists | anonymous | unreadable | control | coverage | setup
    role: str
    method: str
    url: str
    status: int | str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.role} {self.method} {self.url} → {self.status}: {self.detail}"


@dataclass
class Record:
    """One request of a route or operation, kept for the existence check."""

    method: str
    name: str
    kwargs: tuple[tuple[str, int | str], ...]
    variant: int  # which payload
    models: dict[str, str]
    status: int
    url: str


QUIET_LOGGERS = ("django.request", "axes")


class Sweep:
    """One role's requests: every response checked for 500s, foreign markers and writes."""

    def __init__(self, world: World, role: str) -> None:
        self.w = world
        self.role = role
        user = world.users.get(role)
        self.scope = scope_for(user) if user is not None else None
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.token = world.tokens.get(role)
        self.markers = world.foreign_markers(self.scope)
        self.problems: list[Problem] = []
        self.counts: Counter[str] = Counter()
        self.records: list[Record] = []
        self._exception = ""
        self._foreign: dict[str, list[int]] = {}
        self._own: dict[str, list[int]] = {}
        self._state: dict[str, Any] | None = None
        self._found: dict[bytes, list[Marker]] = {}
        self.routes, walk_problems = routes()
        for text in walk_problems:
            self.problem("coverage", "-", "-", "-", text)
        self.ops = operations()
        self.login_url = reverse("accounts:login")

    # -- plumbing --

    def __enter__(self) -> Sweep:
        got_request_exception.connect(self._on_exception)
        # thousands of 403/404s and a refused sign-in: 500s are collected, not logged
        self._log_levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        return self

    def __exit__(self, *exc: object) -> None:
        got_request_exception.disconnect(self._on_exception)
        for name, level in self._log_levels.items():
            logging.getLogger(name).setLevel(level)

    def _on_exception(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        import sys
        import traceback

        exc_type, exc, tb = sys.exc_info()
        frames = [fr for fr in traceback.extract_tb(tb) if "/ansinh/" in fr.filename]
        where = (
            f" at {frames[-1].filename.split('/src/')[-1]}:{frames[-1].lineno}" if frames else ""
        )
        self._exception = f"{getattr(exc_type, '__name__', exc_type)}: {exc}{where}"

    def problem(self, kind: str, method: str, url: str, status: Any, detail: str) -> None:
        self.problems.append(Problem(kind, self.role, method, url, status, detail))

    def foreign(self, label: str) -> list[int]:
        if label not in self._foreign:
            self._foreign[label] = self.w.pks(label, self.scope, foreign=True)
        return self._foreign[label]

    def own(self, label: str) -> list[int]:
        if label not in self._own:
            self._own[label] = self.w.pks(label, self.scope, foreign=False)
        return self._own[label]

    def request(
        self,
        method: str,
        url: str,
        *,
        data: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        api: bool = False,
        check_writes: bool = True,
        echo: Iterable[str] = (),
        htmx: bool = False,
    ) -> Any:
        """One request; ``echo``: values the requester typed in (not a leak if shown back);
        ``htmx``: as htmx sends it (the view answers with a fragment)."""
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if api and self.token else {}
        if htmx:
            headers["HTTP_HX_REQUEST"] = "true"
        before = self.state() if check_writes else None
        self._exception = ""
        if body is not None:
            response = self.client.generic(
                method, url, json.dumps(body), content_type="application/json", **headers
            )
        elif method == "GET":
            response = self.client.get(url, **headers)
        else:
            response = self.client.post(url, data or {}, **headers)
        self.counts[f"{'api' if api else 'page'} {method}"] += 1
        status = response.status_code
        if status >= 500:
            self.problem("500", method, url, status, self._exception or "(no exception seen)")
        text, unreadable = decode(response)
        if unreadable:
            self.problem("unreadable", method, url, status, unreadable)
        shown = [text, response.get("Location", "")]
        wsgi_request = getattr(response, "wsgi_request", None)
        if wsgi_request is not None and hasattr(wsgi_request, "_messages"):
            shown += [str(m) for m in get_messages(wsgi_request)]  # flashed for the next page
        echoed = set(echo)
        for marker in self.found("\n".join(shown)):
            if marker.value not in echoed:
                self.problem(
                    "leak", method, url, status, f"{marker.kind} of {marker.owner}: {marker.value}"
                )
        if before is not None:
            self._state = db_state()
            changes = db_changes(before, self._state)
            if changes:
                self.problem("write", method, url, status, "; ".join(changes))
        self.client.cookies.pop("messages", None)  # shown once, here
        return response

    def state(self) -> dict[str, Any]:
        """The database as it was after the last checked request (taken once if need be)."""
        if self._state is None:
            self._state = db_state()
        return self._state

    def found(self, text: str) -> list[Marker]:
        """The foreign markers in ``text`` (the same 404 page is read once)."""
        key = hashlib.blake2b(text.encode()).digest()
        if key not in self._found:
            self._found[key] = found(text, self.markers)
        return self._found[key]

    def record(
        self,
        method: str,
        name: str,
        kwargs: dict[str, Any],
        variant: int,
        models: dict[str, str],
        status: int,
        url: str,
    ) -> None:
        self.records.append(
            Record(method, name, tuple(sorted(kwargs.items())), variant, models, status, url)
        )

    # -- what to request --

    def page_routes(self) -> list[Route]:
        out = []
        for route in self.routes:
            if route.name in SKIPPED:
                continue
            if route.name.startswith("api:") and route.name not in API_PAGES:
                continue  # an API operation: swept from the schema
            for pname in route.ints:
                if pname not in ROUTE_MODELS.get(route.name, {}):
                    self.problem(
                        "coverage",
                        "-",
                        route.template,
                        "-",
                        f"int parameter {pname} of {route.name} not in ROUTE_MODELS",
                    )
            for pname in route.strs:
                if (route.name, pname) not in STR_VALUES:
                    self.problem(
                        "coverage",
                        "-",
                        route.template,
                        "-",
                        f"str parameter {pname} of {route.name} not in STR_VALUES",
                    )
            out.append(route)
        return out

    def fillings(self, route: Route, ids: list[int]) -> Iterator[dict[str, Any]]:
        """Every int parameter takes ``ids`` and a missing id; two int parameters take every
        object of their models (own and foreign) and a missing id (own round + foreign
        village …); str parameters take what the view accepts and junk."""
        ints = route.ints
        models = ROUTE_MODELS.get(route.name, {})
        if len(ints) > 1:
            choices = [[*sorted(self.w.objects[models[n]]), MISSING] for n in ints]
        else:
            choices = [[*ids, MISSING] for n in ints]
        strs = [STR_VALUES.get((route.name, n), [JUNK]) for n in route.strs]
        names = ints + route.strs
        for combo in itertools.product(*choices, *strs):
            yield dict(zip(names, combo, strict=True))

    def probes(self, models: dict[str, str], names: list[str]) -> Iterator[dict[str, Any]]:
        """Write probes: every parameter a foreign object of its model, or (with two) one
        foreign and the other the first own object; each also with a missing id."""
        if not names:
            return
        foreign = [self.foreign(models[n]) for n in names]
        own = [self.own(models[n])[:1] for n in names]
        seen: set[tuple[Any, ...]] = set()
        for i in range(len(names)):
            for value in [*foreign[i], MISSING]:
                for rest in itertools.product(
                    *[[*own[j], *foreign[j][:1]] if j != i else [value] for j in range(len(names))]
                ):
                    if rest not in seen:
                        seen.add(rest)
                        yield dict(zip(names, rest, strict=True))

    def names_own(self, models: dict[str, str], kwargs: dict[str, Any]) -> bool:
        """Whether every id parameter names an object of its model in the scope."""
        return all(kwargs.get(p) in self.own(label) for p, label in models.items())

    def queries(self, route: Route) -> list[tuple[dict[str, Any], set[str]]]:
        """Query strings for a GET: a foreign village (``?village=``), a search for a foreign
        person's name and CCCD, a foreign person or household code where the page takes one.
        Each with the values it types in (shown back, they are no leak)."""
        out: list[tuple[dict[str, Any], set[str]]] = [({}, set())]
        if route.params and route.name != "poverty:round" and route.name != "poverty:household_add":
            return out
        out += [({"village": v}, set()) for v in self.foreign("places.village")]
        if not route.params:
            names = [m for m in self.markers if m.kind == "name"][:2]
            cccds = [m for m in self.markers if m.kind == "cccd"][:1]
            out += [({"q": m.value}, {m.value}) for m in names + cccds]
        if route.name == "assistance:case_apply":
            out += [({"person": p}, set()) for p in self.foreign(_PERSON)[:3]]
        if route.name == "poverty:household_add":
            codes = Household.objects.filter(pk__in=self.foreign(_HOUSEHOLD)).values_list(
                "code", flat=True
            )
            out += [({"household_code": c}, set()) for c in list(codes)[:3]]
        return out

    # -- the sweeps --

    def get_pages(
        self, ids: list[int], *, skip_write_check: Iterable[str] = (), paramless: bool = False
    ) -> None:
        """GET every page with every filling and query; writes checked per route.
        ``paramless``: only the pages without an id (lists, searches, reports, logs)."""
        for route in self.page_routes():
            if paramless and route.params:
                continue
            before = self.state()
            for kwargs in self.fillings(route, ids):
                for query, echo in self.queries(route):
                    url = route.url(kwargs) + (f"?{_urlencode(query)}" if query else "")
                    response = self.request("GET", url, check_writes=False, echo=echo)
                    if route.name in HTMX_ROUTES:
                        self.request("GET", url, check_writes=False, echo=echo, htmx=True)
                    if not query:
                        self.record(
                            "GET",
                            route.name,
                            kwargs,
                            0,
                            ROUTE_MODELS.get(route.name, {}),
                            response.status_code,
                            url,
                        )
                    if self.scope is None:
                        self.expect_anonymous(route.name, "GET", url, response)
            self._state = db_state()
            if route.name not in skip_write_check:
                changes = db_changes(before, self._state)
                if changes:
                    self.problem(
                        "write",
                        "GET",
                        route.template,
                        "-",
                        "during the GETs of this route: " + "; ".join(changes),
                    )

    def post_pages(self, ids: list[int] | None, *, paramless: bool = True) -> None:
        """POST every page with plausible form data. ``ids``: every int parameter takes these
        (and a missing id); ``None``: only write probes at foreign objects. ``paramless``: the
        pages without an id too. Any change of the database is a problem."""
        for route in self.page_routes():
            if not paramless and not route.ints:
                continue
            models = ROUTE_MODELS.get(route.name, {})
            if ids is not None:
                fillings: Iterable[dict[str, Any]] = self.fillings(route, ids)
            elif route.ints:
                fillings = [
                    {**kw, **s}
                    for kw in self.probes(models, route.ints)
                    for s in _str_combos(route)
                ]
            else:
                fillings = list(_str_combos(route))
            for kwargs in fillings:
                url = route.url(kwargs)
                payloads = page_payloads(route.name, self.w)
                if not self.names_own(models, kwargs):  # a 404 whatever the form says
                    payloads = payloads[:1]
                for variant, data in enumerate(payloads):
                    response = self.request("POST", url, data=data)
                    if route.name in HTMX_ROUTES:
                        self.request("POST", url, data=data, htmx=True)
                    self.record(
                        "POST", route.name, kwargs, variant, models, response.status_code, url
                    )
                    if self.scope is None:
                        self.expect_anonymous(route.name, "POST", url, response)

    def api_reads(self, ids: list[int]) -> None:
        """Every API read: path ids from ``ids`` and a missing one; the lists with a foreign
        ``village_id`` and a search for foreign names and CCCD. Writes checked per operation."""
        for op in self.ops:
            if op.writes:
                continue
            before = self.state()
            models = {p: API_PARAM_MODELS[p] for p in op.params if p in API_PARAM_MODELS}
            self._api_coverage(op)
            queries: list[tuple[dict[str, Any], set[str]]] = [({}, set())]
            if not op.params:
                queries += [({"village_id": v}, set()) for v in self.foreign("places.village")]
            if op.op_id == "list_persons":
                names = [m for m in self.markers if m.kind == "name"][:2]
                cccds = [m for m in self.markers if m.kind == "cccd"][:1]
                queries += [({"q": fold(m.value)}, {m.value}) for m in names + cccds]
            fillings = [dict.fromkeys(op.params, v) for v in [*ids, MISSING]] if op.params else [{}]
            for kwargs in fillings:
                for query, echo in queries:
                    url = op.url(kwargs) + (f"?{_urlencode(query)}" if query else "")
                    response = self.request("GET", url, api=True, check_writes=False, echo=echo)
                    if not query:
                        self.record("GET", op.op_id, kwargs, 0, models, response.status_code, url)
                    self.expect_api_anonymous(op, url, response)
                    if self.scope is not None and not op.params and response.status_code != 200:
                        self.problem(
                            "control",
                            "GET",
                            url,
                            response.status_code,
                            "an API list must answer every signed-in role",
                        )
            self._state = db_state()
            changes = db_changes(before, self._state)
            if changes:
                detail = "during the GETs of this operation: " + "; ".join(changes)
                self.problem("write", "GET", op.path, "-", detail)

    def api_writes(self, ids: list[int] | None) -> None:
        """Every API write operation; ``ids`` as in :meth:`post_pages`."""
        villages = (
            self.foreign("places.village")
            if ids is None
            else sorted(self.w.objects["places.village"])
        )
        for op in self.ops:
            if not op.writes:
                continue
            self._api_coverage(op)
            models = {p: API_PARAM_MODELS[p] for p in op.params if p in API_PARAM_MODELS}
            if ids is not None:
                fillings = (
                    [dict.fromkeys(op.params, v) for v in [*ids, MISSING]] if op.params else [{}]
                )
            else:
                fillings = list(self.probes(models, list(op.params))) if op.params else [{}]
            for kwargs in fillings:
                url = op.url(kwargs) + API_WRITE_QUERY.get(op.op_id.removeprefix(API_OP_PREFIX), "")
                for village in villages[:2]:
                    for variant, body in enumerate(api_payloads(op, village)):
                        response = self.request(op.method, url, body=body, api=True)
                        self.record(
                            op.method, op.op_id, kwargs, variant, models, response.status_code, url
                        )
                        self.expect_api_anonymous(op, url, response)

    def _api_coverage(self, op: Operation) -> None:
        for p in op.params:
            if p not in API_PARAM_MODELS:
                self.problem(
                    "coverage",
                    op.method,
                    op.path,
                    "-",
                    f"path parameter {p} not in API_PARAM_MODELS",
                )

    # -- expectations --

    def expect_anonymous(self, name: str, method: str, url: str, response: Any) -> None:
        if name in PUBLIC:
            return
        status = response.status_code
        if status == 302 and response["Location"].startswith(self.login_url):
            return
        if status in (401, 403, 404, 405):
            return
        where = response.get("Location", "")
        self.problem("anonymous", method, url, status, f"not sent to sign in {where}".strip())

    def expect_api_anonymous(self, op: Operation, url: str, response: Any) -> None:
        if self.scope is None and response.status_code != 401:
            self.problem("anonymous", op.method, url, response.status_code, "API without a token")

    def check_existence(self) -> None:
        """An object outside the scope answers exactly like a missing one (ADR 0001)."""
        status = {(r.method, r.name, r.kwargs, r.variant): r.status for r in self.records}
        for r in self.records:
            kwargs = dict(r.kwargs)
            for pname, label in r.models.items():
                value = kwargs.get(pname)
                if value not in self.foreign(label):
                    continue
                ref = tuple(sorted({**kwargs, pname: MISSING}.items()))
                expected = status.get((r.method, r.name, ref, r.variant))
                if expected is not None and expected != r.status:
                    self.problem(
                        "exists",
                        r.method,
                        r.url,
                        r.status,
                        f"{pname}={value} is a {label} outside the scope: it answers "
                        f"{r.status}, a missing one {expected}",
                    )

    def control(self, url: str, owner: str, *, api: bool = False) -> None:
        """A page that must show ``owner``'s name (the readers work: no vacuous pass)."""
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if api else {}
        response = self.client.get(url, **headers)
        text, _unreadable = decode(response)
        marker = Marker(owner, "name", owner, 0, 0)
        if response.status_code != 200 or not found(text, [marker]):
            self.problem(
                "control",
                "GET",
                url,
                response.status_code,
                f"the requester's own {owner} is not shown",
            )


def _urlencode(query: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def _str_combos(route: Route) -> Iterator[dict[str, Any]]:
    strs = route.strs
    for combo in itertools.product(*[STR_VALUES.get((route.name, n), [JUNK]) for n in strs]):
        yield dict(zip(strs, combo, strict=True))


# --- the tests: one per role -------------------------------------------------------------------


def _setup_is_gone(sweep: Sweep) -> None:
    """On an installation in use the set-up page does not exist, for anyone: nobody can run
    it again to take the installation over."""
    url = reverse("accounts:setup")
    for method, data in (("GET", None), ("POST", SETUP_TAKEOVER)):
        response = sweep.request(method, url, data=data)
        if response.status_code != 404:
            detail = "the set-up page answers on an installation in use"
            sweep.problem("setup", method, url, response.status_code, detail)


def _finish(sweep: Sweep, started: float) -> None:
    _setup_is_gone(sweep)
    sweep.check_existence()
    elapsed = time.monotonic() - started
    kinds = Counter(p.kind for p in sweep.problems)
    print(
        f"\n[scope sweep] {sweep.role}: {len(sweep.page_routes())} URL patterns, "
        f"{len(sweep.ops)} API operations, {sum(sweep.counts.values())} requests "
        f"({', '.join(f'{k}: {n}' for k, n in sorted(sweep.counts.items()))}) in {elapsed:.1f} s; "
        f"{len(sweep.markers)} foreign markers; problems: {dict(kinds) or 'none'}"
    )
    for p in sweep.problems:
        print(f"    {p}")
    assert sweep.counts, "nothing was requested"
    assert not sweep.problems, f"{len(sweep.problems)} problem(s) as {sweep.role}:\n" + "\n".join(
        str(p) for p in sweep.problems
    )


def _annual(commune: int) -> ReviewRound:
    return ReviewRound.objects.get(commune_id=commune, kind="annual")


def _head_of(household: Household) -> Person:
    return household.members.order_by("pk").first()


def test_village_head_reaches_nothing_outside_the_village(world):
    started = time.monotonic()
    with Sweep(world, "head_td") as sweep:
        td1 = _head_of(world.own["td1"]).full_name
        sweep.control(reverse("registry:household_detail", args=[world.own["td1"].pk]), td1)
        sweep.control(reverse("registry:household_export"), td1)
        sweep.control(reverse("poverty:decision_pdf", args=[_annual(COMMUNE_A).pk]), td1)
        sweep.control(reverse("poverty:export", args=[_annual(COMMUNE_A).pk, "entries"]), td1)
        sweep.control(
            reverse("assistance:case_decision_pdf", args=[world.own["case_td"].pk]),
            world.own["case_td"].person.full_name,
        )
        sweep.control(f"/api/persons/{_head_of(world.own['td1']).pk}", td1, api=True)
        sweep.control(reverse("coordination:board"), td1)
        sweep.control(reverse("coordination:item", args=[world.own["coordination_td"].pk]), td1)
        proposal_td = world.own["proposal_td"]
        proposed = proposal_td.payload["members"][0]["full_name"]
        sweep.control(reverse("registry:proposal_detail", args=[proposal_td.pk]), proposed)
        sweep.control(reverse("registry:proposal_list"), proposed)
        ids = world.foreign_ids(sweep.scope)
        sweep.get_pages(ids)
        sweep.api_reads(ids)
        sweep.post_pages(None)
        sweep.api_writes(None)
    _finish(sweep, started)


def test_auditor_changes_nothing(world):
    started = time.monotonic()
    with Sweep(world, "auditor_a") as sweep:
        dh1 = _head_of(world.own["dh1"]).full_name
        sweep.control(reverse("registry:household_detail", args=[world.own["dh1"].pk]), dh1)
        sweep.control(reverse("poverty:decision_pdf", args=[_annual(COMMUNE_A).pk]), dh1)
        everything = world.all_ids()
        sweep.post_pages(everything)
        sweep.api_writes(everything)
        # and reads: the pages without ids (the audit log is the auditor's own) with commune
        # B's villages and people in the query, the API with B's ids (the pages with B's ids
        # are the officer of commune B's sweep: the same selectors)
        foreign = world.foreign_ids(sweep.scope)
        sweep.get_pages(foreign, paramless=True)
        sweep.api_reads(foreign)
    _finish(sweep, started)


def test_officer_of_another_commune_reaches_nothing_of_commune_a(world):
    started = time.monotonic()
    with Sweep(world, "officer_b") as sweep:
        b1 = _head_of(world.own["b_1"])
        sweep.control(
            reverse("registry:household_detail", args=[world.own["b_1"].pk]), b1.full_name
        )
        sweep.control(reverse("poverty:decision_pdf", args=[_annual(COMMUNE_B).pk]), b1.full_name)
        ids = world.foreign_ids(sweep.scope)
        sweep.get_pages(ids, skip_write_check=GET_WRITES)
        sweep.api_reads(ids)
        sweep.post_pages(None, paramless=False)
        sweep.api_writes(None)
        _duplicate_probes(sweep, world.own["b_1"], b1)  # last: the audit log keeps what they type
    _finish(sweep, started)


def _duplicate_probes(sweep: Sweep, household: Household, member: Person) -> None:
    """Commune B's officer types the CCCD of a commune A person (with the date of birth and sex
    that CCCD encodes): the refusal must not name that person or household."""
    for other in Person.objects.filter(commune_id=COMMUNE_A).exclude(cccd="").order_by("pk")[:2]:
        typed = {
            **NEW_PERSON,
            "full_name": "Nguyễn Văn Gõ Lại",
            "relationship": "other",
            "date_of_birth": other.date_of_birth.isoformat(),
            "sex": other.sex,
            "cccd": other.cccd,
        }
        echo = {other.cccd}
        sweep.request(
            "GET",
            reverse("registry:validate_field")
            + "?"
            + _urlencode(
                {
                    "field": "cccd",
                    "cccd": other.cccd,
                    "sex": other.sex,
                    "date_of_birth": typed["date_of_birth"],
                }
            ),
            echo=echo,
        )
        sweep.request(
            "POST",
            reverse("registry:person_create", args=[household.pk]),
            data={**typed, "event_kind": "move_in"},
            echo=echo,
        )
        sweep.request(
            "POST",
            reverse("registry:household_create"),
            echo=echo,
            data={
                "village": household.village_id,
                "address": "",
                "members-TOTAL_FORMS": "1",
                "members-INITIAL_FORMS": "0",
                "members-MIN_NUM_FORMS": "1",
                "members-MAX_NUM_FORMS": "30",
                **{f"members-0-{k}": v for k, v in {**typed, "relationship": "head"}.items()},
            },
        )
        sweep.request(
            "POST",
            f"/api/households/{household.pk}/persons?event_kind=move_in",
            api=True,
            echo=echo,
            body=dict(typed),
        )
        sweep.request(
            "PATCH",
            f"/api/persons/{member.pk}",
            api=True,
            echo=echo,
            body={"cccd": other.cccd, "date_of_birth": typed["date_of_birth"], "sex": other.sex},
        )


def test_anonymous_is_sent_to_sign_in(world):
    started = time.monotonic()
    with Sweep(world, "anonymous") as sweep:
        everything = world.all_ids()
        sweep.get_pages(everything)
        sweep.post_pages(everything)
        sweep.api_reads(everything)
        sweep.api_writes(everything)
        for name in PUBLIC:  # the list of public endpoints stays true
            if not any(r.name == name for r in sweep.routes):
                sweep.problem("coverage", "-", name, "-", "listed in PUBLIC, not a URL pattern")
    _finish(sweep, started)
