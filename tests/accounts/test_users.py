"""The accounts of a commune (issue 13, part 2): created, changed, deactivated, reactivated,
passwords reset, by the officer only; the last officer is kept; everything audited, never a
password."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.accounts.services import (
    installation_setup,
    one_time_password,
    user_create,
    user_deactivate,
    user_password_reset,
    user_reactivate,
    user_update,
)
from ansinh.core.models import AuditEntry
from ansinh.places.models import Commune
from tests import factories as f

pytestmark = pytest.mark.django_db

OTHER_COMMUNE = 28468  # Xã Tân Phú, Đồng Tháp
READABLE = re.compile(r"[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}")


def _entries(user: User) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(model_label="accounts.user", object_id=user.pk)
    return list(entries.order_by("pk"))


def signs_in(username: str, password: str) -> Client | None:
    """A client signed in through the sign-in page (django-axes needs the request)."""
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return client if "_auth_user_id" in client.session else None


def _no_password_logged() -> None:
    for entry in AuditEntry.objects.all():
        text = str(entry.changes) + entry.note
        assert "password'" not in text.replace("must_change_password'", "")
        for user in User.objects.all():
            assert user.password not in text


def test_one_time_passwords_are_readable_and_random():
    passwords = {one_time_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert READABLE.fullmatch(password), password
        assert not set(password) & set("0o1li")


def test_the_officer_creates_a_village_head_with_a_one_time_password(officer, tan_dong):
    head, password = user_create(
        scope=scope_for(officer),
        username="truongap.td",
        role="village_head",
        full_name="  Trần  Văn Bảy ",
        phone="0912 345 678",
        villages=[tan_dong],
    )
    head.refresh_from_db()
    assert READABLE.fullmatch(password)
    assert head.check_password(password)
    assert head.must_change_password is True
    assert (head.commune_id, head.role, head.full_name, head.phone) == (
        f.TAN_DONG,
        "village_head",
        "Trần Văn Bảy",
        "+84912345678",
    )
    assert list(head.villages.all()) == [tan_dong]
    [entry] = _entries(head)
    assert entry.action == "create"
    assert entry.actor == officer
    assert entry.commune_code == f.TAN_DONG
    assert entry.changes["villages"] == [None, ["Ấp Tân Đông"]]
    _no_password_logged()
    # the village head signs in with it, and is sent to change it first
    client = signs_in("truongap.td", password)
    assert client is not None
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"


@translation.override("en")
def test_user_names_are_unique_whatever_the_case(officer):
    with pytest.raises(ValidationError, match="CanBo is already taken"):
        user_create(scope=scope_for(officer), username="CanBo", role="auditor")
    with pytest.raises(ValidationError, match="letters without accents"):
        user_create(scope=scope_for(officer), username="kiểm tra", role="auditor")
    assert User.objects.count() == 1


@translation.override("en")
def test_a_village_head_needs_villages_of_the_commune(officer, tan_dong):
    scope = scope_for(officer)
    with pytest.raises(ValidationError, match="needs at least one village"):
        user_create(scope=scope, username="truongap9", role="village_head")
    elsewhere = f.village(OTHER_COMMUNE, name="Ấp Phú Mỹ", code="PM")
    with pytest.raises(ValidationError, match="villages of the account's commune"):
        user_create(scope=scope, username="truongap9", role="village_head", villages=[elsewhere])
    # other roles keep no villages
    member, _password = user_create(
        scope=scope, username="uyvien", role="committee", villages=[tan_dong]
    )
    assert list(member.villages.all()) == []


@translation.override("en")
def test_only_the_officer_of_the_commune_manages_accounts(committee, auditor, head_td):
    stranger = f.user("canbo_khac", f.Role.OFFICER, commune_code=OTHER_COMMUNE)
    commune_a = committee.commune
    for user in (committee, auditor, head_td, stranger):
        with pytest.raises(PermissionDenied, match="Only the commune officer manages accounts"):
            user_create(
                scope=scope_for(user), username=f"new_{user.pk}", role="auditor", commune=commune_a
            )
        with pytest.raises(PermissionDenied, match="Only the commune officer"):
            user_password_reset(scope=scope_for(user), user=committee)
        with pytest.raises(PermissionDenied, match="Only the commune officer"):
            user_deactivate(scope=scope_for(user), user=auditor)
    assert User.objects.count() == 4
    assert not AuditEntry.objects.filter(model_label="accounts.user").exists()


@translation.override("en")
def test_the_last_active_officer_cannot_be_deactivated_or_demoted(officer):
    scope = scope_for(officer)
    with pytest.raises(ValidationError, match="last active officer"):
        user_deactivate(scope=scope, user=officer)  # themselves
    with pytest.raises(ValidationError, match="last active officer"):
        user_update(scope=scope, user=officer, role="committee", full_name="Canbo")
    with pytest.raises(ValidationError, match="last active officer"):
        user_deactivate(scope=Scope.system(f.TAN_DONG, "tests"), user=officer)
    officer.refresh_from_db()
    assert (officer.is_active, officer.role) == (True, "officer")
    # with a second officer, the first may step down; then the second is the last
    second, _password = user_create(scope=scope, username="canbo2", role="officer")
    user_update(scope=scope, user=officer, role="committee", full_name="Canbo")
    with pytest.raises(ValidationError, match="last active officer"):
        user_deactivate(scope=scope_for(second), user=second)
    # a deactivated officer does not count
    user_update(scope=scope_for(second), user=officer, role="officer", full_name="Canbo")
    user_deactivate(scope=scope_for(second), user=officer)
    with pytest.raises(ValidationError, match="last active officer"):
        user_deactivate(scope=scope_for(second), user=second)


def test_deactivated_accounts_cannot_sign_in_and_come_back(officer, auditor):
    scope = scope_for(officer)
    user_deactivate(scope=scope, user=auditor)
    user_deactivate(scope=scope, user=auditor)  # twice: nothing more
    assert signs_in("kiemtra", "pw-for-tests-1") is None
    user_reactivate(scope=scope, user=auditor)
    assert signs_in("kiemtra", "pw-for-tests-1") is not None
    changes = [e.changes for e in _entries(auditor)]
    assert changes == [{"is_active": [True, False]}, {"is_active": [False, True]}]
    assert User.objects.filter(pk=auditor.pk).exists()  # never deleted


def test_a_password_reset_ends_the_old_password_and_the_api_tokens(officer, auditor):
    token = f.api_token(auditor)
    client = Client()
    assert client.get("/api/households", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    password = user_password_reset(scope=scope_for(officer), user=auditor)
    auditor.refresh_from_db()
    assert READABLE.fullmatch(password)
    assert auditor.check_password(password)
    assert not auditor.check_password("pw-for-tests-1")
    assert auditor.must_change_password is True
    assert client.get("/api/households", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    [entry] = _entries(auditor)
    assert (entry.action, entry.actor, entry.note) == (
        "event",
        officer,
        "password reset: one-time password issued",
    )
    _no_password_logged()


@translation.override("en")
def test_a_deactivated_account_is_reactivated_before_a_reset(officer, auditor):
    user_deactivate(scope=scope_for(officer), user=auditor)
    with pytest.raises(ValidationError, match="reactivate it first"):
        user_password_reset(scope=scope_for(officer), user=auditor)
    auditor.refresh_from_db()
    assert auditor.check_password("pw-for-tests-1")


def test_an_update_is_audited_with_the_villages_by_name(officer, head_td, dong_hiep):
    user_update(
        scope=scope_for(officer),
        user=head_td,
        role="village_head",
        full_name="Lê Văn Tám",
        phone="0987 654 321",
        villages=[dong_hiep],
    )
    head_td.refresh_from_db()
    assert list(head_td.villages.all()) == [dong_hiep]
    [entry] = _entries(head_td)
    assert entry.changes == {
        "full_name": ["Truongap1", "Lê Văn Tám"],
        "phone": ["", "+84987654321"],
        "villages": [["Ấp Tân Đông"], ["Ấp Đông Hiệp"]],
    }


@translation.override("en")
def test_a_bad_phone_is_refused_with_its_reason(officer, auditor):
    with pytest.raises(ValidationError, match="starts with 0 or \\+84"):
        user_update(scope=scope_for(officer), user=auditor, role="auditor", phone="12345")


@translation.override("en")
def test_province_officers_are_for_an_installation_of_several_communes(officer):
    scope = scope_for(officer)
    with pytest.raises(ValidationError, match="serves several communes"):
        user_create(scope=scope, username="tinh", role="province")
    installation_setup(
        scope=Scope.system(OTHER_COMMUNE, via="tests"),
        villages="Ấp Phú Mỹ",
        officer_username="canbo_b",
        officer_password="Lua-chin-vang-2026",
        add_commune=True,
    )
    province, _password = user_create(scope=scope, username="tinh", role="province")
    assert province.role == "province"


def test_the_shell_may_create_a_province_officer_anywhere(officer):
    user, _password = user_create(
        scope=Scope.system(f.TAN_DONG, via="ansinh users"), username="tinh", role="province"
    )
    assert AuditEntry.objects.get(object_id=user.pk, model_label="accounts.user").system == (
        "ansinh users"
    )


@translation.override("en")
def test_only_the_system_moves_an_account_to_another_commune(officer, auditor):
    other = f.village(OTHER_COMMUNE, name="Ấp Phú Mỹ", code="PM")
    commune = other.commune
    with pytest.raises(PermissionDenied, match="cannot move an account"):
        user_update(scope=scope_for(officer), user=auditor, role="auditor", commune=commune)
    system = Scope.system(f.TAN_DONG, via="ansinh users")
    user_update(scope=system, user=auditor, role="auditor", commune=commune)
    auditor.refresh_from_db()
    assert auditor.commune_id == OTHER_COMMUNE
    with pytest.raises(ValidationError, match="does not serve that commune"):
        user_update(
            scope=Scope.system(OTHER_COMMUNE, via="ansinh users"),
            user=auditor,
            role="auditor",
            commune=Commune.objects.get(code=26740),  # Phường Sài Gòn: not served here
        )


def test_an_administrator_account_is_not_managed_here(officer):
    admin = f.user("quantri", f.Role.AUDITOR)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    with translation.override("en"), pytest.raises(PermissionDenied, match="administrator"):
        user_deactivate(scope=scope_for(officer), user=admin)
