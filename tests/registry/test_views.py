"""Registry pages through the Django test client, as an officer or a village head uses them."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from ansinh.core.identifiers import IdentifierError, validate_cccd
from ansinh.registry.choices import LifeStatus, ProposalKind, ProposalStatus
from ansinh.registry.models import ChangeProposal, Household, MembershipEvent, Person
from ansinh.registry.validation import identifier_message
from tests import factories as f

pytestmark = pytest.mark.django_db


def cccd_message(cccd: str, dob: str, sex: str, language: str = "en") -> str:
    """The message the validator gives for this CCCD, in ``language`` (the wording is
    tested with the identifiers; here we test that pages show it in the right place)."""
    with pytest.raises(
        IdentifierError, match="the sex: male, but the person is recorded as female"
    ) as err:
        validate_cccd(cccd, date_of_birth=dt.date.fromisoformat(dob), sex=sex)
    with translation.override(language):
        return identifier_message(err.value)


WRONG_SEX = cccd_message("072090000123", "1990-04-02", "female")
assert "4th digit (0)" in WRONG_SEX


@pytest.fixture
def en(client):
    """Pages in English (the msgids), so messages can be compared word for word."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def as_officer(en, officer):
    en.force_login(officer)
    return en


def member(index: int, **values) -> dict[str, str]:
    data = {
        "full_name": "",
        "date_of_birth": "",
        "sex": "male",
        "relationship": "head",
        "ethnicity": "01",
        "cccd": "",
        "phone": "",
        "bank": "",
        "bank_account_number": "",
        "bank_account_holder": "",
    }
    data.update(values)
    return {f"members-{index}-{k}": v for k, v in data.items()}


def household_post(village, *members: dict[str, str], **household) -> dict[str, str]:
    data = {
        "village": str(village.pk),
        "address": "Tổ 4, Ấp Tân Đông",
        "phone": "",
        "area_type_override": "",
        "notes": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
    }
    data.update(household)
    for m in members:
        data.update(m)
    return data


def field_errors(page: str, name: str) -> list[str]:
    """The error messages shown under the input called ``name``."""
    block = re.search(
        rf'name="{re.escape(name)}".*?(?=<div class="field">|</form>)', page, flags=re.DOTALL
    )
    assert block, f"no field {name}"
    return [
        html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", block.group(0), flags=re.DOTALL)
    ]


TIM = {
    "full_name": "Nguyễn Thị Tím",
    "date_of_birth": "1990-04-02",
    "sex": "female",
    "relationship": "head",
    "cccd": "072 190 000 123",
    "phone": "0912 345 678",
}
HUNG = {
    "full_name": "Trần Văn Hùng",
    "date_of_birth": "1987-07-07",
    "sex": "male",
    "relationship": "spouse",
    "cccd": "072087000456",
}


# --- registering a household -----------------------------------------------------------


def test_officer_registers_a_household_with_two_members(as_officer, tan_dong):
    create = reverse("registry:household_create")
    assert as_officer.get(create).status_code == 200
    response = as_officer.post(
        create,
        household_post(tan_dong, member(0, **TIM), member(1, **HUNG), phone="0987 654 321"),
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household_detail", args=[household.pk])
    page = as_officer.get(response["Location"]).content.decode()
    assert "TD-0001" in page
    assert "Nguyễn Thị Tím" in page
    assert "Trần Văn Hùng" in page
    assert "Household TD-0001 registered." in page
    assert "0987 654 321" in page  # contact phone, shown in the usual format
    tim = household.members.get(full_name="Nguyễn Thị Tím")
    assert (tim.cccd, tim.phone) == ("072190000123", "+84912345678")


def test_bad_cccd_is_shown_under_the_field(as_officer, tan_dong):
    bad = {**TIM, "cccd": "072090000123"}
    response = as_officer.post(
        reverse("registry:household_create"), household_post(tan_dong, member(0, **bad))
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert field_errors(page, "members-0-cccd") == [WRONG_SEX]
    assert field_errors(page, "members-0-full_name") == []
    assert 'value="Nguyễn Thị Tím"' in page  # what was typed is kept
    assert not Household.objects.exists()


def test_bad_cccd_message_in_vietnamese_by_default(client, officer, tan_dong):
    client.force_login(officer)
    bad = {**TIM, "cccd": "072090000123"}
    page = client.post(
        reverse("registry:household_create"), household_post(tan_dong, member(0, **bad))
    ).content.decode()
    assert '<html lang="vi">' in page
    (message,) = field_errors(page, "members-0-cccd")
    expected = cccd_message("072090000123", "1990-04-02", "female", language="vi")
    assert message == expected
    if expected != WRONG_SEX:  # the Vietnamese catalogue is compiled
        assert WRONG_SEX not in page


def test_same_cccd_twice_in_the_form(as_officer, tan_dong):
    twin = {**HUNG, "cccd": "072190000123", "sex": "female", "date_of_birth": "1990-01-01"}
    page = as_officer.post(
        reverse("registry:household_create"),
        household_post(tan_dong, member(0, **TIM), member(1, **twin)),
    ).content.decode()
    assert field_errors(page, "members-1-cccd") == [
        "The same personal ID is entered twice in this household."
    ]
    assert not Household.objects.exists()


def test_cccd_of_someone_else_names_the_other_household(as_officer, hh_td, tan_dong):
    taken = hh_td.members.get(relationship="head")
    other = {
        "full_name": "Lê Văn Khác",
        "date_of_birth": taken.date_of_birth.isoformat(),
        "sex": "male",
        "cccd": taken.cccd,
    }
    page = as_officer.post(
        reverse("registry:household_create"), household_post(tan_dong, member(0, **other))
    ).content.decode()
    (message,) = field_errors(page, "members-0-cccd")
    assert "Nguyễn Văn An" in message
    assert "TD-0001" in message


def test_two_heads_is_a_form_error(as_officer, tan_dong):
    page = as_officer.post(
        reverse("registry:household_create"),
        household_post(tan_dong, member(0, **TIM), member(1, **{**HUNG, "relationship": "head"})),
    ).content.decode()
    assert "A household must have exactly one head." in page
    assert not Household.objects.exists()


def test_possible_duplicate_asks_for_confirmation(as_officer, hh_td, tan_dong):
    namesake = {
        "full_name": "nguyen van an",
        "date_of_birth": "1980-05-17",
        "sex": "male",
        "relationship": "head",
    }
    create = reverse("registry:household_create")
    response = as_officer.post(create, household_post(tan_dong, member(0, **namesake)))
    assert response.status_code == 200
    page = response.content.decode()
    (warning,) = field_errors(page, "members-0-full_name")
    assert "same name and date of birth" in warning
    assert "TD-0001" in warning
    assert 'name="members-0-confirm_duplicate"' in page
    assert Household.objects.count() == 1

    confirmed = household_post(
        tan_dong, member(0, **namesake, confirm_duplicate="on"), address="Tổ 8"
    )
    response = as_officer.post(create, confirmed)
    assert response.status_code == 302
    assert Person.objects.filter(folded_name="nguyen van an").count() == 2


# --- editing ---------------------------------------------------------------------------


def _person_post(person: Person, **changes) -> dict[str, str]:
    data = {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "relationship": person.relationship,
        "ethnicity": person.ethnicity,
        "cccd": person.cccd or "",
        "phone": person.phone,
        "bank": person.bank,
        "bank_account_number": person.bank_account_number,
        "bank_account_holder": person.bank_account_holder,
    }
    data.update(changes)
    return data


def test_edit_person_then_see_the_change_in_its_history(as_officer, hh_td):
    head = hh_td.members.get(relationship="head")
    edit = reverse("registry:person_edit", args=[head.pk])
    response = as_officer.post(edit, _person_post(head, phone="0912 345 678"))
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.phone == "+84912345678"
    page = as_officer.get(edit).content.decode()
    assert "History of changes" in page
    history = page[page.index("History of changes") :]
    assert "Canbo" in history  # who
    assert "•••••••678" in history  # the new phone, masked
    assert "0912 345 678" not in history
    assert "+84912345678" not in history
    assert head.cccd not in history  # the creation entry shows the CCCD masked too


def test_edit_person_with_bad_cccd_keeps_the_record(as_officer, hh_td):
    spouse = hh_td.members.get(relationship="spouse")  # a woman born 1983
    old = spouse.cccd
    page = as_officer.post(
        reverse("registry:person_edit", args=[spouse.pk]),
        _person_post(spouse, cccd="072083999999"),
    ).content.decode()
    assert field_errors(page, "cccd") == [WRONG_SEX]
    spouse.refresh_from_db()
    assert spouse.cccd == old


def test_officer_records_a_death_from_the_detail_page(as_officer, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    died = timezone.localdate() - dt.timedelta(days=2)
    response = as_officer.post(
        reverse("registry:person_death", args=[spouse.pk]),
        {"date": died.isoformat(), "place": "", "note": "giấy báo tử"},
    )
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert (spouse.life_status, spouse.status_date) == (LifeStatus.DECEASED, died)
    page = as_officer.get(reverse("registry:household_detail", args=[hh_td.pk])).content.decode()
    assert "Deceased" in page
    assert died.strftime("%d/%m/%Y") in page


def test_officer_adds_a_newborn(as_officer, hh_td):
    born = timezone.localdate() - dt.timedelta(days=10)
    data = {
        "full_name": "Nguyễn Ngọc Hân",
        "date_of_birth": born.isoformat(),
        "sex": "female",
        "relationship": "child",
        "ethnicity": "01",
        "event_kind": "birth",
    }
    response = as_officer.post(reverse("registry:person_create", args=[hh_td.pk]), data)
    assert response.status_code == 302
    baby = hh_td.members.get(full_name="Nguyễn Ngọc Hân")
    assert MembershipEvent.objects.get(person=baby).date == born


def test_officer_splits_a_household(as_officer, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    child = hh_td.members.get(relationship="child")
    response = as_officer.post(
        reverse("registry:household_split", args=[hh_td.pk]),
        {
            "members": [spouse.pk, child.pk],
            "new_head": spouse.pk,
            "village": hh_td.village_id,
            "address": "Tổ 2",
            "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    new = Household.objects.get(code="TD-0002")
    assert response["Location"] == reverse("registry:household_detail", args=[new.pk])
    assert set(new.members.all()) == {spouse, child}


# --- htmx inline check -----------------------------------------------------------------


def test_inline_cccd_check(as_officer):
    check = reverse("registry:validate_field")
    wrong = as_officer.get(
        check,
        {"field": "cccd", "cccd": "072090000123", "sex": "female", "date_of_birth": "1990-04-02"},
    ).content.decode()
    assert html.unescape(wrong).count(WRONG_SEX) == 1
    assert "✓" not in wrong
    good = as_officer.get(
        check,
        {"field": "cccd", "cccd": "072190000123", "sex": "female", "date_of_birth": "1990-04-02"},
    ).content.decode()
    assert "✓" in good
    assert "errorlist" not in good


def test_inline_check_with_formset_prefix_and_phone(as_officer):
    check = reverse("registry:validate_field")
    year = as_officer.get(
        check,
        {
            "field": "cccd",
            "prefix": "members-1-",
            "members-1-cccd": "072191000123",
            "members-1-sex": "female",
            "members-1-date_of_birth": "1990-04-02",
        },
    ).content.decode()
    assert "birth year 1991" in html.unescape(year)
    phone_bad = as_officer.get(check, {"field": "phone", "phone": "0123"}).content.decode()
    assert "errorlist" in phone_bad
    phone_ok = as_officer.get(check, {"field": "phone", "phone": "0912 345 678"}).content.decode()
    assert "✓" in phone_ok


# --- village heads propose, the officer decides ----------------------------------------


def test_village_head_edit_becomes_a_proposal_the_officer_applies(en, head_td, officer, hh_td):
    child = hh_td.members.get(relationship="child")
    en.force_login(head_td)
    response = en.post(
        reverse("registry:person_edit", args=[child.pk]), _person_post(child, phone="0912345678")
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.phone == ""  # not changed directly
    proposal = ChangeProposal.objects.get()
    assert (proposal.kind, proposal.person, proposal.proposed_by) == (
        ProposalKind.UPDATE_PERSON,
        child,
        head_td,
    )
    assert proposal.payload == {"phone": "+84912345678"}

    en.force_login(officer)
    listing = en.get(reverse("registry:proposal_list")).content.decode()
    assert "Nguyễn Minh Khang" in listing
    assert reverse("registry:proposal_decide", args=[proposal.pk]) in listing
    response = en.post(reverse("registry:proposal_decide", args=[proposal.pk]), {"action": "apply"})
    assert response.status_code == 302
    child.refresh_from_db()
    proposal.refresh_from_db()
    assert child.phone == "+84912345678"
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPLIED, officer)


def test_village_head_saving_without_changes_proposes_nothing(en, head_td, hh_td):
    child = hh_td.members.get(relationship="child")  # no CCCD, no phone
    en.force_login(head_td)
    response = en.post(reverse("registry:person_edit", args=[child.pk]), _person_post(child))
    assert response.status_code == 302
    assert not ChangeProposal.objects.exists()


def test_village_head_reports_a_death_and_officer_rejects_with_reason(en, head_td, officer, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    en.force_login(head_td)
    en.post(
        reverse("registry:person_death", args=[spouse.pk]),
        {"date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "note": "tin đồn"},
    )
    proposal = ChangeProposal.objects.get()
    assert proposal.kind == ProposalKind.RECORD_DEATH
    spouse.refresh_from_db()
    assert spouse.life_status == LifeStatus.LIVING

    en.force_login(officer)
    decide = reverse("registry:proposal_decide", args=[proposal.pk])
    page = en.post(decide, {"action": "reject", "reason": ""}, follow=True).content.decode()
    assert "Say why the proposal is rejected." in page
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    en.post(decide, {"action": "reject", "reason": "Chưa có giấy báo tử"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == (
        ProposalStatus.REJECTED,
        "Chưa có giấy báo tử",
    )
    spouse.refresh_from_db()
    assert spouse.life_status == LifeStatus.LIVING


def test_village_head_proposes_a_new_member(en, head_td, officer, hh_td):
    en.force_login(head_td)
    data = {
        "full_name": "Võ Thị Dâu",
        "date_of_birth": "1995-03-03",
        "sex": "female",
        "relationship": "child_in_law",
        "ethnicity": "01",
        "event_kind": "marriage",
    }
    en.post(reverse("registry:person_create", args=[hh_td.pk]), data)
    assert not hh_td.members.filter(full_name="Võ Thị Dâu").exists()
    proposal = ChangeProposal.objects.get(kind=ProposalKind.ADD_PERSON)
    en.force_login(officer)
    en.post(reverse("registry:proposal_decide", args=[proposal.pk]), {"action": "apply"})
    dau = hh_td.members.get(full_name="Võ Thị Dâu")
    assert MembershipEvent.objects.get(person=dau).kind == "marriage"


def test_village_head_cannot_decide(en, head_td, hh_td):
    proposal = ChangeProposal.objects.create(
        household=hh_td, kind=ProposalKind.UPDATE_HOUSEHOLD, payload={}, proposed_by=head_td
    )
    en.force_login(head_td)
    decide = reverse("registry:proposal_decide", args=[proposal.pk])
    assert en.post(decide, {"action": "apply"}).status_code == 403


# --- audit log -------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["officer", "auditor"])
def test_audit_log_masks_cccd_and_phone(request, en, officer, tan_dong, reader):
    f.household(
        tan_dong,
        f.person("Nguyễn Thị Tím", dt.date(1990, 4, 2), "female", "head", phone="0912 345 678"),
        actor=officer,
        phone="0987 654 321",
    )
    tim = Person.objects.get()
    en.force_login(request.getfixturevalue(reader))
    page = en.get(reverse("registry:audit_log")).content.decode()
    assert "Nguyễn Thị Tím" in page
    assert tim.cccd not in page
    assert tim.cccd[-3:] in page
    assert "•••" in page
    for shown in ("0912 345 678", "+84912345678", "0912345678", "0987 654 321", "+84987654321"):
        assert shown not in page


# --- sign in and language --------------------------------------------------------------


def test_login_page_and_sign_in(client, officer):
    login = reverse("accounts:login")
    page = client.get(login)
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    assert 'name="password"' in page.content.decode()
    wrong = client.post(login, {"username": "canbo", "password": "sai-mat-khau"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    right = client.post(login, {"username": "canbo", "password": "pw-for-tests-1"})
    assert right.status_code == 302
    assert right["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_switch_language_to_english(client, tan_dong):  # an installation set up
    login = reverse("accounts:login")
    vietnamese = client.get(login).content.decode()
    assert '<html lang="vi">' in vietnamese
    assert 'value="en"' in vietnamese  # the button offers English
    with translation.override("vi"):
        title_vi = translation.gettext("Sign in to ansinh")
    if title_vi != "Sign in to ansinh":  # once the catalogue is compiled
        assert title_vi in vietnamese

    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302
    english = client.get(login).content.decode()
    assert '<html lang="en">' in english
    assert "Sign in to ansinh" in english
    assert 'value="vi"' in english  # and now offers Tiếng Việt back
    assert "Tiếng Việt" in english


def test_home_page_counts_the_village(as_officer, hh_td, hh_dh):
    response = as_officer.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["total_households"] == 2
    assert response.context["total_persons"] == 4
