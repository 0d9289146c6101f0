"""The BHYT follow-up list: one row per household with its members and their cards, a page
at a time, filtered by village and reason, as a workbook and as printed lists per ấp."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditEntry
from ansinh.insurance import followup, services
from ansinh.insurance.choices import FollowUpReason
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
ON = D(2026, 11, 20)


@pytest.fixture
def family(tan_dong, officer):
    """Bình's card ends in 10 days, Hoa's expired, Tâm never had one; little Hân's free card
    runs until her 6th birthday; Lan's card was renewed ahead."""
    household = f.household(
        tan_dong,
        f.person("Nguyễn Văn Bình", D(1978, 3, 4), "male", "head"),
        f.person("Lê Thị Hoa", D(1980, 6, 7), "female", "spouse"),
        f.person("Nguyễn Minh Tâm", D(2004, 1, 2), "male", "child"),
        f.person("Nguyễn Ngọc Hân", D(2023, 5, 5), "female", "child", with_cccd=False),
        f.person("Nguyễn Thị Lan", D(2001, 8, 9), "female", "child"),
        actor=officer,
        phone="0912 345 678",
        address="Tổ 4, Ấp Tân Đông",
    )
    m = {p.full_name.split()[-1]: p for p in household.members.all()}
    _card(officer, m["Bình"], "GD", D(2025, 12, 1), ON + dt.timedelta(days=10))
    _card(officer, m["Hoa"], "GD", D(2025, 1, 1), D(2026, 9, 30))
    _card(officer, m["Hân"], "TE", D(2023, 5, 5), D(2029, 5, 4))
    _card(officer, m["Lan"], "GD", D(2025, 12, 1), ON + dt.timedelta(days=5))
    _card(officer, m["Lan"], "GD", ON + dt.timedelta(days=6), D(2027, 11, 25), paid=ON)
    return household


@pytest.fixture
def covered_dh(dong_hiep, officer):
    """A household of Đông Hiệp whose only member's card expired in August."""
    household = f.household(
        dong_hiep, f.person("Trần Văn Đức", D(1970, 1, 1), "male", "head"), actor=officer
    )
    _card(officer, household.members.get(), "GD", D(2025, 8, 1), D(2026, 7, 31))
    return household


def _card(officer, person, group, start, end, paid=None):
    return services.card_register(
        scope=scope_for(officer),
        person=person,
        group_code=group,
        valid_from=start,
        valid_to=end,
        social_insurance_number=f"72{person.pk:04d}{start:%m%d}",
        paid_on=paid,
    )


def _due_names(row):
    return sorted(m.person.full_name.split()[-1] for m in row.due_members)


# --- the list ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "due"),
    [
        (FollowUpReason.ANY, ["Bình", "Hoa", "Tâm"]),
        (FollowUpReason.NEVER, ["Tâm"]),
        (FollowUpReason.LAPSED, ["Hoa"]),
        (FollowUpReason.EXPIRING, ["Bình"]),
        (FollowUpReason.MONTH, ["Bình"]),  # ends on 30/11, this month
    ],
)
def test_one_row_per_household_with_every_member(officer, family, reason, due):
    scope = scope_for(officer)
    households = followup.due_households(scope, ON, reason)
    (row,) = followup.followup_rows(households, ON, reason)
    assert row.household == family
    assert row.head_name == "Nguyễn Văn Bình"
    assert row.members[0].person.full_name == "Nguyễn Văn Bình"  # the head first
    assert len(row.members) == 5  # every member, the covered ones too
    assert _due_names(row) == due
    assert followup.due_people(scope, ON, reason).count() == len(due)
    hân = next(m for m in row.members if m.person.full_name.endswith("Hân"))
    assert (hân.status, hân.due, hân.group) == ("covered", False, "TE")


def test_expiring_this_month_is_not_the_next_30_days(officer, family):
    """On 25 November a card ending on 20 December is "expiring soon" (30 days) but not
    "this month"."""
    scope = scope_for(officer)
    day = D(2026, 11, 25)
    hoa = family.members.get(full_name="Lê Thị Hoa")
    _card(officer, hoa, "GD", D(2026, 10, 1), D(2026, 12, 20), paid=D(2026, 10, 1))
    (row,) = followup.followup_rows(
        followup.due_households(scope, day, FollowUpReason.EXPIRING), day, "expiring"
    )
    assert "Hoa" in _due_names(row)
    assert not followup.due_people(scope, day, FollowUpReason.MONTH).filter(pk=hoa.pk).exists()


def test_renewed_people_and_other_villages_are_not_due(officer, family, covered_dh, dong_hiep):
    scope = scope_for(officer)
    everyone = followup.due_people(scope, ON, FollowUpReason.ANY)
    assert not everyone.filter(full_name="Nguyễn Thị Lan").exists()  # renewed ahead
    assert set(followup.due_households(scope, ON, "any")) == {family, covered_dh}
    only_dh = followup.due_households(scope, ON, "any", village_id=dong_hiep.pk)
    assert list(only_dh) == [covered_dh]


def test_page_has_totals_filters_and_paging(client, officer, family, covered_dh, settings):
    settings.ANSINH_PAGE_SIZE = 1
    client.force_login(officer)
    url = reverse("insurance:people")
    first = client.get(url, {"date": ON.isoformat(), "reason": "any"})
    page = client.get(url, {"date": ON.isoformat(), "reason": "any", "page": "2"})
    html = page.content.decode()
    assert page.context["households_due"] == 2
    assert page.context["people_due"] == 4
    assert re.search(r"(2 hộ cần theo dõi, tổng cộng 4|2 households to follow up, 4)", html)
    seen = [r.household for p in (first, page) for r in p.context["rows"]]
    assert sorted(seen, key=lambda h: h.pk) == [family, covered_dh]
    html = (first if seen[0] == family else page).content.decode()
    assert "Tổ 4, Ấp Tân Đông" in html
    assert "Tổ 4, Ấp Tân Đông, Ấp Tân Đông" not in html
    assert re.search(r"reason=any&(amp;)?village=&(amp;)?page=[12]", html)  # filters kept
    lapsed = client.get(url, {"date": ON.isoformat(), "status": "lapsed"})  # the old name
    assert lapsed.context["reason"] == "lapsed"
    odd = client.get(url, {"date": ON.isoformat(), "reason": "<script>", "village": "9" * 30})
    assert odd.status_code == 200
    assert (odd.context["reason"], odd.context["village_id"]) == ("any", None)


def test_village_head_sees_only_own_village(client, head_td, family, covered_dh):
    client.force_login(head_td)
    page = client.get(reverse("insurance:people"), {"date": ON.isoformat()})
    assert [r.household for r in page.context["rows"]] == [family]
    response = client.get(reverse("insurance:people_xlsx"), {"date": ON.isoformat()})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {family.code}


# --- the workbook and the printed lists ---------------------------------------------------


def test_workbook_has_a_row_per_member_due_and_is_logged(client, officer, family, covered_dh):
    client.force_login(officer)
    response = client.get(reverse("insurance:people_xlsx"), {"date": ON.isoformat()})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Thôn, ấp", "Mã hộ", "Chủ hộ")
    names = [r[5] for r in rows[1:]]
    assert sorted(names) == sorted(
        ["Trần Văn Đức", "Nguyễn Văn Bình", "Lê Thị Hoa", "Nguyễn Minh Tâm"]
    )
    tâm = next(r for r in rows[1:] if r[5] == "Nguyễn Minh Tâm")
    assert (tâm[3], tâm[4], tâm[7]) == ("Tổ 4, Ấp Tân Đông", "0912 345 678", "Chưa từng tham gia")
    entry = AuditEntry.objects.get(model_label="export", object_repr="insurance.followup.xlsx")
    assert entry.changes == {"rows": 4}


def _pdf_pages(response):
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_printed_lists_one_section_per_village(client, officer, family, covered_dh):
    client.force_login(officer)
    response = client.get(reverse("insurance:people_pdf"), {"date": ON.isoformat()})
    pages = _pdf_pages(response)
    assert len(pages) == 2  # one ấp a page (each section starts on a new page)
    (đông_hiệp,) = [p for p in pages if "Ấp Đông Hiệp" in p]
    (tân_đông,) = [p for p in pages if "Ấp Tân Đông" in p]
    assert "Trần Văn Đức" in đông_hiệp
    assert "Nguyễn Văn Bình" not in đông_hiệp
    for text in ("Ấp Tân Đông", "tính đến ngày 20/11/2026", "Nguyễn Minh Tâm", "Chưa có thẻ"):
        assert text in tân_đông
    assert "Hết hạn 30/09/2026 (51 ngày)" in tân_đông
    assert "Đã báo" in tân_đông
    assert "Đã gia hạn" in tân_đông  # the columns to tick
    assert "Trưởng ấp Tân Đông".upper() in tân_đông.upper()
    assert "Nguyễn Thị Lan" not in tân_đông  # renewed
    assert "1 hộ, 3 người" in tân_đông
    entry = AuditEntry.objects.get(model_label="export", object_repr="insurance.followup.pdf")
    assert entry.changes == {"rows": 4}


def test_printed_list_of_one_village(client, officer, family, covered_dh, tan_dong):
    client.force_login(officer)
    response = client.get(
        reverse("insurance:people_pdf"),
        {"date": ON.isoformat(), "village": tan_dong.pk, "reason": "never"},
    )
    (page,) = _pdf_pages(response)
    assert "Ấp Tân Đông" in page
    assert "Ấp Đông Hiệp" not in page
    assert "Nguyễn Minh Tâm" in page
    assert "Lê Thị Hoa" not in page
    assert "Chưa có thẻ" in page


def test_printed_list_of_a_village_with_nobody_due(client, officer, dong_hiep):
    client.force_login(officer)
    response = client.get(
        reverse("insurance:people_pdf"), {"date": ON.isoformat(), "village": dong_hiep.pk}
    )
    (page,) = _pdf_pages(response)
    assert "Không có hộ nào cần theo dõi" in page
