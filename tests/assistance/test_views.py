"""Pages: scopes (village heads see only their villages, 404 elsewhere), only the officer
writes, the monthly cycle through the pages, exports served."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ansinh.assistance.models import Case, Payroll

pytestmark = pytest.mark.django_db
D = dt.date


def _login(client, user):
    client.force_login(user)
    return client


def test_list_and_detail_for_the_officer(client, officer, cases):
    _login(client, officer)
    page = client.get(reverse("assistance:case_list"))
    assert page.status_code == 200
    assert "Trần Văn Hùng" in page.content.decode()
    assert "Lê Minh Bé" in page.content.decode()
    detail = client.get(reverse("assistance:case_detail", args=[cases["disabled"].pk]))
    assert "500.000 đ × hệ số 1,5 = 750.000 đ" in detail.content.decode()
    filtered = client.get(reverse("assistance:case_list"), {"group": "child_no_support"})
    assert "Trần Văn Hùng" not in filtered.content.decode()


def test_village_head_sees_only_their_village(client, head_td, cases):
    _login(client, head_td)
    body = client.get(reverse("assistance:case_list")).content.decode()
    assert "Trần Văn Hùng" in body
    assert "Lê Minh Bé" not in body
    assert (
        client.get(reverse("assistance:case_detail", args=[cases["orphan"].pk])).status_code == 404
    )
    url = reverse("assistance:case_detail", args=[cases["disabled"].pk])
    assert client.get(url).status_code == 200
    post = client.post(url, {"action": "suspend", "suspend-on": "2026-11-02", "suspend-note": "x"})
    assert post.status_code == 403


def test_apply_and_decide_through_the_pages(client, officer, people):
    _login(client, officer)
    person = people["disabled"]
    found = client.get(reverse("assistance:case_apply"), {"q": "tran van hung"})
    assert f"?person={person.pk}" in found.content.decode()
    response = client.post(
        reverse("assistance:case_apply") + f"?person={person.pk}",
        {
            "person": person.pk,
            "scheme": "social_assistance",
            "groups": ["disability_severe"],
            "applied_on": "2026-11-02",
            "documents": "Đơn",
            "children": 0,
            "pension": 0,
        },
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302
    url = reverse("assistance:case_detail", args=[case.pk])
    client.post(url, {"action": "verify", "verify-verified_on": "2026-11-05"})
    client.post(
        url,
        {
            "action": "decide",
            "decide-decision_number": "45/QĐ-UBND",
            "decide-decision_date": "2026-11-10",
            "decide-signer": "Nguyễn Văn A",
        },
    )
    case.refresh_from_db()
    assert case.status == "active"
    assert case.amount == 750_000
    pdf = client.get(reverse("assistance:case_decision_pdf", args=[case.pk]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "45/QĐ-UBND" in text
    assert "750.000" in text
    # "ông" or "bà" from the recorded sex, not "ông/bà"; the address names each place once
    assert f"Cho {'ông' if person.sex == 'male' else 'bà'} {person.full_name}" in text
    assert "ông/bà" not in text
    village = person.household.village.name
    assert f"{village}, {village}".lower() not in text.lower().replace("\n", " ")


def test_monthly_cycle_through_the_pages(client, officer, committee, cases):
    _login(client, officer)
    response = client.post(reverse("assistance:payroll_list"), {"month": "2026-11"})
    payroll = Payroll.objects.get()
    assert response.status_code == 302
    url = reverse("assistance:payroll_detail", args=[payroll.pk])
    assert "2.500.000 đ" in client.get(url).content.decode()
    client.post(url, {"step": "prepare"})
    assert client.post(url, {"step": "approve"}).status_code == 403
    payroll.refresh_from_db()
    assert payroll.status == "prepared"  # the officer cannot approve
    _login(client, committee)
    client.post(url, {"step": "approve"})
    payroll.refresh_from_db()
    assert payroll.status == "approved"
    # the payment files are the officer's act of paying: not the approver's
    xml = reverse("assistance:payroll_export", args=[payroll.pk, "xml"])
    assert client.get(xml).status_code == 403
    account = reverse("assistance:payment_account")
    assert (
        client.post(account, {"holder": "x", "bank": "agribank", "account_number": "1"})
    ).status_code == 403
    _login(client, officer)
    # no pain.001 before the commune's paying account is known (never a made-up debtor)
    r = client.get(xml)
    assert r.status_code == 302
    assert r.url == reverse("assistance:payment_account")
    account = reverse("assistance:payment_account")
    r = client.post(
        account,
        {"holder": "UBND xã Tân Đông", "bank": "agribank", "account_number": "12-34", "bic": "VBA"},
    )
    page = r.content.decode()
    assert "6 đến 19 chữ số" in page
    assert "BIC" in page
    r = client.post(
        account,
        {
            "holder": "Ủy ban nhân dân xã Tân Đông",
            "bank": "agribank",
            "account_number": "5700 2010 04417",
            "bic": "vbaavnvx",
        },
    )
    assert r.status_code == 302
    for fmt in ("csv", "xlsx", "xml", "cash"):
        r = client.get(reverse("assistance:payroll_export", args=[payroll.pk, fmt]))
        assert r.status_code == 200
        assert r["Content-Disposition"].startswith("attachment")
        if fmt == "xml":
            body = r.content.decode()
            assert "<Id>5700201004417</Id>" in body
            assert "<BICFI>VBAAVNVX</BICFI>" in body
    assert client.get(reverse("assistance:reports")).status_code == 200
    client.post(url, {"step": "cash_paid"})
    assert payroll.lines.get(method="cash").status == "paid"


def test_auditor_reads_but_cannot_generate(client, auditor, cases):
    _login(client, auditor)
    assert client.get(reverse("assistance:payroll_list")).status_code == 200
    assert client.post(reverse("assistance:payroll_list"), {"month": "2026-11"}).status_code == 403
    assert client.get(reverse("assistance:case_apply")).status_code == 403
