"""A village head reaches only their villages: by list, detail, search, export and API."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.accounts.models import ApiToken, hash_token
from ansinh.accounts.scopes import scope_for
from ansinh.registry import selectors

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="t", prefix=raw[:8], key_hash=hash_token(raw))
    return raw


def test_selectors_only_return_own_villages(head_td, hh_td, hh_dh):
    scope = scope_for(head_td)
    assert list(selectors.households_for(scope)) == [hh_td]
    assert {p.household_id for p in selectors.persons_for(scope)} == {hh_td.pk}
    assert list(selectors.villages_for(scope)) == [hh_td.village]


def test_officer_sees_whole_commune(officer, hh_td, hh_dh):
    scope = scope_for(officer)
    assert set(selectors.households_for(scope)) == {hh_td, hh_dh}


def test_other_commune_is_invisible(officer, hh_td):
    from tests import factories as f

    other_village = f.village(commune_code=25516, name="Ấp Một", code="AM")  # Xã Tân Châu
    stranger = f.user("other", f.Role.OFFICER, commune_code=25516)
    f.household(other_village, f.person("Hồ Văn Xa", f.dt.date(1970, 1, 1)), actor=stranger)
    assert list(selectors.households_for(scope_for(officer))) == [hh_td]


def test_list_and_search_pages_hide_other_village(client, head_td, hh_td, hh_dh):
    client.force_login(head_td)
    listing = client.get(reverse("registry:household_list")).content.decode()
    assert hh_td.code in listing
    assert hh_dh.code not in listing
    found = client.get(reverse("registry:household_list"), {"q": "le thi tim"}).content.decode()
    assert "Lê Thị Tím" not in found
    by_cccd = hh_dh.members.get().cccd
    assert (
        "Lê Thị Tím"
        not in client.get(reverse("registry:household_list"), {"q": by_cccd}).content.decode()
    )


def test_detail_of_other_village_is_404(client, head_td, hh_dh):
    client.force_login(head_td)
    assert client.get(reverse("registry:household_detail", args=[hh_dh.pk])).status_code == 404
    person = hh_dh.members.get()
    assert client.get(reverse("registry:person_edit", args=[person.pk])).status_code == 404
    assert client.get(reverse("registry:person_death", args=[person.pk])).status_code == 404


def test_export_contains_only_own_village(client, head_td, hh_td, hh_dh):
    client.force_login(head_td)
    response = client.get(reverse("registry:household_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {hh_td.code}


def test_api_hides_other_village(client, head_td, hh_td, hh_dh):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(head_td)}"}
    listed = client.get("/api/households", **auth).json()
    assert [h["code"] for h in listed["items"]] == [hh_td.code]
    assert client.get(f"/api/households/{hh_dh.pk}", **auth).status_code == 404
    other_person = hh_dh.members.get()
    assert client.get(f"/api/persons/{other_person.pk}", **auth).status_code == 404
    persons = client.get("/api/persons", {"q": "le thi tim"}, **auth).json()
    assert persons["count"] == 0


def test_village_head_cannot_write_directly(client, head_td, hh_td):
    client.force_login(head_td)
    assert client.get(reverse("registry:household_create")).status_code == 403
    assert client.get(reverse("registry:household_edit", args=[hh_td.pk])).status_code == 403
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(head_td)}"}
    response = client.patch(
        f"/api/households/{hh_td.pk}", {"address": "x"}, content_type="application/json", **auth
    )
    assert response.status_code == 403


def test_auditor_reads_and_sees_audit_log_but_cannot_edit(client, auditor, hh_td):
    client.force_login(auditor)
    assert client.get(reverse("registry:household_detail", args=[hh_td.pk])).status_code == 200
    assert client.get(reverse("registry:audit_log")).status_code == 200
    assert client.get(reverse("registry:household_create")).status_code == 403


def test_village_head_has_no_audit_log(client, head_td):
    client.force_login(head_td)
    assert client.get(reverse("registry:audit_log")).status_code == 403


def test_anonymous_is_sent_to_login(client, hh_td):
    response = client.get(reverse("registry:household_detail", args=[hh_td.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get("/api/households").status_code == 401
