import io

import pytest
from django.core.management import call_command

from ansinh.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_command_creates_a_working_token_and_revokes_it(client, officer, hh_td):
    out = io.StringIO()
    call_command("api_token", "create", "canbo", "--name", "Excel", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert raw.startswith("ansinh_")
    assert raw not in token.key_hash  # only the hash is stored
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/households", **auth).status_code == 200
    call_command("api_token", "revoke", token.prefix, stdout=io.StringIO())
    assert client.get("/api/households", **auth).status_code == 401
