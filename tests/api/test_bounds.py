"""The API refuses out-of-range input with a 422 (or a 404 for an id), never a 500."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests import factories as f

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def headers(client, officer):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return {"HTTP_AUTHORIZATION": f"Bearer {f.api_token(officer)}"}


@pytest.mark.parametrize(
    "query",
    [
        {"limit": HUGE},
        {"offset": HUGE},
        {"limit": "501"},
        {"village_id": HUGE},
        {"q": "x" * 101},
    ],
)
@pytest.mark.parametrize("path", ["/api/persons", "/api/households", "/api/assistance/cases"])
def test_out_of_range_queries_are_422(client, headers, hh_td, path, query):
    if "q" in query and path != "/api/persons":
        pytest.skip("only /persons searches")
    response = client.get(path, query, **headers)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


def test_paging_within_bounds(client, headers, hh_td, hh_dh):
    page = client.get("/api/households", {"limit": "500", "offset": str(10**9)}, **headers)
    assert page.status_code == 200
    assert page.json()["items"] == []
    assert client.get("/api/households", {"offset": str(10**9 + 1)}, **headers).status_code == 422


def test_texts_longer_than_the_columns_are_422(client, headers, tan_dong):
    person = {
        "full_name": "Nguyễn " + "A" * 100,
        "date_of_birth": "1990-04-02",
        "sex": "female",
        "relationship": "head",
    }
    body = {"village_id": tan_dong.pk, "address": "x" * 201, "members": [person]}
    response = client.post("/api/households", body, content_type="application/json", **headers)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any("address" in key for key in errors)
    assert any("full_name" in key for key in errors)
    body = {"village_id": HUGE, "members": [{**person, "full_name": "Nguyễn Thị Tím"}]}
    response = client.post("/api/households", body, content_type="application/json", **headers)
    assert response.status_code == 422
    old = {**person, "full_name": "Nguyễn Thị Tím", "date_of_birth": "0001-01-01"}
    body = {"village_id": tan_dong.pk, "members": [old]}
    response = client.post("/api/households", body, content_type="application/json", **headers)
    assert response.status_code == 422
    assert any("date_of_birth" in key for key in response.json()["errors"])
