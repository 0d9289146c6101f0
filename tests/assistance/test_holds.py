"""The guard holds until the money leaves: a payroll is checked again when it is prepared,
approved and exported; a death, a move or an ended case recorded after the payroll was made
holds the lines not yet exported, and flags for recovery those already exported."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import exports, guard, holds, services
from ansinh.assistance import payroll as pr
from ansinh.assistance.choices import GuardOrigin, GuardRule, LineStatus, PayrollStatus
from ansinh.assistance.models import GuardItem, Payroll, PayrollLine
from ansinh.assistance.payroll import steps
from ansinh.registry import services as registry
from ansinh.rules import guard as guard_rules
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
C = f.TAN_DONG
OCT, NOV = D(2026, 10, 1), D(2026, 11, 1)


def _approved(officer, committee, month=NOV):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=month)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    return pr.payroll_approve(scope=scope_for(committee), payroll=payroll)


def _open(rule=None):
    qs = GuardItem.objects.filter(month=NOV, resolved_at__isnull=True, blocking=True)
    return list(qs.filter(rule=rule) if rule else qs)


# --- a death recorded after the payroll was made ----------------------------------------------


def test_a_death_after_generation_holds_the_line_and_blocks_preparation(
    cases, people, officer, committee
):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    assert payroll.fresh
    elderly = cases["elderly"]
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 10, 28)
    )
    line = payroll.lines.get(case=elderly)
    assert line.status == LineStatus.HELD
    [item] = _open(GuardRule.PERSON_GONE)
    assert item.case_id == elderly.pk
    assert item.origin == GuardOrigin.EVENT
    # stored as a key and its parameters, shown in the reader's language
    assert (item.message_key, item.message_params) == (
        "died_held",
        {"date": "2026-10-28", "count": 1, "total": 500_000},
    )
    assert GuardItem.objects.filter(pk=item.pk).values_list("message", flat=True).get() == ""
    with translation.override("en"):
        assert item.message == (
            "Recorded: the recipient died on 28/10/2026. Payments held, not yet in a payment "
            "file: 1 (500,000 VND). No longer owed: stop the allowance or hold it."
        )
        assert line.note_text == "Recorded: the recipient died on 28/10/2026."
    assert guard_rules.unpack(line.note) == ("person_gone", "died", {"date": "2026-10-28"})
    assert not Payroll.objects.get(pk=payroll.pk).fresh  # the registry changed after the check
    assert pr.payroll_total(payroll) == 750_000 + 1_250_000  # held lines are not paid
    with pytest.raises(ValidationError, match="1 kiểm tra chặn chưa được xử lý"):
        pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    # a guard run keeps the event's item (it is not closed as "no longer applies")
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    item.refresh_from_db()
    assert item.resolved_at is None
    assert item.origin == GuardOrigin.EVENT
    pr.guard_resolve(scope=scope_for(officer), item=item, action="stopped", note="Giấy báo tử")
    assert not payroll.lines.filter(case=elderly).exists()
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    assert (
        pr.payroll_approve(scope=scope_for(committee), payroll=payroll).status
        == PayrollStatus.APPROVED
    )


def test_a_death_after_approval_blocks_the_bank_file_until_resolved(
    cases, people, officer, committee
):
    payroll = _approved(officer, committee)
    services_account(officer)
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 10, 28)
    )
    elderly_line = payroll.lines.get(case=cases["elderly"])
    assert elderly_line.status == LineStatus.HELD
    with pytest.raises(ValidationError, match="1 kiểm tra chặn chưa được xử lý"):
        pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")
    assert not payroll.lines.filter(exported_at__isnull=False).exists()
    [item] = _open(GuardRule.PERSON_GONE)
    # an approved payroll only loses payments: no recomputing, no switching to cash
    assert [a for a, _l in pr.actions_for(item.rule, payroll)] == ["stopped", "confirmed", "held"]
    with pytest.raises(
        ValidationError, match="Cách xử lý này không áp dụng cho nội dung kiểm tra này"
    ):
        pr.guard_resolve(scope=scope_for(officer), item=item, action="cash", note="x")
    with pytest.raises(ValidationError, match="Vui lòng ghi lý do tạm dừng"):
        pr.guard_resolve(scope=scope_for(officer), item=item, action="held", note="  ")
    pr.guard_resolve(scope=scope_for(officer), item=item, action="held", note="Chờ giấy báo tử")
    assert pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank") == 1
    data = exports.bank_csv(payroll)
    assert elderly_line.reference not in data.decode()
    assert payroll.lines.get(case=cases["disabled"]).reference in data.decode()


def test_a_death_after_export_flags_the_line_for_recovery(cases, people, officer, committee):
    payroll = _approved(officer, committee)
    pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")
    line = payroll.lines.get(case=cases["elderly"])
    assert line.exported_at is not None
    # died before November: November's money was not owed, and it has gone to the bank
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 10, 30)
    )
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING  # cannot be held any more: it is in the file
    assert guard_rules.unpack(line.recovery) == (
        "person_gone",
        "died_recover",
        {"date": "2026-10-30"},
    )
    with translation.override("en"):
        assert line.recovery_text == (
            "Recorded: the recipient died on 30/10/2026. Already in a payment file: follow up "
            "its recovery."
        )


def test_a_death_within_the_month_after_export_is_not_recovered(cases, people, officer, committee):
    payroll = _approved(officer, committee)
    pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 11, 20)
    )
    assert payroll.lines.get(case=cases["elderly"]).recovery == ""  # November was owed


def test_the_recovery_list_is_on_the_payroll_page(client, cases, people, officer, committee):
    payroll = _approved(officer, committee)
    pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 10, 30)
    )
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("assistance:payroll_detail", args=[payroll.pk])).content.decode()
    assert 'class="recovery"' in page
    assert payroll.lines.get(case=cases["elderly"]).reference in page
    # what the event says, in the reader's language (never the stored key)
    assert "died on 30/10/2026. Already in a payment file: follow up its recovery." in page
    assert "died_recover" not in page


def test_a_move_out_holds_too(cases, people, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    registry.person_move_out(scope=scope_for(officer), person=people["orphan"], date=D(2026, 11, 3))
    assert payroll.lines.get(case=cases["orphan"]).status == LineStatus.HELD
    [item] = _open(GuardRule.PERSON_GONE)
    assert (item.message_key, item.message_params["month"]) == ("moved_held_owed", "2026-11-01")
    with translation.override("en"):
        assert item.message.startswith("Recorded: the recipient moved away on 03/11/2026.")
        assert item.message.endswith(
            "11/2026 is still owed: find who receives it, then pay, or hold it."
        )
    pr.guard_resolve(
        scope=scope_for(officer), item=item, action="confirmed", note="Đi sau ngày chi"
    )
    assert payroll.lines.get(case=cases["orphan"]).status == LineStatus.PENDING


def test_ending_a_case_holds_its_lines_from_the_end_month(cases, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    services.case_stop(
        scope=scope_for(officer),
        case=cases["disabled"],
        reason="not_eligible",
        event_date=D(2026, 10, 15),
        note="Hết khuyết tật nặng",
    )
    line = payroll.lines.get(case=cases["disabled"])
    assert line.status == LineStatus.HELD
    [item] = _open(GuardRule.CASE_ENDED)
    assert (item.message_key, item.message_params) == (
        "stopped_held",
        {"date": "2026-10-15", "end": "2026-11-01", "count": 1, "total": 750_000},
    )
    with translation.override("en"):
        assert item.message.startswith(
            "The case was stopped on 15/10/2026; nothing is paid from 11/2026. Payments held"
        )
    assert [a for a, _l in pr.actions_for(item.rule, payroll)] == ["not_owed"]
    pr.guard_resolve(scope=scope_for(officer), item=item, action="not_owed", note="Đã dừng")
    assert not payroll.lines.filter(case=cases["disabled"]).exists()


def test_a_hold_made_in_vietnamese_reads_in_english(client, cases, officer):
    """What an event says is stored as a key: a hold recorded by a Vietnamese reader is shown
    to an English reader in English (item, held line, payroll page), and back in Vietnamese."""
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    with translation.override("vi"):
        services.case_transfer(
            scope=scope_for(officer), case=cases["disabled"], to="Xã Hòa Lợi", event_date=OCT
        )
    [item] = _open(GuardRule.CASE_ENDED)
    assert item.message_key == "transferred_held"
    assert item.message_params["to"] == "Xã Hòa Lợi"
    line = payroll.lines.get(case=cases["disabled"])
    assert line.status == LineStatus.HELD
    english = (
        "The case was transferred to Xã Hòa Lợi on 01/10/2026; nothing is paid from 11/2026. "
        "Payments held, not yet in a payment file: 1 (750,000 VND). No longer owed: stop the "
        "allowance or hold it."
    )
    with translation.override("en"):
        assert GuardItem.objects.get(pk=item.pk).message == english
        assert line.note_text == (
            "The case was transferred to Xã Hòa Lợi on 01/10/2026; nothing is paid from 11/2026."
        )
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("assistance:payroll_detail", args=[payroll.pk])).content.decode()
    assert english in page
    assert "transferred_held" not in page
    assert "case_ended:transferred" not in page  # the line's note is rendered too
    # the same item, read in Vietnamese: never the English sentence
    with translation.override("vi"):
        assert "(750.000 đ)" in GuardItem.objects.get(pk=item.pk).message
        assert GuardItem.objects.get(pk=item.pk).message != english


def test_a_line_note_fits_its_column_whatever_the_destination(cases, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    far = ("Xã " + "Đông Hòa Hiệp " * 14).strip()  # 198 characters (the field holds 200)
    services.case_transfer(scope=scope_for(officer), case=cases["disabled"], to=far, event_date=OCT)
    line = payroll.lines.get(case=cases["disabled"])
    assert guard_rules.unpack(line.note) == (
        "case_ended",
        "transferred",
        {"date": "2026-10-01", "end": "2026-11-01", "to": far},
    )
    # a name JSON must escape is shortened to fit the 300 characters, never cut mid-JSON
    odd = '\\"' * 100
    text = holds.line_text(
        "case_ended", "transferred", {"date": "2026-10-01", "end": "2026-11-01", "to": odd}
    )
    assert len(text) <= 300
    _rule, _key, params = guard_rules.unpack(text) or ("", "", {"to": ""})
    assert odd.startswith(params["to"])
    assert len(params["to"]) > 100


# --- fresh: every change that matters makes the payroll be checked again ------------------------


def test_a_change_while_the_guard_runs_refuses_preparation(cases, officer, monkeypatch):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    real = guard.guard_findings

    def findings_then_a_change(commune_code, month):
        out = real(commune_code, month)
        services.case_payment_set(
            scope=scope_for(officer),
            case=cases["orphan"],
            method="cash",
            note="Đổi trong lúc kiểm tra",
        )
        return out

    monkeypatch.setattr(guard, "guard_findings", findings_then_a_change)
    with pytest.raises(ValidationError, match="thay đổi trong khi"):
        pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    assert Payroll.objects.get(pk=payroll.pk).status == PayrollStatus.DRAFT


def test_a_bank_account_changed_after_approval_is_checked_before_export(
    cases, officer, committee, monkeypatch
):
    payroll = _approved(officer, committee)
    services.case_payment_set(scope=scope_for(officer), case=cases["orphan"], method="cash")
    assert not Payroll.objects.get(pk=payroll.pk).fresh
    runs = []
    real = guard.guard_run
    monkeypatch.setattr(steps, "guard_run", lambda **kw: runs.append(kw) or real(**kw))
    pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")
    assert runs == [{"commune_code": C, "month": NOV}]  # checked again before the file
    assert Payroll.objects.get(pk=payroll.pk).fresh
    runs.clear()
    pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")
    assert runs == []  # nothing changed since: no second run


# --- a crash inside the guard ---------------------------------------------------------------


def _boom(*args, **kwargs):
    raise RuntimeError("guard crashed")


def test_a_crash_inside_the_guard_leaves_no_payroll_half_made(cases, officer, monkeypatch):
    monkeypatch.setattr(guard, "guard_findings", _boom)
    with pytest.raises(RuntimeError, match="guard crashed"):
        pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    assert not Payroll.objects.exists()
    assert not PayrollLine.objects.exists()


def test_a_crash_inside_the_guard_at_approval_leaves_it_unapproved(
    cases, officer, committee, monkeypatch
):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    monkeypatch.setattr(guard, "guard_findings", _boom)
    with pytest.raises(RuntimeError, match="guard crashed"):
        pr.payroll_approve(scope=scope_for(committee), payroll=payroll)
    assert Payroll.objects.get(pk=payroll.pk).status == PayrollStatus.PREPARED


def test_a_payroll_never_completely_checked_cannot_be_exported(
    cases, officer, committee, monkeypatch
):
    payroll = _approved(officer, committee)
    Payroll.objects.filter(pk=payroll.pk).update(guarded_version=None)  # last run crashed
    monkeypatch.setattr(guard, "guard_findings", _boom)
    with pytest.raises(RuntimeError, match="guard crashed"):
        pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")
    assert not payroll.lines.filter(exported_at__isnull=False).exists()


# --- bank accounts --------------------------------------------------------------------------


def test_a_bank_payment_without_an_account_is_blocking_and_cannot_be_paid_as_is(cases, officer):
    from ansinh.assistance.models import Case

    Case.objects.filter(pk=cases["orphan"].pk).update(
        payment_method="bank", bank="agribank", bank_account_number=""
    )
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    [item] = _open(GuardRule.BANK_ACCOUNT)
    assert [a for a, _l in pr.actions_for(item.rule)] == ["cash", "held"]
    with pytest.raises(ValidationError, match="không áp dụng"):
        pr.guard_resolve(scope=scope_for(officer), item=item, action="confirmed", note="Vẫn chi")


def test_the_bank_file_refuses_a_line_without_a_valid_account(cases, officer, committee):
    payroll = _approved(officer, committee)
    line = payroll.lines.get(case=cases["elderly"])
    PayrollLine.objects.filter(pk=line.pk).update(account_number="")  # however it got there
    with pytest.raises(ValidationError, match=line.reference):
        pr.payroll_export_begin(scope=scope_for(officer), payroll=payroll, method="bank")


# --- the guard page ---------------------------------------------------------------------------


def test_the_guard_page_preselects_no_action_and_says_what_happened(client, cases, people, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 10, 28)
    )
    client.force_login(officer)
    url = reverse("assistance:payroll_detail", args=[payroll.pk])
    page = client.get(url).content.decode()
    assert '<option value="" selected disabled>' in page
    assert 'id="guard-stale"' in page
    [item] = _open(GuardRule.PERSON_GONE)
    resolve = reverse("assistance:guard_resolve", args=[item.pk])
    r = client.post(resolve, {"action": "confirmed", "note": ""}, follow=True)
    assert "Vui lòng ghi lý do vẫn chi trả như cũ" in r.content.decode()  # needs a note
    r = client.post(resolve, {"action": "stopped", "note": "Báo tử"}, follow=True)
    assert "Phạm Thị Lan" in r.content.decode()
    assert "Phạm Thị Lan: Đã cho thôi hưởng." in r.content.decode()
    r = client.post(url, {"step": "prepare"}, follow=True)
    assert Payroll.objects.get(pk=payroll.pk).status == PayrollStatus.PREPARED
    assert re.search(r"(trình duyệt|sent for approval: 2 payments)", r.content.decode())


def services_account(officer):
    services.payment_account_set(
        scope=scope_for(officer),
        commune_code=C,
        holder="UBND xã Tân Đông",
        bank="agribank",
        account_number="5700201004417",
    )


def test_a_payroll_for_year_9999_is_refused_before_any_work(cases, officer):
    with pytest.raises(ValidationError, match="Chọn tháng từ 01/2000"):
        pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(9999, 12, 1))
    with pytest.raises(ValidationError, match="Chọn tháng từ 01/2000 đến"):
        pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(1999, 12, 1))
    assert not Payroll.objects.exists()


def test_a_payment_result_makes_next_months_draft_stale(cases, officer, committee):
    nov = _approved(officer, committee)
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 12, 1))
    assert Payroll.objects.get(pk=dec.pk).fresh
    pr.payroll_export_begin(scope=scope_for(officer), payroll=nov, method="bank")
    line = nov.lines.get(case=cases["elderly"])
    data = f"Reference;Amount;Status;Reason\n{line.reference};{line.amount};Failed;Closed\n"
    from ansinh.assistance import reconcile

    reconcile.results_import(scope=scope_for(officer), payroll=nov, data=data.encode())
    assert not Payroll.objects.get(pk=dec.pk).fresh  # December's guard must see the failure


def test_an_approved_policy_value_makes_open_payrolls_check_again(cases, officer, committee):
    """A new standard level changes what every open payroll owes: the approval makes them
    stale, so the guard runs again (and finds the amounts) before any file is made."""
    from ansinh.policy import services as policy

    payroll = _approved(officer, committee)
    assert Payroll.objects.get(pk=payroll.pk).fresh
    entry = policy.policy_value_enter(
        scope=scope_for(officer),
        name="assistance.standard_level",
        valid_from=NOV,
        value=600_000,
        document="Decree X",
        document_vi="Nghị định X",
    )
    assert Payroll.objects.get(pk=payroll.pk).fresh  # proposed: nothing applies yet
    policy.policy_value_approve(scope=scope_for(committee), entry=entry)
    assert not Payroll.objects.get(pk=payroll.pk).fresh
