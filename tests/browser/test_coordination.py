"""The coordination board in a real browser: a village head reports a problem with a photo
from a 390 px phone; the officer, on the desktop, assigns it, answers (the comment arrives
without a reload) and takes it to the end."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import photos, services
from ansinh.coordination.models import Item
from tests import factories as f
from tests.browser.conftest import sign_in as _login
from tests.coordination.conftest import GPS_IFD, phone_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def commune(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    td = f.village()
    f.village(name="Ấp Đông Hiệp", code="DH")
    officer = f.user("canbo", f.Role.OFFICER)
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[td])
    return {"td": td, "officer": officer, "head": head}


def test_a_village_head_reports_a_problem_with_a_photo_on_a_phone(
    live_server, browser_page, commune, tmp_path
):
    page, base = browser_page, live_server.url
    shot = tmp_path / "IMG_2041.jpg"
    shot.write_bytes(phone_photo((2400, 1800)).read())
    _login(page, base, "truongap1")
    page.goto(f"{base}/coordination/")
    page.click("#report-link")
    page.wait_for_url(f"{base}/coordination/report/")
    camera = page.locator("#id_photos")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    assert page.locator("input[name=kind][value=problem]").is_checked()
    page.fill("#id_title", "Mái nhà bà Tư bị tốc")
    page.fill("#id_body", "Đêm qua mưa giông, bà sống một mình.")
    page.select_option("#id_topic", "housing")
    camera.set_input_files(str(shot))
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/coordination/items/\d+/"))
    assert re.search("Đã gửi|Sent", page.locator(".messages").inner_text())
    image = page.locator(".photos img").first
    image.wait_for()
    page.wait_for_function("document.querySelector('.photos img').naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    item = Item.objects.get()
    assert (item.village, item.reported_by, item.photo_count) == (
        commune["td"],
        commune["head"],
        1,
    )
    photo = item.photos.get()
    stored = photos.path_of(item.commune_id, photo.stored_name)
    kept = Image.open(io.BytesIO(stored.read_bytes()))
    assert max(kept.size) == 1600
    assert not kept.getexif().get_ifd(GPS_IFD)
    served = page.request.get(f"{base}/coordination/photos/{photo.pk}/")
    assert served.ok
    assert Image.open(io.BytesIO(served.body())).size == kept.size


def test_the_officer_assigns_answers_and_closes_on_the_desktop(live_server, browser_page, commune):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    item = services.item_report(
        scope=scope_for(commune["head"]),
        kind="problem",
        topic="housing",
        title="Cây đổ đè nhà tạm",
        village=commune["td"],
    )
    _login(page, base, "canbo")
    page.goto(f"{base}/coordination/")
    page.click("text=Cây đổ đè nhà tạm")
    page.wait_for_url(f"{base}/coordination/items/{item.pk}/")

    page.locator("#assign").get_by_label(re.compile("Truongap1")).check()
    page.click("#assign button[type=submit]")
    page.wait_for_selector("#assignees:has-text('Truongap1')")

    page.evaluate("window.notReloaded = true")
    page.fill("#id_text", "Đã nhận, @truongap1 huy động dân quân cưa cây giúp.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector(".thread .mention:has-text('@truongap1')")
    assert page.evaluate("window.notReloaded === true")  # htmx: no reload
    assert page.input_value("#id_text") == ""  # a new form for the next comment

    page.click("#steps button[value=acknowledge]")
    page.wait_for_selector("#status", state="attached")
    assert re.search("Đã tiếp nhận|Acknowledged", page.inner_text("#status"))
    page.click("#steps button[value=finish]")  # without the outcome: refused, said why
    assert re.search("Ghi kết quả|Write the outcome", page.inner_text(".messages"))
    page.fill("#id_note", "Đã cưa cây, lợp lại mái tạm; hồ sơ nhà đại đoàn kết đã gửi.")
    page.click("#steps button[value=finish]")
    assert re.search("Đã xử lý xong|Done", page.inner_text("#status"))
    assert "nhà đại đoàn kết" in page.inner_text("#outcome")
    page.click("#steps button[value=close]")
    assert re.search("Đã đóng|Closed", page.inner_text("#status"))
    item.refresh_from_db()
    assert (item.status, item.comment_count) == ("closed", 1)
    assert item.first_response_at is not None
    assert item.resolved_at is not None
