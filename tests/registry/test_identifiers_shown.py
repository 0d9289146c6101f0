"""Identifiers shown only to whom needs them (issue 10, item 9).

The audit log keeps full values but never shows one, wherever it hides (a proposal's payload,
a survey's members, a record's name, a note). Auditors and committee members see CCCD, phone
and bank numbers masked on the record pages and in the API, and may reveal one at a time:
the reveal is logged, and is a 404 outside their scope.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.core import audit
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import services
from ansinh.registry.choices import ProposalKind
from tests import factories as f

pytestmark = pytest.mark.django_db

# Numbers that belong to nobody in the registry: none of them may appear in a page.
CCCD_PAYLOAD = "072190000777"
CCCD_NESTED = "072087000888"
CCCD_NOTE = "079203001234"
PHONE_PAYLOAD = "+84912345678"
PHONE_NESTED = "+84987654321"
PHONE_REPR = "+84378111222"
BANK_PAYLOAD = "7100205123456"
BANK_NESTED = "1903123456789"
BANK_NOTE = "0451000123456"


def renderings(number: str) -> set[str]:
    """The ways a page could write the number in full."""
    shown = {number}
    if number.startswith("+84"):
        national = "0" + number[3:]
        shown |= {national, f"{national[:4]} {national[4:7]} {national[7:]}", number[1:]}
    return shown


def assert_never_in_full(page: str, *numbers: str) -> None:
    for number in numbers:
        for text in renderings(number):
            assert text not in page, f"{text} is shown in full"


def history_part(page: str) -> str:
    start = page.index("History of changes")
    return page[start:]


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def logged(officer, head_td, hh_td):
    """Entries with a CCCD, a phone and a bank account in every place they can hide."""
    head = hh_td.members.get(relationship="head")
    # 1. a proposal's payload, recorded as after={"kind": …, **payload}
    services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        person=head,
        kind=ProposalKind.UPDATE_PERSON,
        payload={
            "cccd": CCCD_PAYLOAD,
            "phone": PHONE_PAYLOAD,
            "bank": "agribank",
            "bank_account_number": BANK_PAYLOAD,
        },
    )
    # 2. nested values: a survey's members
    audit.record(
        actor=scope_for(officer),
        instance=hh_td,
        action=AuditAction.UPDATE,
        before={"members": []},
        after={
            "members": [
                {
                    "full_name": "Nguyễn Văn An",
                    "cccd": CCCD_NESTED,
                    "phone": PHONE_NESTED,
                    "bank_account_number": BANK_NESTED,
                }
            ],
            "answers": {"contact": {"phone": PHONE_NESTED}},
        },
        commune_code=hh_td.commune_id,
        household_id=hh_td.pk,
    )
    # 3. a record's name and 4. a note
    AuditEntry.objects.create(
        actor=officer,
        action=AuditAction.EVENT,
        model_label="registry.person",
        object_id=head.pk,
        object_repr=f"Tin nhắn tới {PHONE_REPR}",
        changes={},
        note=(
            f"Gọi 0{PHONE_NESTED[3:6]} {PHONE_NESTED[6:9]} {PHONE_NESTED[9:]}; "
            f"CCCD {CCCD_NOTE}; TK {BANK_NOTE}; trợ cấp 1.500.000 đ, ngày 02/01/2026"
        ),
        commune_code=hh_td.commune_id,
        household_id=hh_td.pk,
    )
    return head


SECRETS = (
    CCCD_PAYLOAD,
    CCCD_NESTED,
    CCCD_NOTE,
    PHONE_PAYLOAD,
    PHONE_NESTED,
    PHONE_REPR,
    BANK_PAYLOAD,
    BANK_NESTED,
    BANK_NOTE,
)


@pytest.mark.parametrize("reader", ["officer", "auditor"])
def test_audit_log_page_never_shows_a_full_number(request, en, logged, reader):
    en.force_login(request.getfixturevalue(reader))
    page = en.get(reverse("registry:audit_log")).content.decode()
    assert_never_in_full(page, *SECRETS)
    for number in SECRETS:
        assert number[-3:] in page  # masked, not dropped
    assert "Tin nhắn tới •••••••222" in page
    assert "1.500.000 đ, ngày 02/01/2026" in page  # money and dates are left alone


def test_household_and_person_history_never_show_a_full_number(en, officer, logged, hh_td):
    en.force_login(officer)
    household = en.get(reverse("registry:household_detail", args=[hh_td.pk])).content.decode()
    assert_never_in_full(history_part(household), *SECRETS)
    person = en.get(reverse("registry:person_edit", args=[logged.pk])).content.decode()
    assert_never_in_full(history_part(person), *SECRETS)
    assert "•••••••••777" in history_part(household)  # the proposal's CCCD, masked


def test_the_log_still_keeps_the_full_values(logged):
    proposal = AuditEntry.objects.get(model_label="registry.changeproposal")
    assert proposal.changes["cccd"] == [None, CCCD_PAYLOAD]
    assert proposal.changes["bank_account_number"] == [None, BANK_PAYLOAD]


# --- record pages by role --------------------------------------------------------------


@pytest.fixture
def banked(officer, tan_dong):
    """A household whose head has a phone and a bank account, and a contact phone."""
    return f.household(
        tan_dong,
        f.person(
            "Nguyễn Thị Tím",
            dt.date(1990, 4, 2),
            "female",
            "head",
            phone="0912 345 678",
            bank="agribank",
            bank_account_number="7100205123456",
            bank_account_holder="NGUYEN THI TIM",
        ),
        actor=officer,
        phone="0987 654 321",
    )


@pytest.mark.parametrize("role", ["auditor", "committee"])
def test_auditor_and_committee_see_identifiers_masked(request, en, banked, role):
    en.force_login(request.getfixturevalue(role))
    tim = banked.members.get()
    page = en.get(reverse("registry:household_detail", args=[banked.pk])).content.decode()
    assert_never_in_full(page, tim.cccd, tim.phone, tim.bank_account_number, banked.phone)
    assert "•••••••••" + tim.cccd[-3:] in page
    assert "•••••••678" in page
    assert "•••••••321" in page
    assert "••••••••••456" in page
    assert page.count(f'action="{reverse("registry:person_reveal", args=[tim.pk])}"') == 3
    assert reverse("registry:household_reveal", args=[banked.pk]) in page


@pytest.mark.parametrize("role", ["officer", "head_td"])
def test_officer_and_village_head_see_them_in_full(request, en, banked, role):
    en.force_login(request.getfixturevalue(role))
    tim = banked.members.get()
    page = en.get(reverse("registry:household_detail", args=[banked.pk])).content.decode()
    assert tim.cccd in page
    assert "0912 345 678" in page
    assert "0987 654 321" in page
    assert "7100205123456" in page
    assert reverse("registry:person_reveal", args=[tim.pk]) not in page


def test_auditor_reveals_one_number_and_it_is_logged(en, auditor, banked):
    tim = banked.members.get()
    en.force_login(auditor)
    url = reverse("registry:person_reveal", args=[tim.pk])
    response = en.post(url, {"field": "cccd"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode() == f'<span class="identifier revealed">{tim.cccd}</span>'
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.EVENT, changes__has_key="revealed")
    assert (entry.actor, entry.model_label, entry.object_id) == (auditor, "registry.person", tim.pk)
    assert (entry.household_id, entry.commune_code) == (banked.pk, banked.commune_id)
    assert entry.changes == {"revealed": [None, "cccd"]}
    assert tim.cccd not in entry.note
    assert "•••••••••" + tim.cccd[-3:] in entry.note

    # without htmx: a page that shows it once
    page = en.post(url, {"field": "bank_account_number"}).content.decode()
    assert "7100205123456" in page
    household = en.post(reverse("registry:household_reveal", args=[banked.pk]), {"field": "phone"})
    assert "0987 654 321" in household.content.decode()
    assert AuditEntry.objects.filter(changes__has_key="revealed").count() == 3

    # the log says who looked at what, masked
    log = en.get(reverse("registry:audit_log")).content.decode()
    assert "Identifier viewed" in log
    assert "Identifier revealed (•••••••••" in log
    assert_never_in_full(log, tim.cccd, tim.bank_account_number, banked.phone)


def test_reveal_outside_the_scope_is_404(client, banked, dong_hiep, officer):
    tim = banked.members.get()
    other_head = f.user("truongap2", f.Role.VILLAGE_HEAD, villages=[dong_hiep])
    elsewhere = f.user("canbo_khac", f.Role.AUDITOR, commune_code=25525)
    for user in (other_head, elsewhere):
        client.force_login(user)
        person = client.post(
            reverse("registry:person_reveal", args=[tim.pk]),
            {"field": "cccd"},
            HTTP_HX_REQUEST="true",
        )
        household = client.post(
            reverse("registry:household_reveal", args=[banked.pk]), {"field": "phone"}
        )
        assert (person.status_code, household.status_code) == (404, 404)
        assert tim.cccd not in person.content.decode()
    assert not AuditEntry.objects.filter(changes__has_key="revealed").exists()


def test_reveal_only_identifiers_and_only_by_post(client, auditor, banked):
    tim = banked.members.get()
    client.force_login(auditor)
    url = reverse("registry:person_reveal", args=[tim.pk])
    assert client.post(url, {"field": "full_name"}).status_code == 404
    assert client.post(url, {"field": "bank_account_holder"}).status_code == 404
    assert client.get(url, {"field": "cccd"}).status_code == 405
    assert not AuditEntry.objects.filter(changes__has_key="revealed").exists()


def test_auditor_sees_proposed_numbers_masked(en, auditor, officer, logged):
    en.force_login(auditor)
    page = en.get(reverse("registry:proposal_list")).content.decode()
    assert_never_in_full(page, CCCD_PAYLOAD, PHONE_PAYLOAD, BANK_PAYLOAD)
    assert "•••••••••777" in page
    en.force_login(officer)  # the officer checks them against the papers
    assert CCCD_PAYLOAD in en.get(reverse("registry:proposal_list")).content.decode()


# --- API -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "full"), [("officer", True), ("auditor", False)])
def test_api_masks_identifiers_for_roles_that_do_not_work_with_them(
    request, client, banked, role, full
):
    token = f.api_token(request.getfixturevalue(role))
    tim = banked.members.get()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    person = client.get(f"/api/persons/{tim.pk}", **headers).json()
    household = client.get(f"/api/households/{banked.pk}", **headers).json()
    listed = client.get("/api/persons", {"q": "tim"}, **headers).json()["items"][0]
    for shown in (person, household["members"][0], listed):
        values = (shown["cccd"], shown["phone"], shown["bank_account_number"])
        if full:
            assert values == (tim.cccd, tim.phone, tim.bank_account_number)
        else:
            assert values == ("•••••••••" + tim.cccd[-3:], "•••••••678", "••••••••••456")
    assert household["phone"] == (banked.phone if full else "•••••••321")
    assert bool(re.search(r"\d{9}", str(person))) is full
