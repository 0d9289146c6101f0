"""Changing one's password from the header, on a phone-sized screen (real browser)."""

from __future__ import annotations

import pytest

from ansinh.accounts.models import User
from tests import factories as f
from tests.browser.conftest import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Lua-chin-vang-2026"


def test_a_temporary_password_is_changed_from_the_header_at_390px(live_server, browser_page):
    f.village()
    officer = f.user("canbo", f.Role.OFFICER)
    officer.must_change_password = True
    officer.save(update_fields=["must_change_password"])
    page, base = browser_page, live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    # Signed in with a temporary password: the password page comes first.
    page.wait_for_url(f"{base}/accounts/password/")
    assert page.locator("#must-change").is_visible()
    open_menu(page)  # the header's links are in its menu on a phone
    link = page.locator("#password-link")
    assert link.is_visible()
    # The header fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.fill("#id_old_password", "pw-for-tests-1")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.locator(".messages").is_visible()
    officer = User.objects.get(pk=officer.pk)
    assert officer.must_change_password is False
    assert officer.check_password(NEW_PASSWORD)

    # The header link opens the page again, and the household form (a static script now)
    # still adds a member.
    open_menu(page)
    page.click("#password-link")
    page.wait_for_url(f"{base}/accounts/password/")
    assert page.locator("#must-change").count() == 0
    page.goto(f"{base}/registry/households/new/")
    before = page.locator("#members .member-form").count()
    page.click("#add-member")
    assert page.locator("#members .member-form").count() == before + 1
