from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.poverty import services
from ansinh.poverty.choices import EntryStatus, ListReason
from tests import factories as f
from tests.poverty.conftest import RECIPIENT, TODAY, fill, post_and_report, set_status

OTHER_COMMUNE = 25525  # another commune of Tây Ninh

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

    # an annual round reports its results upward before the decision
    decide_url = reverse("poverty:decide", args=[annual_round.pk])
    decision = {"number": "88/QĐ-UBND", "signed_on": "2026-11-29", "effective_date": "2026-12-01"}
    page = client.get(decide_url).content.decode()
    assert 'id="report-first"' in page
    assert client.post(decide_url, decision).status_code == 200  # refused, form shown again
    report_url = reverse("poverty:report_up", args=[annual_round.pk])
    page = client.get(report_url).content.decode()
    assert RECIPIENT in page  # the default recipient: the province
    response = client.post(
        report_url,
        {"number": "21/BC-UBND", "reported_on": "2026-11-22", "recipient": RECIPIENT},
    )
    assert response.status_code == 302
    text = pdf_text(client.get(reverse("poverty:report_pdf", args=[annual_round.pk])))
    assert "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO" in text
    assert "Số: 21/BC-UBND" in text
    assert f"Kính gửi: {RECIPIENT}" in text
    assert "Ấp Tân Đông" in text
    assert "Toàn xã" in text
    assert "trước khi Chủ tịch UBND xã ra quyết định" in text  # provisional figures
    round_page = client.get(reverse("poverty:round", args=[annual_round.pk])).content.decode()
    assert "21/BC-UBND" in round_page
    assert "15/11/2025" in round_page
    assert "20/12/2025" in round_page
    response = client.post(decide_url, decision)
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
    services.survey_approve(scope=scope_for(committee), entry=entry)
    services.meeting_record(
        scope=scope_for(officer),
        rnd=annual_round,
        village=tan_dong,
        held_on=TODAY,
        attendees=4,
        agreements={entry.pk: 2},
    )
    annual_round = post_and_report(annual_round, officer, tan_dong)
    services.round_decide(
        scope=scope_for(officer),
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


# --- Form 01 / Form 04: the member table ------------------------------------------------


@pytest.fixture
def request_hh(tan_dong, officer):
    return f.household(
        tan_dong,
        f.person("Huỳnh Văn Tài", dt.date(1968, 3, 2)),
        f.person("Lý Thị Sen", dt.date(1950, 3, 2), "female", "parent"),
        f.person("Huỳnh Thị Ngọc", dt.date(2011, 7, 9), "female", "child", with_cccd=False),
        actor=officer,
        address="Tổ 3",
    )


def test_add_page_shows_the_members_of_the_typed_household(
    client, annual_round, officer, request_hh
):
    client.force_login(officer)
    url = reverse("poverty:household_add", args=[annual_round.pk])
    round_page = client.get(reverse("poverty:round", args=[annual_round.pk])).content.decode()
    assert 'id="add-household-start"' in round_page
    page = client.get(url).content.decode()
    assert "Huỳnh Văn Tài" not in page  # nothing typed yet
    page = client.get(url, {"household_code": request_hh.code.lower()}).content.decode()
    members = {p.full_name: p for p in request_hh.members.all()}
    for name, p in members.items():
        assert name in page
        assert f'name="member_{p.pk}"' in page
    assert "02/03/1950" in page  # birth dates as dd/mm/yyyy
    assert "<html" in page
    partial = client.get(url, {"household_code": request_hh.code}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert 'name="member_' in partial.content.decode()
    missing = client.get(url, {"household_code": "KHONGCO"}, HTTP_HX_REQUEST="true")
    assert 'id="not-found"' in missing.content.decode()


def test_request_is_stored_shown_and_printed(client, annual_round, officer, request_hh):
    client.force_login(officer)
    url = reverse("poverty:household_add", args=[annual_round.pk])
    members = {p.full_name: p for p in request_hh.members.all()}
    data = {
        "household_code": request_hh.code,
        "reason": "request",
        "request_date": "2026-10-05",
        "note": "Chủ hộ mất sức lao động",
        f"member_{members['Huỳnh Văn Tài'].pk}": "not_working",
        f"member_{members['Lý Thị Sen'].pk}": "not_working",
    }
    response = client.post(url, data)  # one member without a status
    assert response.status_code == 200
    page = response.content.decode()
    assert "Huỳnh Thị Ngọc" in page
    assert 'class="errorlist' in page
    assert 'value="not_working" selected' in page  # what was chosen stays chosen
    assert not annual_round.entries.filter(household=request_hh).exists()
    data[f"member_{members['Huỳnh Thị Ngọc'].pk}"] = "studying"
    response = client.post(url, data)
    assert response.status_code == 302
    entry = annual_round.entries.get(household=request_hh)
    assert response["Location"] == reverse("poverty:survey", args=[entry.pk])
    assert entry.request_members == {
        str(members["Huỳnh Văn Tài"].pk): "not_working",
        str(members["Lý Thị Sen"].pk): "not_working",
        str(members["Huỳnh Thị Ngọc"].pk): "studying",
    }
    page = client.get(response["Location"]).content.decode()
    assert 'id="request-members"' in page
    assert "Huỳnh Thị Ngọc" in page
    assert "05/10/2026" in page
    assert reverse("poverty:request_pdf", args=[entry.pk]) in page
    text = pdf_text(client.get(reverse("poverty:request_pdf", args=[entry.pk])))
    assert "Mẫu số 01" in text
    assert "GIẤY ĐỀ NGHỊ" in text
    assert "Xét duyệt bổ sung hộ nghèo, hộ cận nghèo năm 2026" in text
    assert "Họ và tên chủ hộ: Huỳnh Văn Tài" in text
    assert "02/03/1968" in text
    assert "Kinh" in text
    assert members["Huỳnh Văn Tài"].cccd in text
    assert "Ngày cấp: …" in text  # filled in by hand
    assert "Tổ 3, ấp Tân Đông, xã Tân Đông, tỉnh Tây Ninh" in text
    for name in members:
        assert name in text
    assert "Không làm việc" in text
    assert "Đang đi học" in text
    assert "Cha/mẹ" in text  # the relationship, in Vietnamese
    assert "Chủ hộ mất sức lao động" in text
    assert "NGƯỜI ĐỀ NGHỊ" in text


def test_form04_escape_request(client, annual_round, officer, poor_td):
    """A household on the current poor list asks to be recognised as escaped (Form 04)."""
    hh = f.household(f.village(), f.person("Trương Văn Lực", dt.date(1975, 1, 1)), actor=officer)
    set_status(hh, "poor")
    rnd = services.round_open(
        scope=scope_for(officer), commune=annual_round.commune, kind="regular", year=2026, month=11
    )
    luc = hh.members.get()
    entry = services.household_add(
        scope=scope_for(officer),
        rnd=rnd,
        household=hh,
        reason=ListReason.ESCAPE_REQUEST,
        note="Có việc làm ổn định",
        request_date=TODAY,
        members={luc.pk: "working"},
    )
    client.force_login(officer)
    page = client.get(reverse("poverty:survey", args=[entry.pk])).content.decode()
    assert "(Mẫu số 04)" in page
    assert 'id="request-members"' in page
    assert reverse("poverty:request_pdf", args=[entry.pk]) in page
    text = pdf_text(client.get(reverse("poverty:request_pdf", args=[entry.pk])))
    assert "Mẫu số 04" in text
    assert "Công nhận hộ thoát nghèo, hộ thoát cận nghèo năm 2026" in text
    flat = " ".join(text.split())
    assert "công nhận là hộ thoát nghèo năm 2026" in flat  # poor before: escaped poverty
    assert "Trương Văn Lực" in text
    assert "Đang làm việc" in text


def test_request_pages_permissions(
    client, annual_round, officer, committee, head_td, head_dh, auditor, request_hh, poor_td
):
    entry = services.household_add(
        scope=scope_for(officer),
        rnd=annual_round,
        household=request_hh,
        reason=ListReason.REQUEST,
        note="Thu nhập thấp",
        request_date=TODAY,
        members={p.pk: "working" for p in request_hh.members.all()},
    )
    add_url = reverse("poverty:household_add", args=[annual_round.pk])
    pdf_url = reverse("poverty:request_pdf", args=[entry.pk])
    # village heads: the add page is not theirs; the request of their own village prints
    client.force_login(head_td)
    assert client.get(add_url).status_code == 403
    assert client.get(pdf_url).status_code == 200
    client.force_login(head_dh)
    assert client.get(pdf_url).status_code == 404  # another village: as if it did not exist
    # not a request: no request form
    client.force_login(officer)
    listed = annual_round.entries.get(household=poor_td)
    assert client.get(reverse("poverty:request_pdf", args=[listed.pk])).status_code == 404
    # the committee adds households itself, but does not enter requests
    client.force_login(committee)
    page = client.get(add_url, {"household_code": request_hh.code}).content.decode()
    assert 'value="committee"' in page
    assert 'value="request"' not in page
    client.force_login(auditor)
    assert client.get(add_url).status_code == 403
    # another commune's officer
    client.force_login(f.user("canbo_khac", f.Role.OFFICER, commune_code=OTHER_COMMUNE))
    assert client.get(add_url).status_code == 404
    assert client.get(pdf_url).status_code == 404


def test_report_up_permissions(client, annual_round, officer, auditor, head_td, committee):
    url = reverse("poverty:report_up", args=[annual_round.pk])
    pdf = reverse("poverty:report_pdf", args=[annual_round.pk])
    data = {"number": "1/BC-UBND", "reported_on": "2026-11-28", "recipient": RECIPIENT}
    client.force_login(head_td)  # a document of the whole commune
    assert client.get(url).status_code == 403
    assert client.get(pdf).status_code == 403
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    assert client.get(pdf).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(committee)
    assert client.post(url, data).status_code == 403
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert 'id="record-report"' not in page  # not posted yet
    response = client.post(url, data)
    assert response.status_code == 200  # refused by the service, shown on the form
    annual_round.refresh_from_db()
    assert annual_round.report_number == ""
    client.force_login(f.user("canbo_khac", f.Role.OFFICER, commune_code=OTHER_COMMUNE))
    assert client.get(url).status_code == 404
    assert client.get(pdf).status_code == 404


def test_survey_hints_show_registry_values_as_people_read_them(
    client, annual_round, officer, poor_td
):
    entry = annual_round.entries.get(household=poor_td)
    client.force_login(officer)
    page = client.get(reverse("poverty:survey", args=[entry.pk])).content.decode()
    assert "03/02/1983)" in page  # Trần Thị Bích, born 1983-02-03
    assert "1983-02-03)" not in page
    assert "Nữ)" in page
    assert "female)" not in page
