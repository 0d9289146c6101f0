"""A survey on a phone-sized screen (390×844) and the officer's approval path, in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest

from ansinh.accounts.scopes import scope_for
from ansinh.places.models import Commune
from ansinh.poverty import services
from ansinh.poverty.choices import EntryStatus
from ansinh.poverty.models import RoundHousehold
from tests import factories as f
from tests.browser.conftest import sign_in as _login
from tests.poverty.conftest import TODAY, fill, set_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _round():
    village = f.village()
    officer = f.user("canbo", f.Role.OFFICER)
    hh = f.household(village, actor=officer)
    set_status(hh, "poor")
    rnd = services.round_open(
        scope=scope_for(officer),
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


def _pending(page) -> int:
    bar = page.locator("#sync-bar")
    return int(bar.get_attribute("data-count") or 0) if bar.is_visible() else 0


def _result_covers_no_input(page, section: str) -> None:
    """The result box (class and explanation) is never over an input of the section shown."""
    page.locator(f"form[data-section='{section}'] button[type=submit]").scroll_into_view_if_needed()
    overlaps = page.evaluate(
        """section => {
            const box = document.getElementById("result").getBoundingClientRect();
            const form = document.querySelector(`form[data-section='${section}']`);
            const hit = (a, b) => a.left < b.right && b.left < a.right
                && a.top < b.bottom && b.top < a.bottom;
            return [...form.querySelectorAll("input:not([type=hidden]), select, button")]
                .map(el => el.getBoundingClientRect())
                .filter(r => r.bottom > 0 && r.top < innerHeight)
                .filter(r => hit(r, box)).length;
        }""",
        section,
    )
    assert overlaps == 0


def test_saves_made_without_network_wait_on_the_phone_and_reach_the_server(
    live_server, browser_page
):
    """Issue 10 item 6: two sections saved offline are marked failed, counted at the top of
    the page and kept on the phone; when the network returns they reach the server."""
    village, _officer, entry = _round()
    f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[village])
    page, base = browser_page, live_server.url
    _login(page, base, "truongap1")
    page.goto(f"{base}/poverty/households/{entry.pk}/")
    assert page.locator("#sync-bar").is_hidden()
    assert page.get_attribute("form[data-section=b1] [data-role=chip]", "data-state") == "empty"

    page.context.set_offline(True)
    b1 = page.locator("form[data-section=b1]")
    b1.locator("input[name=route][value=income]").check()
    b1.locator("input[name=income_per_capita]").fill("1500000")
    assert b1.get_attribute("data-state") == "dirty"  # edited, not saved yet
    b1.locator("button[type=submit]").click()
    b2 = page.locator("form[data-section=b2]")
    b2.locator("select[name=house_type]").select_option("less_durable")
    b2.locator("input[name=floor_area_m2]").fill("24")
    b2.locator("input[name=safe_water][value=yes]").check()
    b2.locator("button[type=submit]").click()

    page.wait_for_selector("form[data-section=b1][data-state=failed]")
    page.wait_for_selector("form[data-section=b2][data-state=failed]")
    page.wait_for_selector("#sync-bar[data-count='2']")
    assert page.locator("#sync-bar").is_visible()
    assert page.locator("form[data-section=b2] [data-role=detail].pending").is_visible()
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('ansinh-survey-{entry.pk}'))")
    assert kept["b1"]["data"]["income_per_capita"] == "1500000"
    assert kept["b2"]["data"]["house_type"] == "less_durable"
    entry.refresh_from_db()
    assert not entry.answers  # nothing reached the server
    _result_covers_no_input(page, "b2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.context.set_offline(False)  # the browser's "online" event sends them, oldest first
    page.wait_for_selector("form[data-section=b1][data-state=saved]")
    page.wait_for_selector("form[data-section=b2][data-state=saved]")
    page.wait_for_selector("#sync-bar", state="hidden")
    entry.refresh_from_db()
    assert entry.answers["b1"]["income_per_capita"] == 1_500_000
    assert entry.answers["b2"]["house_type"] == "less_durable"
    assert entry.answers["b2"]["floor_area_m2"] == 24
    assert entry.answers["b2"]["safe_water"] is True
    assert page.evaluate(f"localStorage.getItem('ansinh-survey-{entry.pk}')") is None
    _result_covers_no_input(page, "b1")
    _result_covers_no_input(page, "b2")

    # offline again, and the tab is closed before the network returns: the next page sends it
    page.context.set_offline(True)
    page.fill("form[data-section=a] input[name=note]", "Gặp chủ hộ ngoài ruộng")
    page.click("form[data-section=a] button[type=submit]")
    page.wait_for_selector("#sync-bar[data-count='1']")
    context = page.context
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{base}/poverty/households/{entry.pk}/")
    page.wait_for_selector("form[data-section=a][data-state=saved]")
    entry.refresh_from_db()
    assert entry.answers["a"]["note"] == "Gặp chủ hộ ngoài ruộng"
    assert page.evaluate(f"localStorage.getItem('ansinh-survey-{entry.pk}')") is None


def test_a_server_error_is_shown_and_the_save_retried(live_server, browser_page):
    village, _officer, entry = _round()
    f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[village])
    page, base = browser_page, live_server.url
    page.add_init_script("window.ansinhSurveyRetryMs = 1000")  # instead of every 20 s
    _login(page, base, "truongap1")
    page.goto(f"{base}/poverty/households/{entry.pk}/")
    calls = []

    def fail_once(route):
        calls.append(route.request.method)
        if len(calls) == 1:
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")
        else:
            route.continue_()

    page.route(f"{base}/poverty/households/{entry.pk}/", fail_once)
    b2 = page.locator("form[data-section=b2]")
    b2.locator("select[name=house_type]").select_option("makeshift")
    b2.locator("button[type=submit]").click()
    page.wait_for_selector("form[data-section=b2][data-state=failed]")
    assert "500" in b2.locator("[data-role=detail]").inner_text()
    assert _pending(page) == 1
    entry.refresh_from_db()
    assert not entry.answers

    page.wait_for_selector("form[data-section=b2][data-state=saved]")  # sent again by itself
    assert calls == ["POST", "POST"]
    entry.refresh_from_db()
    assert entry.answers["b2"]["house_type"] == "makeshift"
    assert _pending(page) == 0
    _result_covers_no_input(page, "b2")

    # a refused answer is not retried: the server's message stays on the section
    b1 = page.locator("form[data-section=b1]")
    b1.locator("input[name=income_per_capita]").evaluate("el => { el.type = 'text' }")
    b1.locator("input[name=income_per_capita]").fill("abc")
    b1.locator("button[type=submit]").click()
    page.wait_for_selector("form[data-section=b1][data-state=failed]")
    assert "nhập một số" in b1.locator("[data-role=detail]").inner_text()  # the Vietnamese message
    assert _pending(page) == 0
    page.wait_for_timeout(2_500)  # longer than the retry period: nothing sent again
    assert calls == ["POST", "POST", "POST"]
    assert page.locator("form[data-section=b1][data-state=failed]").count() == 1


@pytest.mark.parametrize("readable_csrf_cookie", [True, False])
def test_an_expired_session_keeps_the_answers_until_signed_in_again(
    live_server, browser_page, settings, readable_csrf_cookie
):
    settings.CSRF_COOKIE_HTTPONLY = not readable_csrf_cookie  # then a fresh page gives it
    village, _officer, entry = _round()
    f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[village])
    page, base = browser_page, live_server.url
    page.add_init_script("window.ansinhSurveyRetryMs = 1000")
    _login(page, base, "truongap1")
    page.goto(f"{base}/poverty/households/{entry.pk}/")
    page.context.clear_cookies(name="sessionid")  # the session ends while the form is open

    b1 = page.locator("form[data-section=b1]")
    b1.locator("input[name=income_per_capita]").fill("900000")
    b1.locator("button[type=submit]").click()
    page.wait_for_selector("form[data-section=b1][data-state=failed]")
    link = b1.locator("[data-role=detail] a.signin")
    assert link.get_attribute("target") == "_blank"
    assert "/accounts/login/" in (link.get_attribute("href") or "")
    assert _pending(page) == 1
    entry.refresh_from_db()
    assert not entry.answers

    other = page.context.new_page()  # signing in again in another tab (a new CSRF token too)
    _login(other, base, "truongap1")
    other.close()
    page.wait_for_selector("form[data-section=b1][data-state=saved]")
    entry.refresh_from_db()
    assert entry.answers["b1"]["income_per_capita"] == 900_000
    assert _pending(page) == 0


def test_officer_approval_path(live_server, browser_page):
    village, officer, entry = _round()
    surveyor = f.user("khaosat", f.Role.COMMITTEE)
    services.committee_set(
        scope=scope_for(officer),
        rnd=entry.round,
        user=surveyor,
        role="surveyor",
        villages=[village],
    )
    fill(entry, surveyor)
    page, base = browser_page, live_server.url
    _login(page, base, "canbo")
    page.goto(f"{base}/poverty/households/{entry.pk}/")
    page.click("#approve")
    page.wait_for_selector("main >> text=Hộ nghèo")  # not the header's (collapsed) menu
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
        scope=scope_for(officer), rnd=entry.round, village=village, posted_on=dt.date(2026, 11, 22)
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
