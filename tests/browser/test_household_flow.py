"""The officer's first day, in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f
from tests.browser.conftest import sign_in as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_searches_without_diacritics_and_opens_a_household(live_server, browser_page):
    village = f.village()
    officer = f.user("canbo", f.Role.OFFICER)
    tim = f.household(
        village,
        f.person("Nguyễn Thị Tím", dt.date(1968, 4, 2), "female", "head"),
        f.person("Trần Văn Hai", dt.date(1990, 1, 9), "male", "child"),
        actor=officer,
    )
    f.household(village, f.person("Nguyễn Thị Tâm", dt.date(1971, 6, 6), "female"), actor=officer)
    page, base = browser_page, live_server.url

    _login(page, base, "canbo")
    page.fill("#q", "nguyen thi tim")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Nguyễn Thị Tím")
    assert page.locator("#results").inner_text().count("Nguyễn Thị Tâm") == 0
    page.click("text=Nguyễn Thị Tím")
    page.wait_for_url(f"{base}/registry/households/{tim.pk}/")
    body = page.locator("main").inner_text()
    assert tim.code in body
    assert "Trần Văn Hai" in body


def test_officer_registers_a_household_and_sees_cccd_errors(live_server, browser_page):
    f.village()
    f.user("canbo", f.Role.OFFICER)
    page, base = browser_page, live_server.url
    _login(page, base, "canbo")
    page.goto(f"{base}/registry/households/new/")
    page.select_option("#id_village", label="Ấp Tân Đông")
    page.fill("#id_address", "Tổ 4, Ấp Tân Đông")
    page.fill("#id_members-0-full_name", "lê văn  bảy")
    page.fill("#id_members-0-date_of_birth", "1979-03-15")
    page.select_option("#id_members-0-sex", "male")
    page.select_option("#id_members-0-relationship", "head")
    # 1 in the 4th place means a woman born in the 1900s: the inline check says so at once.
    page.fill("#id_members-0-cccd", "072179000123")
    page.locator("#id_members-0-cccd").blur()
    page.wait_for_selector(".check .errorlist")
    page.click("button[type=submit]")
    page.wait_for_selector("ul.errorlist")
    assert page.url.endswith("/registry/households/new/")
    page.fill("#id_members-0-cccd", "072079000123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/registry/households/*/")
    body = page.locator("main").inner_text()
    assert "Lê Văn Bảy" in body
    assert "TD-0001" in body
