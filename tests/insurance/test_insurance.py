"""Health insurance: status on dates, coverage arithmetic, cards, reminder planning."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.insurance import selectors, services
from ansinh.insurance.choices import CoverageStatus
from ansinh.insurance.models import Card, Reminder
from ansinh.messaging.models import OutboxMessage
from ansinh.messaging.sms import sms_parts
from ansinh.places.models import Commune
from ansinh.registry import services as registry
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
ON = D(2026, 11, 20)


@pytest.fixture
def family(tan_dong, officer):
    """A household of four with a mobile phone: head, spouse, a pupil, a toddler."""
    return f.household(
        tan_dong,
        f.person("Nguyễn Văn Bình", D(1978, 3, 4), "male", "head"),
        f.person("Lê Thị Hoa", D(1980, 6, 7), "female", "spouse"),
        f.person("Nguyễn Minh Tâm", D(2012, 1, 2), "male", "child", with_cccd=False),
        f.person("Nguyễn Ngọc Hân", D(2023, 5, 5), "female", "child", with_cccd=False),
        actor=officer,
        phone="0912 345 678",
    )


def _members(household):
    return {p.full_name: p for p in household.members.all()}


def _gd(officer, person, start, end, paid=None):
    return services.card_register(
        scope=scope_for(officer),
        person=person,
        group_code="GD",
        valid_from=start,
        valid_to=end,
        social_insurance_number=f"72{person.pk:08d}",
        paid_on=paid,
    )


# --- status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_to", "expected"),
    [
        (None, CoverageStatus.NEVER),
        (D(2026, 11, 19), CoverageStatus.LAPSED),
        (D(2026, 11, 20), CoverageStatus.EXPIRING),  # last valid day
        (D(2026, 12, 20), CoverageStatus.EXPIRING),  # exactly 30 days ahead
        (D(2026, 12, 21), CoverageStatus.COVERED),
    ],
)
def test_status_on_a_date(last_to, expected):
    assert selectors.status_of(last_to, ON, 30) == expected


def test_people_by_status_and_the_free_card_flag(officer, family):
    m = _members(family)
    _gd(officer, m["Nguyễn Văn Bình"], D(2025, 12, 1), D(2026, 11, 30))  # expiring
    _gd(officer, m["Lê Thị Hoa"], D(2025, 1, 1), D(2025, 12, 31))  # covered
    services.card_register(
        scope=scope_for(officer),
        person=m["Nguyễn Ngọc Hân"],
        group_code="TE",
        valid_from=D(2023, 5, 5),
        valid_to=D(2026, 8, 31),
        social_insurance_number="7223050512",
    )  # lapsed: a child under 6 should be covered for free
    scope = scope_for(officer)
    expiring = selectors.people_by_status(scope, ON, CoverageStatus.EXPIRING)
    assert [r.person.full_name for r in expiring] == ["Nguyễn Văn Bình"]
    lapsed = selectors.people_by_status(scope, ON, CoverageStatus.LAPSED)
    assert [(r.person.full_name, r.days_lapsed, r.should_be_free) for r in lapsed] == [
        ("Lê Thị Hoa", 324, False),
        ("Nguyễn Ngọc Hân", 81, True),
    ]
    never = selectors.people_by_status(scope, ON, CoverageStatus.NEVER)
    assert [r.person.full_name for r in never] == ["Nguyễn Minh Tâm"]


def test_coverage_counts_only_people_present_on_the_date(officer, family, dong_hiep):
    m = _members(family)
    for name in ("Nguyễn Văn Bình", "Lê Thị Hoa", "Nguyễn Minh Tâm"):
        _gd(officer, m[name], D(2026, 1, 1), D(2026, 12, 31))
    registry.person_record_death(
        scope=scope_for(officer), person=m["Lê Thị Hoa"], date=D(2026, 10, 1)
    )
    scope = scope_for(officer)
    rows = {r.name: r for r in selectors.coverage_by_village(scope, ON)}
    tan_dong = rows["Ấp Tân Đông"]
    assert (tan_dong.people, tan_dong.covered) == (3, 2)  # she died before the date
    before = {r.name: r for r in selectors.coverage_by_village(scope, D(2026, 9, 1))}
    assert (before["Ấp Tân Đông"].people, before["Ấp Tân Đông"].covered) == (4, 3)
    total = selectors.coverage_by_village(scope, ON)[-1]
    assert total.rate == pytest.approx(2 / 3)


def test_coverage_series_has_one_point_per_month(officer, family):
    m = _members(family)
    _gd(officer, m["Nguyễn Văn Bình"], D(2026, 6, 1), D(2027, 5, 31))
    series = selectors.coverage_series(scope_for(officer), ON, months=6)
    assert [d for d, _ in series] == [
        D(2026, 6, 30),
        D(2026, 7, 31),
        D(2026, 8, 31),
        D(2026, 9, 30),
        D(2026, 10, 31),
        ON,
    ]
    assert all(rate == pytest.approx(0.25) for _, rate in series)


# --- cards -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"social_insurance_number": "12345"},
            "social_insurance_number",
            "Mã số BHXH gồm 10 chữ số",
        ),
        ({"legacy_code": "GD47"}, "legacy_code", "Mã thẻ BHYT gồm 15 ký tự"),
        ({"valid_to": D(2025, 1, 1)}, "valid_to", "không được trước ngày bắt đầu giá trị sử dụng"),
        ({"group_code": "ZZ"}, "group_code", "Vui lòng chọn nhóm đối tượng ghi trên thẻ"),
    ],
)
def test_bad_card_is_refused_with_the_field(officer, family, kwargs, field, message):
    data = {
        "person": _members(family)["Nguyễn Văn Bình"],
        "group_code": "GD",
        "valid_from": D(2026, 1, 1),
        "valid_to": D(2026, 12, 31),
        "social_insurance_number": "7212345678",
        **kwargs,
    }
    with pytest.raises(ValidationError, match=message) as err:
        services.card_register(scope=scope_for(officer), **data)
    assert field in err.value.message_dict


def test_legacy_code_accepted_and_same_period_twice_refused(officer, family):
    head = _members(family)["Nguyễn Văn Bình"]
    card = services.card_register(
        scope=scope_for(officer),
        person=head,
        group_code="GD",
        valid_from=D(2026, 1, 1),
        valid_to=D(2026, 12, 31),
        legacy_code="gd4 72 7212345678",
    )
    assert card.legacy_code == "GD4727212345678"
    assert card.payer == "household"
    with pytest.raises(
        ValidationError, match="Người này đã có thẻ BHYT có giá trị sử dụng từ ngày này"
    ):
        _gd(officer, head, D(2026, 1, 1), D(2026, 6, 30))


def test_only_the_officer_records_cards(head_td, committee, family):
    head = _members(family)["Nguyễn Văn Bình"]
    for user in (head_td, committee):
        with pytest.raises(PermissionDenied, match="không được phép thay đổi dữ liệu BHYT"):
            _gd(user, head, D(2026, 1, 1), D(2026, 12, 31))


# --- reminders -------------------------------------------------------------------------


def _commune():
    return Commune.objects.get(code=f.TAN_DONG)


def test_one_reminder_per_household_and_stage_even_for_several_members(officer, family):
    m = _members(family)
    expiry = ON + dt.timedelta(days=30)
    _gd(officer, m["Nguyễn Văn Bình"], D(2025, 12, 21), expiry)
    _gd(officer, m["Lê Thị Hoa"], D(2025, 12, 21), expiry)
    report = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert report.created == 1
    reminder = Reminder.objects.get()
    assert (reminder.stage.code, reminder.people, reminder.phone) == ("truoc_30", 2, "+84912345678")
    message = OutboxMessage.objects.get(key=reminder.message_key)
    assert message.key == f"bhyt:{family.pk}:{expiry.isoformat()}:truoc_30"
    assert message.to == "+84912345678"
    assert "NGUYEN VAN BINH" in message.sms_text
    assert "2 nguoi" in message.sms_text
    assert sms_parts(message.sms_text) == ("gsm7", 1)
    assert "Nguyễn Văn Bình" in message.zalo_data["text"]  # Zalo keeps diacritics
    # The household pays for two members: 105.300 + 73.710 đ a month, 12 months.
    assert "2.148.120d" in message.sms_text


def test_planning_twice_creates_nothing_new(officer, family):
    head = _members(family)["Nguyễn Văn Bình"]
    _gd(officer, head, D(2025, 12, 21), ON + dt.timedelta(days=30))
    assert services.reminders_plan(scope=f.system(), commune=_commune(), on=ON).created == 1
    again = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert (again.created, again.already_planned) == (0, 1)
    assert OutboxMessage.objects.count() == 1


def test_renewed_cards_and_state_paid_cards_are_not_reminded(officer, family):
    m = _members(family)
    expiry = ON + dt.timedelta(days=30)
    _gd(officer, m["Nguyễn Văn Bình"], D(2025, 12, 21), expiry)
    _gd(officer, m["Nguyễn Văn Bình"], expiry + dt.timedelta(days=1), D(2027, 12, 20), paid=ON)
    services.card_register(
        scope=scope_for(officer),
        person=m["Lê Thị Hoa"],
        group_code="HN",
        valid_from=D(2026, 1, 1),
        valid_to=expiry,
    )
    assert services.reminders_plan(scope=f.system(), commune=_commune(), on=ON).created == 0


def test_after_lapse_stage_and_no_phone(officer, tan_dong, family):
    lonely = f.household(tan_dong, f.person("Trần Văn Út", D(1950, 2, 2)), actor=officer)
    _gd(officer, lonely.members.get(), D(2025, 11, 14), ON - dt.timedelta(days=7))
    _gd(officer, _members(family)["Lê Thị Hoa"], D(2025, 11, 14), ON - dt.timedelta(days=7))
    report = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert report.by_stage == {"sau_7": 1}
    assert report.no_phone == 1
    assert Reminder.objects.get().household == family


def test_sms_template_must_fit_one_message_with_real_names(officer, family):
    stage = services.stages_ensure_defaults(commune=_commune())[0]
    with pytest.raises(ValidationError, match="Vui lòng viết nội dung SMS không dấu") as err:
        services.stage_update(
            scope=scope_for(officer),
            stage=stage,
            sms_template="Thẻ BHYT của {chu_ho} hết hạn {ngay}",
            zalo_template="",
            is_active=True,
        )
    assert "sms_template" in err.value.message_dict
    with pytest.raises(ValidationError, match="một tin SMS chỉ chứa được 160 ký tự"):
        services.stage_update(
            scope=scope_for(officer),
            stage=stage,
            sms_template="{xa}: " + "x" * 150 + " {chu_ho}",
            zalo_template="",
            is_active=True,
        )
    with pytest.raises(ValidationError, match="Mẫu tin có trường không hợp lệ: 'unknown'"):
        services.stage_update(
            scope=scope_for(officer),
            stage=stage,
            sms_template="{unknown}",
            zalo_template="",
            is_active=True,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_plans_create_each_reminder_once(tan_dong, officer):
    for i in range(12):
        h = f.household(
            tan_dong,
            f.person(f"Phạm Văn Số {chr(65 + i)}", D(1970, 1, 1 + i)),
            actor=officer,
            phone=f"09123450{i:02d}",
        )
        _gd(officer, h.members.get(), D(2025, 12, 21), ON + dt.timedelta(days=30))
    errors = []

    def run():
        try:
            services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Reminder.objects.count() == 12
    assert OutboxMessage.objects.count() == 12


# --- pages -----------------------------------------------------------------------------


def test_pages_render_for_the_officer(client, officer, family):
    m = _members(family)
    _gd(officer, m["Nguyễn Văn Bình"], D(2025, 12, 21), ON + dt.timedelta(days=30))
    services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    client.force_login(officer)
    for name, kwargs in [
        ("insurance:coverage", {}),
        ("insurance:people", {}),
        ("insurance:stages", {}),
        ("insurance:campaign", {}),
        ("insurance:household_cards", {"pk": family.pk}),
    ]:
        response = client.get(reverse(name, kwargs=kwargs), {"date": ON.isoformat()})
        assert response.status_code == 200, name
    cards = client.get(reverse("insurance:household_cards", kwargs={"pk": family.pk}))
    html = cards.content.decode()
    assert "105.300 đ" in html  # first member, 4.5% of 2.340.000
    assert "73.710 đ" in html


def test_village_head_sees_only_own_village_cards(client, head_td, hh_dh):
    client.force_login(head_td)
    url = reverse("insurance:household_cards", kwargs={"pk": hh_dh.pk})
    assert client.get(url).status_code == 404


# --- import ----------------------------------------------------------------------------


def _csv(tmp_path, text):
    path = tmp_path / "the-bhyt.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_import_is_all_or_nothing_and_reports_every_bad_row(tmp_path, officer, family):
    from ansinh.insurance.imports import cards_import

    head = _members(family)["Nguyễn Văn Bình"]
    path = _csv(
        tmp_path,
        "CCCD,Group_Code,valid_from,valid_to,paid_on,extra\n"
        f"{head.cccd},GD,01/01/2026,31/12/2026,20/12/2025,x\n"
        "999999999999,GD,2026-01-01,2026-12-31,,\n"
        f"{head.cccd},GD,2027-01-01,not-a-date,,\n",
    )
    report = cards_import(path=path, commune=_commune(), scope=f.system())
    assert [(r, c) for r, c, _ in report.problems] == [(3, "cccd"), (4, "valid_to")]
    assert report.created == 0
    assert not Card.objects.exists()
    skipped = cards_import(path=path, commune=_commune(), scope=f.system(), skip_invalid=True)
    assert skipped.created == 1
    card = Card.objects.get()
    assert (card.valid_from, card.paid_on, card.source) == (
        D(2026, 1, 1),
        D(2025, 12, 20),
        "imported",
    )
    again = cards_import(path=path, commune=_commune(), scope=f.system(), skip_invalid=True)
    assert (again.created, again.already) == (0, 1)


def test_import_finds_people_by_an_earlier_card_number(tmp_path, officer, family):
    from ansinh.insurance.imports import cards_import

    toddler = _members(family)["Nguyễn Ngọc Hân"]  # no CCCD
    services.card_register(
        scope=scope_for(officer),
        person=toddler,
        group_code="TE",
        valid_from=D(2023, 5, 5),
        valid_to=D(2029, 5, 4),
        social_insurance_number="7223050512",
    )
    path = _csv(
        tmp_path,
        "social_insurance_number,group_code,valid_from,valid_to\n"
        "7223050512,TE,2029-05-05,2029-05-05\n",
    )
    report = cards_import(path=path, commune=_commune(), scope=f.system())
    assert (report.created, report.problems) == (1, [])


def test_import_reads_xlsx_with_date_cells(tmp_path, officer, family):
    from openpyxl import Workbook

    from ansinh.insurance.imports import cards_import

    head = _members(family)["Nguyễn Văn Bình"]
    wb = Workbook()
    ws = wb.active
    ws.append(["cccd", "group_code", "valid_from", "valid_to", "paid_on"])
    ws.append([head.cccd, "gd", D(2026, 1, 1), D(2026, 12, 31), D(2025, 12, 28)])
    path = tmp_path / "danh-sach-bhyt.xlsx"
    wb.save(path)
    report = cards_import(path=path, commune=_commune(), scope=f.system())
    assert (report.created, report.problems) == (1, [])
    assert Card.objects.get().group_code == "GD"


def test_officer_uploads_a_card_list(client, officer, family):
    from django.core.files.uploadedfile import SimpleUploadedFile

    head = _members(family)["Nguyễn Văn Bình"]
    bad = SimpleUploadedFile(
        "ds.csv",
        f"cccd,group_code,valid_from,valid_to\n{head.cccd},GD,2026-01-01,2026-12-31\n"
        "000000000000,GD,2026-01-01,2026-12-31\n".encode(),
    )
    client.force_login(officer)
    page = client.post(reverse("insurance:card_import"), {"file": bad})
    assert page.status_code == 200
    assert not Card.objects.exists()  # one bad row: nothing written
    assert "000000000000" not in page.content.decode()  # the row number is shown, not the data
    assert page.context["report"].problems[0][:2] == (3, "cccd")
    wrong = SimpleUploadedFile("ds.pdf", b"%PDF-1.4")
    assert (
        "file"
        in client.post(reverse("insurance:card_import"), {"file": wrong}).context["form"].errors
    )


def test_village_head_cannot_import(client, head_td):
    client.force_login(head_td)
    assert client.get(reverse("insurance:card_import")).status_code == 403
