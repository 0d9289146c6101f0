"""The household's phone: its error is under its field on the first submit, together with
the members' errors, and a stored phone is shown as Vietnamese write it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.registry import services
from ansinh.registry.models import Household
from tests import factories as f
from tests.registry.test_views import TIM, field_errors, household_post, member

pytestmark = pytest.mark.django_db

SHORT_MOBILE = r"(A mobile number has 10 digits|Số di động gồm 10 chữ số)"


def nonfield(page: str) -> str:
    found = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', page, flags=re.DOTALL)
    return found.group(1) if found else ""


def test_bad_phone_is_under_its_field_with_the_members_errors(client, officer, tan_dong):
    """First submit: a member's date is missing AND the phone is short. Both are shown; before,
    the phone waited until the members were right, then came back above the form."""
    client.force_login(officer)
    no_date = {**TIM, "date_of_birth": ""}
    response = client.post(
        reverse("registry:household_create"),
        household_post(tan_dong, member(0, **no_date), phone="0912 345 67"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    [phone_error] = field_errors(page, "phone")
    assert re.search(SHORT_MOBILE, phone_error)
    assert field_errors(page, "members-0-date_of_birth")  # the member's error too
    assert not re.search(SHORT_MOBILE, nonfield(page))
    assert 'value="0912 345 67"' in page  # what was typed is kept
    assert not Household.objects.exists()


def test_bad_phone_alone_is_under_its_field_not_above_the_form(client, officer, tan_dong):
    client.force_login(officer)
    response = client.post(
        reverse("registry:household_create"),
        household_post(tan_dong, member(0, **TIM), phone="0276 382 212"),
    )
    page = response.content.decode()
    [phone_error] = field_errors(page, "phone")
    assert re.search(r"(A landline number has 11 digits|Số máy bàn gồm 11 chữ số)", phone_error)
    assert nonfield(page) == ""
    assert not Household.objects.exists()


def test_service_keys_the_phone_error_with_the_members_errors(officer, tan_dong):
    bad_member = f.person("Lê", relationship="head")  # one word short of a full name
    with pytest.raises(ValidationError, match=r"(network prefix|nhà mạng)") as err:
        services.household_register(
            scope=scope_for(officer), village=tan_dong, members=[bad_member], phone="0112 345 678"
        )
    assert set(err.value.message_dict) == {"phone", "members-0-full_name"}


def test_landline_is_stored_e164_and_shown_grouped(client, officer, tan_dong):
    client.force_login(officer)
    response = client.post(
        reverse("registry:household_create"),
        household_post(tan_dong, member(0, **TIM), phone="+84 276 3822 123"),
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert household.phone == "+842763822123"
    edit = client.get(reverse("registry:household_edit", args=[household.pk])).content.decode()
    assert 'value="0276 3822 123"' in edit  # the edit form shows it grouped, not "+84…"
    saved = client.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"village": tan_dong.pk, "address": "", "phone": "0276 3822 123", "notes": ""},
    )
    assert saved.status_code == 302
    household.refresh_from_db()
    assert household.phone == "+842763822123"


def test_edit_with_a_bad_phone_keeps_the_record(client, officer, hh_td, tan_dong):
    client.force_login(officer)
    before = hh_td.phone
    page = client.post(
        reverse("registry:household_edit", args=[hh_td.pk]),
        {"village": tan_dong.pk, "address": "", "phone": "0912 345 67", "notes": ""},
    ).content.decode()
    [phone_error] = field_errors(page, "phone")
    assert re.search(SHORT_MOBILE, phone_error)
    hh_td.refresh_from_db()
    assert hh_td.phone == before
