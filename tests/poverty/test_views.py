from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ansinh.poverty import services
from ansinh.poverty.choices import EntryStatus
from tests.poverty.conftest import TODAY, fill

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_officer_opens_a_round(client, officer, poor_td):
    client.force_login(officer)
    response = client.post(
        reverse("poverty:rounds"),
        {"kind": "annual", "year": "2025", "posting_days": "7"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert poor_td.code in page.content.decode()


def test_village_head_sees_only_own_village(client, annual_round, head_td, poor_td, near_poor_dh):
    client.force_login(head_td)
    page = client.get(reverse("poverty:round", args=[annual_round.pk])).content.decode()
    assert poor_td.code in page
    assert near_poor_dh.code not in page
    other = annual_round.entries.get(household=near_poor_dh)
    assert client.get(reverse("poverty:survey", args=[other.pk])).status_code == 404
    own = annual_round.entries.get(household=poor_td)
    assert client.get(reverse("poverty:survey", args=[own.pk])).status_code == 200


def test_htmx_section_save_returns_result(client, annual_round, officer, poor_td):
    entry = fill(annual_round.entries.get(household=poor_td), officer)
    client.force_login(officer)
    response = client.post(
        reverse("poverty:survey", args=[entry.pk]),
        {"section": "b1", "route": "income", "income_per_capita": "3000000"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="result-class"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.result_class == "not_poor"
    bad = client.post(
        reverse("poverty:survey", args=[entry.pk]),
        {"section": "b2", "floor_area_m2": "abc"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422


def test_approval_path_and_documents(client, annual_round, officer, committee, poor_td, tan_dong):
    entry = fill(annual_round.entries.get(household=poor_td), officer)
    client.force_login(officer)
    page = client.get(reverse("poverty:survey", args=[entry.pk])).content.decode()
    assert 'id="approve"' not in page  # own survey
    client.force_login(committee)
    assert client.post(reverse("poverty:approve", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED

    client.force_login(officer)
    url = reverse("poverty:meeting", args=[annual_round.pk, tan_dong.pk])
    response = client.post(
        url,
        {
            "held_on": "2026-11-20",
            "attendees": "30",
            "chair": "Lê Văn Tư",
            "secretary": "Mai Thị Năm",
            f"agree_{entry.pk}": "25",
        },
    )
    assert response.status_code == 302
    meeting = annual_round.meetings.get()
    text = pdf_text(client.get(reverse("poverty:minutes_pdf", args=[meeting.pk])))
    assert "BIÊN BẢN HỌP DÂN" in text
    assert poor_td.code in text
    assert "Nguyễn Văn An" in text
    assert "25/30" in text

    response = client.post(
        reverse("poverty:posting", args=[annual_round.pk, tan_dong.pk]),
        {"posted_on": "2026-11-21"},
    )
    text = pdf_text(client.get(response["Location"]))
    assert "21/11/2026" in text
    assert "28/11/2026" in text  # 7 days of posting
    assert "Hộ nghèo" in text

    response = client.post(
        reverse("poverty:decide", args=[annual_round.pk]),
        {"number": "88/QĐ-UBND", "signed_on": "2026-11-29", "effective_date": "2026-12-01"},
    )
    assert response.status_code == 302
    text = pdf_text(client.get(reverse("poverty:decision_pdf", args=[annual_round.pk])))
    assert "88/QĐ-UBND" in text
    assert "DANH SÁCH HỘ NGHÈO" in text.upper()
    assert "Nguyễn Văn An" in text
    assert "thoát nghèo" in text
    text = pdf_text(client.get(reverse("poverty:certificate", args=[entry.pk])))
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO" in text
    assert "Nguyễn Văn An" in text

    report = client.get(reverse("poverty:report", args=[annual_round.pk])).content.decode()
    assert "Vẫn là hộ nghèo" in report  # "Stays poor" in the Vietnamese UI
    xlsx = client.get(reverse("poverty:export", args=[annual_round.pk, "poor"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][:2] == [poor_td.code, "Nguyễn Văn An"]


def test_auditor_cannot_approve_or_decide(client, annual_round, auditor, officer, poor_td):
    entry = fill(annual_round.entries.get(household=poor_td), officer)
    client.force_login(auditor)
    assert client.post(reverse("poverty:approve", args=[entry.pk])).status_code == 403
    assert client.get(reverse("poverty:decide", args=[annual_round.pk])).status_code == 403


def test_plan_fulfilment(client, annual_round, officer, committee, poor_td, tan_dong):
    annual_round.plan_escape_target = 1
    annual_round.save()
    entry = fill(
        annual_round.entries.get(household=poor_td), officer, income=2_600_000, deprived=False
    )
    services.survey_approve(actor=committee, entry=entry)
    services.meeting_record(
        actor=officer,
        rnd=annual_round,
        village=tan_dong,
        held_on=TODAY,
        attendees=4,
        agreements={entry.pk: 2},
    )
    services.decide(
        actor=officer,
        rnd=annual_round,
        number="1",
        signed_on=TODAY,
        effective_date=dt.date(2026, 12, 1),
    )
    client.force_login(officer)
    page = client.get(reverse("poverty:report", args=[annual_round.pk])).content.decode()
    assert 'id="fulfilment">100' in page


def test_officer_sets_the_committee(client, annual_round, officer, head_td, tan_dong):
    client.force_login(officer)
    response = client.post(
        reverse("poverty:committee", args=[annual_round.pk]),
        {"user": head_td.pk, "role": "village_head", "villages": [tan_dong.pk]},
    )
    assert response.status_code == 302
    member = annual_round.committee.get()
    assert member.role == "village_head"
    assert list(member.villages.all()) == [tan_dong]
    page = client.get(reverse("poverty:round", args=[annual_round.pk])).content.decode()
    assert head_td.full_name in page
