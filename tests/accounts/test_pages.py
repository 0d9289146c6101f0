"""The set-up page of a new installation and the officer's accounts pages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.accounts import views
from ansinh.accounts.models import User
from ansinh.core.models import AuditEntry
from ansinh.places.models import Village
from tests import factories as f

pytestmark = pytest.mark.django_db

SETUP = "/accounts/setup/"
LOGIN = "/accounts/login/"
PASSWORD = "Lua-chin-vang-2026"
OTHER_COMMUNE = 28468  # Xã Tân Phú, Đồng Tháp
OTP = re.compile(r'id="one-time-password">([a-z2-9-]{14})<')


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def setup_form(**changes: str) -> dict[str, str]:
    data = {
        "q": "tan dong",
        "commune": str(f.TAN_DONG),
        "villages": "Ấp Tân Đông\r\nẤp Đông Hiệp\r\nap tan dong",
        "default_kind": "",
        "full_name": "Nguyễn Thị Hoa",
        "username": "canbo",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data.update(changes)
    return data


# --- set-up ------------------------------------------------------------------------------------


def test_a_new_installation_sends_the_sign_in_page_to_the_set_up_page(client):
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:setup")
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:setup")
    assert b'id="setup-form"' in response.content


def test_the_search_lists_every_tan_dong_with_its_province(client):
    response = client.get(SETUP, {"q": "tan dong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{f.TAN_DONG}"' in body
    assert 'value="28723"' in body  # Xã Tân Đông, Đồng Tháp
    assert "Tây Ninh" in body
    assert "Đồng Tháp" in body
    # htmx asks for the list only
    fragment = client.get(SETUP, {"q": "tan dong"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    assert f'value="{f.TAN_DONG}"'.encode() in fragment.content
    none = client.get(SETUP, {"q": "khong co xa nay"}).content.decode()
    assert 'id="no-commune"' in none


def test_the_set_up_page_sets_up_once_then_is_gone(client):
    response = client.post(SETUP, setup_form())
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert sorted(Village.objects.values_list("name", flat=True)) == ["Ấp Tân Đông", "Ấp Đông Hiệp"]
    officer = User.objects.get(username="canbo")
    assert officer.check_password(PASSWORD)
    assert AuditEntry.objects.filter(system=views.SETUP_VIA).count() == 4
    page = client.get(LOGIN)  # the sign-in page now, with what the set-up did
    assert page.status_code == 200
    assert "canbo" in page.content.decode()
    # nobody can run it again: not anonymous, not the officer
    assert client.get(SETUP).status_code == 404
    assert client.post(SETUP, setup_form(username="takeover")).status_code == 404
    assert signed_in(officer).get(SETUP).status_code == 404
    assert not User.objects.filter(username="takeover").exists()


def test_bad_input_keeps_what_was_typed_and_creates_nothing(client):
    data = setup_form(password_again="something-else-2026", villages="Ấp Cây Gõ\r\nẤp Bàu Sen")
    response = english(client).post(SETUP, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The two passwords are not the same." in body
    assert "Ấp Cây Gõ\r\nẤp Bàu Sen" in body or "Ấp Cây Gõ\nẤp Bàu Sen" in body
    assert f'value="{f.TAN_DONG}" form="setup-form" checked' in body
    assert 'value="Nguyễn Thị Hoa"' in body
    response = client.post(SETUP, setup_form(password="12345", password_again="12345"))
    assert "too short" in response.content.decode()
    response = client.post(SETUP, setup_form(commune=""))
    assert "Search for the commune" in response.content.decode()
    assert not Village.objects.exists()
    assert not User.objects.exists()


def test_the_second_of_two_first_visitors_is_told_it_is_set_up(client, monkeypatch):
    """Both opened the page while it was new; the first submitted. The service checks again
    under its lock, and the second visitor reads why nothing happened."""
    assert client.post(SETUP, setup_form()).status_code == 302
    monkeypatch.setattr(views.selectors, "installation_is_new", lambda: True)
    second = english(Client()).post(SETUP, setup_form(username="nguoithu2", commune="28723"))
    body = second.content.decode()
    assert second.status_code == 200
    assert 'id="already-set-up"' in body
    assert "has just been set up" in body
    assert not User.objects.filter(username="nguoithu2").exists()
    assert not Village.objects.filter(commune_id=28723).exists()


# --- accounts ----------------------------------------------------------------------------------


def test_the_officer_lists_the_accounts_of_the_commune(officer, head_td, auditor):
    f.user("canbo_b", f.Role.OFFICER, commune_code=OTHER_COMMUNE)
    client = signed_in(officer)
    response = client.get(reverse("accounts:user_list"))
    body = response.content.decode()
    assert response.status_code == 200
    for user in (officer, head_td, auditor):
        assert f'id="account-{user.pk}"' in body
    assert "canbo_b" not in body
    assert "Ấp Tân Đông" in body  # the village head's village
    assert 'id="accounts-link"' in body


def test_the_nav_link_is_the_officers_only(committee):
    body = signed_in(committee).get("/").content.decode()
    assert 'id="accounts-link"' not in body


def test_creating_an_account_shows_its_one_time_password_once(officer, tan_dong):
    client = signed_in(officer)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "truongap.td",
            "full_name": "Trần Văn Bảy",
            "role": "village_head",
            "villages": [tan_dong.pk],
            "phone": "0912 345 678",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [password] = OTP.findall(response.content.decode())
    head = User.objects.get(username="truongap.td")
    assert head.check_password(password)
    assert head.must_change_password
    assert list(head.villages.all()) == [tan_dong]
    # not kept anywhere: the next page, the session and the cookies do not have it
    after = client.get(reverse("accounts:user_list"))
    assert password not in after.content.decode()
    assert password not in str(client.session.items())
    assert password not in str(client.cookies)


def test_a_refused_account_keeps_what_was_typed(officer):
    client = english(signed_in(officer))
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "CANBO", "full_name": "Trần Văn Trùng", "role": "auditor"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "already taken" in body
    assert 'value="Trần Văn Trùng"' in body
    assert User.objects.count() == 1


def test_province_officer_is_not_offered_on_a_single_commune_installation(officer):
    body = signed_in(officer).get(reverse("accounts:user_create")).content.decode()
    assert 'value="auditor"' in body
    assert 'value="province"' not in body


def test_editing_an_account(officer, head_td, dong_hiep):
    client = signed_in(officer)
    url = reverse("accounts:user_edit", args=[head_td.pk])
    form = client.get(url).content.decode()
    assert 'value="Truongap1"' in form
    response = client.post(
        url,
        {"full_name": "Lê Văn Tám", "role": "village_head", "villages": [dong_hiep.pk]},
    )
    assert response.status_code == 302
    head_td.refresh_from_db()
    assert head_td.full_name == "Lê Văn Tám"
    assert list(head_td.villages.all()) == [dong_hiep]


def test_deactivate_and_reactivate_buttons(officer, auditor):
    client = signed_in(officer)
    assert client.get(reverse("accounts:user_deactivate", args=[auditor.pk])).status_code == 405
    response = client.post(reverse("accounts:user_deactivate", args=[auditor.pk]))
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert not auditor.is_active
    page = client.get(response["Location"]).content.decode()
    assert 'id="reactivate"' in page
    client.post(reverse("accounts:user_reactivate", args=[auditor.pk]))
    auditor.refresh_from_db()
    assert auditor.is_active


def test_the_last_officer_cannot_deactivate_themselves(officer):
    client = english(signed_in(officer))
    response = client.post(reverse("accounts:user_deactivate", args=[officer.pk]), follow=True)
    assert "last active officer" in response.content.decode()
    officer.refresh_from_db()
    assert officer.is_active


def test_a_password_reset_is_confirmed_then_shown_once(officer, auditor):
    client = signed_in(officer)
    url = reverse("accounts:user_password_reset", args=[auditor.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b'id="confirm-reset"' in confirm.content
    auditor.refresh_from_db()
    assert auditor.check_password("pw-for-tests-1")  # a GET changes nothing
    response = client.post(url)
    assert "no-store" in response["Cache-Control"]
    [password] = OTP.findall(response.content.decode())
    auditor.refresh_from_db()
    assert auditor.check_password(password)
    assert auditor.must_change_password


@pytest.mark.parametrize("role", ["committee", "auditor", "head_td"])
def test_other_roles_get_403(request, officer, role):
    client = signed_in(request.getfixturevalue(role))
    urls = [
        reverse("accounts:user_list"),
        reverse("accounts:user_create"),
        reverse("accounts:user_edit", args=[officer.pk]),
        reverse("accounts:user_password_reset", args=[officer.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    assert client.post(reverse("accounts:user_deactivate", args=[officer.pk])).status_code == 403
    officer.refresh_from_db()
    assert officer.is_active
    assert officer.check_password("pw-for-tests-1")


def test_another_communes_officer_gets_404(officer, auditor):
    stranger = f.user("canbo_b", f.Role.OFFICER, commune_code=OTHER_COMMUNE)
    client = signed_in(stranger)
    for name in ("user_edit", "user_password_reset", "user_deactivate", "user_reactivate"):
        url = reverse(f"accounts:{name}", args=[auditor.pk])
        assert client.post(url).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[auditor.pk])).status_code == 404
    auditor.refresh_from_db()
    assert auditor.is_active
    assert auditor.check_password("pw-for-tests-1")


def test_anonymous_is_sent_to_sign_in(officer):
    response = Client().get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_list_reads_the_villages_in_one_query(officer, tan_dong, dong_hiep):
    client = signed_in(officer)
    url = reverse("accounts:user_list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[tan_dong])
    few = queries()
    for i in range(2, 8):
        f.user(f"truongap{i}", f.Role.VILLAGE_HEAD, villages=[tan_dong, dong_hiep])
    assert queries() == few
