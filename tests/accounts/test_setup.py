"""Setting up an empty installation (issue 13, part 1): the service behind ``ansinh setup``
and the set-up page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ansinh.accounts import selectors
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.accounts.services import installation_setup
from ansinh.accounts.village_names import guess_kind, parse_villages, village_code
from ansinh.core.models import AuditEntry
from ansinh.places import selectors as places_selectors
from ansinh.places.models import Village
from tests import factories as f

pytestmark = pytest.mark.django_db

TAN_DONG = f.TAN_DONG  # Xã Tân Đông, Tây Ninh
TAN_DONG_DT = 28723  # Xã Tân Đông, Đồng Tháp
WARD = 26740  # Phường Sài Gòn, Thành phố Hồ Chí Minh
PASSWORD = "Lua-chin-vang-2026"
VILLAGES = "Ấp Tân Đông\nẤp Đông Hiệp\nẤp Cây Gõ"


def setup(code: int = TAN_DONG, **kwargs):
    values = {
        "villages": VILLAGES,
        "officer_username": "canbo",
        "officer_password": PASSWORD,
        "officer_full_name": "Nguyễn Thị Hoa",
    }
    values.update(kwargs)
    return installation_setup(scope=Scope.system(code, via="tests"), **values)


def everything() -> tuple[list, list, int]:
    villages = sorted(Village.objects.values_list("commune_id", "name", "kind", "code"))
    users = sorted(User.objects.values_list("username", "password", "role", "commune_id"))
    return villages, users, AuditEntry.objects.count()


# --- the official list, searched without diacritics --------------------------------------------


def test_tan_dong_finds_every_tan_dong_with_its_province():
    found = places_selectors.communes_search("tan dong")
    assert [(c.code, c.province.name) for c in found[:2]] == [
        (TAN_DONG, "Tây Ninh"),
        (TAN_DONG_DT, "Đồng Tháp"),
    ]
    # Tân Đông Hiệp starts with the words typed: listed after the exact names
    assert [c.name for c in found[2:]] == ["Phường Tân Đông Hiệp"]
    assert [c.code for c in places_selectors.communes_search("Tân Đông tây ninh")] == [TAN_DONG]
    assert [c.code for c in places_selectors.communes_search(" 25522 ")] == [TAN_DONG]
    assert places_selectors.communes_search("khong co xa nay") == []
    assert places_selectors.communes_search("") == []


# --- villages typed or pasted ------------------------------------------------------------------


def test_villages_pasted_from_excel_are_trimmed_deduplicated_and_typed():
    pasted = "1\tẤp Tân Đông \r\n2\t  ấp   đông hiệp\n3\tap tan dong\n\nKhu phố 3; tdp 5, Thôn 2"
    parsed = parse_villages(pasted, default_kind="thon")
    assert [(v.name, v.kind) for v in parsed.names] == [
        ("Ấp Tân Đông", "ap"),
        ("Ấp Đông Hiệp", "ap"),
        ("Khu phố 3", "khu_pho"),
        ("Tdp 5", "to_dan_pho"),
        ("Thôn 2", "thon"),
    ]
    assert parsed.duplicates == ["Ap Tan Dong"]
    assert parsed.ignored == ["1", "2", "3"]  # an "STT" column
    assert guess_kind("Tân Hòa") is None
    assert guess_kind("Bản Pá Khoang") == "thon"


def test_village_codes_are_short_and_free():
    assert village_code("Ấp Tân Đông", "ap") == "TD"
    assert village_code("Ấp Tân Đông", "ap", {"td"}) == "TD2"
    assert village_code("Thôn 3", "thon") == "T3"
    assert village_code("Khu phố 12", "khu_pho") == "KP12"
    assert village_code("Tổ dân phố 5", "to_dan_pho") == "TDP5"
    assert village_code("Ấp Bến Cát Một Hai Ba Bốn Năm Sáu", "ap") == "BCMHBBNS"


# --- the set-up --------------------------------------------------------------------------------


def test_setup_creates_the_villages_and_the_officer_and_logs_it_without_the_password():
    assert selectors.installation_is_new()
    result = setup(villages="Ấp Tân Đông\nẤp Đông Hiệp\nap tan dong\nCây Gõ", default_kind="ap")
    assert not selectors.installation_is_new()
    assert [c.code for c in selectors.communes_in_use()] == [TAN_DONG]
    assert [(v.name, v.kind, v.code) for v in result.created] == [
        ("Ấp Tân Đông", "ap", "TD"),
        ("Ấp Đông Hiệp", "ap", "DH"),
        ("Cây Gõ", "ap", "CG"),
    ]
    assert result.duplicates == ["Ap Tan Dong"]
    officer = User.objects.get(username="canbo")
    assert (officer.role, officer.commune_id, officer.full_name) == (
        "officer",
        TAN_DONG,
        "Nguyễn Thị Hoa",
    )
    assert officer.check_password(PASSWORD)
    assert officer.must_change_password is False  # the officer chose it
    entries = AuditEntry.objects.filter(commune_code=TAN_DONG)
    assert {(e.model_label, e.action, e.system) for e in entries} == {
        ("places.village", "create", "tests"),
        ("accounts.user", "create", "tests"),
        ("places.commune", "event", "tests"),
    }
    created = entries.get(model_label="accounts.user")
    assert created.changes["role"] == [None, "officer"]
    for entry in AuditEntry.objects.all():
        assert "password" not in entry.changes
        assert officer.password not in str(entry.changes) + entry.note


def test_running_the_same_setup_twice_changes_nothing():
    setup()
    before = everything()
    again = setup(officer_password="")  # no password needed: the officer exists
    assert everything() == before
    assert not again.changed
    assert again.officer_created is False
    assert again.kept == ["Ấp Tân Đông", "Ấp Đông Hiệp", "Ấp Cây Gõ"]
    # a different password typed the second time does not change the officer's
    setup(officer_password="another-password-2027", villages="ap tan dong")
    assert User.objects.get(username="canbo").check_password(PASSWORD)
    assert everything() == before


def test_a_second_run_adds_only_the_new_villages():
    setup()
    result = setup(villages="Ấp Tân Đông\nẤp Mới", officer_username="CANBO")
    assert [v.name for v in result.created] == ["Ấp Mới"]
    assert result.kept == ["Ấp Tân Đông"]
    assert result.officer.username == "canbo"
    assert Village.objects.filter(commune_id=TAN_DONG).count() == 4


def test_a_ward_gets_to_dan_pho_unless_the_name_says_otherwise():
    result = setup(WARD, villages="Khu phố 1\nSố 2", officer_username="canbo.saigon")
    assert [(v.name, v.kind) for v in result.created] == [
        ("Khu phố 1", "khu_pho"),
        ("Số 2", "to_dan_pho"),
    ]


@translation.override("en")
def test_another_commune_needs_add_commune():
    setup()
    before = everything()
    with pytest.raises(ValidationError, match="already serves Xã Tân Đông \\(Tây Ninh\\)"):
        setup(TAN_DONG_DT, officer_username="canbo.dt")
    assert everything() == before
    assert not selectors.serves_province()
    setup(TAN_DONG_DT, officer_username="canbo.dt", add_commune=True)
    assert sorted(c.code for c in selectors.communes_in_use()) == [TAN_DONG, TAN_DONG_DT]
    assert selectors.serves_province()


@translation.override("en")
def test_the_page_sets_up_only_a_new_installation():
    setup()
    with pytest.raises(ValidationError, match="has just been set up") as caught:
        setup(TAN_DONG, only_if_new=True)
    assert caught.value.code == "already_set_up"


@translation.override("en")
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"officer_password": "12345"}, "too short"),
        ({"officer_password": "password123"}, "too common"),
        ({"officer_password": ""}, "Choose a password"),
        ({"officer_username": "cán bộ"}, "letters without accents"),
        ({"villages": " \n\t"}, "Enter the villages"),
        ({"villages": "Ấp " + "x" * 120}, "at most 100 characters"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(changes, message):
    with pytest.raises(ValidationError, match=message):
        setup(**changes)
    assert everything() == ([], [], 0)
    assert selectors.installation_is_new()


@translation.override("en")
def test_the_officer_name_of_another_account_is_refused(tan_dong):
    f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[tan_dong])
    with pytest.raises(ValidationError, match="already used by another account"):
        setup(officer_username="TruongAp1")


@translation.override("en")
def test_only_the_system_sets_up(officer):
    with pytest.raises(PermissionDenied, match="Only ansinh itself"):
        installation_setup(
            scope=scope_for(officer),
            villages=VILLAGES,
            officer_username="canbo2",
            officer_password=PASSWORD,
        )


@translation.override("en")
def test_a_code_outside_the_official_list_is_refused():
    with pytest.raises(ValidationError, match="No commune has the code 99999"):
        setup(99999)
