"""The officer checks health-insurance coverage and whether reminders work (real browser)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def committed_demo():
    from tests import factories as f

    f.village()  # reload the national list if a transactional test flushed it
    call_command("demo", households=150, seed=3, as_of=dt.date(2026, 11, 20), verbosity=0)


def test_coverage_and_campaign_pages(live_server, browser_page, committed_demo):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", "ansinh-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/insurance/?date=2026-11-20")
    svg = page.locator("main svg")
    assert svg.count() == 1
    assert svg.locator("circle").count() == 12  # one point per month
    rows = page.locator("main table tbody tr")
    assert rows.count() == 10  # the demo commune's ten ấp
    assert "%" in page.locator(".stat b").first.inner_text()

    page.click("text=/Hiệu quả nhắc gia hạn|Reminder campaign/")
    page.wait_for_url(f"{base}/insurance/reminders/campaign/")
    months = page.locator("main table tbody tr")
    assert months.count() == 8
    campaign = page.locator("main table").inner_text()
    assert re.search(r"30 (ngày trước khi hết hạn|days before expiry)", campaign), campaign
    assert "truoc_30" not in campaign  # a stage is named, never shown by its code

    page.goto(f"{base}/insurance/people/?status=lapsed&date=2026-11-20")
    assert page.locator("main table tbody tr").count() >= 1
