"""``household_contacts``: whom a message to a household reaches (the BHYT reminders and the
outreach messages read it): the household's phone if it is a mobile, else the head's mobile;
the head (else the first living member); the living members; the village. Within the scope,
in two queries however many households."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.accounts.scopes import scope_for
from ansinh.registry.choices import LifeStatus, Relationship
from ansinh.registry.models import Person
from ansinh.registry.selectors import HouseholdContact, household_contacts
from tests import factories as f

pytestmark = pytest.mark.django_db

HEAD_MOBILE = "0389 512 774"
HOME_MOBILE = "0918 236 457"
LANDLINE = "0276 3822 123"


def _family(village, *, phone: str = "", head_phone: str = ""):  # type: ignore[no-untyped-def]
    return f.household(
        village,
        f.person("Nguyễn Văn Ba", phone=head_phone),
        f.person("Trần Thị Bốn", f.dt.date(1983, 2, 3), "female", "spouse"),
        f.person("Nguyễn Minh Năm", f.dt.date(2012, 9, 1), "male", "child", with_cccd=False),
        phone=phone,
        confirm_duplicates=True,  # the same family, registered again
    )


def test_the_phone_the_head_the_members_and_the_village(officer, tan_dong, dong_hiep):
    home = _family(tan_dong, phone=HOME_MOBILE, head_phone=HEAD_MOBILE)
    landline = _family(tan_dong, phone=LANDLINE, head_phone=HEAD_MOBILE)
    only_landline = _family(dong_hiep, phone=LANDLINE)
    nothing = _family(dong_hiep)
    headless = _family(dong_hiep, phone=HOME_MOBILE)
    # the head has died: the first living member (in the order they were recorded) stands in
    head = Person.objects.get(household=headless, relationship=Relationship.HEAD)
    Person.objects.filter(pk=head.pk).update(
        life_status=LifeStatus.DECEASED, status_date=f.dt.date(2026, 3, 1)
    )

    got = household_contacts(scope_for(officer), [h.pk for h in (home, landline, only_landline)])
    got |= household_contacts(scope_for(officer), iter([nothing.pk, headless.pk, nothing.pk]))
    assert got == {
        home.pk: HouseholdContact("+84918236457", "Nguyễn Văn Ba", 3, tan_dong.pk),
        landline.pk: HouseholdContact("+84389512774", "Nguyễn Văn Ba", 3, tan_dong.pk),
        only_landline.pk: HouseholdContact("", "Nguyễn Văn Ba", 3, dong_hiep.pk),
        nothing.pk: HouseholdContact("", "Nguyễn Văn Ba", 3, dong_hiep.pk),
        headless.pk: HouseholdContact("+84918236457", "Trần Thị Bốn", 2, dong_hiep.pk),
    }


def test_only_the_scopes_households(officer, head_td, tan_dong, dong_hiep):
    mine = _family(tan_dong, phone=HOME_MOBILE)
    other = _family(dong_hiep, phone=HOME_MOBILE)
    assert set(household_contacts(scope_for(head_td), [mine.pk, other.pk])) == {mine.pk}
    stranger = f.user("canbo_b", f.Role.OFFICER, commune_code=28468)
    f.village(commune_code=28468, name="Ấp Phú Mỹ", code="PM")
    assert household_contacts(scope_for(stranger), [mine.pk, other.pk]) == {}


def test_two_queries_however_many_households(officer, tan_dong):
    few = [_family(tan_dong, phone=HOME_MOBILE).pk for _ in range(2)]
    many = few + [_family(tan_dong, head_phone=HEAD_MOBILE).pk for _ in range(6)]
    for ids in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            got = household_contacts(scope_for(officer), ids)
        assert len(got) == len(ids)
        assert len(ctx.captured_queries) == 2
