"""The REST API: token authentication, same validation and scopes as the pages, JSON errors."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from ansinh.accounts.models import ApiToken
from ansinh.accounts.services import api_token_revoke
from ansinh.core.models import AuditEntry
from ansinh.registry.choices import EventKind
from ansinh.registry.models import Household, MembershipEvent, Person
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, officer):
    """A client speaking to the API as the officer, in English."""
    return Api(client, f.api_token(officer))


class Api:
    def __init__(self, client, token: str | None):
        self.client = client
        # ansinh answers in Vietnamese unless the language cookie says otherwise
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.headers = {}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(self, path, params=None):
        return self.client.get(f"/api{path}", params or {}, **self.headers)

    def post(self, path, body):
        return self.client.post(
            f"/api{path}", body, content_type="application/json", **self.headers
        )

    def patch(self, path, body):
        return self.client.patch(
            f"/api{path}", body, content_type="application/json", **self.headers
        )


TIM = {
    "full_name": "Nguyễn Thị Tím",
    "date_of_birth": "1990-04-02",
    "sex": "female",
    "relationship": "head",
    "cccd": "072190000123",
    "phone": "0912 345 678",
}
HUNG = {
    "full_name": "Trần Văn Hùng",
    "date_of_birth": "1987-07-07",
    "sex": "male",
    "relationship": "spouse",
    "cccd": "072087000456",
}


# --- authentication --------------------------------------------------------------------


def test_missing_token_is_401(client, hh_td):
    response = client.get("/api/households")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_invalid_token_is_401(client, officer, hh_td):
    f.api_token(officer)
    assert Api(client, "ansinh_not-a-real-token").get("/households").status_code == 401
    response = client.get("/api/households", HTTP_AUTHORIZATION="Token abc")
    assert response.status_code == 401


def test_revoked_token_is_401(client, officer, hh_td):
    raw = f.api_token(officer)
    assert Api(client, raw).get("/households").status_code == 200
    api_token_revoke(token=ApiToken.objects.get())
    assert Api(client, raw).get("/households").status_code == 401


def test_token_of_a_disabled_account_is_401(client, officer, hh_td):
    raw = f.api_token(officer)
    officer.is_active = False
    officer.save()
    assert Api(client, raw).get("/households").status_code == 401


def test_token_use_is_remembered(api):
    assert ApiToken.objects.get().last_used_at is None
    assert api.get("/households").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


# --- households ------------------------------------------------------------------------


def test_create_household_with_members(api, officer, tan_dong):
    response = api.post(
        "/households",
        {
            "village_id": tan_dong.pk,
            "address": "Tổ 4",
            "phone": "0987 654 321",
            "members": [HUNG | {"relationship": "spouse"}, TIM],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "TD-0001"
    assert body["phone"] == "+84987654321"
    assert body["village"] == "Ấp Tân Đông"
    assert body["area_type"] == "rural"
    assert [m["full_name"] for m in body["members"]] == ["Nguyễn Thị Tím", "Trần Văn Hùng"]
    assert body["members"][0]["phone"] == "+84912345678"
    household = Household.objects.get(pk=body["id"])
    assert household.members.count() == 2
    assert set(
        AuditEntry.objects.filter(household_id=household.pk).values_list("actor", flat=True)
    ) == {officer.pk}
    detail = api.get(f"/households/{household.pk}").json()
    assert detail == body


def test_bad_cccd_is_422_with_the_field(api, tan_dong):
    response = api.post(
        "/households",
        {"village_id": tan_dong.pk, "members": [TIM | {"cccd": "072090000123"}]},
    )
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["members-0-cccd"]
    (message,) = body["errors"]["members-0-cccd"]
    assert "4th digit (0)" in message
    assert "recorded as female" in message
    assert not Household.objects.exists()


def test_duplicate_and_namesake_are_422(api, hh_td, tan_dong):
    head = hh_td.members.get(relationship="head")
    taken = api.post(
        "/households",
        {
            "village_id": tan_dong.pk,
            "members": [
                {
                    "full_name": "Lê Văn Khác",
                    "date_of_birth": head.date_of_birth.isoformat(),
                    "sex": "male",
                    "relationship": "head",
                    "cccd": head.cccd,
                }
            ],
        },
    )
    assert taken.status_code == 422
    assert "TD-0001" in taken.json()["errors"]["members-0-cccd"][0]

    namesake = {
        "village_id": tan_dong.pk,
        "members": [
            {
                "full_name": "Nguyen Van An",
                "date_of_birth": head.date_of_birth.isoformat(),
                "sex": "male",
                "relationship": "head",
            }
        ],
    }
    warned = api.post("/households", namesake)
    assert warned.status_code == 422
    assert "members-0-full_name" in warned.json()["errors"]
    confirmed = api.post("/households", namesake | {"confirm_duplicates": True})
    assert confirmed.status_code == 201


def test_schema_errors_are_422_json(api, tan_dong):
    response = api.post(
        "/households",
        {"village_id": tan_dong.pk, "members": [{"full_name": "Nguyễn Văn Thiếu", "sex": "male"}]},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any("date_of_birth" in key for key in errors), errors
    assert any("relationship" in key for key in errors), errors


def test_village_of_another_commune_is_refused(api):
    stranger = f.village(commune_code=25516, name="Ấp Một", code="AM")
    response = api.post("/households", {"village_id": stranger.pk, "members": [TIM]})
    assert response.status_code == 422
    assert "village_id" in response.json()["errors"]
    assert not Household.objects.exists()


@pytest.mark.parametrize("role", ["committee", "auditor", "head_td"])
def test_only_the_officer_writes_through_the_api(client, request, tan_dong, hh_td, role):
    reader = Api(client, f.api_token(request.getfixturevalue(role)))
    assert reader.get(f"/households/{hh_td.pk}").status_code == 200
    created = reader.post("/households", {"village_id": tan_dong.pk, "members": [TIM]})
    assert created.status_code == 403
    head = hh_td.members.get(relationship="head")
    assert reader.patch(f"/persons/{head.pk}", {"phone": "0912345678"}).status_code == 403
    assert Household.objects.count() == 1
    head.refresh_from_db()
    assert head.phone == ""


def test_patch_household(api, hh_td, dong_hiep):
    response = api.patch(f"/households/{hh_td.pk}", {"address": "Tổ 7", "village_id": dong_hiep.pk})
    assert response.status_code == 200
    assert (response.json()["address"], response.json()["village"]) == ("Tổ 7", "Ấp Đông Hiệp")
    bad = api.patch(f"/households/{hh_td.pk}", {"phone": "123"})
    assert bad.status_code == 422
    assert "phone" in bad.json()["errors"]


def test_list_households_is_paginated(api, officer, tan_dong, dong_hiep):
    for name in ("Hồ Văn Một", "Hồ Văn Hai", "Hồ Văn Ba"):
        f.household(tan_dong, f.person(name), actor=officer)
    f.household(dong_hiep, f.person("Hồ Văn Bốn"), actor=officer)
    first = api.get("/households", {"limit": 2, "offset": 0}).json()
    rest = api.get("/households", {"limit": 2, "offset": 2}).json()
    assert first["count"] == rest["count"] == 4
    codes = [h["code"] for h in first["items"] + rest["items"]]
    assert codes == ["DH-0001", "TD-0001", "TD-0002", "TD-0003"]
    in_dh = api.get("/households", {"village_id": dong_hiep.pk}).json()
    assert [h["code"] for h in in_dh["items"]] == ["DH-0001"]


# --- persons ---------------------------------------------------------------------------


def test_search_persons_without_diacritics_paginated(api, hh_td, hh_dh):
    found = api.get("/persons", {"q": "nguyen", "limit": 1}).json()
    assert found["count"] == 2
    assert len(found["items"]) == 1
    second = api.get("/persons", {"q": "nguyen", "limit": 1, "offset": 1}).json()
    names = {found["items"][0]["full_name"], second["items"][0]["full_name"]}
    assert names == {"Nguyễn Văn An", "Nguyễn Minh Khang"}
    tim = api.get("/persons", {"q": "le thi tim"}).json()["items"]
    assert [(p["full_name"], p["household_code"]) for p in tim] == [("Lê Thị Tím", "DH-0001")]


def test_patch_person(api, hh_td):
    head = hh_td.members.get(relationship="head")
    response = api.patch(f"/persons/{head.pk}", {"phone": "0912 345 678"})
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "+84912345678"
    assert body["full_name"] == "Nguyễn Văn An"  # untouched fields stay
    assert body["cccd"] == head.cccd
    head.refresh_from_db()
    assert head.phone == "+84912345678"
    entry = AuditEntry.objects.filter(model_label="registry.person", object_id=head.pk).first()
    assert entry.changes == {"phone": ["", "+84912345678"]}


def test_patch_person_with_wrong_cccd_is_422(api, hh_td):
    spouse = hh_td.members.get(relationship="spouse")
    response = api.patch(f"/persons/{spouse.pk}", {"cccd": "072083000001"})
    assert response.status_code == 422
    (message,) = response.json()["errors"]["cccd"]
    assert "4th digit" in message
    assert Person.objects.get(pk=spouse.pk).cccd == spouse.cccd


def test_add_a_newborn_through_the_api(api, hh_td):
    born = (timezone.localdate() - timezone.timedelta(days=5)).isoformat()
    response = api.post(
        f"/households/{hh_td.pk}/persons?event_kind=birth",
        {
            "full_name": "Nguyễn Ngọc Hân",
            "date_of_birth": born,
            "sex": "female",
            "relationship": "child",
        },
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    event = MembershipEvent.objects.get(person=person)
    assert (event.kind, event.date.isoformat()) == (EventKind.BIRTH, born)


# --- documentation ---------------------------------------------------------------------


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    spec = schema.json()
    assert {"/api/households", "/api/persons", "/api/persons/{person_id}"} <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/households"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "openapi.json" in docs.content.decode()


def test_adding_a_person_without_saying_how_they_joined_means_moved_in(api, hh_td):
    """``event_kind`` is optional (moved in) and bounded like every query string."""
    response = api.post(
        f"/households/{hh_td.pk}/persons",
        {
            "full_name": "Phan Văn Đến",
            "date_of_birth": "1991-04-04",
            "sex": "male",
            "relationship": "other_relative",
        },
    )
    assert response.status_code == 201, response.json()
    too_long = api.post(f"/households/{hh_td.pk}/persons?event_kind={'x' * 101}", {})
    assert too_long.status_code == 422
