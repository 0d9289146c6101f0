"""The guard's and the payroll lines' actions say what happened, naming the person and the
payments they changed (not only "Saved")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance import reconcile
from ansinh.assistance.choices import GuardRule, LineStatus
from ansinh.assistance.models import GuardItem
from ansinh.registry import services as registry
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
NOV = D(2026, 11, 1)


@pytest.fixture
def death_held(cases, people, officer):
    """November's payroll, then the 80-year-old's death: her line is held, an item raised."""
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=f.TAN_DONG, month=NOV)
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 10, 28)
    )
    item = GuardItem.objects.get(month=NOV, rule=GuardRule.PERSON_GONE, resolved_at=None)
    return payroll, item


def _resolve(client, item, action, note="") -> str:
    url = reverse("assistance:guard_resolve", args=[item.pk])
    return client.post(url, {"action": action, "note": note}, follow=True).content.decode()


def _messages(page: str) -> str:
    found = re.search(r'<ul class="messages">(.*?)</ul>', page, flags=re.DOTALL)
    return found.group(1) if found else ""


def test_holding_says_how_many_payments_left_the_payroll(client, officer, death_held):
    _payroll, item = death_held
    client.force_login(officer)
    said = _messages(_resolve(client, item, "held", "Chờ giấy báo tử"))
    assert "Phạm Thị Lan" in said
    assert re.search(
        r"(1 payment \(500\.000 đ\) taken out of the payroll of 11/2026"
        r"|Đã giữ lại 1 khoản chi \(500\.000 đ\), không chi trong danh sách tháng 11/2026)",
        said,
    )


def test_stopping_says_what_it_took_out(client, officer, death_held):
    payroll, item = death_held
    client.force_login(officer)
    said = _messages(_resolve(client, item, "stopped", "Giấy báo tử"))
    assert re.search(r"(taken out of the payroll|Đã giữ lại 1 khoản chi)", said)
    assert not payroll.lines.filter(case=item.case).exists()


def test_an_action_that_changed_no_payment_is_a_warning(client, officer, death_held):
    payroll, item = death_held
    payroll.lines.filter(case=item.case).delete()  # nothing of hers left in the payroll
    client.force_login(officer)
    page = _resolve(client, item, "held", "Chờ xác minh")
    assert re.search(
        r"msg-warning[^>]*>[^<]*(No payment in the payroll of 11/2026 changed"
        r"|Không có khoản chi nào trong danh sách tháng 11/2026 thay đổi)",
        page,
    )


def test_failed_payment_carried_over_names_the_month(client, officer, committee, cases):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=f.TAN_DONG, month=NOV)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    payroll = pr.payroll_approve(scope=scope_for(committee), payroll=payroll)
    line = payroll.lines.filter(method="bank").first()
    data = f"reference;amount;status\n{line.reference};{line.amount};failed\n".encode()
    reconcile.results_import(scope=scope_for(officer), payroll=payroll, data=data)
    client.force_login(officer)
    url = reverse("assistance:line_resolve", args=[line.pk])
    page = client.post(url, {"action": "carried", "note": "Tài khoản đóng"}, follow=True)
    said = _messages(page.content.decode())
    assert line.reference in said
    assert re.search(
        r"(carried over to the payroll of 12/2026|chuyển sang danh sách chi tháng 12/2026)", said
    )
    line.refresh_from_db()
    assert line.status == LineStatus.CARRIED


def test_marking_cash_paid_with_nothing_waiting_warns(client, officer, committee, cases):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=f.TAN_DONG, month=NOV)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    payroll = pr.payroll_approve(scope=scope_for(committee), payroll=payroll)
    client.force_login(officer)
    url = reverse("assistance:payroll_detail", args=[payroll.pk])
    first = _messages(client.post(url, {"step": "cash_paid"}, follow=True).content.decode())
    assert re.search(r"(1 cash payments marked paid|1 khoản)", first)
    again = client.post(url, {"step": "cash_paid"}, follow=True).content.decode()
    assert re.search(
        r"msg-warning[^>]*>[^<]*(No cash payment was waiting|Không còn khoản chi tiền mặt nào)",
        again,
    )
