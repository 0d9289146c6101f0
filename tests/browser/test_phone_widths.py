"""Every page a village head can open fits a phone (issue 15, item 2), in a real browser.

The URL patterns are walked from the resolver (as ``tests/test_scope_sweep.py`` does) and each
is requested as the demo's village head of ấp Tân Đông with the ids of real objects of the demo
commune, own villages first; every one that answers a whole HTML page is opened at 390 × 844 px
and must

- be no wider than the screen (``scrollWidth <= 390``: no sideways scrolling),
- show the header collapsed: the brand and a "Menu" button, the links hidden,
- have no two tap targets (links, buttons, fields) overlapping,
- write no grouped number into a link or a field (``?page=1.234``: an id or a page number
  shown with the thousands separator, see ``USE_THOUSAND_SEPARATOR``).

The menu itself: it opens and closes with the keyboard, and at 1280 px it is a horizontal bar
with no button. ``ANSINH_SHOTS_DIR`` keeps a screenshot of every page (390 px).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.test import Client

from ansinh.accounts.models import User
from tests import factories as f
from tests.browser.conftest import open_menu
from tests.test_scope_sweep import ROUTE_MODELS, STR_VALUES, Route, routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW, WIDE = 390, 1280
AS_OF = dt.date(2026, 11, 20)
HEAD = "truongap1"  # Lê Văn Tám, trưởng ấp Tân Đông
PASSWORD = "ansinh-demo"
SHOTS = os.environ.get("ANSINH_SHOTS_DIR", "")

#: Pages a village head can open that are allowed to break a rule above, with the reason.
#: Keep it empty: a page that does not fit a phone is a bug.
EXCEPTIONS: dict[str, str] = {}
#: URL patterns not requested: they are not pages of a signed-in user.
NOT_PAGES = {
    "set_language": "the language switch (POST only)",
    "accounts:logout": "signing out would end the session",
    "accounts:login": "the sign-in page (signed out)",
    "accounts:setup": "the first set-up of an empty installation",
    "health": "the load balancer's probe",
}
#: The model an id of these URL patterns names, beside the scope sweep's (which skips them).
MORE_MODELS: dict[str, dict[str, str]] = {
    **{f"policy:{n}": {"pk": "policy.policyvalue"} for n in ("entry", "approve", "reject", "pdf")},
    **{
        f"coordination:{n}": {"pk": "coordination.item"}
        for n in ("item", "item_comment", "item_status", "item_assign", "item_edit")
    },
    "coordination:photo": {"pk": "coordination.photo"},
}
MORE_STR_VALUES = {("policy:enter", "name"): ["poverty.average_band_max.rural"]}
#: Pages a village head must be able to open here (so that the sweep cannot pass empty).
MUST_OPEN = {
    "home",
    "registry:household_list",
    "registry:household_detail",
    "registry:person_edit",
    "registry:proposal_list",
    "poverty:rounds",
    "poverty:round",
    "poverty:survey",
    "assistance:case_list",
    "assistance:case_detail",
    "insurance:coverage",
    "insurance:people",
    "insurance:household_cards",
    "outreach:log",
    "outreach:broadcast_mark",
}
#: The ways an object belongs to a village, tried in turn to find the village head's own.
VILLAGE_LOOKUPS = (
    "village_id__in",
    "household__village_id__in",
    "person__household__village_id__in",
    "case__village_id__in",
    "round_household__household__village_id__in",
)

# What is checked in the page (JavaScript, run by Chromium).
WIDEST = """(limit) => [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > limit + 1)
    .slice(0, 5)
    .map((el) => el.tagName + (el.id ? '#' + el.id : '')
         + (typeof el.className === 'string' && el.className ? '.' + el.className : ''))"""
OVERLAPS = """() => {
  const name = (el) => el.tagName + (el.id ? '#' + el.id : '')
    + ' "' + (el.innerText || el.value || el.name || '').trim().slice(0, 30) + '"';
  const targets = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    // drawn: not in a closed <details> (whose content keeps its boxes), not hidden
    .filter((el) => el.checkVisibility({visibilityProperty: true}))
    .map((el) => ({el, rects: [...el.getClientRects()].filter((r) => r.width && r.height)}))
    .filter((t) => t.rects.length);
  const found = [];
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const a = targets[i], b = targets[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      for (const r of a.rects) for (const s of b.rects) {
        const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (w > 1 && h > 1) found.push(name(a.el) + ' × ' + name(b.el));
      }
    }
  }
  return [...new Set(found)].slice(0, 5);
}"""
GROUPED = """() => {
  const grouped = /(^|[^0-9.,])[0-9]{1,3}([.,][0-9]{3})+([^0-9]|$)/;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    for (const at of el.attributes) {
      const linky = ['href', 'action', 'value', 'id', 'for'].includes(at.name)
        || at.name.startsWith('data-') || at.name.startsWith('hx-');
      if (linky && grouped.test(at.value)) out.push(el.tagName + ' ' + at.name + '=' + at.value);
    }
  }
  return out.slice(0, 5);
}"""


@pytest.fixture
def demo_world():
    f.village()  # reload the national list if a transactional test flushed it
    call_command("demo", households=150, seed=3, as_of=AS_OF, verbosity=0)
    return User.objects.get(username=HEAD)


def _candidates(label: str, head: User) -> list[int]:
    """Up to three ids of ``label`` objects: the head's own villages' first, else the
    commune's, else any."""
    model = apps.get_model(label)
    villages = list(head.villages.values_list("id", flat=True))
    if label == "places.village":
        return villages[:3]
    for lookup in VILLAGE_LOOKUPS:
        try:
            ids = list(model.objects.filter(**{lookup: villages}).values_list("pk", flat=True)[:3])
        except FieldError:
            continue
        if ids:
            return ids
    rows = model.objects.order_by("pk")
    with contextlib.suppress(FieldError):  # a model of no commune
        rows = rows.filter(commune_id=head.commune_id)
    return list(rows.values_list("pk", flat=True)[:3])


def _urls(route: Route, head: User) -> tuple[list[str], str]:
    """The URLs to try for ``route`` (real ids and accepted values), or why there are none."""
    combos: list[dict[str, Any]] = [{}]
    models = {**MORE_MODELS, **ROUTE_MODELS}.get(route.name, {})
    for param in route.ints:
        if param not in models:
            return [], f"no model known for <{param}>: add it to MORE_MODELS"
        ids = _candidates(models[param], head)
        if not ids:
            return [], f"no {models[param]} in the demo commune"
        combos = [{**c, param: i} for c in combos for i in ids]
    for param in route.strs:
        values = {**STR_VALUES, **MORE_STR_VALUES}.get((route.name, param), [])[:1]
        combos = [{**c, param: v} for c in combos for v in values]
    return [route.url(kw) for kw in combos[:6]], "" if combos else "no value for a text part"


def village_head_pages(head: User) -> tuple[dict[str, str], dict[str, str]]:
    """Every URL pattern the village head may GET as a page: {name: url}, and the others with
    what they answered: {name: reason}."""
    client = Client()
    client.force_login(head)
    pages: dict[str, str] = {}
    others: dict[str, str] = {}
    for route in routes()[0]:
        if route.name.startswith("api:") or route.name in NOT_PAGES:
            continue
        urls, reason = _urls(route, head)
        answers = []
        for url in urls:
            response = client.get(url)
            ctype = response.get("Content-Type", "")
            body = b"" if response.streaming else response.content
            if response.status_code == 200 and ctype.startswith("text/html"):
                if b'<header class="topbar"' in body:
                    pages[route.name] = url
                    break
                answers.append("an HTML fragment (htmx)")
            else:
                answers.append(f"{response.status_code} {ctype.split(';')[0]}")
        else:
            others[route.name] = reason or ", ".join(sorted(set(answers)))
    return pages, others


def _sign_in(page, base: str, username: str = HEAD, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def _problems(page, name: str) -> list[str]:
    """What is wrong with the page shown, at 390 px."""
    out = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW:
        out.append(f"{width} px wide: {page.evaluate(WIDEST, NARROW)}")
    if not page.locator("#menu-button").is_visible():
        out.append("no Menu button")
    if page.locator("nav.mainnav").is_visible():
        out.append("the menu is not collapsed")
    header = page.evaluate("document.querySelector('header').getBoundingClientRect().height")
    if header > 80:
        out.append(f"the collapsed header is {header:.0f} px high")
    if overlaps := page.evaluate(OVERLAPS):
        out.append(f"tap targets overlap: {overlaps}")
    if grouped := page.evaluate(GROUPED):
        out.append(f"grouped numbers in links or fields: {grouped}")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name.replace(':', '-')}-390.png", full_page=True)
    return [f"{name}: {p}" for p in out if name not in EXCEPTIONS]


def test_every_page_of_a_village_head_fits_a_phone(live_server, browser_page, demo_world):
    page, base = browser_page, live_server.url
    pages, others = village_head_pages(demo_world)
    missing = MUST_OPEN - set(pages)
    assert not missing, f"the village head cannot open {sorted(missing)}: {others}"
    unknown = {n: r for n, r in others.items() if "MORE_MODELS" in r}
    assert not unknown, unknown

    _sign_in(page, base)
    problems: list[str] = []
    for name, url in sorted(pages.items()):
        page.goto(base + url)
        problems += _problems(page, name)
    assert not problems, "\n".join(problems)
    assert set(EXCEPTIONS) <= set(pages), "an exception for a page the head does not open"


def test_the_menu_opens_with_the_keyboard_and_is_a_bar_on_a_wide_screen(live_server, browser_page):
    f.user("canbo", f.Role.OFFICER, villages=[f.village()])  # the longest menu
    page, base = browser_page, live_server.url
    _sign_in(page, base, "canbo", "pw-for-tests-1")
    button = page.locator("#menu-button")
    links = page.locator("nav.mainnav a")
    assert button.get_attribute("aria-expanded") == "false"
    assert not links.first.is_visible()

    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert links.first.is_visible()
    page.keyboard.press("Tab")  # into the menu, its first link
    assert page.evaluate("document.activeElement.closest('nav.mainnav') !== null")
    rows = [links.nth(i).bounding_box() for i in range(links.count())]
    assert all(r["height"] >= 44 for r in rows), "a menu row shorter than a fingertip"
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not links.first.is_visible()
    assert page.evaluate("document.activeElement.id") == "menu-button"
    page.keyboard.press("Space")  # a button: Space works as well as Enter
    assert links.first.is_visible()
    open_menu(page)  # already open: nothing changes
    assert links.first.is_visible()
    button.click()
    assert not links.first.is_visible()

    # The account's links are in the menu too, and lead where they say.
    open_menu(page)
    page.click("#password-link")
    page.wait_for_url(f"{base}/accounts/password/")

    page.set_viewport_size({"width": WIDE, "height": 900})
    page.goto(f"{base}/")
    assert not button.is_visible()
    assert links.first.is_visible()
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    assert boxes[1]["y"] == boxes[0]["y"]  # side by side
    assert boxes[1]["x"] > boxes[0]["x"]
    header = page.evaluate("document.querySelector('header').getBoundingClientRect().height")
    assert header < 160
    assert page.evaluate(OVERLAPS) == []


def test_a_date_is_typed_day_first_in_a_text_input(live_server, browser_page):
    """Issue 15, item 3: not the browser's date picker (it writes dates in the browser's
    language), a text input read by the server; a date that does not exist is refused with a
    message and stays in the field to be corrected."""
    village = f.village()
    officer = f.user("canbo", f.Role.OFFICER)
    tim = f.person("Nguyễn Thị Tím", dt.date(1968, 4, 2), "female", "head", with_cccd=False)
    household = f.household(village, tim, actor=officer)
    person = household.members.get()
    page, base = browser_page, live_server.url
    _sign_in(page, base, "canbo", "pw-for-tests-1")
    page.goto(f"{base}/registry/persons/{person.pk}/edit/")
    field = page.locator("#id_date_of_birth")
    assert field.get_attribute("type") == "text"
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("placeholder") == "dd/mm/yyyy"
    assert field.input_value() == "02/04/1968"
    for text, readable in [
        ("05/09/1962", True),
        ("5.9.1962", True),
        ("05091962", True),
        ("1962-09-05", True),
        ("hôm qua", False),
        ("05/09/62", False),
    ]:
        field.fill(text)
        assert field.evaluate("(el) => el.validity.patternMismatch") is not readable, text

    field.fill("31/02/1980")
    page.click("main form button[type=submit]")
    error = page.locator("main .errorlist").first.inner_text()
    assert re.search(r"(Không có ngày|There is no day) 31/02/1980", error), error
    assert page.locator("#id_date_of_birth").input_value() == "31/02/1980"
    person.refresh_from_db()
    assert person.date_of_birth == dt.date(1968, 4, 2)

    page.fill("#id_date_of_birth", "05.09.1962")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/registry/households/{household.pk}/")
    person.refresh_from_db()
    assert person.date_of_birth == dt.date(1962, 9, 5)
    assert "05/09/1962" in page.locator("main").inner_text()
