"""The monthly cycle in a real browser: the officer prepares, the vice-chairman approves,
the officer downloads the bank file (the act of paying: the last check runs), which adds up."""

from __future__ import annotations

import csv
import io

import pytest

from ansinh.assistance.models import Payroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_monthly_cycle(live_server, browser_page, cases, committee):
    page, base = browser_page, live_server.url
    _login(page, base, "canbo")
    page.goto(f"{base}/assistance/payrolls/")
    page.fill("input[name=month]", "2026-11")
    page.click("main form.toolbar button")
    page.wait_for_url(f"{base}/assistance/payrolls/*/")
    assert "2.500.000" in page.locator("#payroll-total").inner_text()
    assert page.locator("main table tbody tr").filter(has_text="TC25522-").count() == 3
    page.click("button[name=step][value=prepare]")
    page.wait_for_load_state()
    url = page.url

    _login(page, base, "phochutich")
    page.goto(url)
    page.click("button[name=step][value=approve]")
    page.wait_for_load_state()
    assert Payroll.objects.get().status == "approved"
    assert "Đã duyệt danh sách chi trả" in page.locator("main").inner_text()
    assert page.locator("a[href*='/export/csv/']").count() == 0  # files are the officer's

    _login(page, base, "canbo")
    page.goto(url)
    with page.expect_download() as info:
        page.click("a[href*='/export/csv/']")
    data = open(info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))[1:]
    assert sum(int(r[4]) for r in rows) == 1_250_000
