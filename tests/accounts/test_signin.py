"""Signing in like a government system: lockout, password change, temporary passwords,
production settings."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.models import User
from ansinh.accounts.views import client_ip
from ansinh.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "Lua-chin-vang-2026"
LOGIN = "/accounts/login/"
PASSWORD_PAGE = "/accounts/password/"


def _sign_in(client, username: str, password: str, ip: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- lockout (django-axes) -------------------------------------------------------------


def test_five_wrong_passwords_lock_the_user_name_from_that_address(client, officer):
    for _ in range(4):
        response = _sign_in(client, "canbo", "wrong")
        assert response.status_code == 200  # the login page again, with its error
    response = _sign_in(client, "canbo", "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tài khoản bị khóa tạm thời" in body
    assert "15 phút" in body
    assert 'id="locked-out"' in body
    # While locked, even the right password is refused.
    response = _sign_in(client, "canbo", PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    # The lock is per (user name, address): the same person elsewhere can still sign in.
    response = _sign_in(client, "canbo", PASSWORD, ip="10.1.2.3")
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_successful_sign_in_resets_the_failure_count(client, officer):
    for _ in range(4):
        assert _sign_in(client, "canbo", "wrong").status_code == 200
    assert _sign_in(client, "canbo", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    # Counted again from zero: four more failures are not yet a lock, the fifth is.
    for _ in range(4):
        assert _sign_in(client, "canbo", "wrong").status_code == 200
    assert _sign_in(client, "canbo", "wrong").status_code == 429


def test_behind_the_proxy_the_address_is_the_one_the_proxy_added(settings, rf):
    request = rf.post(LOGIN, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.ANSINH_BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.1"
    settings.ANSINH_BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"  # not the first entry, which a client can forge


# --- password change --------------------------------------------------------------------


def test_header_links_to_the_password_page(client, officer):
    client.force_login(officer)
    assert f'href="{PASSWORD_PAGE}"' in client.get("/").content.decode()


def test_password_change_page_changes_the_password_clears_the_flag_and_logs_it(client, officer):
    officer.must_change_password = True
    officer.save(update_fields=["must_change_password"])
    assert officer.password_changed_at is None  # create_user does not count as a change
    client.force_login(officer)
    page = client.get(PASSWORD_PAGE)
    assert page.status_code == 200
    assert "Đổi mật khẩu" in page.content.decode()
    assert 'id="must-change"' in page.content.decode()

    response = client.post(
        PASSWORD_PAGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == "/"
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert officer.must_change_password is False
    assert officer.password_changed_at is not None
    assert timezone.now() - officer.password_changed_at < dt.timedelta(minutes=1)
    # Still signed in, and the home page opens again.
    assert client.get("/").status_code == 200

    entry = AuditEntry.objects.get(note="password changed")
    assert entry.action == AuditAction.EVENT
    assert entry.actor == officer
    assert entry.commune_code == officer.commune_id
    assert entry.model_label == "accounts.user"
    stored = json.dumps(entry.changes) + entry.note + entry.object_repr
    assert NEW_PASSWORD not in stored
    assert officer.password not in stored
    # The officer's audit log lists it, in words.
    log = client.get(reverse("registry:audit_log"))
    assert log.status_code == 200
    assert re.search(r"(Đã đổi mật khẩu|Password changed)", log.content.decode())


def test_only_a_real_change_records_the_time_not_a_hash_upgrade(settings, officer):
    officer.set_password(NEW_PASSWORD)  # e.g. ``ansinh changepassword``
    officer.save()
    changed = officer.password_changed_at
    assert changed is not None
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = User.objects.get(pk=officer.pk)
    assert user.check_password(NEW_PASSWORD)  # rehashes with the preferred hasher
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha1$")
    assert user.password_changed_at == changed


def test_a_wrong_current_password_changes_nothing(client, officer):
    client.force_login(officer)
    response = client.post(
        PASSWORD_PAGE,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(note="password changed").exists()


def test_a_temporary_password_sends_every_page_to_the_password_page(client, officer):
    officer.must_change_password = True
    officer.save(update_fields=["must_change_password"])
    client.force_login(officer)

    response = client.get("/")
    assert response.status_code == 302
    assert response.url == PASSWORD_PAGE
    assert client.get("/registry/households/").url == PASSWORD_PAGE
    htmx = client.get("/registry/households/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == PASSWORD_PAGE
    assert client.get(PASSWORD_PAGE).status_code == 200
    # The language switch still works on the way.
    switched = client.post("/i18n/setlang/", {"language": "en", "next": PASSWORD_PAGE})
    assert switched.status_code == 302
    assert switched.url == PASSWORD_PAGE

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == LOGIN
    assert not _signed_in(client)


# --- security headers and settings -------------------------------------------------------


def test_pages_carry_a_content_security_policy(client):
    response = client.get(LOGIN)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self'" in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_session_is_an_eight_hour_idle_timeout():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_RENEW_SECONDS == 300


@pytest.mark.django_db
def test_the_session_is_renewed_every_few_minutes_not_written_on_every_page(
    client, officer, monkeypatch
):
    """The idle timeout holds (a request renews the session) without a database write per
    page: within SESSION_RENEW_SECONDS of the last renewal nothing is written."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ansinh.core import middleware

    now = [1_800_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    client.force_login(officer)
    client.get("/")  # the first page renews it

    def writes() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return [
            q["sql"]
            for q in ctx.captured_queries
            if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
        ]

    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    now[0] += 299
    assert writes() == []
    assert Session.objects.get(session_key=key).expire_date == expiry
    now[0] += 2  # five minutes since the last renewal: the next page renews it
    assert len(writes()) == 1
    assert Session.objects.get(session_key=key).expire_date > expiry
    assert client.get("/").status_code == 200  # still signed in, renewed


SHOW_SETTINGS = """
import json
import re
import django
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
django.setup()
print(json.dumps({
    "env": settings.ANSINH_ENV,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "nosniff": settings.SECURE_CONTENT_TYPE_NOSNIFF,
    "referrer": settings.SECURE_REFERRER_POLICY,
    "frame": settings.X_FRAME_OPTIONS,
    "proxy": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "csp": {k: [str(v) for v in vs]
            for k, vs in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()},
}))
"""


def _settings_in_a_new_process(tmp_path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSINH_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="ansinh.config.settings",
        ANSINH_VAR_DIR=str(tmp_path),
        **env_vars,
    )
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("env_vars", [{}, {"ANSINH_ENV": "production"}])
def test_production_is_the_default_and_refuses_to_start_without_a_secret(tmp_path, env_vars):
    done = _settings_in_a_new_process(tmp_path, **env_vars)
    assert done.returncode != 0
    assert "RuntimeError" in done.stderr
    assert "ANSINH_SECRET_KEY" in done.stderr
    assert "Chưa đặt ANSINH_SECRET_KEY" in done.stderr


def test_production_with_a_secret_turns_the_protections_on(tmp_path):
    done = _settings_in_a_new_process(
        tmp_path, ANSINH_SECRET_KEY="x" * 60, ANSINH_BEHIND_PROXY="true"
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["env"] == "production"
    assert shown["session_secure"] is True
    assert shown["csrf_secure"] is True
    assert shown["hsts"] == 31536000
    assert shown["nosniff"] is True
    assert shown["referrer"] == "same-origin"
    assert shown["frame"] == "DENY"
    assert shown["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["ssl_redirect"] is True
    csp = shown["csp"]
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


def test_development_runs_without_a_secret_and_without_https(tmp_path):
    done = _settings_in_a_new_process(tmp_path, ANSINH_ENV="development")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["session_secure"] is False
    assert shown["hsts"] == 0
    assert shown["proxy"] is None
    assert shown["ssl_redirect"] is False
