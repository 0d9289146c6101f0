"""A village head proposes a new household from a phone (390 px), the officer applies it: in a
real browser. Set ``ANSINH_SHOTS_DIR`` to keep screenshots (390 px and 1280 px)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from ansinh.registry.models import ChangeProposal, Household
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ANSINH_SHOTS_DIR", "")


def shot(page, name: str) -> None:
    """Nothing scrolls sideways on the phone; screenshots at 390 and 1280 px if asked."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{SHOTS}/{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def member(page, index: int, name: str, born: str, sex: str, relationship: str) -> None:
    page.fill(f"#id_members-{index}-full_name", name)
    page.fill(f"#id_members-{index}-date_of_birth", born)
    page.select_option(f"#id_members-{index}-sex", sex)
    page.select_option(f"#id_members-{index}-relationship", relationship)


def test_village_head_proposes_a_household_the_officer_applies_it(live_server, browser_page):
    village = f.village()
    f.user("canbo", f.Role.OFFICER)
    f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[village])
    cccd = f.make_cccd(dt.date(1985, 6, 1), "male")
    page, base = browser_page, live_server.url

    sign_in(page, base, "truongap1")
    page.goto(f"{base}/registry/proposals/")
    page.click("a[href$='/registry/proposals/new-household/']")
    page.wait_for_selector("#id_members-2-full_name")  # three rows, the head first
    assert page.locator("#id_members-0-relationship").input_value() == "head"
    member(page, 0, "phan văn  tư", "01/06/1985", "male", "head")
    page.fill("#id_members-0-cccd", cccd)
    page.fill("#id_members-1-full_name", "Lâm Thị Mai")  # no date of birth yet
    page.select_option("#id_members-1-sex", "female")
    page.select_option("#id_members-1-relationship", "spouse")
    page.fill("#id_phone", "0912 345 67")  # one digit short
    shot(page, "new-household-form")
    page.click("main button[type=submit]")

    # the first submit: each error under its field, what was typed kept
    page.wait_for_selector(".errorlist")
    assert page.url.endswith("/registry/proposals/new-household/")
    assert page.locator("#id_members-0-full_name").input_value() == "phan văn  tư"
    dob = page.locator(".member-form", has=page.locator("#id_members-1-date_of_birth"))
    assert dob.locator(".errorlist").count() == 1
    phone = page.locator(".field", has=page.locator("#id_phone"))
    assert phone.locator(".errorlist").count() == 1
    shot(page, "new-household-errors")

    # a row added, then removed again
    page.click("#add-member")
    page.wait_for_selector("#id_members-3-full_name")
    page.fill("#id_members-3-full_name", "Người Viết Nhầm")
    page.locator(".member-form", has=page.locator("#id_members-3-full_name")).locator(
        "[data-remove-member]"
    ).click()
    assert not page.locator("#id_members-3-full_name").is_visible()

    page.fill("#id_members-1-date_of_birth", "09/02/1988")
    page.fill("#id_phone", "0912 345 678")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/registry/proposals/")
    listing = page.locator("main").inner_text()
    assert "Phan Văn Tư" in listing
    assert "Lâm Thị Mai" in listing
    assert "Người Viết Nhầm" not in listing
    shot(page, "new-household-sent")
    proposal = ChangeProposal.objects.get()
    assert len(proposal.payload["members"]) == 2
    assert not Household.objects.exists()

    # the officer approves it and lands on the new household
    sign_in(page, base, "canbo")
    page.goto(f"{base}/registry/proposals/{proposal.pk}/")
    assert page.locator("table.members tbody tr").count() == 2
    shot(page, "new-household-detail")
    page.click("form.decide button[value=apply]")
    page.wait_for_url(f"{base}/registry/households/*/")
    body = page.locator("main").inner_text()
    assert "TD-0001" in body
    assert "Phan Văn Tư" in body
    assert "Lâm Thị Mai" in body
    shot(page, "new-household-applied")

    # the village head sees it approved, with a link to the household
    sign_in(page, base, "truongap1")
    page.goto(f"{base}/registry/proposals/")
    page.click("main a:has-text('TD-0001')")
    page.wait_for_url(f"{base}/registry/households/*/")
    assert "Lâm Thị Mai" in page.locator("main").inner_text()
