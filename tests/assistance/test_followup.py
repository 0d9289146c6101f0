"""After payment: a bank payment that fails (and fails again), money still owed to a case that
has ended, and the commune's paying account used as the debtor of the bank files."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import exports, services
from ansinh.assistance import payroll as pr
from ansinh.assistance.choices import GuardRule, LineKind, LineStatus
from ansinh.assistance.models import Case, GuardItem, PaymentAccount
from ansinh.core.models import AuditEntry
from tests import factories as f
from tests.assistance.conftest import decide

pytestmark = pytest.mark.django_db
D = dt.date
C = f.TAN_DONG
OCT, NOV, DEC, JAN = D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)
NS = {"p": exports.PAIN_NS}


def _cycle(officer, committee, month):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=month)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    return pr.payroll_approve(scope=scope_for(committee), payroll=payroll)


def _fail(line, officer, action=LineStatus.CARRIED):
    line.status = LineStatus.FAILED
    line.result_reason = "Tài khoản đã đóng"
    line.save()
    return pr.line_failed_resolve(
        scope=scope_for(officer), line=line, action=action, note="Báo lỗi"
    )


def _settle(payroll, officer):
    """Everything still pending is paid; the payroll is closed."""
    payroll.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.PAID)
    return pr.payroll_close(scope=scope_for(officer), payroll=payroll)


def _item(case, month, rule):
    return GuardItem.objects.get(case=case, month=month, rule=rule)


# --- a failed bank payment ---------------------------------------------------------------


def test_failed_payment_flags_the_unchanged_account_next_month(cases, officer, committee):
    elderly = cases["elderly"]
    nov = _cycle(officer, committee, NOV)
    _fail(nov.lines.get(case=elderly), officer)
    _settle(nov, officer)
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    item = _item(elderly, DEC, GuardRule.BANK_FAILED)
    assert item.blocking
    assert "11/2026" in item.message
    assert "không thành công" in item.message
    assert [a for a, _label in pr.actions_for(item.rule)] == ["confirmed", "cash", "held"]
    with pytest.raises(
        ValidationError, match="Cách xử lý này không áp dụng cho nội dung kiểm tra này"
    ):  # stopping the case is not what this check is about
        pr.guard_resolve(scope=scope_for(officer), item=item, action="stopped", note="x")
    with pytest.raises(ValidationError, match="1 kiểm tra chặn chưa được xử lý"):
        pr.payroll_prepare(scope=scope_for(officer), payroll=dec)
    # the officer collects a new account: the draft lines follow, the check no longer applies
    services.case_payment_set(
        scope=scope_for(officer),
        case=elderly,
        method="bank",
        bank="vbsp",
        account_number="1001 2345 678",
        account_holder="PHAM THI LAN",
    )
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    accounts = set(dec.lines.filter(case=elderly).values_list("kind", "account_number"))
    assert accounts == {(LineKind.REGULAR, "10012345678"), (LineKind.CARRIED, "10012345678")}
    item.refresh_from_db()
    assert item.action == "cleared"


def test_a_payment_failing_twice_is_paid_in_cash(cases, officer, committee):
    elderly = cases["elderly"]
    nov = _cycle(officer, committee, NOV)
    _fail(nov.lines.get(case=elderly), officer)
    _settle(nov, officer)
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    pr.guard_resolve(
        scope=scope_for(officer),
        item=_item(elderly, DEC, GuardRule.BANK_FAILED),
        action="confirmed",
        note="Ngân hàng mở lại tài khoản",
    )
    dec = _cycle(officer, committee, DEC)
    carried = dec.lines.get(case=elderly, kind=LineKind.CARRIED)
    with pytest.raises(
        ValidationError, match="đã chuyển sang tháng sau một lần và lại không thành công"
    ) as err:
        _fail(carried, officer, action=LineStatus.CARRIED)
    assert "tiền mặt" in " ".join(err.value.messages)
    carried.refresh_from_db()
    assert carried.status == LineStatus.FAILED
    pr.line_failed_resolve(
        scope=scope_for(officer), line=carried, action=LineStatus.CASH, note="Chi tại UBND"
    )
    pdf = exports.cash_pdf(dec, commune_name="xã Tân Đông", place="Tân Đông")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Phạm Thị Lan" in text
    assert "chuyển khoản không thành công" in text
    _settle(dec, officer)
    jan = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=JAN)
    assert not jan.lines.filter(kind=LineKind.CARRIED).exists()  # paid once, in cash


# --- money owed to a case that has ended ---------------------------------------------------


def _late_then_died(people, officer, committee):
    """October's payroll is made on the 5th; the decision is signed on 20 October (paid from
    October); the recipient dies on 25 October: the case stops from November."""
    oct_payroll = _cycle(officer, committee, OCT)
    case = decide(officer, people["disabled"], signed=D(2026, 10, 20))
    _settle(oct_payroll, officer)
    services.case_stop(
        scope=scope_for(officer), case=case, reason="death", event_date=D(2026, 10, 25)
    )
    return case


def test_arrears_of_an_ended_case_are_proposed_and_checked(people, officer, committee):
    case = _late_then_died(people, officer, committee)
    nov = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    lines = list(nov.lines.filter(case=case).values_list("kind", "month", "amount"))
    assert lines == [(LineKind.ARREARS, OCT, 750_000)]
    item = _item(case, NOV, GuardRule.ENDED_ARREARS)
    assert item.blocking
    assert "10/2026" in item.message
    assert "750.000" in item.message
    with pytest.raises(ValidationError, match="1 kiểm tra chặn chưa được xử lý"):
        pr.payroll_prepare(scope=scope_for(officer), payroll=nov)
    pr.guard_resolve(
        scope=scope_for(officer),
        item=item,
        action="cash",
        note="Chi cho con gái (người thừa kế) cùng trợ cấp mai táng",
    )
    assert nov.lines.get(case=case).method == "cash"
    pr.payroll_prepare(scope=scope_for(officer), payroll=nov)
    assert pr.payroll_approve(scope=scope_for(committee), payroll=nov).status == "approved"
    _settle(nov, officer)
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    assert not dec.lines.filter(case=case).exists()


def test_arrears_recorded_as_not_owed_are_never_proposed_again(people, officer, committee):
    case = _late_then_died(people, officer, committee)
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    item = _item(case, NOV, GuardRule.ENDED_ARREARS)
    with pytest.raises(ValidationError, match="Ghi rõ vì sao khoản tiền này không còn được hưởng"):
        pr.guard_resolve(scope=scope_for(officer), item=item, action="not_owed", note=" ")
    pr.guard_resolve(
        scope=scope_for(officer),
        item=item,
        action="not_owed",
        note="Hồ sơ lập sai, đã thu hồi quyết định",
    )
    nov = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    assert not nov.lines.filter(case=case).exists()
    _cycle(officer, committee, NOV)
    _settle(nov, officer)
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    assert not dec.lines.filter(case=case).exists()
    assert not GuardItem.objects.filter(case=case, month=DEC).exists()


def test_not_owed_applies_only_to_ended_arrears(cases, people, officer):
    Case.objects.filter(pk=cases["elderly"].pk).update(bank_account_number="")
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    item = _item(cases["elderly"], NOV, GuardRule.BANK_ACCOUNT)
    with pytest.raises(
        ValidationError, match="Cách xử lý này không áp dụng cho nội dung kiểm tra này"
    ):
        pr.guard_resolve(scope=scope_for(officer), item=item, action="not_owed", note="x")


# --- the commune's paying account -------------------------------------------------------


def test_paying_account_is_checked_audited_and_officer_only(tan_dong, officer, committee):
    with pytest.raises(
        ValidationError, match="Số tài khoản ngân hàng gồm từ 6 đến 19 chữ số"
    ) as err:
        services.payment_account_set(
            scope=scope_for(officer),
            commune_code=C,
            holder=" ",
            bank="nope",
            account_number="12",
            bic="VB",
        )
    assert set(err.value.message_dict) == {"holder", "bank", "account_number", "bic"}
    with pytest.raises(
        PermissionDenied,
        match="Chỉ công chức Văn hóa – Xã hội của xã mới được thay đổi hồ sơ trợ cấp",
    ):
        services.payment_account_set(
            scope=scope_for(committee),
            commune_code=C,
            holder="UBND",
            bank="agribank",
            account_number="5700201004417",
        )
    account = services.payment_account_set(
        scope=scope_for(officer),
        commune_code=C,
        holder="Ủy ban nhân dân xã Tân Đông",
        bank="agribank",
        account_number="5700-2010-04417",
        bic="vbaa vn vx",
    )
    assert (account.account_number, account.bic) == ("5700201004417", "VBAAVNVX")
    services.payment_account_set(
        scope=scope_for(officer),
        commune_code=C,
        holder=account.holder,
        bank="agribank",
        account_number="5700201009999",
    )
    assert PaymentAccount.objects.count() == 1
    entries = AuditEntry.objects.filter(model_label="assistance.paymentaccount")
    assert entries.count() == 2


def test_pain001_names_the_debtor_bank_without_bic(cases, officer, committee):
    payroll = _cycle(officer, committee, NOV)
    data = exports.pain001(
        payroll,
        debtor_name="Ủy ban nhân dân xã Tân Đông",
        debtor_account="5700201004417",
        debtor_bank="Agribank",
    )
    root = ET.fromstring(data)  # noqa: S314 - our own file
    assert root.findtext(".//p:DbtrAgt/p:FinInstnId/p:Nm", namespaces=NS) == "AGRIBANK"
    assert root.findtext(".//p:Dbtr/p:Nm", namespaces=NS) == "UY BAN NHAN DAN XA TAN DONG"


def test_pain001_escapes_what_it_writes(cases, officer, committee):
    payroll = _cycle(officer, committee, NOV)
    payroll.lines.filter(method="bank").update(account_holder="TRẦN & CON <HỘ KD>")
    data = exports.pain001(
        payroll,
        debtor_name="UBND <xã> & co",
        debtor_account="5700201004417",
        debtor_bank="Agribank",
    )
    root = ET.fromstring(data)  # noqa: S314 - our own file
    names = {e.text for e in root.iterfind(".//p:Cdtr/p:Nm", NS)}
    assert names == {"TRAN CON HO KD"}
    odd = exports.pain001(payroll, debtor_name="UBND", debtor_account="57&<>'\"")
    tree = ET.fromstring(odd)  # noqa: S314 - our own file
    assert tree.findtext(".//p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "57&<>'\""
    with pytest.raises(
        exports.InvalidPaymentFile, match="maxLength"
    ):  # a debtor account the schema refuses
        exports.pain001(payroll, debtor_name="UBND", debtor_account="5700 & <x>" * 5)
