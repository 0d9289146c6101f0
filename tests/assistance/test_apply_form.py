"""The allowance application: the form of the other pages, only the groups the person can
belong to (the rules engine says which), bank payment by default when the person's record has
an account, and a person search that says when it shows only part of its matches."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import services
from ansinh.assistance.entitlement import possible_groups
from ansinh.assistance.models import Case
from ansinh.assistance.views import cases as case_views
from tests import factories as f
from tests.assistance.conftest import bank

pytestmark = pytest.mark.django_db


def born(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - dt.timedelta(days=40)


@pytest.fixture
def family(tan_dong, officer):
    """An 85-year-old with a bank account, her 50-year-old son without one, a 6-year-old."""
    household = f.household(
        tan_dong,
        f.person("Trần Văn Hùng", born(50), "male", "head"),
        f.person("Phạm Thị Lan", born(85), "female", "parent", **bank("Phạm Thị Lan")),
        f.person("Trần Minh Khang", born(6), "male", "child", with_cccd=False),
        actor=officer,
    )
    return {p.full_name: p for p in household.members.all()}


def apply_url(person) -> str:
    return reverse("assistance:case_apply") + f"?person={person.pk}"


def offered(page: str) -> set[str]:
    return set(re.findall(r'name="groups" value="(\w+)"', page))


def test_groups_are_those_the_rules_engine_allows(client, officer, family):
    client.force_login(officer)
    elderly = offered(client.get(apply_url(family["Phạm Thị Lan"])).content.decode())
    child = offered(client.get(apply_url(family["Trần Minh Khang"])).content.decode())
    assert "elderly_80_no_pension" in elderly
    assert "child_no_support" not in elderly
    assert "child_no_support" in child
    assert "elderly_80_no_pension" not in child
    assert {"disability_severe", "disability_extreme"} <= elderly & child  # any age
    # the page offers exactly what the engine says, no list of its own
    today = timezone.localdate()
    assert elderly == set(possible_groups(born(85), "other", today, 72))


def test_a_group_the_person_cannot_belong_to_is_refused(client, officer, family):
    client.force_login(officer)
    son = family["Trần Văn Hùng"]
    page = client.post(
        apply_url(son),
        {
            "person": son.pk,
            "scheme": "social_assistance",
            "groups": ["elderly_80_no_pension"],
            "applied_on": timezone.localdate().isoformat(),
            "payment_method": "cash",
            "children": 0,
            "pension": 0,
        },
    ).content.decode()
    assert re.search(r"(Select a valid choice|Hãy chọn một lựa chọn hợp lệ)", page)
    assert not Case.objects.exists()


def test_bank_is_the_default_when_the_record_has_an_account(client, officer, family):
    client.force_login(officer)
    with_account = client.get(apply_url(family["Phạm Thị Lan"])).content.decode()
    without = client.get(apply_url(family["Trần Văn Hùng"])).content.decode()
    assert re.search(r'value="bank"[^>]*checked', with_account)
    assert re.search(r'value="cash"[^>]*checked', without)
    assert re.search(r"(Account on record|Tài khoản trong hồ sơ)", with_account)


def test_bank_chosen_without_an_account_is_refused_under_the_field(client, officer, family):
    client.force_login(officer)
    son = family["Trần Văn Hùng"]
    page = client.post(
        apply_url(son),
        {
            "person": son.pk,
            "scheme": "social_assistance",
            "groups": ["disability_severe"],
            "applied_on": timezone.localdate().isoformat(),
            "payment_method": "bank",
            "children": 0,
            "pension": 0,
        },
    ).content.decode()
    block = page[page.index('id="payment"') :]
    assert re.search(r"(has no bank account on record|chưa có tài khoản ngân hàng)", block)
    assert not Case.objects.exists()


def test_applying_records_the_chosen_payment(client, officer, family):
    client.force_login(officer)
    mother = family["Phạm Thị Lan"]
    response = client.post(
        apply_url(mother),
        {
            "person": mother.pk,
            "scheme": "social_assistance",
            "groups": ["elderly_80_no_pension"],
            "applied_on": timezone.localdate().isoformat(),
            "payment_method": "cash",  # she has an account, but asks for cash
            "children": 0,
            "pension": 0,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(person=mother)
    assert case.payment_method == "cash"


def test_service_defaults_and_refusals(officer, family):
    scope = scope_for(officer)
    today = timezone.localdate()
    mother = services.case_apply(
        scope=scope,
        person=family["Phạm Thị Lan"],
        scheme="social_assistance",
        groups=["elderly_80_no_pension"],
        applied_on=today,
    )
    assert mother.payment_method == "bank"
    with pytest.raises(
        ValidationError, match=r"(no bank account on record|chưa có tài khoản ngân hàng)"
    ) as err:
        services.case_apply(
            scope=scope,
            person=family["Trần Văn Hùng"],
            scheme="social_assistance",
            groups=["disability_severe"],
            applied_on=today,
            payment_method="bank",
        )
    assert set(err.value.message_dict) == {"payment_method"}


def test_form_looks_like_the_other_forms(client, officer, family):
    client.force_login(officer)
    page = client.get(apply_url(family["Phạm Thị Lan"])).content.decode()
    assert '<form method="post" class="card" novalidate>' in page
    assert page.count('<div class="field">') >= 6  # each field in the shared field block


def test_person_search_says_when_it_shows_only_some(client, officer, family, monkeypatch):
    monkeypatch.setattr(case_views, "SEARCH_SHOWN", 1)
    client.force_login(officer)
    page = client.get(reverse("assistance:case_apply"), {"q": "tran"}).content.decode()
    assert len(re.findall(r"\?person=\d+", page)) == 1
    assert re.search(r"(Showing 1 of 2 — type more|Hiển thị 1 trong số 2 — gõ thêm)", page)
    one = client.get(reverse("assistance:case_apply"), {"q": "pham thi lan"}).content.decode()
    assert len(re.findall(r"\?person=\d+", one)) == 1
    assert "first-of" not in one
