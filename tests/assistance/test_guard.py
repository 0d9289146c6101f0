"""The eligibility guard: one test per rule, idempotence, resolutions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance.choices import CaseStatus, GuardRule
from ansinh.assistance.guard import guard_run
from ansinh.assistance.models import Case, GuardItem
from ansinh.poverty.models import PovertyStatusPeriod
from ansinh.registry import services as registry
from tests import factories as f
from tests.assistance.conftest import bank, decide

pytestmark = pytest.mark.django_db
D = dt.date
C = f.TAN_DONG
NOV = D(2026, 11, 1)


def _items(month=NOV, **kw):
    return list(GuardItem.objects.filter(month=month, resolved_at__isnull=True, **kw))


def test_clean_cases_give_no_item(cases):
    assert guard_run(commune_code=C, month=NOV) == 0
    assert not _items()


def test_deceased_person(cases, people, officer):
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 10, 12)
    )
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    [item] = _items(rule=GuardRule.PERSON_GONE)
    assert item.blocking
    assert "đã chết ngày 12/10/2026" in item.message
    pr.guard_resolve(scope=scope_for(officer), item=item, action="stopped", note="Đã báo tử")
    case = Case.objects.get(pk=cases["elderly"].pk)
    assert case.status == CaseStatus.STOPPED
    assert case.end_month == NOV
    assert not payroll.lines.filter(case=case).exists()
    pr.payroll_generate(
        scope=scope_for(officer), commune_code=C, month=NOV
    )  # the line does not come back
    assert not payroll.lines.filter(case=case).exists()


def test_moved_person(cases, people, officer):
    registry.person_move_out(scope=scope_for(officer), person=people["orphan"], date=D(2026, 11, 3))
    guard_run(commune_code=C, month=NOV)
    [item] = _items(rule=GuardRule.PERSON_GONE)
    assert "đã chuyển đi" in item.message
    assert "dừng trợ cấp từ tháng sau" in item.message


def test_two_active_cases_keep_the_higher(cases, people, officer):
    pension = decide(officer, people["elderly"], (), scheme="social_pension")
    guard_run(commune_code=C, month=NOV)
    [item] = _items(rule=GuardRule.TWO_CASES)
    assert item.case_id == pension.pk  # tie 500,000 = 500,000: the Decree 20 allowance is kept


def test_age_band_crossing(people, officer, tan_dong):
    hh = f.household(
        tan_dong,
        f.person("Bé Tư", D(2022, 11, 10), "female", "head", with_cccd=False),
        actor=officer,
    )
    case = decide(officer, hh.members.get(), ["child_no_support"])
    assert case.amount == 1_250_000
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 12, 1))
    [item] = _items(D(2026, 12, 1), rule=GuardRule.AMOUNT_CHANGED)
    assert "750.000 đ (hệ số 1,5)" in item.message
    pr.guard_resolve(scope=scope_for(officer), item=item, action="recomputed")
    assert payroll.lines.get(case=case).amount == 750_000
    assert Case.objects.get(pk=case.pk).amount == 750_000


def test_household_status_changed_by_the_review(people, officer):
    person = people["disabled"]
    PovertyStatusPeriod.objects.create(
        household=person.household,
        poverty_class="poor",
        valid_from=D(2026, 1, 1),
        valid_to=D(2026, 10, 31),
    )
    PovertyStatusPeriod.objects.create(
        household=person.household, poverty_class="not_poor", valid_from=D(2026, 11, 1)
    )
    case = decide(officer, person)
    assert case.household_status == "poor"
    guard_run(commune_code=C, month=NOV)
    [item] = _items(rule=GuardRule.HOUSEHOLD_STATUS)
    assert "từ hộ nghèo sang" in item.message


def test_missing_bank_account(cases):
    Case.objects.filter(pk=cases["disabled"].pk).update(bank_account_number="12-34")
    guard_run(commune_code=C, month=NOV)
    [item] = _items(rule=GuardRule.BANK_ACCOUNT)
    assert item.case_id == cases["disabled"].pk


def test_same_account_for_different_households(cases, officer, dong_hiep):
    account = cases["disabled"].bank_account_number
    hh = f.household(
        dong_hiep,
        f.person(
            "Ông Ba",
            D(1940, 3, 3),
            "male",
            "head",
            bank="agribank",
            bank_account_number=account,
            bank_account_holder="TRAN VAN HUNG",
        ),
        actor=officer,
    )
    other = decide(officer, hh.members.get(), ["elderly_80_no_pension"])
    guard_run(commune_code=C, month=NOV)
    items = _items(rule=GuardRule.SHARED_ACCOUNT)
    assert {i.case_id for i in items} == {cases["disabled"].pk, other.pk}
    # same household sharing an account (mother and son) is not flagged
    assert cases["elderly"].pk not in {i.case_id for i in items}


def test_guard_is_idempotent_and_clears_what_no_longer_applies(cases):
    Case.objects.filter(pk=cases["disabled"].pk).update(bank_account_number="")
    guard_run(commune_code=C, month=NOV)
    guard_run(commune_code=C, month=NOV)
    assert GuardItem.objects.count() == 1
    Case.objects.filter(pk=cases["disabled"].pk).update(bank_account_number="570099999999")
    assert guard_run(commune_code=C, month=NOV) == 0
    assert GuardItem.objects.get().action == "cleared"


def test_switch_to_cash_resolves_a_bank_item(cases, officer):
    Case.objects.filter(pk=cases["disabled"].pk).update(bank_account_number="")
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    [item] = _items()
    pr.guard_resolve(scope=scope_for(officer), item=item, action="cash", note="Chưa có tài khoản")
    assert payroll.lines.get(case=cases["disabled"]).method == "cash"


def test_held_payment_needs_a_note(cases, officer):
    Case.objects.filter(pk=cases["disabled"].pk).update(bank_account_number="")
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    [item] = _items()
    with pytest.raises(ValidationError, match="Vui lòng ghi lý do tạm dừng chi trả"):
        pr.guard_resolve(scope=scope_for(officer), item=item, action="held")
    pr.guard_resolve(scope=scope_for(officer), item=item, action="held", note="Chờ xác minh")
    assert not payroll.lines.filter(case=cases["disabled"]).exists()


def test_messages_are_stored_as_keys_and_shown_in_the_reader_language(cases, officer):
    Case.objects.filter(pk=cases["disabled"].pk).update(bank_account_number="12-34")
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    [item] = _items(rule=GuardRule.BANK_ACCOUNT)
    assert (item.message_key, item.message_params) == ("invalid", {})
    stored = GuardItem.objects.filter(pk=item.pk).values_list("message", flat=True)
    assert stored.get() == ""  # no sentence written in one language
    with translation.override("en"):
        assert item.message.startswith("Paid by bank but the account number is missing")
    with translation.override("vi"):
        assert item.message.startswith("Chi trả qua ngân hàng nhưng thiếu hoặc sai số tài khoản")
    pr.guard_resolve(scope=scope_for(officer), item=item, action="cash", note="Chưa có tài khoản")
    assert stored.get() == ""  # saving the item does not store what was shown
    assert GuardItem.objects.get(pk=item.pk).message_key == "invalid"


def test_an_item_stored_as_a_sentence_shows_it(cases):
    """Items raised by events, and items stored before the rules became a table."""
    item = GuardItem.objects.create(
        case=cases["disabled"], commune_id=C, month=NOV, rule="bank_account", message="Câu cũ."
    )
    with translation.override("en"):
        assert GuardItem.objects.get(pk=item.pk).message == "Câu cũ."


__all__ = ["bank"]


def test_statuses_read_per_commune_equal_statuses_read_by_ids(people):
    from ansinh.assistance.entitlement import household_statuses

    poor, other = people["disabled"].household, people["orphan"].household
    PovertyStatusPeriod.objects.create(
        household=poor,
        poverty_class="near_poor",
        valid_from=D(2026, 1, 1),
        valid_to=D(2026, 10, 31),
    )
    PovertyStatusPeriod.objects.create(
        household=poor, poverty_class="poor", valid_from=D(2026, 11, 1)
    )
    ids = [poor.pk, other.pk]
    for day in (D(2026, 6, 1), NOV):
        by_ids = household_statuses(ids, day)
        assert household_statuses(ids, day, chunk=1, commune_code=C) == by_ids
    assert by_ids == {poor.pk: "poor", other.pk: "other"}


def test_the_demo_action_of_every_check_is_one_the_officer_may_take():
    """``ansinh demo`` resolves each check with its rule's ``demo_action`` (one place per
    rule): an action the payroll would refuse for that check would break the demo."""
    from ansinh.rules import guard as guard_rules

    for code, check in guard_rules.CHECKS.items():
        assert check.demo_action in [a for a, _label in pr.actions_for(code)], code
