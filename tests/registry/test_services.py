"""Registry services: the rules an officer relies on when registering and changing records."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import services
from ansinh.registry.choices import (
    EventKind,
    HouseholdStatus,
    LifeStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
)
from ansinh.registry.models import ChangeProposal, Household, MembershipEvent, Person
from ansinh.registry.services import PossibleDuplicate
from ansinh.registry.validation import PersonData
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); the UI default is Vietnamese."""
    with translation.override("en"):
        yield


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


def _head(household: Household) -> Person:
    return household.members.get(relationship=Relationship.HEAD)


# --- household_register ----------------------------------------------------------------


def test_household_codes_count_up_per_village(officer, tan_dong, dong_hiep):
    first = f.household(tan_dong, f.person("Nguyễn Văn Một"), actor=officer)
    second = f.household(tan_dong, f.person("Nguyễn Văn Hai"), actor=officer)
    other = f.household(dong_hiep, f.person("Nguyễn Văn Ba"), actor=officer)
    assert (first.code, second.code, other.code) == ("TD-0001", "TD-0002", "DH-0001")


def test_register_stores_members_with_folded_name_and_village(officer, tan_dong):
    household = f.household(
        tan_dong,
        f.person(
            "  nguyễn   thị tím ", dt.date(1990, 4, 2), "female", "head", phone="0912 345 678"
        ),
        f.person("Đặng Văn Đức", dt.date(1988, 1, 1), "male", "spouse"),
        actor=officer,
        phone="0987.654.321",
    )
    tim = household.members.get(relationship=Relationship.HEAD)
    assert tim.full_name == "Nguyễn Thị Tím"
    assert tim.folded_name == "nguyen thi tim"
    assert tim.given_key == "tim nguyen thi"
    assert tim.phone == "+84912345678"
    assert tim.village_id == tan_dong.pk
    assert tim.commune_id == tan_dong.commune_id
    assert household.members.get(relationship="spouse").folded_name == "dang van duc"
    assert household.phone == "+84987654321"


def test_register_needs_at_least_one_member(officer, tan_dong):
    with pytest.raises(ValidationError, match="Add at least the head of household") as err:
        services.household_register(scope=scope_for(officer), village=tan_dong, members=[])
    assert "members" in _messages(err.value)
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    "relationships",
    [("spouse", "child"), ("head", "head")],
    ids=["no head", "two heads"],
)
def test_register_needs_exactly_one_head(officer, tan_dong, relationships):
    members = [
        f.person("Nguyễn Văn An", dt.date(1980, 1, 1), "male", relationships[0]),
        f.person("Trần Thị Bé", dt.date(1982, 1, 1), "female", relationships[1]),
    ]
    with pytest.raises(ValidationError, match="A household must have exactly one head") as err:
        services.household_register(scope=scope_for(officer), village=tan_dong, members=members)
    assert _messages(err.value)["members"] == ["A household must have exactly one head."]
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("cccd", "fragments"),
    [
        # The person is a woman born 1990: 4th digit 0 means a man born in the 1900s.
        ("072090000123", ("4th digit (0)", "male", "recorded as female")),
        # 3 = woman born in the 2000s, so 2090, not 1990.
        ("072390000123", ("birth year 2090", "1990")),
        ("072191000123", ("birth year 1991", "1990")),
        ("003190000123", ("first three digits (003)", "province")),
        ("07219000012", ("12 digits", "11")),
    ],
    ids=["sex", "century", "year", "province", "length"],
)
def test_register_refuses_cccd_and_names_the_wrong_part(officer, tan_dong, cccd, fragments):
    tim = replace(f.person("Nguyễn Thị Tím", dt.date(1990, 4, 2), "female", "head"), cccd=cccd)
    with pytest.raises(ValidationError, match=re.escape(fragments[0])) as err:
        services.household_register(scope=scope_for(officer), village=tan_dong, members=[tim])
    (message,) = _messages(err.value)["members-0-cccd"]
    for fragment in fragments:
        assert fragment in message
    assert not Household.objects.exists()


def test_register_accepts_cccd_typed_with_spaces(officer, tan_dong):
    tim = f.person("Nguyễn Thị Tím", dt.date(1990, 4, 2), "female", "head")
    tim = replace(tim, cccd="072 190 000 123")
    household = services.household_register(
        scope=scope_for(officer), village=tan_dong, members=[tim]
    )
    assert _head(household).cccd == "072190000123"


def test_duplicate_cccd_is_refused_naming_the_other_household(officer, hh_td, dong_hiep):
    taken = _head(hh_td)
    member = replace(
        f.person("Lê Văn Khác", taken.date_of_birth, taken.sex, "head"), cccd=taken.cccd
    )
    with pytest.raises(
        ValidationError, match="This personal ID is already registered to Nguyễn Văn An"
    ) as err:
        services.household_register(scope=scope_for(officer), village=dong_hiep, members=[member])
    (message,) = _messages(err.value)["members-0-cccd"]
    assert hh_td.code in message
    assert taken.full_name in message
    assert "Ấp Tân Đông" in message
    assert Household.objects.count() == 1


def test_same_cccd_twice_in_one_household_form(officer, tan_dong):
    head = f.person("Nguyễn Văn An", dt.date(1980, 5, 17), "male", "head")
    twin = replace(
        f.person("Nguyễn Văn Bình", dt.date(1980, 5, 17), "male", "sibling"), cccd=head.cccd
    )
    with pytest.raises(
        ValidationError, match="The same personal ID is entered twice in this household"
    ) as err:
        services.household_register(
            scope=scope_for(officer), village=tan_dong, members=[head, twin]
        )
    assert _messages(err.value) == {
        "members-1-cccd": ["The same personal ID is entered twice in this household."]
    }
    assert not Household.objects.exists()


def test_same_name_and_birth_date_is_a_warning_to_confirm(officer, hh_td, dong_hiep):
    existing = _head(hh_td)  # Nguyễn Văn An, 17/05/1980
    namesake = f.person("NGUYEN VAN AN", existing.date_of_birth, "male", "head")
    with pytest.raises(
        PossibleDuplicate,
        match="A person with the same name and date of birth is already registered",
    ) as err:
        services.household_register(scope=scope_for(officer), village=dong_hiep, members=[namesake])
    assert [p.pk for p in err.value.matches] == [existing.pk]
    (message,) = _messages(err.value)["members-0-full_name"]
    assert hh_td.code in message
    assert "17/05/1980" in message
    assert Household.objects.filter(village=dong_hiep).count() == 0

    household = services.household_register(
        scope=scope_for(officer), village=dong_hiep, members=[namesake], confirm_duplicates=True
    )
    assert Person.objects.filter(folded_name="nguyen van an").count() == 2
    assert _head(household).full_name == "Nguyen Van An"


def test_same_name_with_other_birth_date_is_no_duplicate(officer, hh_td, dong_hiep):
    other = f.person("Nguyễn Văn An", dt.date(1980, 5, 18), "male", "head")
    household = services.household_register(
        scope=scope_for(officer), village=dong_hiep, members=[other]
    )
    assert household.members.count() == 1


def test_failing_member_leaves_no_household_behind(officer, hh_td, dong_hiep):
    """The second member's CCCD belongs to someone else: nothing at all is saved."""
    households, persons, entries = (
        Household.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
    )
    taken = _head(hh_td)
    head = f.person("Phạm Văn Mới", dt.date(1970, 3, 3), "male", "head")
    clash = replace(
        f.person("Phạm Văn Trùng", taken.date_of_birth, "male", "child"), cccd=taken.cccd
    )
    with pytest.raises(
        ValidationError, match="This personal ID is already registered to Nguyễn Văn An"
    ) as err:
        services.household_register(
            scope=scope_for(officer), village=dong_hiep, members=[head, clash]
        )
    assert "members-1-cccd" in _messages(err.value)
    assert Household.objects.count() == households
    assert Person.objects.count() == persons
    assert AuditEntry.objects.count() == entries
    assert not Person.objects.filter(full_name="Phạm Văn Mới").exists()


def test_register_leaves_audit_entries_by_the_officer(officer, tan_dong):
    household = f.household(tan_dong, actor=officer)
    entries = AuditEntry.objects.filter(household_id=household.pk)
    assert entries.count() == 1 + household.members.count()
    assert {e.actor_id for e in entries} == {officer.pk}
    created = entries.get(model_label="registry.household")
    assert created.action == AuditAction.CREATE
    assert created.changes["code"] == [None, "TD-0001"]


def test_household_update_normalises_phone_and_moves_members(officer, hh_td, dong_hiep):
    services.household_update(
        scope=scope_for(officer), household=hh_td, village=dong_hiep, phone="0912-345-678"
    )
    hh_td.refresh_from_db()
    assert hh_td.phone == "+84912345678"
    assert set(hh_td.members.values_list("village_id", flat=True)) == {dong_hiep.pk}
    with pytest.raises(ValidationError, match="A Vietnamese phone number starts with 0 or") as err:
        services.household_update(scope=scope_for(officer), household=hh_td, phone="12345")
    assert "phone" in _messages(err.value)


# --- persons ---------------------------------------------------------------------------


def test_person_add_birth_records_event_on_birth_date(officer, hh_td):
    born = timezone.localdate() - dt.timedelta(days=20)
    baby = services.person_add(
        scope=scope_for(officer),
        household=hh_td,
        data=f.person("Nguyễn Ngọc Hân", born, "female", "child", with_cccd=False),
        event_kind=EventKind.BIRTH,
    )
    event = MembershipEvent.objects.get(person=baby)
    assert (event.kind, event.date, event.household_id) == (EventKind.BIRTH, born, hh_td.pk)
    assert event.recorded_by == officer
    assert baby.household_id == hh_td.pk
    assert baby.life_status == LifeStatus.LIVING


@pytest.mark.parametrize("kind", [EventKind.MARRIAGE, EventKind.MOVE_IN])
def test_person_add_marriage_or_move_in_with_date_and_place(officer, hh_td, kind):
    person = services.person_add(
        scope=scope_for(officer),
        household=hh_td,
        data=f.person("Võ Thị Dâu", dt.date(1990, 2, 2), "female", "child_in_law"),
        event_kind=kind,
        event_date=ago(400),
        place="Xã Hòa Hội",
    )
    event = MembershipEvent.objects.get(person=person)
    assert (event.kind, event.date, event.place) == (kind, ago(400), "Xã Hòa Hội")
    assert AuditEntry.objects.filter(
        model_label="registry.person", object_id=person.pk, action=AuditAction.CREATE
    ).exists()


def test_person_add_refuses_a_second_head_and_a_future_date(officer, hh_td):
    with pytest.raises(
        ValidationError, match="This household already has a head; change the head first"
    ) as err:
        services.person_add(
            scope=scope_for(officer),
            household=hh_td,
            data=f.person("Hồ Văn Chủ", dt.date(1960, 1, 1)),
        )
    assert "relationship" in _messages(err.value)
    with pytest.raises(ValidationError, match="The date is in the future") as err:
        services.person_add(
            scope=scope_for(officer),
            household=hh_td,
            data=f.person("Hồ Văn Khách", dt.date(1960, 1, 1), "male", "other"),
            event_date=timezone.localdate() + dt.timedelta(days=3),
        )
    assert "date" in _messages(err.value)
    assert not Person.objects.filter(full_name="Hồ Văn Khách").exists()


def test_person_add_warns_about_a_namesake(officer, hh_td, hh_dh):
    tim = hh_dh.members.get()
    data = f.person("Le Thi Tim", tim.date_of_birth, "female", "other")
    with pytest.raises(
        PossibleDuplicate,
        match="A person with the same name and date of birth is already registered",
    ):
        services.person_add(scope=scope_for(officer), household=hh_td, data=data)
    services.person_add(
        scope=scope_for(officer), household=hh_td, data=data, confirm_duplicate=True
    )
    assert Person.objects.filter(folded_name="le thi tim").count() == 2


def _same(person: Person, **changes) -> PersonData:
    values = {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "relationship": person.relationship,
        "ethnicity": person.ethnicity,
        "cccd": person.cccd or "",
        "phone": person.phone,
        "bank": person.bank,
        "bank_account_number": person.bank_account_number,
        "bank_account_holder": person.bank_account_holder,
    }
    values.update(changes)
    return PersonData(**values)


def test_person_update_records_before_and_after(officer, hh_td):
    person = _head(hh_td)
    services.person_update(
        scope=scope_for(officer),
        person=person,
        data=_same(
            person,
            full_name="Nguyễn Văn Ân",
            phone="0912345678",
            bank="agribank",
            bank_account_number="7100 2051 23456",
            bank_account_holder="Nguyễn Văn Ân",
        ),
    )
    person.refresh_from_db()
    assert person.folded_name == "nguyen van an"
    assert person.bank_account_number == "7100205123456"
    assert person.bank_account_holder == "NGUYEN VAN AN"
    entry = AuditEntry.objects.filter(
        model_label="registry.person", object_id=person.pk, action=AuditAction.UPDATE
    ).get()
    assert entry.actor == officer
    assert entry.changes == {
        "full_name": ["Nguyễn Văn An", "Nguyễn Văn Ân"],
        "phone": ["", "+84912345678"],
        "bank": ["", "agribank"],
        "bank_account_number": ["", "7100205123456"],
        "bank_account_holder": ["", "NGUYEN VAN AN"],
    }
    assert entry.household_id == hh_td.pk


def test_person_update_refuses_a_cccd_used_elsewhere(officer, hh_td, hh_dh):
    person = _head(hh_td)
    other = hh_dh.members.get()
    with pytest.raises(
        ValidationError, match="This personal ID is already registered to Nguyễn Văn An"
    ) as err:
        services.person_update(
            scope=scope_for(officer),
            person=other,
            data=_same(other, sex=person.sex, cccd=person.cccd, date_of_birth=person.date_of_birth),
        )
    assert hh_td.code in _messages(err.value)["cccd"][0]
    other.refresh_from_db()
    assert other.cccd != person.cccd


def test_person_update_cannot_make_a_second_head(officer, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    with pytest.raises(
        ValidationError, match="Use “Change head of household” to make this person the head"
    ) as err:
        services.person_update(
            scope=scope_for(officer), person=spouse, data=_same(spouse, relationship="head")
        )
    assert "relationship" in _messages(err.value)


def test_record_death(officer, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    services.person_record_death(
        scope=scope_for(officer), person=spouse, date=ago(200), note="giấy báo tử"
    )
    spouse.refresh_from_db()
    assert (spouse.life_status, spouse.status_date) == (LifeStatus.DECEASED, ago(200))
    event = MembershipEvent.objects.get(person=spouse)
    assert (event.kind, event.date, event.household_id) == (
        EventKind.DEATH,
        ago(200),
        hh_td.pk,
    )
    with pytest.raises(ValidationError, match="This person is no longer living in the household"):
        services.person_record_death(scope=scope_for(officer), person=spouse, date=ago(199))
    assert MembershipEvent.objects.filter(person=spouse).count() == 1


def test_leaving_before_birth_or_in_the_future_is_refused(officer, hh_td):
    child = hh_td.members.get(relationship="child")  # born 2012
    with pytest.raises(ValidationError, match="The date is before the date of birth") as err:
        services.person_record_death(
            scope=scope_for(officer), person=child, date=dt.date(2011, 1, 1)
        )
    assert "date" in _messages(err.value)
    with pytest.raises(ValidationError, match="The date is in the future"):
        services.person_move_out(
            scope=scope_for(officer), person=child, date=timezone.localdate() + dt.timedelta(days=1)
        )
    child.refresh_from_db()
    assert child.life_status == LifeStatus.LIVING
    assert child.status_date is None
    assert not MembershipEvent.objects.filter(person=child).exists()


def test_move_out(officer, hh_td):
    child = hh_td.members.get(relationship="child")
    services.person_move_out(
        scope=scope_for(officer), person=child, date=ago(120), place="TP. Hồ Chí Minh"
    )
    child.refresh_from_db()
    assert (child.life_status, child.status_date) == (LifeStatus.MOVED_AWAY, ago(120))
    event = MembershipEvent.objects.get(person=child)
    assert (event.kind, event.place) == (EventKind.MOVE_OUT, "TP. Hồ Chí Minh")
    with pytest.raises(ValidationError, match="This person is no longer living in the household"):
        services.person_record_death(scope=scope_for(officer), person=child, date=ago(100))


# --- household changes -----------------------------------------------------------------


def test_change_head(officer, hh_td):
    old = _head(hh_td)
    spouse = hh_td.members.get(relationship="spouse")
    services.household_change_head(
        scope=scope_for(officer), household=hh_td, new_head=spouse, date=ago(90)
    )
    assert _head(hh_td) == spouse
    old.refresh_from_db()
    assert old.relationship == Relationship.OTHER_RELATIVE
    event = MembershipEvent.objects.get(household=hh_td)
    assert (event.kind, event.person_id) == (EventKind.HEAD_CHANGE, spouse.pk)


def test_change_head_to_a_stranger_is_refused(officer, hh_td, hh_dh):
    with pytest.raises(ValidationError, match="Choose a living member of this household") as err:
        services.household_change_head(
            scope=scope_for(officer), household=hh_td, new_head=hh_dh.members.get(), date=ago(90)
        )
    assert "new_head" in _messages(err.value)
    assert _head(hh_td).full_name == "Nguyễn Văn An"


def test_split_moves_members_to_a_new_household(officer, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    child = hh_td.members.get(relationship="child")
    new = services.household_split(
        scope=scope_for(officer),
        household=hh_td,
        members=[spouse, child],
        new_head=spouse,
        date=ago(60),
        address="Tổ 3, Ấp Tân Đông",
    )
    assert new.code == "TD-0002"
    assert new.village_id == hh_td.village_id
    assert new.address == "Tổ 3, Ấp Tân Đông"
    assert set(new.members.all()) == {spouse, child}
    assert _head(new) == spouse
    child.refresh_from_db()
    assert child.relationship == Relationship.OTHER_RELATIVE
    assert list(hh_td.members.all()) == [_head(hh_td)]
    old_events = MembershipEvent.objects.filter(household=hh_td, kind=EventKind.SPLIT)
    new_events = MembershipEvent.objects.filter(household=new, kind=EventKind.SPLIT)
    assert {e.person_id for e in old_events} == {spouse.pk, child.pk}
    assert {e.person_id for e in new_events} == {spouse.pk, child.pk}
    assert {e.other_household_id for e in old_events} == {new.pk}
    assert {e.other_household_id for e in new_events} == {hh_td.pk}
    note = AuditEntry.objects.get(
        model_label="registry.household", object_id=new.pk, action=AuditAction.CREATE
    ).note
    assert hh_td.code in note


@pytest.mark.parametrize(
    ("leaving", "new_head", "key", "message"),
    [
        (
            ("head", "spouse"),
            "spouse",
            "members",
            "Change the head of the old household before the head leaves",
        ),
        (
            ("spouse", "child"),
            "head",
            "new_head",
            "The new head must be one of the members leaving",
        ),
    ],
    ids=["head leaves", "new head stays"],
)
def test_split_refusals(officer, hh_td, leaving, new_head, key, message):
    members = [hh_td.members.get(relationship=r) for r in leaving]
    with pytest.raises(ValidationError, match=message) as err:
        services.household_split(
            scope=scope_for(officer),
            household=hh_td,
            members=members,
            new_head=hh_td.members.get(relationship=new_head),
            date=ago(60),
        )
    assert key in _messages(err.value)
    assert Household.objects.count() == 1
    assert hh_td.members.count() == 3


def test_split_needs_someone_to_stay(officer, tan_dong):
    household = f.household(
        tan_dong,
        f.person("Mai Văn Chủ", dt.date(1950, 1, 1)),
        f.person("Mai Văn Con", dt.date(1980, 1, 1), "male", "child"),
        actor=officer,
    )
    services.person_record_death(scope=scope_for(officer), person=_head(household), date=ago(150))
    child = household.members.get(relationship="child")
    with pytest.raises(ValidationError, match="At least one member must stay") as err:
        services.household_split(
            scope=scope_for(officer),
            household=household,
            members=[child],
            new_head=child,
            date=ago(100),
        )
    assert "members" in _messages(err.value)


def test_close_household_only_when_nobody_lives_there(officer, tan_dong):
    household = f.household(tan_dong, f.person("Tô Văn Một", dt.date(1940, 1, 1)), actor=officer)
    with pytest.raises(
        ValidationError, match="Record every living member as moved away or deceased first"
    ):
        services.household_close(
            scope=scope_for(officer), household=household, status=HouseholdStatus.DISSOLVED
        )
    services.person_record_death(scope=scope_for(officer), person=_head(household), date=ago(149))
    services.household_close(
        scope=scope_for(officer), household=household, status=HouseholdStatus.DISSOLVED
    )
    household.refresh_from_db()
    assert household.status == HouseholdStatus.DISSOLVED
    entry = AuditEntry.objects.filter(model_label="registry.household", object_id=household.pk)
    assert entry.first().changes == {"status": ["active", "dissolved"]}


def test_close_household_needs_a_closing_status(officer, hh_td):
    with pytest.raises(ValidationError, match="Choose dissolved or moved away") as err:
        services.household_close(
            scope=scope_for(officer), household=hh_td, status=HouseholdStatus.ACTIVE
        )
    assert "status" in _messages(err.value)


# --- proposals -------------------------------------------------------------------------


def test_village_head_proposes_and_officer_applies(officer, head_td, hh_td):
    child = hh_td.members.get(relationship="child")
    proposal = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        person=child,
        kind=ProposalKind.UPDATE_PERSON,
        payload={"phone": "0912 345 678"},
        note="số mới",
    )
    child.refresh_from_db()
    assert child.phone == ""  # nothing changes until the officer applies
    assert proposal.status == ProposalStatus.PENDING

    services.proposal_apply(scope=scope_for(officer), proposal=proposal)
    proposal.refresh_from_db()
    child.refresh_from_db()
    assert child.phone == "+84912345678"
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPLIED, officer)
    assert proposal.decided_at is not None
    change = AuditEntry.objects.get(
        model_label="registry.person", object_id=child.pk, action=AuditAction.UPDATE
    )
    assert change.actor == officer
    assert change.changes == {"phone": ["", "+84912345678"]}


def test_applying_a_proposal_runs_the_same_validation(officer, head_td, hh_td):
    head = _head(hh_td)
    wrong = "072" + "1" + head.cccd[4:]  # says: woman, but the head is a man
    proposal = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        person=head,
        kind=ProposalKind.UPDATE_PERSON,
        payload={"cccd": wrong},
    )
    with (
        translation.override("en"),
        pytest.raises(
            ValidationError, match="the sex: female, but the person is recorded as male"
        ) as err,
    ):
        services.proposal_apply(scope=scope_for(officer), proposal=proposal)
    assert "4th digit" in _messages(err.value)["cccd"][0]
    proposal.refresh_from_db()
    head.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert head.cccd != wrong


def test_applied_add_person_and_death_proposals(officer, head_td, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    add = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        kind=ProposalKind.ADD_PERSON,
        payload={
            "full_name": "Nguyễn Thị Mới",
            "date_of_birth": ago(40).isoformat(),
            "sex": "female",
            "relationship": "child",
            "event_kind": "birth",
        },
    )
    death = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        person=spouse,
        kind=ProposalKind.RECORD_DEATH,
        payload={"date": ago(10).isoformat()},
    )
    services.proposal_apply(scope=scope_for(officer), proposal=add)
    services.proposal_apply(scope=scope_for(officer), proposal=death)
    baby = hh_td.members.get(full_name="Nguyễn Thị Mới")
    assert MembershipEvent.objects.get(person=baby).kind == EventKind.BIRTH
    spouse.refresh_from_db()
    assert (spouse.life_status, spouse.status_date) == (LifeStatus.DECEASED, ago(10))


def test_village_head_cannot_propose_for_another_village(head_td, hh_dh):
    with pytest.raises(PermissionDenied, match="You cannot propose changes for this household"):
        services.proposal_submit(
            scope=scope_for(head_td),
            household=hh_dh,
            kind=ProposalKind.UPDATE_HOUSEHOLD,
            payload={"address": "Tổ 9"},
        )
    assert not ChangeProposal.objects.exists()


def test_proposal_for_a_person_of_another_household_is_refused(head_td, hh_td, tan_dong, officer):
    neighbour = f.household(tan_dong, f.person("Huỳnh Văn Xóm", dt.date(1965, 1, 1)), actor=officer)
    with pytest.raises(ValidationError, match="This person is not in this household"):
        services.proposal_submit(
            scope=scope_for(head_td),
            household=hh_td,
            person=_head(neighbour),
            kind=ProposalKind.RECORD_DEATH,
            payload={"date": ago(5).isoformat()},
        )


def _proposal(head_td, hh_td) -> ChangeProposal:
    return services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        kind=ProposalKind.UPDATE_HOUSEHOLD,
        payload={"address": "Tổ 5, Ấp Tân Đông"},
    )


def test_rejecting_needs_a_reason(officer, head_td, hh_td):
    proposal = _proposal(head_td, hh_td)
    with pytest.raises(ValidationError, match="Say why the proposal is rejected") as err:
        services.proposal_reject(scope=scope_for(officer), proposal=proposal, reason="   ")
    assert "decision_note" in _messages(err.value)
    services.proposal_reject(scope=scope_for(officer), proposal=proposal, reason="Sai địa chỉ")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == (ProposalStatus.REJECTED, "Sai địa chỉ")
    hh_td.refresh_from_db()
    assert hh_td.address != "Tổ 5, Ấp Tân Đông"


@pytest.mark.parametrize("first", ["apply", "reject"])
def test_a_proposal_is_decided_once(officer, head_td, hh_td, first):
    proposal = _proposal(head_td, hh_td)
    if first == "apply":
        services.proposal_apply(scope=scope_for(officer), proposal=proposal)
    else:
        services.proposal_reject(scope=scope_for(officer), proposal=proposal, reason="Không đúng")
    with pytest.raises(ValidationError, match="This proposal was already decided"):
        services.proposal_apply(scope=scope_for(officer), proposal=proposal)
    with pytest.raises(ValidationError, match="This proposal was already decided"):
        services.proposal_reject(scope=scope_for(officer), proposal=proposal, reason="lần hai")
    assert AuditEntry.objects.filter(model_label="registry.household", action="update").count() == (
        1 if first == "apply" else 0
    )


def test_village_head_and_committee_cannot_decide(head_td, committee, hh_td):
    proposal = _proposal(head_td, hh_td)
    for actor in (head_td, committee):
        with pytest.raises(
            PermissionDenied, match="Your role cannot change the registry of this commune"
        ):
            services.proposal_apply(scope=scope_for(actor), proposal=proposal)
        with pytest.raises(
            PermissionDenied, match="Your role cannot change the registry of this commune"
        ):
            services.proposal_reject(scope=scope_for(actor), proposal=proposal, reason="không")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    hh_td.refresh_from_db()
    assert hh_td.address != "Tổ 5, Ấp Tân Đông"


# --- permissions -----------------------------------------------------------------------


WRITES = {
    "household_register": lambda actor, hh: services.household_register(
        scope=scope_for(actor),
        village=hh.village,
        members=[f.person("Đỗ Văn Mới", dt.date(1990, 1, 1))],
    ),
    "household_update": lambda actor, hh: services.household_update(
        scope=scope_for(actor), household=hh, address="Tổ 1"
    ),
    "person_add": lambda actor, hh: services.person_add(
        scope=scope_for(actor),
        household=hh,
        data=f.person("Đỗ Thị Mới", dt.date(1990, 1, 1), "female", "other"),
    ),
    "person_update": lambda actor, hh: services.person_update(
        scope=scope_for(actor), person=_head(hh), data=_same(_head(hh), phone="0912345678")
    ),
    "person_record_death": lambda actor, hh: services.person_record_death(
        scope=scope_for(actor), person=_head(hh), date=ago(150)
    ),
    "person_move_out": lambda actor, hh: services.person_move_out(
        scope=scope_for(actor), person=_head(hh), date=ago(150)
    ),
    "household_change_head": lambda actor, hh: services.household_change_head(
        scope=scope_for(actor),
        household=hh,
        new_head=hh.members.get(relationship="spouse"),
        date=ago(150),
    ),
    "household_split": lambda actor, hh: services.household_split(
        scope=scope_for(actor),
        household=hh,
        members=[hh.members.get(relationship="spouse")],
        new_head=hh.members.get(relationship="spouse"),
        date=ago(150),
    ),
}


@pytest.mark.parametrize("role", ["committee", "auditor", "head_td"])
@pytest.mark.parametrize("write", list(WRITES))
def test_only_the_officer_writes(request, hh_td, role, write):
    actor = request.getfixturevalue(role)
    before = (
        Household.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
        MembershipEvent.objects.count(),
    )
    with pytest.raises(
        PermissionDenied, match="Your role cannot change the registry of this commune"
    ):
        WRITES[write](actor, hh_td)
    after = (
        Household.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
        MembershipEvent.objects.count(),
    )
    assert after == before


def test_officer_of_another_commune_cannot_write_here(hh_td):
    stranger = f.user("canbo-khac", f.Role.OFFICER, commune_code=25516)
    with pytest.raises(
        PermissionDenied, match="Your role cannot change the registry of this commune"
    ):
        WRITES["household_update"](stranger, hh_td)
    with pytest.raises(
        PermissionDenied, match="Your role cannot change the registry of this commune"
    ):
        WRITES["household_register"](stranger, hh_td)


def test_household_codes_continue_past_9999(officer, tan_dong):
    f.household(
        tan_dong, f.person("Hồ Văn Chín", dt.date(1970, 1, 1)), actor=officer, code="TD-9999"
    )
    f.household(
        tan_dong, f.person("Hồ Văn Mười", dt.date(1971, 1, 1)), actor=officer, code="TD-10000"
    )
    third = f.household(tan_dong, f.person("Hồ Văn Một", dt.date(1972, 1, 1)), actor=officer)
    assert third.code == "TD-10001"
