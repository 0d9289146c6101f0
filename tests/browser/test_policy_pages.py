"""Policy parameters in a real browser (issue 12): the officer enters the missing average-living
band for 2027 with its legal reference and sees its effect on the commune's own households, the
committee member approves it, and a household surveyed in the 2027 round, saved again, gets the
class the new value gives, its explanation citing the decree. Every policy page fits a phone
(390 px) without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ansinh.accounts.scopes import Scope
from ansinh.demo.builder import DEMO_PASSWORD, build_registry
from ansinh.demo.poverty import build_poverty
from ansinh.policy import services
from ansinh.policy.models import PolicyValue
from ansinh.poverty.models import ReviewRound, RoundHousehold
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = dt.date(2026, 11, 28)
STANDARD_2027 = dt.date(2027, 1, 1)
BAND = "poverty.average_band_max.rural"
ROW = "#p-povertyaverage_band_maxrural"  # the row's id: the name slugified
DECREE = "Nghị định 351/2025/NĐ-CP"
NARROW = 390


@pytest.fixture
def commune():
    """A small demo commune (seed 3: two of the four households surveyed in the 2027 round are
    rural and above the income line): last year's decided round and this year's round
    (standard date 01/01/2027); the illustrative 2027 indicator thresholds approved, the
    average-living band missing."""
    f.village()  # reload the national list if a transactional test flushed it
    reg = build_registry(households=300, seed=3, as_of=AS_OF)
    build_poverty(commune=reg.commune, as_of=AS_OF, seed=3)
    return reg.commune


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _no_overflow(page, what: str) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling (names the culprits)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW:
        culprits = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > limit + 1)
                .slice(0, 5)
                .map((el) => el.tagName + (el.id ? '#' + el.id : '')
                     + (el.className ? '.' + el.className : ''))""",
            NARROW,
        )
        pytest.fail(f"{what}: {width}px wide at {NARROW}px ({culprits})")


def _surveyed_above_the_line(commune) -> RoundHousehold:
    current = ReviewRound.objects.filter(commune=commune).order_by("-standard_date", "-pk")[0]
    assert current.standard_date == STANDARD_2027
    surveyed = (
        current.entries.filter(result_class="not_poor")
        .exclude(answers={})
        .select_related("household__village__commune")
        .order_by("pk")
    )
    entry = next(e for e in surveyed if e.household.area_type == "rural")
    assert entry.answers["b1"]["income_per_capita"] == 3_500_000
    assert "chưa xét hộ có mức sống trung bình" in entry.explanation_text
    return entry


@pytest.mark.parametrize(
    "urban_band",
    [
        # the scenario: only the rural band is entered
        pytest.param(False, id="rural-band-only"),
        # the same with the urban band approved beforehand (what works today)
        pytest.param(True, id="urban-band-approved-before"),
    ],
)
def test_officer_enters_the_average_band_and_the_committee_approves_it(
    live_server, browser_page, commune, urban_band
):
    page, base = browser_page, live_server.url
    household = _surveyed_above_the_line(commune)
    if urban_band:
        system = Scope.system(commune.code, "test")
        urban = services.policy_value_enter(
            scope=system,
            name="poverty.average_band_max.urban",
            valid_from=STANDARD_2027,
            value=5_000_000,
            document="Decree 351/2025/ND-CP",
            document_vi=DECREE,
        )
        services.policy_value_approve(scope=system, entry=urban)

    # --- the officer: the missing band first in its table, with what it blocks -------------
    _login(page, base, "canbo")
    page.goto(f"{base}/policy/?on=01/01/2027")
    assert page.locator("h1").inner_text() == "Tham số chính sách"
    assert page.locator("#missing-count").is_visible()
    # the missing values listed at the top, each a link to its row
    page.locator(f"#missing-list a[href='{ROW}']").click()
    assert page.url.endswith(ROW)
    row = page.locator(ROW)
    first = row.locator("xpath=ancestor::tbody/tr[1]")
    assert first.get_attribute("id") == ROW[1:]
    assert first.get_attribute("class") == "missing"
    text = row.inner_text()
    assert "ansinh chưa có giá trị này" in text
    assert "Nếu thiếu, chặn:" in text
    assert "được ghi là không nghèo" in text
    _no_overflow(page, "policy index")

    # --- entering the value with its legal reference ----------------------------------------
    row.get_by_role("link", name="Nhập giá trị").click()
    page.wait_for_url(f"{base}/policy/enter/{BAND}/")
    _no_overflow(page, "policy form")
    page.fill("#id_value__", "4000000")
    page.fill("#id_valid_from", "2027-01-01")
    page.fill("#id_document_vi", DECREE)
    page.fill("#id_article_vi", "Điều 3 khoản 3")
    page.select_option("#id_status", "firm")
    page.click("#value-form button")
    page.wait_for_url(re.compile(r".*/policy/values/\d+/$"))
    entry = PolicyValue.objects.get(name=BAND)
    assert entry.state == "proposed"
    assert entry.value == 4_000_000
    assert page.locator("#reference").inner_text() == f"{DECREE}, Điều 3 khoản 3"
    assert page.locator("#approve-form").count() == 0  # not the one who entered it
    _no_overflow(page, "value page with its effect (officer)")

    # --- its effect, before approval: the household moves to the average band ---------------
    assert "Ảnh hưởng đối với xã, trước khi phê duyệt" in page.locator("main").inner_text()
    card = page.locator(".whatif-poverty").first
    assert card.locator("table.matrix").count() == 1, card.inner_text()
    matrix = card.locator("table.matrix tbody").inner_text()
    assert "Không thuộc diện nghèo" in matrix
    assert "Hộ có mức sống trung bình" in matrix
    card.locator("summary").click()
    assert household.household.code in card.locator("details").inner_text()

    # --- a village head reads the value, without the commune's households -------------------
    _login(page, base, "truongap1")
    page.goto(f"{base}/policy/values/{entry.pk}/")
    assert page.locator(".whatif-poverty").count() == 0
    assert page.locator("#approve-form").count() == 0
    _no_overflow(page, "value page (village head)")

    # --- the committee member sees the same effect and approves -----------------------------
    _login(page, base, "phochutich")
    page.goto(f"{base}/policy/values/{entry.pk}/")
    assert page.locator(".whatif-poverty table.matrix").count() >= 1
    _no_overflow(page, "value page (committee)")
    page.fill("#approve-note", "Đã đối chiếu văn bản.")
    page.click("#approve-form button")
    page.wait_for_selector("#state")
    entry.refresh_from_db()
    assert entry.state == "approved"
    assert entry.decided_by.username == "phochutich"
    assert page.locator("#approve-form").count() == 0
    assert page.locator(".whatif-poverty").count() == 0  # in force: no "before approval"
    page.goto(f"{base}/policy/?on=01/01/2027")
    band = page.locator(ROW)
    assert band.get_attribute("class") != "missing"
    assert "4.000.000" in band.inner_text()
    assert DECREE in band.inner_text()
    _no_overflow(page, "policy index (committee)")

    # --- the household of the 2027 round, saved again: its class and the decree -------------
    _login(page, base, "canbo")
    page.goto(f"{base}/poverty/households/{household.pk}/")
    page.click("form[data-section=b1] button[type=submit]")
    page.wait_for_function(
        "() => { const e = document.querySelector('#explanation');"
        " return e && !e.textContent.includes('chưa xét'); }"
    )
    assert page.locator("#result-class").inner_text() == "Hộ có mức sống trung bình"
    explanation = page.locator("#explanation").inner_text()
    assert "≤ 4.000.000" in explanation
    assert DECREE in explanation
    household.refresh_from_db()
    assert household.result_class == "average"
    assert household.parameter_versions[BAND] == entry.version
