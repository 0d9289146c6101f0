"""API tokens expire, and die when their user's password changes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ansinh.accounts.models import ApiToken
from ansinh.accounts.services import user_password_change
from tests import factories as f

pytestmark = pytest.mark.django_db


def _get(client, raw: str):
    return client.get("/api/households", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_expires_after_90_days_by_default(officer):
    f.api_token(officer)
    token = ApiToken.objects.get()
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - dt.timedelta(days=90)) < dt.timedelta(seconds=5)


def test_the_lifetime_comes_from_settings(settings, officer):
    settings.ANSINH_API_TOKEN_DAYS = 7
    f.api_token(officer)
    token = ApiToken.objects.get()
    assert (token.expires_at - timezone.now()).days == 6  # 7 days minus a few microseconds


def test_an_expired_token_is_401(client, officer, hh_td):
    raw = f.api_token(officer)
    assert _get(client, raw).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _get(client, raw)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_password_change_ends_the_older_tokens_but_not_newer_ones(client, officer, hh_td):
    old = f.api_token(officer, name="old")
    assert _get(client, old).status_code == 200
    user_password_change(user=officer, new_password="Lua-chin-vang-2026")
    assert _get(client, old).status_code == 401
    fresh = f.api_token(officer, name="fresh")
    assert _get(client, fresh).status_code == 200


def test_a_temporary_password_does_not_redirect_the_api(client, officer, hh_td):
    raw = f.api_token(officer)
    officer.must_change_password = True
    officer.save(update_fields=["must_change_password"])
    assert _get(client, raw).status_code == 200


def test_token_list_shows_the_expiry_and_the_state(officer):
    f.api_token(officer, name="Excel")
    token = ApiToken.objects.get()
    out = io.StringIO()
    call_command("api_token", "list", stdout=out)
    expires = timezone.localtime(token.expires_at).strftime("%d/%m/%Y")
    assert f"expires {expires}" in out.getvalue()
    assert "active" in out.getvalue()
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    out = io.StringIO()
    call_command("api_token", "list", stdout=out)
    assert "expired" in out.getvalue()
