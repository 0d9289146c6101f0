"""Outreach to residents in a real browser (issue 14). The officer sends a message to a group
of households: on a 390 px phone to one village, on the desktop (1280 px) to the households
whose BHYT card expires this month; the preview shows the households, the mobiles, the
refusal list, the SMS parts and the cost before anything is sent, and the messages land in the
outbox. The officer prints two leaflets (A5 and A4) and plans a loudspeaker announcement; the
village head marks it broadcast from the phone, and the log shows the time."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.insurance.cards import card_register
from ansinh.messaging import services as messaging
from ansinh.messaging.models import OutboxMessage
from ansinh.outreach.models import Broadcast, GroupMessage, Leaflet
from tests import factories as f
from tests.browser.conftest import flash as _flash
from tests.browser.conftest import sign_in as _login
from tests.browser.conftest import submit as _submit
from tests.outreach.conftest import home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"
#: The SMS An receives (sent without diacritics).
SAMPLE = "Moi ho Nguyen Van An den nha van hoa ap hop dan luc 19 gio."
FIGURES = ("n-households", "n-mobile", "n-refused", "n-send", "n-parts", "cost")


@pytest.fixture
def commune(monkeypatch):
    """Ấp Tân Đông: An and Bình with a mobile (Bình on the refusal list), Cường without a
    phone; ấp Đông Hiệp: Dũng with a mobile. SMS cost 400 đ a part, sent without diacritics."""
    monkeypatch.setenv("ANSINH_SMS_COST_PER_PART", "400")
    monkeypatch.delenv("ANSINH_SMS_KEEP_DIACRITICS", raising=False)
    td = f.village()
    dh = f.village(name="Ấp Đông Hiệp", code="DH")
    officer = f.user("canbo", f.Role.OFFICER)
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[td])
    homes = {
        "an": home(td, officer, "Nguyễn Văn An", "0912345601"),
        "binh": home(td, officer, "Trần Văn Bình", "0912345602"),
        "cuong": home(td, officer, "Lê Văn Cường"),
        "dung": home(dh, officer, "Võ Văn Dũng", "0912345604"),
    }
    messaging.suppression_add(phone="0912345602", scope=scope_for(officer))
    return {"td": td, "dh": dh, "officer": officer, "head": head, **homes}


def _figures(page) -> dict[str, str]:
    return {name: page.inner_text(f"#{name}").strip() for name in FIGURES}


def _fits(page, what: str) -> None:
    page.wait_for_load_state()
    assert page.evaluate(FITS), what


def test_a_message_to_one_village_from_a_phone(live_server, browser_page, commune):
    page, base = browser_page, live_server.url
    _login(page, base, "canbo")
    page.goto(f"{base}/outreach/messages/")
    _fits(page, "messages")
    page.click("#new-message")
    page.wait_for_url(f"{base}/outreach/messages/new/")
    page.select_option("#id_group", "village")
    page.select_option("#id_village", str(commune["td"].pk))
    page.fill("#id_text", "Mời hộ {ho_ten_chu_ho} đến nhà văn hóa ấp họp dân lúc 19 giờ.")
    assert page.locator("#send").count() == 0  # nothing is sent before the preview
    _submit(page, "#message-form button[name=preview]")
    _fits(page, "preview")

    # Three households, two mobiles, one on the refusal list: one SMS of one part, 400 đ.
    assert _figures(page) == {
        "n-households": "3",
        "n-mobile": "2",
        "n-refused": "1",
        "n-send": "1",
        "n-parts": "1",
        "cost": "400 đ",
    }
    assert (
        page.inner_text("#sample") == "Moi ho Nguyen Van An den nha van hoa ap hop dan luc 19 gio."
    )
    assert re.search("diacritics|không dấu|bỏ dấu", page.inner_text("#preview"))
    assert not GroupMessage.objects.exists()
    assert re.search("Gửi 1 tin nhắn|Send 1 message", page.inner_text("#send"))
    page.click("#send")
    page.wait_for_url(f"{base}/outreach/messages/")
    assert re.search(r"(Đã đưa 1 tin nhắn|1 messages queued)", _flash(page))
    assert "họp dân lúc 19 giờ" in page.inner_text("#group-messages")
    _fits(page, "messages after sending")

    sent = GroupMessage.objects.get()
    assert (sent.group, sent.village, sent.households, sent.opted_out, sent.queued) == (
        "village",
        commune["td"],
        3,
        1,
        1,
    )
    assert (sent.parts, sent.cost) == (1, 400)
    row = OutboxMessage.objects.get(topic="outreach")
    assert row.to == "+84912345601"
    assert row.sms_text == SAMPLE

    # The outbox lists it.
    page.click("main a[href='/messaging/outbox/?topic=outreach']")
    page.wait_for_url(f"{base}/messaging/outbox/?topic=outreach")
    assert "Moi ho Nguyen Van An" in page.inner_text("main table")
    _fits(page, "outbox")


def test_a_message_to_the_cards_expiring_this_month_on_the_desktop(
    live_server, browser_page, commune
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    today = timezone.localdate()
    month_end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    scope = scope_for(commune["officer"])
    ends = {"an": month_end, "binh": month_end, "dung": month_end, "cuong": month_end}
    ends["cuong"] = month_end + dt.timedelta(days=90)  # not this month
    for name, valid_to in ends.items():
        card_register(
            scope=scope,
            person=commune[name].members.get(relationship="head"),
            group_code="GD",
            valid_from=today - dt.timedelta(days=300),
            valid_to=valid_to,
        )
    _login(page, base, "canbo")
    page.goto(f"{base}/outreach/messages/new/")
    page.select_option("#id_group", "bhyt_month")
    assert page.input_value("#id_village") == ""  # every village
    page.fill("#id_text", "Thẻ BHYT của hộ {ho_ten_chu_ho} hết hạn trong tháng này.")
    _submit(page, "#message-form button[name=preview]")
    assert _figures(page) == {
        "n-households": "3",
        "n-mobile": "3",
        "n-refused": "1",
        "n-send": "2",
        "n-parts": "2",
        "cost": "800 đ",
    }

    # The text changed after the preview: sending shows the new figures instead.
    longer = (
        "Thẻ BHYT của hộ {ho_ten_chu_ho} hết hạn trong tháng này. Mời ông bà mang CCCD đến "
        "UBND xã {ten_xa} gia hạn trước ngày cuối tháng để không gián đoạn quyền lợi khám bệnh."
    )
    page.fill("#id_text", longer)
    _submit(page, "#send")
    assert re.search("thay đổi sau khi xem trước|changed since the preview", _flash(page))
    assert not GroupMessage.objects.exists()
    assert _figures(page)["n-parts"] == "4"  # over 160 characters: two parts each
    assert _figures(page)["cost"] == "1.600 đ"
    page.click("#send")
    page.wait_for_url(f"{base}/outreach/messages/")
    assert re.search(r"(Đã đưa 2 tin nhắn|2 messages queued)", _flash(page))
    listing = page.inner_text("#group-messages")
    assert re.search("hết hạn trong tháng này|expiring this month", listing)
    assert "1.600 đ" in listing

    rows = OutboxMessage.objects.filter(topic="outreach").order_by("to")
    assert [r.to for r in rows] == ["+84912345601", "+84912345604"]
    assert rows[0].sms_text.startswith("The BHYT cua ho Nguyen Van An het han")
    assert "UBND xa Tan Dong" in rows[1].sms_text
    assert GroupMessage.objects.get().queued == 2
    page.goto(f"{base}/messaging/outbox/?topic=outreach")
    table = page.inner_text("main table")
    assert "Nguyen Van An" in table
    assert "Vo Van Dung" in table
    assert "Tran Van Binh" not in table  # on the refusal list


def _print(page, leaflet: Leaflet, deadline: str = "", place: str = "") -> PdfReader:
    """Press the leaflet's print button (a new tab) and read the PDF it shows."""
    if deadline:
        page.fill(f"#deadline-{leaflet.pk}", deadline)
    if place:
        page.fill(f"#place-{leaflet.pk}", place)
    with page.context.expect_page() as opened:
        page.click(f"#leaflet-{leaflet.pk} button")
    tab = opened.value
    tab.wait_for_url(re.compile(rf"/outreach/leaflets/{leaflet.pk}/pdf/\?"))
    answer = page.request.get(tab.url)
    tab.close()
    assert answer.ok
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    return PdfReader(io.BytesIO(answer.body()))


def _size(reader: PdfReader) -> tuple[int, int]:
    box = reader.pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_leaflets_printed_on_a5_and_a4(live_server, browser_page, commune):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    today = timezone.localdate()
    _login(page, base, "canbo")
    page.goto(f"{base}/outreach/leaflets/")
    _submit(page, "#add-samples")
    assert re.search("(Đã thêm 3 tờ rơi mẫu|3 sample leaflets added)", _flash(page))
    assert page.locator("section.leaflet").count() == 3

    bhyt = Leaflet.objects.get(code="bhyt")
    deadline = today + dt.timedelta(days=20)
    reader = _print(page, bhyt, f"{deadline:%d/%m/%Y}", "Nhà văn hóa ấp Tân Đông")
    assert _size(reader) == (420, 595)  # A5, in points
    text = _text(reader)
    assert "GIA HẠN THẺ BẢO HIỂM Y TẾ" in text  # the title, as a heading
    assert "UBND XÃ TÂN ĐÔNG" in text
    assert f"{deadline:%d/%m/%Y}" in text
    assert "Nhà văn hóa ấp Tân Đông" in text
    assert "{" not in text

    review = Leaflet.objects.get(code="review")
    reader = _print(page, review)
    assert _size(reader) == (595, 842)  # A4
    text = _text(reader)
    assert f"LỊCH RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {today.year}" in text
    assert "Bộ phận Tiếp nhận và Trả kết quả" in text  # the place left empty
    assert "{" not in text

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/outreach/leaflets/")
    _fits(page, "leaflets")
    page.goto(f"{base}/outreach/leaflets/{bhyt.pk}/")
    _fits(page, "leaflet form")


def test_a_loudspeaker_announcement_and_its_broadcast_time(live_server, browser_page, commune):
    page, base = browser_page, live_server.url
    td = commune["td"]
    page.set_viewport_size({"width": 1280, "height": 900})
    planned = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    _login(page, base, "canbo")
    page.goto(f"{base}/outreach/")
    page.click("#new-announcement")
    page.wait_for_url(f"{base}/outreach/announcements/new/")
    page.fill("#id_text", "Tối nay 19 giờ họp dân bình xét hộ nghèo tại nhà văn hóa ấp.")
    page.check(f"#announcement-form input[name=villages][value='{td.pk}']")
    page.fill("#id_planned_date", f"{planned:%d/%m/%Y}")
    page.fill("#id_planned_time", f"{planned:%H}h{planned:%M}")
    page.click("#announcement-form button[type=submit]")
    page.wait_for_url(f"{base}/outreach/")
    assert re.search("(tại 1 ấp|in 1 villages)", _flash(page))
    row = page.locator("#broadcasts tbody tr", has_text="Ấp Tân Đông")
    assert row.count() == 1
    assert f"{planned:%d/%m/%Y %H:%M}" in row.inner_text()
    assert re.search("Chưa phát|Not yet", row.inner_text())
    broadcast = Broadcast.objects.get()
    assert (broadcast.village, broadcast.planned_at) == (td, planned)

    # The village head marks it read, from the phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, base, "truongap1")
    page.goto(f"{base}/outreach/")
    _fits(page, "log on the phone")
    page.click(f"#broadcasts a[href='/outreach/broadcasts/{broadcast.pk}/mark/']")
    page.wait_for_url(f"{base}/outreach/broadcasts/{broadcast.pk}/mark/")
    _fits(page, "mark on the phone")
    read_at = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    page.fill("#id_date", f"{read_at:%d/%m/%Y}")
    page.fill("#id_time", f"{read_at:%H:%M}")
    page.click("#mark-form button[type=submit]")
    page.wait_for_url(f"{base}/outreach/")
    assert re.search(
        "(Đã xác nhận phát thanh tại|Marked as broadcast in) Ấp Tân Đông", _flash(page)
    )
    row = page.locator("#broadcasts tbody tr", has_text="Ấp Tân Đông")
    assert f"✓ {read_at:%d/%m/%Y %H:%M}" in row.inner_text()
    assert "Truongap1" in row.inner_text()
    _fits(page, "log after marking")
    broadcast.refresh_from_db()
    assert (broadcast.broadcast_at, broadcast.marked_by) == (read_at, commune["head"])
