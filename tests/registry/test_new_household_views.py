"""A new household proposed from a village head's phone, and decided by the officer: the pages
(in Vietnamese unless a test says otherwise; new wording accepted in both languages until the
catalogue has it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.registry import services
from ansinh.registry.choices import ProposalKind, ProposalStatus
from ansinh.registry.models import ChangeProposal, Household
from tests import factories as f
from tests.registry.test_views import field_errors

pytestmark = pytest.mark.django_db

URL = "registry:proposal_household"
HEAD = {
    "full_name": "Phan Văn Tư",
    "date_of_birth": "1985-06-01",
    "sex": "male",
    "relationship": "head",
    "ethnicity": "01",
}
WIFE = {
    "full_name": "Lâm Thị Mai",
    "date_of_birth": "1988-02-09",
    "sex": "female",
    "relationship": "spouse",
    "ethnicity": "06",
    "phone": "0912 345 678",
}
EMPTY = {"full_name": "", "date_of_birth": "", "sex": "", "relationship": "", "ethnicity": "01"}


def post_data(village, *rows: dict[str, str], **household: str) -> dict[str, str]:
    """The form as a phone sends it: the household part and ``rows`` member rows (three on
    the page without JavaScript; an empty row is sent empty)."""
    data = {
        "village": str(village.pk),
        "address": "Tổ 3, Ấp Tân Đông",
        "phone": "",
        "note": "",
        "members-TOTAL_FORMS": str(len(rows)),
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
        **household,
    }
    for index, row in enumerate(rows):
        values = {"cccd": "", "phone": "", **row}
        data.update({f"members-{index}-{k}": v for k, v in values.items()})
    return data


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def as_head(client, head_td):
    client.force_login(head_td)
    return client


def test_the_form_has_three_member_rows_without_javascript(as_head, tan_dong):
    page = text(as_head.get(reverse(URL)))
    assert re.search(r"<h1>(Đề xuất hộ mới|Propose a new household)</h1>", page)
    assert 'name="members-TOTAL_FORMS" value="3"' in page
    assert 'name="members-2-full_name"' in page
    assert re.search(r'<option value="head" selected>Chủ hộ</option>', page)  # the first row
    assert re.search(rf'<option value="{tan_dong.pk}" selected>Ấp Tân Đông</option>', page)
    assert 'name="members-0-bank"' not in page  # the bank account is the officer's business


def test_village_head_sends_a_household_with_two_members(as_head, head_td, tan_dong):
    cccd = f.make_cccd(dt.date(1985, 6, 1), "male")
    response = as_head.post(
        reverse(URL),
        post_data(tan_dong, {**HEAD, "cccd": cccd}, WIFE, EMPTY, note="Mới ra ở riêng"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:proposal_list")
    proposal = ChangeProposal.objects.get()
    assert (proposal.kind, proposal.village, proposal.proposed_by, proposal.note) == (
        ProposalKind.NEW_HOUSEHOLD,
        tan_dong,
        head_td,
        "Mới ra ở riêng",
    )
    members = proposal.payload["members"]
    assert [(m["full_name"], m["cccd"]) for m in members] == [
        ("Phan Văn Tư", cccd),
        ("Lâm Thị Mai", None),
    ]
    assert not Household.objects.exists()
    listing = text(as_head.get(response["Location"]))
    assert "Đề xuất đã được gửi đến cán bộ xã." in listing
    assert "Lâm Thị Mai" in listing
    assert ">Chờ cán bộ xã xử lý</span>" in listing


def test_errors_are_under_each_field_on_the_first_submit(as_head, tan_dong):
    wrong_sex = f.make_cccd(dt.date(1988, 2, 9), "male")  # the wife's CCCD says: a man
    response = as_head.post(
        reverse(URL),
        post_data(
            tan_dong,
            {**HEAD, "full_name": ""},
            {**WIFE, "cccd": wrong_sex},
            EMPTY,
            phone="0912 345 67",
        ),
    )
    page = text(response)
    assert response.status_code == 200
    [name] = field_errors(page, "members-0-full_name")
    assert re.search(r"(Trường này là bắt buộc|This field is required)", name)
    [phone] = field_errors(page, "phone")
    assert re.search(r"(Số di động|mobile number)", phone)
    assert field_errors(page, "members-2-full_name") == []  # the empty row is no member
    assert not ChangeProposal.objects.exists()
    # corrected, the service's own check speaks: under the wife's CCCD, in Vietnamese
    response = as_head.post(reverse(URL), post_data(tan_dong, HEAD, {**WIFE, "cccd": wrong_sex}))
    [cccd] = field_errors(text(response), "members-1-cccd")
    assert cccd.startswith("Chữ số thứ 4")
    assert not ChangeProposal.objects.exists()


def test_a_service_error_goes_under_its_row_after_an_empty_row(as_head, tan_dong, hh_td):
    recorded = hh_td.members.get(relationship="spouse")
    taken = {
        **WIFE,
        "full_name": "Lâm Thị Mai",
        "date_of_birth": recorded.date_of_birth.isoformat(),
        "cccd": recorded.cccd,
    }
    response = as_head.post(reverse(URL), post_data(tan_dong, HEAD, EMPTY, taken))
    page = text(response)
    [error] = field_errors(page, "members-2-cccd")
    assert recorded.full_name in error
    assert hh_td.code in error
    assert field_errors(page, "members-1-cccd") == []
    assert not ChangeProposal.objects.exists()


def test_a_removed_row_is_not_sent(as_head, tan_dong):
    data = post_data(tan_dong, HEAD, WIFE, {**EMPTY, "full_name": "Bỏ Đi"})
    data["members-1-DELETE"] = "on"
    data["members-2-DELETE"] = "on"  # half filled in, then removed: not even checked
    assert as_head.post(reverse(URL), data).status_code == 302
    [member] = ChangeProposal.objects.get().payload["members"]
    assert member["full_name"] == "Phan Văn Tư"


def test_a_double_submit_sends_one_proposal(as_head, tan_dong):
    data = post_data(tan_dong, HEAD, WIFE)
    assert as_head.post(reverse(URL), data).status_code == 302
    page = text(as_head.post(reverse(URL), data))
    assert "Đề xuất này đã được gửi" in page or "already sent" in page
    assert ChangeProposal.objects.count() == 1


@pytest.mark.parametrize("role", ["officer", "auditor", "committee"])
def test_only_a_village_head_proposes_a_household(request, client, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(URL)).status_code == 403


def test_a_village_head_cannot_send_it_to_another_village(as_head, dong_hiep):
    page = text(as_head.post(reverse(URL), post_data(dong_hiep, HEAD)))
    assert field_errors(page, "village")  # not a choice: not one of the own villages
    assert not ChangeProposal.objects.exists()


# --- the outcome the village head sees, the officer's list, detail and decision ---------


def _proposal(head_td, village, *members):
    people = members or (
        f.person("Phan Văn Tư", dt.date(1985, 6, 1)),
        f.person("Lâm Thị Mai", dt.date(1988, 2, 9), "female", "spouse"),
    )
    return services.proposal_submit_household(
        scope=scope_for(head_td), village=village, members=list(people), address="Tổ 3"
    )


def test_village_head_sees_each_outcome(client, officer, head_td, tan_dong, hh_td):
    pending = _proposal(head_td, tan_dong, f.person("Đỗ Văn Chờ", dt.date(1970, 1, 1)))
    applied = _proposal(head_td, tan_dong)
    rejected = _proposal(head_td, tan_dong, f.person("Đỗ Văn Từ", dt.date(1971, 1, 1)))
    death = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        person=hh_td.members.get(relationship="spouse"),
        kind=ProposalKind.RECORD_DEATH,
        payload={"date": "2026-01-02"},
    )
    services.proposal_apply(scope=scope_for(officer), proposal=applied)
    services.proposal_reject(scope=scope_for(officer), proposal=rejected, reason="Chưa có sổ")
    services.proposal_reject(scope=scope_for(officer), proposal=death, reason="Sai người")
    applied.refresh_from_db()
    client.force_login(head_td)
    page = text(client.get(reverse("registry:proposal_list")))
    assert page.count(">Chờ cán bộ xã xử lý</span>") == 1
    assert page.count(">Đã duyệt</span>") == 1
    assert page.count(">Đã từ chối</span>") == 2
    assert "Lý do: Chưa có sổ" in page
    assert "Lý do: Sai người" in page
    household = reverse("registry:household_detail", args=[applied.created_household_id])
    assert f'<a href="{household}">Hộ {applied.created_household.code}</a>' in page
    assert "Đỗ Văn Chờ" in page
    assert reverse("registry:proposal_detail", args=[pending.pk]) in page


def test_officer_list_and_detail_show_the_members_as_a_table(client, officer, head_td, tan_dong):
    proposal = _proposal(head_td, tan_dong)
    wife_cccd = proposal.payload["members"][1]["cccd"]
    client.force_login(officer)
    for url in (
        reverse("registry:proposal_list"),
        reverse("registry:proposal_detail", args=[proposal.pk]),
    ):
        page = text(client.get(url))
        assert re.search(r"(Đăng ký hộ mới|Register a new household)", page)
        table = re.search(r'<table class="responsive members">(.*?)</table>', page, re.DOTALL)
        assert table, url
        rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.DOTALL)
        assert len(rows) == 3  # the header and two members
        assert "Lâm Thị Mai" in rows[2]
        assert "09/02/1988" in rows[2]
        assert "Vợ/chồng" in rows[2]
        assert wife_cccd in rows[2]  # in full: the officer checks it against the papers
        assert reverse("registry:proposal_decide", args=[proposal.pk]) in page


def test_the_auditor_sees_the_members_cccd_masked(client, auditor, head_td, tan_dong):
    proposal = _proposal(head_td, tan_dong)
    cccd = proposal.payload["members"][0]["cccd"]
    client.force_login(auditor)
    page = text(client.get(reverse("registry:proposal_detail", args=[proposal.pk])))
    assert "Phan Văn Tư" in page
    assert cccd not in page
    assert cccd[-3:] in page
    assert reverse("registry:proposal_decide", args=[proposal.pk]) not in page


def test_officer_approves_from_the_detail_page_and_lands_on_the_household(
    client, officer, head_td, tan_dong
):
    proposal = _proposal(head_td, tan_dong)
    client.force_login(officer)
    response = client.post(
        reverse("registry:proposal_decide", args=[proposal.pk]),
        {"action": "apply", "back": "detail"},
        follow=True,
    )
    proposal.refresh_from_db()
    household = proposal.created_household
    assert response.redirect_chain[-1][0] == reverse(
        "registry:household_detail", args=[household.pk]
    )
    page = text(response)
    assert f"Đã thêm hộ {household.code}." in page
    assert "Lâm Thị Mai" in page
    assert reverse("registry:proposal_detail", args=[proposal.pk]) in page  # where it came from


def test_a_stale_apply_goes_back_to_the_proposal_with_the_reason(
    client, officer, head_td, tan_dong
):
    proposal = _proposal(head_td, tan_dong)
    head = dataclasses.replace(f.person("Phan Văn Tư", dt.date(1985, 6, 1)), cccd="")
    head = dataclasses.replace(head, cccd=proposal.payload["members"][0]["cccd"])
    f.household(tan_dong, head, actor=officer)  # the same CCCD recorded meanwhile
    client.force_login(officer)
    detail = reverse("registry:proposal_detail", args=[proposal.pk])
    response = client.post(
        reverse("registry:proposal_decide", args=[proposal.pk]),
        {"action": "apply", "back": "detail"},
    )
    assert response["Location"] == detail
    page = text(client.get(detail))
    assert "Phan Văn Tư: " in page
    assert "Số định danh cá nhân này đã được ghi cho Phan Văn Tư, hộ TD-0001" in page
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert Household.objects.count() == 1


def test_a_possible_duplicate_is_shown_and_confirmed(client, officer, head_td, tan_dong, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    proposal = _proposal(
        head_td,
        tan_dong,
        f.person("Phan Văn Tư", dt.date(1985, 6, 1)),
        f.person(spouse.full_name, spouse.date_of_birth, "female", "spouse", with_cccd=False),
    )
    client.force_login(officer)
    page = text(client.get(reverse("registry:proposal_list")))
    assert re.search(r'<div class="notice warn">', page)
    assert f"hộ {hh_td.code}" in page
    assert 'name="confirm_duplicates"' in page
    decide = reverse("registry:proposal_decide", args=[proposal.pk])
    client.post(decide, {"action": "apply"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    client.post(decide, {"action": "apply", "confirm_duplicates": "1"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED


def test_another_village_head_cannot_open_it(client, head_td, tan_dong, dong_hiep):
    proposal = _proposal(head_td, tan_dong)
    client.force_login(f.user("truongap2", f.Role.VILLAGE_HEAD, villages=[dong_hiep]))
    assert client.get(reverse("registry:proposal_detail", args=[proposal.pk])).status_code == 404


def test_every_row_removed_is_refused_with_the_registrys_message(as_head, tan_dong):
    data = post_data(tan_dong, HEAD, EMPTY)
    data["members-0-DELETE"] = "on"
    page = text(as_head.post(reverse(URL), data))
    assert "Vui lòng nhập ít nhất thông tin của chủ hộ." in page
    assert not ChangeProposal.objects.exists()
