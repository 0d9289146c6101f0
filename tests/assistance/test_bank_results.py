"""A bank result that says "paid" with another amount is no dead end: it is kept on its line, and
the officer accepts the amount the bank paid or follows it up, through audited, idempotent,
scoped services that refuse a stale page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import exports, reconcile, selectors, services
from ansinh.assistance import payroll as pr
from ansinh.assistance.choices import BankCheck, LineKind, LineStatus
from ansinh.assistance.models import GuardItem, PayrollLine
from ansinh.core.models import AuditEntry
from ansinh.places.models import Commune
from tests import factories as f
from tests.assistance.test_exports import (
    C,
    approved,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.django_db


def _import(officer, payroll, rows) -> reconcile.Reconciliation:
    text = "reference;amount;status\n" + "".join(f"{r};{a};{s}\n" for r, a, s in rows)
    return reconcile.results_import(
        scope=scope_for(officer), payroll=payroll, data=text.encode("utf-8")
    )


@pytest.fixture
def short_paid(approved, officer):  # noqa: F811
    """The bank paid the first bank line 1.000 đ less than due; the second as due."""
    a, b = approved.lines.filter(method="bank").order_by("id")
    result = _import(
        officer, approved, [(a.reference, a.amount - 1000, "paid"), (b.reference, b.amount, "ok")]
    )
    assert (result.paid, result.to_check, len(result.exceptions)) == (1, 1, 1)
    a.refresh_from_db()
    return a


def _audits(line) -> int:
    entries = AuditEntry.objects.filter(model_label="assistance.payrollline", object_id=line.pk)
    return entries.count()


def test_wrong_amount_is_kept_on_its_line(short_paid):
    assert short_paid.status == LineStatus.PENDING
    assert short_paid.bank_check == BankCheck.WRONG_AMOUNT
    assert short_paid.bank_amount == short_paid.amount - 1000


def test_accept_the_amount_paid_once_then_idempotent(short_paid, officer):
    scope, seen = scope_for(officer), short_paid.bank_amount
    done = services.line_bank_amount_accept(scope=scope, line=short_paid, seen_amount=seen)
    assert done.changed
    short_paid.refresh_from_db()
    assert (short_paid.status, short_paid.bank_check) == (LineStatus.PAID, BankCheck.ACCEPTED)
    assert _audits(short_paid) == 1
    again = services.line_bank_amount_accept(scope=scope, line=short_paid, seen_amount=seen)
    assert not again.changed  # a double submit changes nothing
    assert _audits(short_paid) == 1


def test_follow_up_needs_a_note_and_keeps_the_line_open(short_paid, officer):
    scope, seen = scope_for(officer), short_paid.bank_amount
    with pytest.raises(
        ValidationError, match=r"(Say what is being checked|ghi nội dung đang kiểm tra)"
    ):
        services.line_bank_follow_up(scope=scope, line=short_paid, seen_amount=seen, note=" ")
    done = services.line_bank_follow_up(
        scope=scope, line=short_paid, seen_amount=seen, note="Đã gọi Agribank"
    )
    assert done.changed
    short_paid.refresh_from_db()
    assert (short_paid.status, short_paid.bank_check) == (LineStatus.PENDING, BankCheck.FOLLOW_UP)
    services.line_bank_follow_up(
        scope=scope, line=short_paid, seen_amount=seen, note="Đã gọi Agribank"
    )
    assert _audits(short_paid) == 1
    with pytest.raises(ValidationError, match=r"(neither paid nor explained|chưa chi trả)"):
        pr.payroll_close(scope=scope, payroll=short_paid.payroll)  # still open
    # then the amount is accepted after all
    services.line_bank_amount_accept(scope=scope, line=short_paid, seen_amount=seen)
    short_paid.refresh_from_db()
    assert short_paid.status == LineStatus.PAID


def test_corrected_bank_file_settles_a_followed_up_line(short_paid, officer):
    scope = scope_for(officer)
    services.line_bank_follow_up(
        scope=scope, line=short_paid, seen_amount=short_paid.bank_amount, note="Hỏi ngân hàng"
    )
    _import(officer, short_paid.payroll, [(short_paid.reference, short_paid.amount, "paid")])
    short_paid.refresh_from_db()
    assert (short_paid.status, short_paid.bank_check, short_paid.bank_amount) == (
        LineStatus.PAID,
        "",
        None,
    )


def test_stale_page_is_refused_and_loses_nothing(short_paid, officer):
    scope, seen = scope_for(officer), short_paid.bank_amount
    # a new result file arrived after the page was shown: another amount
    _import(officer, short_paid.payroll, [(short_paid.reference, short_paid.amount - 5, "paid")])
    with pytest.raises(
        ValidationError, match=r"(changed after this page was shown|đã thay đổi sau khi trang này)"
    ):
        services.line_bank_amount_accept(scope=scope, line=short_paid, seen_amount=seen)
    short_paid.refresh_from_db()
    assert (short_paid.status, short_paid.bank_amount) == (
        LineStatus.PENDING,
        short_paid.amount - 5,
    )
    assert _audits(short_paid) == 0


def test_a_line_without_a_wrong_amount_cannot_be_accepted(approved, officer):  # noqa: F811
    line = approved.lines.filter(method="bank").first()
    with pytest.raises(
        ValidationError, match=r"(has no wrong amount to resolve|không có sai lệch số tiền)"
    ):
        services.line_bank_amount_accept(scope=scope_for(officer), line=line, seen_amount=None)


def test_only_the_officer_of_the_commune(short_paid, committee):
    with pytest.raises(PermissionDenied, match="Chỉ công chức Văn hóa – Xã hội"):
        services.line_bank_amount_accept(
            scope=scope_for(committee), line=short_paid, seen_amount=short_paid.bank_amount
        )
    elsewhere = Commune.objects.exclude(code=f.TAN_DONG).values_list("code", flat=True)[0]
    other = f.user("canbo_khac", role="officer", commune_code=elsewhere)
    with pytest.raises(PermissionDenied, match="Chỉ công chức Văn hóa – Xã hội"):
        services.line_bank_amount_accept(
            scope=scope_for(other), line=short_paid, seen_amount=short_paid.bank_amount
        )


# --- the payroll page ------------------------------------------------------------------


def _page(client, line) -> str:
    return client.get(reverse("assistance:payroll_detail", args=[line.payroll_id])).content.decode()


def test_page_lists_the_line_with_its_actions_and_says_what_happened(client, officer, short_paid):
    client.force_login(officer)
    page = _page(client, short_paid)
    assert re.search(r"(Bank results to check|Kết quả ngân hàng cần kiểm tra)", page)
    assert f'id="bank-check-{short_paid.pk}"' in page
    url = reverse("assistance:line_bank_check", args=[short_paid.pk])
    assert f'action="{url}"' in page
    post = {"action": "accept", "seen": short_paid.bank_amount, "note": ""}
    after = client.post(url, post, follow=True).content.decode()
    assert re.search(r"(marked paid|đã được ghi là đã chi)", after)
    assert short_paid.reference in after
    assert f'id="bank-check-{short_paid.pk}"' not in after  # nothing left to check
    # the same form submitted twice: a warning, no second change
    twice = client.post(url, post, follow=True).content.decode()
    assert re.search(r"(already accepted|đã được chấp nhận trước đó)", twice)
    assert _audits(short_paid) == 1


def test_page_refuses_a_stale_form_with_a_message(client, officer, short_paid):
    client.force_login(officer)
    url = reverse("assistance:line_bank_check", args=[short_paid.pk])
    post = {"action": "follow_up", "seen": short_paid.bank_amount + 1, "note": "x"}
    after = client.post(url, post, follow=True).content.decode()
    assert re.search(r"(changed after this page was shown|đã thay đổi sau khi)", after)
    short_paid.refresh_from_db()
    assert short_paid.bank_check == BankCheck.WRONG_AMOUNT


def test_village_head_cannot_act(client, head_td, short_paid):
    client.force_login(head_td)
    url = reverse("assistance:line_bank_check", args=[short_paid.pk])
    response = client.post(url, {"action": "accept", "seen": short_paid.bank_amount})
    assert response.status_code in (403, 404)
    short_paid.refresh_from_db()
    assert short_paid.status == LineStatus.PENDING


# --- what an accepted difference becomes ----------------------------------------------------

DEC = dt.date(2026, 12, 1)


def _accept(officer, line):
    done = services.line_bank_amount_accept(
        scope=scope_for(officer), line=line, seen_amount=line.bank_amount
    )
    line.refresh_from_db()
    return done


def test_paid_short_and_accepted_the_next_payroll_pays_the_rest_once(short_paid, officer):
    _accept(officer, short_paid)
    assert short_paid.paid_amount == short_paid.amount - 1000
    assert short_paid.recovery == ""
    december = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    rest = december.lines.get(kind=LineKind.SHORTFALL)
    assert (rest.case_id, rest.month, rest.amount) == (short_paid.case_id, short_paid.month, 1000)
    assert rest.note == short_paid.reference  # which payment it completes
    assert rest.reference.endswith(f"-S{short_paid.month:%y%m}")
    # generating again, or the month after, never pays the rest twice
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    assert PayrollLine.objects.filter(kind=LineKind.SHORTFALL).count() == 1
    # the bank file says what it is, without diacritics
    table = exports.bank_csv(december).decode("utf-8-sig")
    assert "tra not so thieu" in table


def test_a_rest_is_not_counted_as_paid_twice_by_adjustments(short_paid, officer):
    _accept(officer, short_paid)
    december = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    assert not december.lines.filter(kind=LineKind.ADJUSTMENT).exists()
    assert not december.lines.filter(kind=LineKind.ARREARS, case_id=short_paid.case_id).exists()


def test_paid_too_much_and_accepted_is_listed_to_recover(approved, officer, client):  # noqa: F811
    line = approved.lines.filter(method="bank").order_by("id").first()
    _import(officer, approved, [(line.reference, line.amount + 250_000, "paid")])
    line.refresh_from_db()
    _accept(officer, line)
    assert (line.status, line.paid_amount) == (LineStatus.PAID, line.amount + 250_000)
    assert line.recovery_amount == 250_000
    assert re.search(r"(250\.000 đ|250,000 VND)", line.recovery_text)
    assert line in list(selectors.recovery_lines(scope_for(officer), approved))
    # nothing to pay next month for it
    december = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=DEC)
    assert not december.lines.filter(kind=LineKind.SHORTFALL).exists()
    client.force_login(officer)
    page = _page(client, line)
    assert re.search(r'<tr class="recovery">.*250\.000', page)


def test_a_recovery_already_recorded_takes_back_all_that_was_paid(approved, officer):  # noqa: F811
    line = approved.lines.filter(method="bank").order_by("id").first()
    _import(officer, approved, [(line.reference, line.amount + 100, "paid")])
    PayrollLine.objects.filter(pk=line.pk).update(recovery="Người nhận đã chết")
    line.refresh_from_db()
    _accept(officer, line)
    assert line.recovery == "Người nhận đã chết"
    assert line.recovery_amount == line.amount + 100


def test_the_rest_of_a_short_payment_cannot_be_accepted_short_again(short_paid, officer):
    PayrollLine.objects.filter(pk=short_paid.pk).update(kind=LineKind.SHORTFALL)
    short_paid.refresh_from_db()
    with pytest.raises(ValidationError, match=r"(rest of a short payment|phần trả nốt)"):
        _accept(officer, short_paid)
    short_paid.refresh_from_db()
    assert short_paid.status == LineStatus.PENDING


def test_the_page_and_the_audit_log_say_what_the_difference_became(client, officer, short_paid):
    client.force_login(officer)
    url = reverse("assistance:line_bank_check", args=[short_paid.pk])
    post = {"action": "accept", "seen": short_paid.bank_amount, "note": ""}
    after = client.post(url, post, follow=True).content.decode()
    assert re.search(r"(next payroll generated|bảng chi trả tiếp theo)", after)
    assert re.search(r"(1\.000 đ|1,000 VND)", after)
    entry = AuditEntry.objects.get(model_label="assistance.payrollline", object_id=short_paid.pk)
    assert "rest_next_payroll" in str(entry.changes)
    assert "1000" in str(entry.changes)
    log = client.get(reverse("registry:audit_log")).content.decode()
    assert re.search(r"(Rest paid in the next payroll|Phần còn lại trả trong bảng chi)", log)


# --- a payment owed to a case that has since ended asks the officer first ---------------------


def _stopped(officer, line):
    services.case_stop(
        scope=scope_for(officer),
        case=line.case,
        reason="death",
        event_date=dt.date(2026, 11, 20),
        note="Giấy báo tử",
    )


def _ended_item(month, case_id):
    return GuardItem.objects.filter(
        rule="ended_arrears", month=month, case_id=case_id, resolved_at__isnull=True
    ).first()


def _carried(officer, approved):  # noqa: F811
    line = approved.lines.filter(method="bank").order_by("id").first()
    _import(officer, approved, [(line.reference, line.amount, "failed")])
    line.refresh_from_db()
    pr.line_failed_resolve(
        scope=scope_for(officer), line=line, action=LineStatus.CARRIED, note="Sai tài khoản"
    )
    return line


@pytest.mark.parametrize("kind", [LineKind.SHORTFALL, LineKind.CARRIED])
def test_rest_or_carried_payment_of_an_ended_case_is_blocked_until_decided(
    approved,  # noqa: F811
    officer,
    kind,
):
    if kind == LineKind.SHORTFALL:
        line = approved.lines.filter(method="bank").order_by("id").first()
        _import(officer, approved, [(line.reference, line.amount - 1000, "paid")])
        line.refresh_from_db()
        _accept(officer, line)
    else:
        line = _carried(officer, approved)
    _stopped(officer, line)  # the recipient died after the payment: the case ended
    scope = scope_for(officer)
    december = pr.payroll_generate(scope=scope, commune_code=C, month=DEC)
    owed = december.lines.get(kind=kind, case_id=line.case_id)
    item = _ended_item(DEC, line.case_id)
    assert item is not None
    assert item.blocking
    with pytest.raises(ValidationError, match=r"(blocking|chặn)"):
        pr.payroll_prepare(scope=scope, payroll=december)
    # the officer records it is not owed: the line goes, and never comes back
    pr.guard_resolve(scope=scope, item=item, action="not_owed", note="Không có người thừa kế")
    assert not PayrollLine.objects.filter(pk=owed.pk).exists()
    pr.payroll_generate(scope=scope, commune_code=C, month=DEC)
    assert not december.lines.filter(kind=kind, case_id=line.case_id).exists()
