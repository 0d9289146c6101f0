"""Playwright driving Debian's Chromium (never a browser downloaded by Playwright)."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # body stay synchronous and sequential, so Django's async guard can be lifted here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Anything the Content-Security-Policy blocks (an inline script or style, a foreign
        # source) fails the test: Chromium reports it on the console.
        blocked: list[str] = []
        page.on(
            "console",
            lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        yield page
        context.close()
        browser.close()
        assert not blocked, f"blocked by the Content-Security-Policy: {blocked}"


def open_menu(page) -> None:
    """Open the header's menu if it is collapsed (a phone-sized window): its links, the
    account's links and the language switch are inside it."""
    button = page.locator("#menu-button")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()


def sign_in(page, base: str, username: str, password: str = "pw-for-tests-1") -> None:
    """Sign in through the form as a user made by ``tests.factories`` and land on the home."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def submit(page, selector: str) -> None:
    """Press a button whose form posts and redirects (maybe to the same address)."""
    with page.expect_navigation():
        page.click(selector)


def flash(page) -> str:
    """The messages the page shows after an action."""
    return " ".join(page.locator(".messages").all_inner_texts())
