"""The first day of an installation, in a real browser at 390 px (a phone): the set-up page
of an empty database, the officer's accounts page, a one-time password, the village head's
first sign-in. Set ``ANSINH_SHOTS_DIR`` to keep screenshots (390 px and 1280 px)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansinh.accounts.models import User
from ansinh.places.models import Commune, Village
from ansinh.places.services import places_sync
from tests.browser.conftest import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAN_DONG = 25522  # Xã Tân Đông, Tây Ninh
PASSWORD = "Lua-chin-vang-2026"
HEAD_PASSWORD = "Song-Vam-Co-2027"
SHOTS = os.environ.get("ANSINH_SHOTS_DIR", "")


def shot(page, name: str) -> None:
    """Nothing scrolls sideways on the phone; screenshots at 390 and 1280 px if asked."""
    page.wait_for_load_state()  # a click may still be replacing the document
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{SHOTS}/{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():  # a refusal answers on the same address
        page.click("main button[type=submit]")


def sign_out(page) -> None:
    open_menu(page)
    page.click("header .who form button")
    page.wait_for_url("**/accounts/login/")


def household_rows(*, fixed: bool) -> list[list]:
    """A commune's own list: codes only on the heads' rows; two mistakes until ``fixed``."""
    return [
        [
            1,
            "TD-01",
            "Nguyễn Văn Tám",
            "12/05/1961",
            "Nam",
            "Chủ hộ",
            None,
            "Kinh",
            "Ấp Tân Đông",
            "Tổ 3",
            "0913 222 333",
        ],
        [
            2,
            None,
            "Lê Thị Chín",
            "31/02/1965" if not fixed else "28/02/1965",
            "Nữ",
            "Vợ",
            None,
            "Kinh",
            None,
            None,
            None,
        ],
        [3, None, "Nguyễn Văn Mười", 1990, "Nam", "Con", None, "Kinh", None, None, None],
        [
            4,
            "DH-01",
            "Phạm Thị Một",
            "02/09/1950",
            "Nữ",
            "Chủ hộ",
            None,
            "Khmer",
            "Ấp Đông Hệp" if not fixed else "Ấp Đông Hiệp",
            "Tổ 1",
            None,
        ],
    ]


def upload_and_check(page, base: str, path: Path) -> None:
    page.goto(f"{base}/imports/")
    page.click("#kind-households a.btn")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#mapping-form")
    page.click("#mapping-form button[type=submit]")
    page.wait_for_selector("#commit-form")


def import_the_commune_records(page, base: str, folder: Path) -> None:
    """The officer brings in the commune's household list: the check lists two mistakes by
    row and column; the officer fixes the file, checks it again and imports it."""
    from tests.imports.conftest import workbook

    first = workbook(folder / "danh-sach-ho.xlsx", household_rows(fixed=False))
    upload_and_check(page, base, first)
    problems = page.locator("#problems tbody tr")
    rows = problems.all_inner_texts()
    assert any("31/02/1965" in r for r in rows)
    assert any("Ấp Đông Hệp" in r for r in rows)
    shot(page, "07-import-problems")
    page.click("form[action$='/cancel/'] button")  # fix the file instead
    page.wait_for_url(f"{base}/imports/")
    fixed = workbook(folder / "danh-sach-ho-da-sua.xlsx", household_rows(fixed=True))
    upload_and_check(page, base, fixed)
    assert page.locator("#problems").count() == 0
    page.click("#commit-form button[type=submit]")
    page.wait_for_selector(".stats")
    shot(page, "08-import-done")
    page.goto(f"{base}/registry/households/")
    listed = page.locator("main").inner_text()
    assert "Nguyễn Văn Tám" in listed
    assert "Phạm Thị Một" in listed
    shot(page, "09-households")


def test_first_day_from_an_empty_database(live_server, browser_page, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    if not Commune.objects.filter(code=TAN_DONG).exists():
        places_sync()  # a transactional test flushed the data migration's rows
    page, base = browser_page, live_server.url

    # 1. An empty installation: ansinh opens on the set-up page.
    page.goto(f"{base}/")
    page.wait_for_url(f"{base}/accounts/setup/")
    page.fill("#q", "tan dong")  # htmx lists the communes as one types
    page.wait_for_selector(f"#communes input[value='{TAN_DONG}']")
    assert page.locator("#communes label.choice").count() >= 2  # Tây Ninh and Đồng Tháp
    page.check(f"#communes input[value='{TAN_DONG}']")
    page.fill("#id_villages", "Ấp Tân Đông\nẤp Đông Hiệp\nap tan dong\nẤp Cây Gõ")
    page.fill("#id_full_name", "Nguyễn Thị Hoa")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    shot(page, "01-setup")
    page.click("#setup-submit")
    page.wait_for_url(f"{base}/accounts/login/")
    assert page.locator(".messages").count() == 1
    shot(page, "02-setup-done")
    names = set(Village.objects.filter(commune_id=TAN_DONG).values_list("name", flat=True))
    assert names == {"Ấp Tân Đông", "Ấp Đông Hiệp", "Ấp Cây Gõ"}
    # the set-up page is gone
    assert page.goto(f"{base}/accounts/setup/").status == 404

    # 2. The officer signs in and creates a village head for ấp Tân Đông.
    sign_in(page, base, "canbo", PASSWORD)
    page.wait_for_url(f"{base}/")
    open_menu(page)
    page.click("#accounts-link")
    page.wait_for_url(f"{base}/accounts/users/")
    page.click("#new-account")
    page.fill("#id_username", "truongap.td")
    page.fill("#id_full_name", "Trần Văn Bảy")
    page.select_option("#id_role", "village_head")
    page.check("#account-form .villages label:has-text('Ấp Tân Đông') input")
    page.fill("#id_phone", "0912 345 678")
    shot(page, "03-new-account")
    page.click("#account-form button[type=submit]")
    first = page.locator("#one-time-password").inner_text().strip()
    assert len(first) == 14
    shot(page, "04-one-time-password")
    head = User.objects.get(username="truongap.td")
    assert [v.name for v in head.villages.all()] == ["Ấp Tân Đông"]

    # 3. The village head lost the paper: the officer resets the password, sees it once.
    page.goto(f"{base}/accounts/users/")
    shot(page, "05-accounts-list")
    page.click(f"#account-{head.pk} a")
    page.wait_for_url(f"{base}/accounts/users/{head.pk}/")
    shot(page, "05-account")
    page.click("#reset-password")
    page.click("#confirm-reset")
    password = page.locator("#one-time-password").inner_text().strip()
    assert password != first
    page.goto(f"{base}/accounts/users/")
    assert password not in page.content()

    import_the_commune_records(page, base, tmp_path)

    # 4. The village head signs in with it and must choose a password first.
    sign_out(page)
    sign_in(page, base, "truongap.td", first)  # the first one no longer works
    assert page.locator(".errorlist.nonfield").is_visible()
    sign_in(page, base, "truongap.td", password)
    page.wait_for_url(f"{base}/accounts/password/")
    assert page.locator("#must-change").is_visible()
    shot(page, "06-must-change")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", HEAD_PASSWORD)
    page.fill("#id_new_password2", HEAD_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.locator("#accounts-link").count() == 0  # not the village head's page
    head.refresh_from_db()
    assert head.check_password(HEAD_PASSWORD)
    assert head.must_change_password is False
