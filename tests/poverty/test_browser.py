"""A survey on a phone-sized screen (390×844) and the officer's approval path, in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest

from ansinh.places.models import Commune
from ansinh.poverty import services
from ansinh.poverty.choices import EntryStatus
from ansinh.poverty.models import RoundHousehold
from tests import factories as f
from tests.poverty.conftest import TODAY, fill, set_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _round():
    village = f.village()
    officer = f.user("canbo", f.Role.OFFICER)
    hh = f.household(village, actor=officer)
    set_status(hh, "poor")
    rnd = services.round_open(
        actor=officer,
        commune=Commune.objects.get(code=f.TAN_DONG),
        kind="annual",
        year=2025,
        as_of=TODAY,
    )
    return village, officer, rnd.entries.get(household=hh)


def test_village_head_surveys_on_a_phone_and_survives_a_lost_connection(live_server, browser_page):
    village, _officer, entry = _round()
    f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[village])
    page, base = browser_page, live_server.url
    _login(page, base, "truongap1")
    page.goto(f"{base}/poverty/households/{entry.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    b1 = page.locator("form[data-section=b1]")
    b1.locator("input[name=route][value=income]").check()
    b1.locator("input[name=income_per_capita]").fill("1200000")
    b1.locator("button[type=submit]").click()
    page.wait_for_selector("#problem:has-text('Còn thiếu')")
    entry.refresh_from_db()
    assert entry.answers["b1"]["income_per_capita"] == 1_200_000

    # the network drops while B2 is filled: the answers stay on the phone and are resent
    page.context.set_offline(True)
    b2 = page.locator("form[data-section=b2]")
    b2.locator("select[name=house_type]").select_option("makeshift")
    b2.locator("input[name=floor_area_m2]").fill("30")
    for name, value in (
        ("safe_water", "no"),
        ("hygienic_latrine", "no"),
        ("internet", "yes"),
        ("info_assets", "yes"),
    ):
        b2.locator(f"input[name={name}][value={value}]").check()
    b2.locator("button[type=submit]").click()
    page.wait_for_selector("form[data-section=b2] .pending")
    assert "makeshift" in page.evaluate(f"localStorage.getItem('ansinh-survey-{entry.pk}')")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("form[data-section=b2] .pending", state="detached")
    entry.refresh_from_db()
    assert entry.answers["b2"]["house_type"] == "makeshift"
    assert page.evaluate(f"localStorage.getItem('ansinh-survey-{entry.pk}')") is None

    # every member, then the result with its Vietnamese explanation
    for key in entry.answers["members"]:
        form = page.locator(f"form[data-section='member:{key}']")
        for name, value in (
            ("health_insurance", "no"),
            ("studying", "no"),
            ("malnourished", "no"),
            ("monthly_allowance", "no"),
        ):
            form.locator(f"input[name={name}][value={value}]").check()
        form.locator("select[name=work]").select_option("self_employed")
        form.locator("select[name=qualification]").select_option("upper_secondary")
        form.locator("select[name=disability]").select_option("none")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#result-card:has-text('Đã lưu')")
    page.wait_for_selector("#explanation:has-text('Hộ nghèo')")
    assert page.locator("#approve").count() == 0  # a village head does not approve


def test_officer_approval_path(live_server, browser_page):
    village, officer, entry = _round()
    surveyor = f.user("khaosat", f.Role.COMMITTEE)
    services.committee_set(
        actor=officer, rnd=entry.round, user=surveyor, role="surveyor", villages=[village]
    )
    fill(entry, surveyor)
    page, base = browser_page, live_server.url
    _login(page, base, "canbo")
    page.goto(f"{base}/poverty/households/{entry.pk}/")
    page.click("#approve")
    page.wait_for_selector("text=Hộ nghèo")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED
    page.goto(f"{base}/poverty/rounds/{entry.round_id}/villages/{village.pk}/meeting/")
    page.fill("#id_held_on", "2026-11-20")
    page.fill("#id_attendees", "40")
    page.fill(f"#id_agree_{entry.pk}", "30")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/poverty/rounds/{entry.round_id}/")
    assert RoundHousehold.objects.get(pk=entry.pk).status == EntryStatus.AGREED
    # the list posted, then the results reported upward before the decision (step 5)
    services.posting_record(
        actor=officer, rnd=entry.round, village=village, posted_on=dt.date(2026, 11, 22)
    )
    page.goto(f"{base}/poverty/rounds/{entry.round_id}/report-up/")
    assert page.input_value("#id_recipient") == "Ủy ban nhân dân tỉnh Tây Ninh"
    page.fill("#id_number", "30/BC-UBND")
    page.fill("#id_reported_on", "2026-12-10")
    page.click("#record-report")
    page.wait_for_url(f"{base}/poverty/rounds/{entry.round_id}/")
    page.wait_for_selector("#report-up:has-text('30/BC-UBND')")
    page.goto(f"{base}/poverty/rounds/{entry.round_id}/decide/")
    page.fill("#id_number", "12/QĐ-UBND")
    page.fill("#id_signed_on", "2026-12-20")
    page.fill("#id_effective_date", "2027-01-01")
    page.click("#decide")
    page.wait_for_url(f"{base}/poverty/rounds/{entry.round_id}/report/")
    assert RoundHousehold.objects.get(pk=entry.pk).status == EntryStatus.DECIDED
    assert (
        dt.date(2027, 1, 1) == entry.round.__class__.objects.get(pk=entry.round_id).effective_date
    )


def test_officer_adds_a_request_with_its_member_table(live_server, browser_page):
    """Typing the household code brings its members (htmx); each gets a status."""
    village, officer, entry = _round()
    hh = f.household(
        village,
        f.person("Huỳnh Văn Tài", dt.date(1968, 3, 2)),
        f.person("Huỳnh Thị Ngọc", dt.date(2011, 7, 9), "female", "child", with_cccd=False),
        actor=officer,
    )
    page, base = browser_page, live_server.url
    _login(page, base, "canbo")
    page.goto(f"{base}/poverty/rounds/{entry.round_id}/")
    page.fill("#add-code", hh.code)
    page.click("#add-household-start button[type=submit]")
    page.wait_for_selector("#request-members")
    page.fill("#code", "")
    page.type("#code", hh.code.lower())  # htmx fetches the members as the code is typed
    page.wait_for_selector("#request-members:has-text('Huỳnh Thị Ngọc')")
    tai, ngoc = hh.members.order_by("date_of_birth")
    page.select_option(f"select[name=member_{tai.pk}]", "working")
    page.select_option(f"select[name=member_{ngoc.pk}]", "studying")
    page.select_option("#id_reason", "request")
    page.fill("#id_request_date", "2026-10-05")
    page.fill("#id_note", "Mất mùa")
    page.click("#add")
    page.wait_for_selector("#request-pdf")
    added = entry.round.entries.get(household=hh)
    assert added.request_members == {str(tai.pk): "working", str(ngoc.pk): "studying"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
