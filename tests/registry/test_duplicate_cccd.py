"""A personal ID already registered: named only to whom may see that person (issue 10, item 2).

Another commune's person is never named (not even the household or village): the refusal says
"elsewhere", and the refusal is written to the audit log of the commune where it was typed,
with the number masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import services
from ansinh.registry.choices import ProposalKind, ProposalStatus
from ansinh.registry.models import Household, Person
from tests import factories as f

pytestmark = pytest.mark.django_db

OTHER_COMMUNE = 25525  # another commune of Tây Ninh
ELSEWHERE = "This personal ID is already registered elsewhere."


@pytest.fixture
def stranger():
    """A person of another commune, registered by that commune's officer."""
    village = f.village(commune_code=OTHER_COMMUNE, name="Ấp Xa Lạ", code="XL")
    officer = f.user("canbo_xa_khac", f.Role.OFFICER, commune_code=OTHER_COMMUNE)
    household = f.household(
        village,
        f.person("Phạm Thị Lạ", dt.date(1990, 4, 2), "female", "head", phone="0912 345 678"),
        actor=officer,
    )
    return household.members.get()


def _refusals() -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action=AuditAction.EVENT, note__contains="refused").order_by("id")
    )


def _assert_says_nothing_of(message: str, stranger: Person) -> None:
    for secret in (
        stranger.full_name,
        stranger.household.code,
        stranger.village.name,
        stranger.cccd,
    ):
        assert secret not in message


def _same_id_as(stranger: Person, name: str = "Nguyễn Thị Mới"):
    return replace(f.person(name, stranger.date_of_birth, stranger.sex, "head"), cccd=stranger.cccd)


def test_register_with_another_communes_id_says_only_elsewhere_and_is_logged(
    officer, tan_dong, stranger
):
    with (
        translation.override("en"),
        pytest.raises(
            ValidationError, match="This personal ID is already registered elsewhere"
        ) as err,
    ):
        services.household_register(
            scope=scope_for(officer), village=tan_dong, members=[_same_id_as(stranger)]
        )
    assert err.value.message_dict == {"members-0-cccd": [ELSEWHERE]}
    _assert_says_nothing_of(str(err.value.message_dict), stranger)
    assert not Household.objects.filter(commune_id=tan_dong.commune_id).exists()

    (entry,) = _refusals()
    assert entry.actor == officer
    assert entry.commune_code == officer.commune_id  # the officer's commune, not the other
    # on the village where it was typed: never the other person's record or id
    assert entry.model_label == "places.village"
    assert entry.object_id == tan_dong.pk
    assert entry.household_id is None
    assert "•••••••••" + stranger.cccd[-3:] in entry.note
    everything = f"{entry.note} {entry.object_repr} {entry.changes}"
    _assert_says_nothing_of(everything, stranger)


def test_updating_a_person_to_another_communes_id(officer, hh_td, stranger):
    head = hh_td.members.get(relationship="head")
    data = replace(
        f.person(head.full_name, stranger.date_of_birth, stranger.sex, "head"),
        cccd=stranger.cccd,
    )
    with (
        translation.override("en"),
        pytest.raises(
            ValidationError, match="This personal ID is already registered elsewhere"
        ) as err,
    ):
        services.person_update(scope=scope_for(officer), person=head, data=data)
    assert err.value.message_dict == {"cccd": [ELSEWHERE]}
    head.refresh_from_db()
    assert head.cccd != stranger.cccd
    assert len(_refusals()) == 1


def test_refusal_inside_an_applied_proposal_is_logged_once(officer, head_td, hh_td, stranger):
    """proposal_apply runs person_add: the outer service logs after its own rollback."""
    proposal = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        kind=ProposalKind.ADD_PERSON,
        payload={
            "full_name": "Nguyễn Thị Mới",
            "date_of_birth": stranger.date_of_birth.isoformat(),
            "sex": stranger.sex,
            "relationship": "child",
            "cccd": stranger.cccd,
        },
    )
    with (
        translation.override("en"),
        pytest.raises(
            ValidationError, match="This personal ID is already registered elsewhere"
        ) as err,
    ):
        services.proposal_apply(scope=scope_for(officer), proposal=proposal)
    assert err.value.message_dict == {"cccd": [ELSEWHERE]}
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    (entry,) = _refusals()
    assert (entry.actor, entry.commune_code) == (officer, hh_td.commune_id)


def test_same_commune_duplicate_still_names_the_household(officer, hh_td, dong_hiep):
    taken = hh_td.members.get(relationship="head")
    member = replace(
        f.person("Lê Văn Khác", taken.date_of_birth, taken.sex, "head"), cccd=taken.cccd
    )
    with (
        translation.override("en"),
        pytest.raises(
            ValidationError,
            match="This personal ID is already registered to Nguyễn Văn An, household TD-0001",
        ) as err,
    ):
        services.household_register(scope=scope_for(officer), village=dong_hiep, members=[member])
    (message,) = err.value.message_dict["members-0-cccd"]
    assert taken.full_name in message
    assert hh_td.code in message
    assert not _refusals()


def test_the_form_shows_elsewhere_and_the_log_keeps_it(client, officer, tan_dong, stranger):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    data = {
        "village": str(tan_dong.pk),
        "address": "",
        "phone": "",
        "area_type_override": "",
        "notes": "",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
        "members-0-full_name": "Nguyễn Thị Mới",
        "members-0-date_of_birth": stranger.date_of_birth.isoformat(),
        "members-0-sex": stranger.sex,
        "members-0-relationship": "head",
        "members-0-ethnicity": "01",
        "members-0-cccd": stranger.cccd,
        "members-0-phone": "",
        "members-0-bank": "",
        "members-0-bank_account_number": "",
        "members-0-bank_account_holder": "",
    }
    page = client.post(reverse("registry:household_create"), data).content.decode()
    assert ELSEWHERE in page
    for secret in (stranger.full_name, stranger.household.code, stranger.village.name):
        assert secret not in page
    assert len(_refusals()) == 1
    log = client.get(reverse("registry:audit_log")).content.decode()
    assert "•••••••••" + stranger.cccd[-3:] in log
    assert stranger.full_name not in log
