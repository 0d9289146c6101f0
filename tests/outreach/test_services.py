"""The outreach services: leaflets, loudspeaker announcements, messages to a group."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from ansinh.core.models import AuditEntry
from ansinh.insurance.cards import card_register
from ansinh.messaging import services as messaging
from ansinh.messaging.models import OutboxMessage
from ansinh.outreach import selectors, services
from ansinh.outreach.models import Broadcast, GroupMessage, Leaflet
from ansinh.poverty.models import PovertyStatusPeriod
from tests.outreach.conftest import scope

pytestmark = pytest.mark.django_db
KEY = "formkey-0001"


# --- leaflets ---------------------------------------------------------------------------------


def test_the_three_shipped_leaflets_are_added_once(officer):
    assert services.leaflets_ensure_defaults(scope=scope(officer)) == 3
    assert services.leaflets_ensure_defaults(scope=scope(officer)) == 0
    codes = set(Leaflet.objects.values_list("code", flat=True))
    assert codes == {"bhyt", "review", "allowance"}


def test_a_village_head_cannot_edit_leaflets(officer, head_td):
    with pytest.raises(PermissionDenied, match=r"(officer|công chức)"):
        services.leaflets_ensure_defaults(scope=scope(head_td))
    with pytest.raises(PermissionDenied, match=r"(officer|công chức)"):
        services.leaflet_save(scope=scope(head_td), title="T", body="B", size="A4")


def test_an_unknown_placeholder_is_refused_and_nothing_saved(officer):
    with pytest.raises(ValidationError, match=r"\{han_chot\}"):
        services.leaflet_save(
            scope=scope(officer), title="Tờ rơi", body="Nộp trước {han_chot}.", size="A5"
        )
    with pytest.raises(ValidationError, match=r"(title|tiêu đề)") as exc:
        services.leaflet_save(scope=scope(officer), title=" ", body="", size="A3")
    assert set(exc.value.message_dict) == {"title", "body", "size"}
    assert not Leaflet.objects.exists()


def test_leaflet_pdf_a5_with_the_review_calendar(officer):
    services.leaflets_ensure_defaults(scope=scope(officer))
    leaflet = Leaflet.objects.get(code="review")
    leaflet = services.leaflet_save(
        scope=scope(officer), leaflet=leaflet, title=leaflet.title, body=leaflet.body, size="A5"
    )
    data = services.leaflet_pdf(
        scope=scope(officer),
        leaflet=leaflet,
        on=dt.date(2026, 8, 20),
        deadline=dt.date(2026, 9, 15),
        place="Nhà văn hóa ấp Tân Đông",
    )
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "01/09/2026" in text
    assert "14/12/2026" in text
    assert "năm 2027" in text
    assert "15/09/2026" in text
    assert "Nhà văn hóa ấp Tân Đông" in text
    assert "{" not in text
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (420, 595)  # A5 in points
    entry = AuditEntry.objects.filter(model_label="export").get()
    assert entry.object_id == leaflet.pk
    assert "Lịch rà soát" in entry.object_repr


def test_printing_needs_the_officer(officer, committee):
    services.leaflets_ensure_defaults(scope=scope(officer))
    leaflet = Leaflet.objects.get(code="bhyt")
    with pytest.raises(PermissionDenied, match=r"(officer|công chức)"):
        services.leaflet_pdf(scope=scope(committee), leaflet=leaflet, on=dt.date(2026, 12, 7))


# --- announcements --------------------------------------------------------------------------


def _plan(officer, villages, **kw):
    kw.setdefault("text", "Mời bà con đến nhà văn hóa ấp lúc 19 giờ họp bình xét hộ nghèo.")
    kw.setdefault("planned_at", timezone.now() - dt.timedelta(hours=1))
    return services.announcement_create(scope=scope(officer), villages=villages, **kw)


def test_an_announcement_is_planned_once_per_village_and_once_per_form(
    officer, tan_dong, dong_hiep
):
    first = _plan(officer, [tan_dong, dong_hiep], key=KEY)
    again = _plan(officer, [tan_dong, dong_hiep], key=KEY)
    assert first.pk == again.pk
    assert Broadcast.objects.filter(announcement=first).count() == 2


def test_an_announcement_needs_text_villages_and_the_officer(officer, head_td, tan_dong):
    with pytest.raises(ValidationError, match=r"(text to read|nội dung)") as exc:
        _plan(officer, [], text=" ")
    assert set(exc.value.message_dict) == {"text", "villages"}
    with pytest.raises(PermissionDenied, match=r"(officer|công chức)"):
        _plan(head_td, [tan_dong])


def test_the_village_head_marks_only_the_own_village(officer, head_td, tan_dong, dong_hiep):
    announcement = _plan(officer, [tan_dong, dong_hiep])
    td = announcement.broadcasts.get(village=tan_dong)
    dh = announcement.broadcasts.get(village=dong_hiep)
    at = timezone.now() - dt.timedelta(minutes=10)
    marked = services.broadcast_mark(scope=scope(head_td), broadcast=td, at=at)
    assert marked.broadcast_at == at
    assert marked.marked_by == head_td
    with pytest.raises(PermissionDenied, match=r"(Your role|Vai trò)"):
        services.broadcast_mark(scope=scope(head_td), broadcast=dh)
    with pytest.raises(ValidationError, match=r"(tương lai|future)"):
        services.broadcast_mark(
            scope=scope(officer), broadcast=dh, at=timezone.now() + dt.timedelta(hours=2)
        )
    dh.refresh_from_db()
    assert dh.broadcast_at is None


def test_the_log_shows_a_village_head_the_own_villages_only(officer, head_td, tan_dong, dong_hiep):
    _plan(officer, [tan_dong, dong_hiep])
    assert selectors.broadcasts_for(scope(officer)).count() == 2
    assert [b.village for b in selectors.broadcasts_for(scope(head_td))] == [tan_dong]
    assert selectors.broadcasts_for(scope(officer), village_id=dong_hiep.pk).count() == 1
    assert not selectors.broadcasts_for(scope(officer), day=dt.date(2020, 1, 1)).exists()


def test_another_commune_cannot_announce_in_this_one(officer_b, tan_dong):
    with pytest.raises(PermissionDenied, match=r"(own commune|xã của mình)"):
        _plan(officer_b, [tan_dong])


# --- messages to a group ----------------------------------------------------------------------


def test_preview_counts_households_mobiles_refusals_parts_and_cost(
    officer, homes, tan_dong, monkeypatch
):
    monkeypatch.delenv("ANSINH_SMS_KEEP_DIACRITICS", raising=False)
    monkeypatch.setenv("ANSINH_SMS_COST_PER_PART", "400")
    messaging.suppression_add(phone="0912345602", scope=scope(officer))
    text = "Kính mời hộ {ho_ten_chu_ho} đến UBND xã {ten_xa} nhận quà Tết."
    p = selectors.preview(scope(officer), "village", tan_dong.pk, text, timezone.localdate())
    assert (p.households, p.with_mobile, p.opted_out, p.to_send) == (3, 2, 1, 1)
    # sent without diacritics: GSM-7, one part
    assert p.encoding == "gsm7"
    assert p.parts == 1
    assert p.cost == 400
    assert p.without_diacritics
    assert p.sample.startswith("Kinh moi ho Nguyen Van An")


def test_diacritics_kept_make_the_sms_ucs2_with_more_parts(officer, homes, tan_dong, monkeypatch):
    monkeypatch.setenv("ANSINH_SMS_KEEP_DIACRITICS", "1")
    text = "Kính mời hộ {ho_ten_chu_ho} đến nhà văn hóa ấp dự họp bình xét hộ nghèo năm nay."
    p = selectors.preview(scope(officer), "village", tan_dong.pk, text, timezone.localdate())
    assert p.to_send == 2
    assert p.encoding == "ucs2"
    assert p.parts_max == 2
    assert p.parts == 4  # > 70 UTF-16 units: 2 parts each
    assert p.cost == 4 * 350
    assert not p.without_diacritics


def test_sending_queues_one_message_per_mobile_not_refused_and_twice_sends_once(
    officer, homes, tan_dong
):
    messaging.suppression_add(phone="0912345602", scope=scope(officer))
    args = {"group": "village", "village": tan_dong, "text": "Hop dan {ho_ten_chu_ho}", "key": KEY}
    sent = services.group_message_send(scope=scope(officer), **args)
    again = services.group_message_send(scope=scope(officer), **args)
    assert sent.pk == again.pk
    assert GroupMessage.objects.count() == 1
    rows = list(OutboxMessage.objects.filter(topic="outreach"))
    assert [r.to for r in rows] == ["+84912345601"]
    assert rows[0].sms_text == "Hop dan Nguyen Van An"
    assert (sent.households, sent.with_mobile, sent.opted_out, sent.queued) == (3, 2, 1, 1)
    assert AuditEntry.objects.filter(model_label="outreach.groupmessage").count() == 1


def test_sending_needs_the_officer_a_key_and_a_reachable_household(
    officer, committee, homes, tan_dong, dong_hiep
):
    args = {"group": "village", "village": tan_dong, "text": "Thong bao", "key": KEY}
    with pytest.raises(PermissionDenied, match=r"(officer|công chức)"):
        services.group_message_send(scope=scope(committee), **args)
    with pytest.raises(ValidationError, match=r"(hết hạn|hết hiệu lực|expired)"):
        services.group_message_send(scope=scope(officer), **{**args, "key": ""})
    with pytest.raises(ValidationError, match=r"(village|ấp)") as exc:
        services.group_message_send(scope=scope(officer), **{**args, "village": None})
    assert "village" in exc.value.message_dict
    messaging.suppression_add(phone="0912345604", scope=scope(officer))
    with pytest.raises(ValidationError, match=r"SMS"):
        services.group_message_send(scope=scope(officer), **{**args, "village": dong_hiep})
    assert not GroupMessage.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_group_of_bhyt_cards_expiring_this_month(officer, homes):
    today = timezone.localdate()
    month_end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    for name, valid_to in (("an", month_end), ("dung", month_end + dt.timedelta(days=90))):
        head = homes[name].members.get(relationship="head")
        card_register(
            scope=scope(officer),
            person=head,
            group_code="GD",
            valid_from=today - dt.timedelta(days=300),
            valid_to=valid_to,
        )
    ids = selectors.group_household_ids(scope(officer), "bhyt_month", None, today)
    assert homes["an"].pk in ids
    assert homes["dung"].pk not in ids


def test_group_of_poor_and_near_poor_households(officer, homes):
    today = timezone.localdate()
    for name, cls in (("an", "poor"), ("binh", "near_poor"), ("cuong", "average")):
        PovertyStatusPeriod.objects.create(
            household=homes[name], poverty_class=cls, valid_from=today - dt.timedelta(days=30)
        )
    ids = selectors.group_household_ids(scope(officer), "poor", None, today)
    assert sorted(ids) == sorted([homes["an"].pk, homes["binh"].pk])


def test_the_demo_slice(officer, head_td, homes):
    from ansinh.demo.outreach import build_outreach
    from ansinh.places.models import Commune

    today = timezone.localdate()
    figures = build_outreach(commune=Commune.objects.get(code=officer.commune_id), as_of=today)
    again = build_outreach(commune=Commune.objects.get(code=officer.commune_id), as_of=today)
    assert figures == {"broadcasts": 5, "messages": 2}
    assert again["messages"] == 2
    assert Leaflet.objects.count() == 3
    assert GroupMessage.objects.count() == 1
    marked = Broadcast.objects.exclude(broadcast_at=None)
    assert marked.count() == 3
    assert set(marked.values_list("marked_by", flat=True)) <= {
        head_td.pk,
        None,
    }
