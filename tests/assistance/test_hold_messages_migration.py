"""Migration assistance 0006: the Vietnamese sentences events stored before become keys and
parameters (guard items) or packed messages (a line's note and recovery), shown in the reader's
language; a sentence it does not recognise stays as it was; backwards gives the sentences back
exactly."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance.models import GuardItem, PayrollLine
from ansinh.rules import guard as guard_rules
from tests import factories as f

pytestmark = pytest.mark.django_db
migration = importlib.import_module("ansinh.assistance.migrations.0006_hold_messages_as_keys")
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)

DIED = (
    "Đã ghi nhận người hưởng chết ngày 28/10/2026. Đã giữ lại 1 khoản chi chưa xuất file "
    "(500.000 đ). Không còn được hưởng: dừng trợ cấp hoặc giữ lại."
)
MOVED = (
    "Đã ghi nhận người hưởng chuyển đi ngày 03/11/2026. Đã giữ lại 2 khoản chi chưa xuất file "
    "(1.500.000 đ). Tháng 11/2026 vẫn được hưởng: xác định người nhận rồi chi, hoặc giữ lại."
)
TRANSFERRED = (
    "Hồ sơ chuyển đến Xã Hòa Lợi, ngày mới ngày 15/10/2026, không chi từ tháng 11/2026. Đã giữ "
    "lại 1 khoản chi chưa xuất file (750.000 đ). Không còn được hưởng: dừng trợ cấp hoặc giữ lại."
)
CUT = DIED[:120]  # a sentence cut at the column's length is not recognised
STOPPED_NOTE = "Hồ sơ dừng trợ cấp ngày 15/10/2026, không chi từ tháng 11/2026."
RECOVER = "Đã ghi nhận người hưởng chết ngày 30/10/2026. Đã xuất file chi trả: theo dõi thu hồi."
OFFICER_NOTE = "Hồ sơ lập sai, chuyển sang tháng sau"


@pytest.fixture
def stored(cases, officer):
    """Guard items and lines as the code before the migration wrote them."""
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=f.TAN_DONG, month=NOV)
    items = {
        name: GuardItem.objects.create(
            case=cases[case],
            commune_id=f.TAN_DONG,
            month=month,
            rule=rule,
            message=message,
            origin="event",
        )
        for name, case, month, rule, message in [
            ("died", "elderly", DEC, "person_gone", DIED),
            ("moved", "orphan", DEC, "person_gone", MOVED),
            ("transferred", "disabled", DEC, "case_ended", TRANSFERRED),
            ("cut", "elderly", NOV, "person_gone", CUT),
            ("guard", "disabled", NOV, "bank_account", "Câu cũ."),
        ]
    }
    lines = {n: payroll.lines.get(case=cases[n]) for n in ("elderly", "orphan", "disabled")}
    PayrollLine.objects.filter(pk=lines["elderly"].pk).update(recovery=RECOVER)
    PayrollLine.objects.filter(pk=lines["disabled"].pk).update(note=STOPPED_NOTE)
    PayrollLine.objects.filter(pk=lines["orphan"].pk).update(note=OFFICER_NOTE)
    return items, lines


def _item(items, name):
    return GuardItem.objects.get(pk=items[name].pk)


def _line(lines, name):
    return PayrollLine.objects.get(pk=lines[name].pk)


def test_sentences_become_keys_and_read_in_english(stored):
    items, lines = stored
    migration.forwards(apps, None)
    died = _item(items, "died")
    assert (died.message_key, died.message_params) == (
        "died_held",
        {"date": "2026-10-28", "count": 1, "total": 500_000},
    )
    moved = _item(items, "moved")
    assert (moved.message_key, moved.message_params) == (
        "moved_held_owed",
        {"date": "2026-11-03", "count": 2, "total": 1_500_000, "month": "2026-11-01"},
    )
    transferred = _item(items, "transferred")
    assert transferred.message_key == "transferred_held"
    # the destination is everything before the event's date, commas and "ngày" included
    assert transferred.message_params["to"] == "Xã Hòa Lợi, ngày mới"
    assert GuardItem.objects.filter(message_key="").count() == 2  # the cut one, the guard's
    with translation.override("en"):
        assert _item(items, "died").message == (
            "Recorded: the recipient died on 28/10/2026. Payments held, not yet in a payment "
            "file: 1 (500,000 VND). No longer owed: stop the allowance or hold it."
        )
        assert _item(items, "cut").message == CUT  # not recognised: shown as stored
        assert _item(items, "guard").message == "Câu cũ."
        assert _line(lines, "elderly").recovery_text == (
            "Recorded: the recipient died on 30/10/2026. Already in a payment file: follow up "
            "its recovery."
        )
        assert _line(lines, "disabled").note_text == (
            "The case was stopped on 15/10/2026; nothing is paid from 11/2026."
        )
        assert _line(lines, "orphan").note_text == OFFICER_NOTE
    assert guard_rules.unpack(_line(lines, "disabled").note) == (
        "case_ended",
        "stopped",
        {"date": "2026-10-15", "end": "2026-11-01"},
    )
    assert _line(lines, "orphan").note == OFFICER_NOTE


def test_backwards_gives_the_sentences_back(stored):
    items, lines = stored
    migration.forwards(apps, None)
    migration.backwards(apps, None)
    assert [_item(items, n).message for n in ("died", "moved", "transferred", "cut", "guard")] == [
        DIED,
        MOVED,
        TRANSFERRED,
        CUT,
        "Câu cũ.",
    ]
    assert not GuardItem.objects.exclude(message_key="").exists()
    assert _line(lines, "elderly").recovery == RECOVER
    assert _line(lines, "disabled").note == STOPPED_NOTE
    assert _line(lines, "orphan").note == OFFICER_NOTE


def _state():
    return (
        list(GuardItem.objects.order_by("pk").values("message", "message_key", "message_params")),
        list(PayrollLine.objects.order_by("pk").values("note", "recovery")),
    )


@pytest.mark.usefixtures("stored")
def test_running_it_twice_changes_nothing_more():
    initial = _state()
    migration.forwards(apps, None)
    once = _state()
    assert once != initial
    migration.forwards(apps, None)
    assert _state() == once
