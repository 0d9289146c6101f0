"""A village head proposes a new household with its members (issue 14); the officer applies it
through the same service and validation as registering a household directly."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import selectors, services
from ansinh.registry.checks import CccdTakenElsewhere, PossibleDuplicate
from ansinh.registry.choices import ProposalKind, ProposalStatus
from ansinh.registry.models import ChangeProposal, Household, Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def family(**head_values):
    """A head, his wife (with a phone) and a child without a CCCD."""
    return [
        f.person("phan  văn tư", dt.date(1985, 6, 1), "male", "head", **head_values),
        f.person("Lâm Thị Mai", dt.date(1988, 2, 9), "female", "spouse", phone="0912 345 678"),
        f.person("Phan Gia Bảo", dt.date(2015, 7, 20), "male", "child", with_cccd=False),
    ]


def propose(head, village, members=None, **kw):
    return services.proposal_submit_household(
        scope=scope_for(head),
        village=village,
        members=family() if members is None else members,
        **kw,
    )


def apply(officer, proposal, **kw):
    return services.proposal_apply(scope=scope_for(officer), proposal=proposal, **kw)


def errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


# --- submission -------------------------------------------------------------------------


def test_a_village_head_proposes_a_household_and_nothing_is_registered_yet(head_td, tan_dong):
    before = Household.objects.count(), Person.objects.count()
    proposal = propose(head_td, tan_dong, address="Tổ 3", phone="0987 654 321", note="mới cưới")
    assert (proposal.kind, proposal.status) == (ProposalKind.NEW_HOUSEHOLD, ProposalStatus.PENDING)
    assert (proposal.household, proposal.village, proposal.proposed_by) == (None, tan_dong, head_td)
    assert proposal.note == "mới cưới"
    payload = proposal.payload
    assert (payload["address"], payload["phone"]) == ("Tổ 3", "+84987654321")
    names = [m["full_name"] for m in payload["members"]]
    assert names == ["Phan Văn Tư", "Lâm Thị Mai", "Phan Gia Bảo"]  # cleaned as on registering
    assert payload["members"][1]["phone"] == "+84912345678"
    assert payload["members"][0]["date_of_birth"] == "1985-06-01"
    assert (Household.objects.count(), Person.objects.count()) == before
    entry = AuditEntry.objects.get(model_label="registry.changeproposal", object_id=proposal.pk)
    assert (entry.actor, entry.action, entry.household_id) == (head_td, AuditAction.CREATE, None)
    assert entry.commune_code == tan_dong.commune_id


def test_an_invalid_member_is_refused_at_once_with_the_fields_message(head_td, tan_dong):
    members = family()
    wife = members[1]
    wrong = wife.cccd[:3] + "0" + wife.cccd[4:]  # the 4th digit says: a man
    members[1] = dataclasses.replace(wife, cccd=wrong)
    members[2] = dataclasses.replace(members[2], full_name="Bảo")  # no family name
    with translation.override("vi"), pytest.raises(ValidationError, match="Chữ số thứ 4") as err:
        propose(head_td, tan_dong, members)
    found = errors(err.value)
    [cccd] = found["members-1-cccd"]  # the identifier's own message, in Vietnamese
    assert cccd.startswith("Chữ số thứ 4 (0) cho biết thế kỷ sinh và giới tính: nam")
    assert found["members-2-full_name"] == ["Vui lòng nhập đầy đủ họ và tên."]
    assert not ChangeProposal.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"relationship": "child"}, "A household must have exactly one head."),
        ({"date_of_birth": dt.date(2090, 1, 1)}, "The date of birth is in the future."),
    ],
)
def test_what_registering_would_refuse_is_refused(head_td, tan_dong, change, message):
    members = family()
    members[0] = dataclasses.replace(members[0], **change)
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        propose(head_td, tan_dong, members)
    assert not ChangeProposal.objects.exists()


def test_a_bad_household_phone_is_keyed_to_its_field(head_td, tan_dong):
    with translation.override("en"), pytest.raises(ValidationError, match="digits") as err:
        propose(head_td, tan_dong, phone="0123")
    assert "phone" in errors(err.value)
    assert not ChangeProposal.objects.exists()


def test_the_same_cccd_twice_in_the_household_is_refused(head_td, tan_dong):
    members = family()
    members[1] = dataclasses.replace(members[1], cccd=members[0].cccd, sex="male")
    members[1] = dataclasses.replace(members[1], date_of_birth=members[0].date_of_birth)
    with translation.override("en"), pytest.raises(ValidationError, match="twice") as err:
        propose(head_td, tan_dong, members)
    assert errors(err.value) == {
        "members-1-cccd": ["The same personal ID is entered twice in this household."]
    }


def test_a_cccd_already_recorded_in_the_own_village_names_the_person(head_td, tan_dong, hh_td):
    recorded = hh_td.members.get(relationship="head")
    members = family()
    members[0] = dataclasses.replace(
        members[0], cccd=recorded.cccd, date_of_birth=recorded.date_of_birth
    )
    with translation.override("en"), pytest.raises(ValidationError, match="registered to") as err:
        propose(head_td, tan_dong, members)
    [message] = errors(err.value)["members-0-cccd"]
    assert recorded.full_name in message
    assert hh_td.code in message
    assert not ChangeProposal.objects.exists()


def test_a_cccd_recorded_outside_the_scope_is_refused_without_naming_and_logged(
    head_td, tan_dong, hh_dh
):
    other = hh_dh.members.get()
    members = family()
    members[0] = dataclasses.replace(
        members[0],
        cccd=other.cccd,
        date_of_birth=other.date_of_birth,
        sex=other.sex,
    )
    with translation.override("en"), pytest.raises(CccdTakenElsewhere, match="elsewhere") as err:
        propose(head_td, tan_dong, members)
    assert errors(err.value) == {
        "members-0-cccd": ["This personal ID is already registered elsewhere."]
    }
    assert other.full_name not in str(err.value)
    logged = AuditEntry.objects.get(action=AuditAction.EVENT, actor=head_td)
    assert other.cccd not in logged.note  # masked
    assert not ChangeProposal.objects.exists()


def test_a_cccd_waiting_in_another_proposal_is_refused(head_td, tan_dong):
    first = family()
    propose(head_td, tan_dong, first)
    again = [dataclasses.replace(first[0], full_name="Phan Văn Tú")]  # another household
    with translation.override("en"), pytest.raises(ValidationError, match="waiting") as err:
        propose(head_td, tan_dong, again)
    assert errors(err.value) == {
        "members-0-cccd": ["This personal ID is already in a proposal waiting for the officer."]
    }
    assert ChangeProposal.objects.count() == 1


def test_the_same_household_cannot_wait_twice(head_td, tan_dong):
    members = [f.person("Đỗ Văn Nam", dt.date(1970, 1, 1), with_cccd=False)]
    propose(head_td, tan_dong, members, address="Tổ 1")
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="already sent and is waiting for the officer"),
    ):
        propose(head_td, tan_dong, members, address="Tổ 1", note="gửi lại")
    assert ChangeProposal.objects.count() == 1


def test_the_same_name_and_birth_date_is_a_warning_not_a_refusal(officer, head_td, tan_dong, hh_td):
    recorded = hh_td.members.get(relationship="spouse")
    members = family()
    members[1] = dataclasses.replace(
        members[1], full_name=recorded.full_name, date_of_birth=recorded.date_of_birth, cccd=""
    )
    proposal = propose(head_td, tan_dong, members)
    [warning] = selectors.proposal_duplicates(scope_for(officer), [proposal])[proposal.pk]
    assert (warning.member, warning.matches, warning.elsewhere) == (
        recorded.full_name,
        [recorded],
        0,
    )
    with translation.override("en"), pytest.raises(PossibleDuplicate, match="same name") as err:
        apply(officer, proposal)
    assert hh_td.code in errors(err.value)["members-1-full_name"][0]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    apply(officer, proposal, confirm_duplicates=True)  # the officer checked: another person
    proposal.refresh_from_db()
    assert proposal.created_household.members.filter(full_name=recorded.full_name).exists()


def test_a_duplicate_outside_the_readers_villages_is_counted_not_named(
    head_td, tan_dong, hh_dh, officer
):
    tim = hh_dh.members.get()
    members = [f.person(tim.full_name, tim.date_of_birth, "female", "head", with_cccd=False)]
    proposal = propose(head_td, tan_dong, members)
    [warning] = selectors.proposal_duplicates(scope_for(head_td), [proposal])[proposal.pk]
    assert (warning.matches, warning.elsewhere) == ([], 1)
    [seen] = selectors.proposal_duplicates(scope_for(officer), [proposal])[proposal.pk]
    assert seen.matches == [tim]


# --- the officer's decision -------------------------------------------------------------


def test_applying_registers_the_household_and_members_as_created_by_the_officer(
    officer, head_td, tan_dong
):
    proposal = propose(head_td, tan_dong, address="Tổ 3", phone="0987 654 321")
    apply(officer, proposal)
    proposal.refresh_from_db()
    household = proposal.created_household
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPLIED, officer)
    assert proposal.household is None
    assert (household.village, household.address, household.phone) == (
        tan_dong,
        "Tổ 3",
        "+84987654321",
    )
    assert household.code == "TD-0001"
    members = {p.full_name: p for p in household.members.all()}
    assert set(members) == {"Phan Văn Tư", "Lâm Thị Mai", "Phan Gia Bảo"}
    assert members["Phan Văn Tư"].relationship == "head"
    assert members["Lâm Thị Mai"].phone == "+84912345678"
    assert members["Phan Gia Bảo"].cccd is None
    created = AuditEntry.objects.filter(household_id=household.pk, action=AuditAction.CREATE)
    assert {e.model_label for e in created} == {"registry.household", "registry.person"}
    assert {e.actor for e in created} == {officer}
    note = created.get(model_label="registry.household").note
    assert f"{proposal.pk}" in note
    assert str(head_td) in note
    decision = AuditEntry.objects.get(
        model_label="registry.changeproposal", object_id=proposal.pk, action=AuditAction.UPDATE
    )
    assert (decision.actor, decision.household_id) == (officer, household.pk)
    assert decision.changes == {"decision": ["pending", "applied"]}


def test_applying_twice_registers_one_household(officer, head_td, tan_dong):
    proposal = propose(head_td, tan_dong)
    apply(officer, proposal)
    with translation.override("en"), pytest.raises(ValidationError, match="already decided"):
        apply(officer, proposal)
    assert Household.objects.count() == 1
    assert Person.objects.count() == 3


def test_a_cccd_recorded_meanwhile_refuses_the_apply_and_loses_nothing(officer, head_td, tan_dong):
    members = family()
    proposal = propose(head_td, tan_dong, members)
    # Meanwhile the officer registers the wife in another household, CCCD and all.
    wife = dataclasses.replace(members[1], relationship="head")
    other = f.household(tan_dong, wife, actor=officer)
    counts = Household.objects.count(), Person.objects.count(), AuditEntry.objects.count()
    with translation.override("en"), pytest.raises(ValidationError, match="Lâm Thị Mai") as err:
        apply(officer, proposal)
    [message] = errors(err.value)["members-1-cccd"]
    assert message.startswith("Lâm Thị Mai: This personal ID is already registered to")
    assert other.code in message
    assert (Household.objects.count(), Person.objects.count()) == counts[:2]
    assert AuditEntry.objects.count() == counts[2]  # not even a decision
    proposal.refresh_from_db()
    assert (
        proposal.status,
        proposal.created_household,
        proposal.payload["members"][1]["cccd"],
    ) == (
        ProposalStatus.PENDING,
        None,
        members[1].cccd,
    )
    services.proposal_reject(scope=scope_for(officer), proposal=proposal, reason="Đã có hộ")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == (ProposalStatus.REJECTED, "Đã có hộ")


def test_a_cccd_recorded_meanwhile_outside_the_scope_names_the_member_and_is_logged(
    officer, head_td, tan_dong
):
    members = family()
    proposal = propose(head_td, tan_dong, members)
    elsewhere = f.village(28468, "Ấp Tân Phú", "TP")  # another commune
    f.household(elsewhere, dataclasses.replace(members[0], relationship="head"))
    with translation.override("en"), pytest.raises(CccdTakenElsewhere, match="Phan Văn Tư") as err:
        apply(officer, proposal)
    assert errors(err.value) == {
        "members-0-cccd": ["Phan Văn Tư: This personal ID is already registered elsewhere."]
    }
    assert AuditEntry.objects.filter(action=AuditAction.EVENT, actor=officer).count() == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_a_village_no_longer_in_use_refuses_the_apply(officer, head_td, tan_dong):
    proposal = propose(head_td, tan_dong)
    type(tan_dong).objects.filter(pk=tan_dong.pk).update(is_active=False)
    with translation.override("en"), pytest.raises(ValidationError, match="no longer in use"):
        apply(officer, proposal)
    assert not Household.objects.exists()


def test_rejecting_needs_a_reason_and_registers_nothing(officer, head_td, tan_dong):
    proposal = propose(head_td, tan_dong)
    with translation.override("en"), pytest.raises(ValidationError, match="Say why"):
        services.proposal_reject(scope=scope_for(officer), proposal=proposal, reason=" ")
    services.proposal_reject(scope=scope_for(officer), proposal=proposal, reason="Chưa đủ giấy")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_note) == (
        ProposalStatus.REJECTED,
        officer,
        "Chưa đủ giấy",
    )
    assert not Household.objects.exists()
    with translation.override("en"), pytest.raises(ValidationError, match="already decided"):
        apply(officer, proposal)


# --- scope ------------------------------------------------------------------------------


def test_a_village_head_proposes_only_in_the_own_villages(head_td, dong_hiep):
    with (
        translation.override("en"),
        pytest.raises(PermissionDenied, match="You cannot propose a household in this village"),
    ):
        propose(head_td, dong_hiep)
    assert not ChangeProposal.objects.exists()


def test_a_village_no_longer_in_use_takes_no_proposal(head_td, tan_dong):
    type(tan_dong).objects.filter(pk=tan_dong.pk).update(is_active=False)
    tan_dong.refresh_from_db()
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="This village is no longer in use"),
    ):
        propose(head_td, tan_dong)
    assert not ChangeProposal.objects.exists()


@pytest.mark.parametrize("role", ["auditor", "committee"])
def test_readers_cannot_propose(request, tan_dong, role):
    with (
        translation.override("en"),
        pytest.raises(PermissionDenied, match="You cannot propose a household"),
    ):
        propose(request.getfixturevalue(role), tan_dong)


def test_only_the_officer_of_the_commune_decides(head_td, committee, tan_dong):
    proposal = propose(head_td, tan_dong)
    other_commune = f.village(28468, "Ấp Tân Phú", "TP")
    officer_b = f.user("canbo_b", f.Role.OFFICER, commune_code=other_commune.commune_id)

    def refused():
        return pytest.raises(PermissionDenied, match="Your role cannot change the registry")

    for actor in (head_td, committee, officer_b):
        with translation.override("en"), refused():
            apply(actor, proposal)
        with translation.override("en"), refused():
            services.proposal_reject(scope=scope_for(actor), proposal=proposal, reason="không")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_who_sees_a_new_household_proposal(officer, auditor, head_td, tan_dong, dong_hiep):
    proposal = propose(head_td, tan_dong)
    both = f.user("truongap3", f.Role.VILLAGE_HEAD, villages=[tan_dong, dong_hiep])
    head_dh = f.user("truongap2", f.Role.VILLAGE_HEAD, villages=[dong_hiep])
    other_commune = f.village(28468, "Ấp Tân Phú", "TP")
    officer_b = f.user("canbo_b", f.Role.OFFICER, commune_code=other_commune.commune_id)
    for reader, sees in (
        (officer, True),
        (auditor, True),
        (head_td, True),
        (head_dh, False),  # another village
        (both, False),  # the same village, but a village head sees only the own proposals
        (officer_b, False),  # another commune
    ):
        visible = selectors.proposals_for(scope_for(reader)).filter(pk=proposal.pk).exists()
        assert visible == sees, reader


def test_a_household_moving_village_takes_its_proposals_along(officer, head_td, hh_td, dong_hiep):
    proposal = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        kind=ProposalKind.UPDATE_HOUSEHOLD,
        payload={"address": "Tổ 9"},
    )
    assert proposal.village_id == hh_td.village_id
    services.household_update(scope=scope_for(officer), household=hh_td, village=dong_hiep)
    proposal.refresh_from_db()
    assert proposal.village == dong_hiep
    assert not selectors.proposals_for(scope_for(head_td)).exists()


def test_proposal_submit_does_not_take_a_new_household(head_td, hh_td):
    with translation.override("en"), pytest.raises(ValidationError, match="Unknown change"):
        services.proposal_submit(
            scope=scope_for(head_td),
            household=hh_td,
            kind=ProposalKind.NEW_HOUSEHOLD,
            payload={"members": []},
        )


# --- the database's own rules -----------------------------------------------------------


def test_the_database_ties_household_and_created_household_to_the_kind(head_td, hh_td, tan_dong):
    rows = [
        {"kind": ProposalKind.NEW_HOUSEHOLD, "household": hh_td},  # a new one has none
        {"kind": ProposalKind.UPDATE_HOUSEHOLD, "household": None},  # a change has one
        {"kind": ProposalKind.NEW_HOUSEHOLD, "status": "applied"},  # applied: links it
        {"kind": ProposalKind.NEW_HOUSEHOLD, "created_household": hh_td},  # only when applied
    ]
    for values in rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            ChangeProposal.objects.create(
                village=tan_dong, payload={}, proposed_by=head_td, **values
            )


def test_a_change_to_a_household_is_in_its_village_by_default(head_td, hh_td):
    proposal = ChangeProposal.objects.create(
        household=hh_td, kind=ProposalKind.UPDATE_HOUSEHOLD, payload={}, proposed_by=head_td
    )
    assert proposal.village_id == hh_td.village_id
