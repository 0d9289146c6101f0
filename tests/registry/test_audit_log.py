"""The audit log page: readable entries, filters (record type, person or household, user,
action, days), paging that keeps the filters, the XLSX export for the auditor, and scopes
(village heads see no log, another commune's entries never appear)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.accounts.scopes import scope_for
from ansinh.core import audit
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import services
from ansinh.registry.models import Household, Person
from ansinh.registry.views.audit import PER_PAGE
from tests import factories as f

pytestmark = pytest.mark.django_db

OTHER_COMMUNE = 26740  # Phường Sài Gòn, Thành phố Hồ Chí Minh
PAGE = "registry:audit_log"
EXPORT = "registry:audit_log_export"


@pytest.fixture
def en(client):
    """Pages in English: the new labels are translated when the lead merges them."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world(officer, tan_dong, dong_hiep):
    """Two households of Tân Đông (one changed by the officer, one by the system), and one
    household of another commune with a marker name."""
    scope = scope_for(officer)
    tim = f.household(
        tan_dong, f.person("Nguyễn Thị Tím", dt.date(1990, 4, 2), "female"), actor=officer
    )
    services.household_update(scope=scope, household=tim, address="Tổ 9, Ấp Tân Đông")
    hung = f.household(dong_hiep, f.person("Lê Văn Hùng", dt.date(1960, 1, 1)))  # the system
    stranger_village = f.village(OTHER_COMMUNE, name="Khu phố Một", code="KP")
    stranger = f.household(stranger_village, f.person("Đỗ Văn Xalạ", dt.date(1970, 1, 1)))
    return {"tim": tim, "hung": hung, "stranger": stranger, "officer": officer}


def text(response: Any) -> str:
    body = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def shown(client: Any, **params: Any) -> list[str]:
    """The records on the page (the "What" column)."""
    response = client.get(reverse(PAGE), params)
    assert response.status_code == 200
    return [row.record for row in response.context["rows"]]


def workbook(response: Any) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


# --- reading -------------------------------------------------------------------------------


def test_the_page_reads_labels_and_values_not_codes(en, world):
    en.force_login(world["officer"])
    page = text(en.get(reverse(PAGE)))
    assert "Address: — → Tổ 9, Ấp Tân Đông" in page
    assert "Date of birth: 02/04/1990" in page
    assert "Sex: Female" in page
    assert "System: tests" in page
    assert "Household · " not in page
    assert not re.search(r"\b(date_of_birth|full_name|female|1990-04-02)\b", page)


def test_the_page_in_vietnamese(client, world):
    client.force_login(world["officer"])
    page = text(client.get(reverse(PAGE)))
    assert "Ngày sinh: 02/04/1990" in page
    assert "Giới tính: Nữ" in page
    assert "Nhật ký thay đổi" in page


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["officer", "auditor"])
def test_another_communes_entries_never_appear(request, en, world, reader):
    en.force_login(request.getfixturevalue(reader))
    page = text(en.get(reverse(PAGE)))
    assert "Nguyễn Thị Tím" in page
    assert "Xalạ" not in page
    export = en.get(reverse(EXPORT))
    cells = " ".join(str(c) for row in workbook(export) for c in row if c)
    assert "Nguyễn Thị Tím" in cells
    assert "Xalạ" not in cells
    # not even by asking for it
    stranger = world["stranger"]
    assert "Xalạ" not in text(en.get(reverse(PAGE), {"q": "Xalạ"}))
    assert shown(en, q=str(stranger.pk)) == []


@pytest.mark.parametrize("role", ["head_td", "committee"])
def test_who_does_not_read_the_log(request, client, world, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403
    assert not AuditEntry.objects.filter(model_label="export").exists()


# --- filters -------------------------------------------------------------------------------


def test_filter_by_record_type_and_action(en, world):
    en.force_login(world["officer"])
    households = shown(en, type="registry.household")
    assert households
    assert set(households) <= {h.code for h in Household.objects.all()}
    assert shown(en, type="registry.household", action="update") == [world["tim"].code]
    people = shown(en, type="registry.person", action="create")
    assert sorted(people) == ["Lê Văn Hùng", "Nguyễn Thị Tím"]


def test_filter_by_person_or_household(en, world):
    en.force_login(world["officer"])
    tim = world["tim"]
    person = Person.objects.get(full_name="Nguyễn Thị Tím")
    by_code = shown(en, q=tim.code)
    assert set(by_code) == {tim.code, "Nguyễn Thị Tím"}
    assert shown(en, q="nguyen thi tim") == ["Nguyễn Thị Tím"]  # without accents
    assert shown(en, q="Tím") == ["Nguyễn Thị Tím"]
    assert "Nguyễn Thị Tím" in shown(en, q=str(person.pk))  # an id (a household's too)
    assert tim.code in shown(en, q=str(tim.pk))
    assert shown(en, q="Không Ai Tên Này") == []


def test_filter_by_user_and_the_system(en, world):
    en.force_login(world["officer"])
    by_system = shown(en, user="system")
    assert by_system
    assert "Lê Văn Hùng" in by_system
    assert "Nguyễn Thị Tím" not in by_system
    by_officer = shown(en, user=str(world["officer"].pk))
    assert "Nguyễn Thị Tím" in by_officer
    assert "Lê Văn Hùng" not in by_officer


def test_filter_by_days_in_vietnams_time(en, world):
    en.force_login(world["officer"])
    old = AuditEntry.objects.get(model_label="registry.person", object_repr="Lê Văn Hùng")
    # 23:30 on 1 March in Vietnam is still 1 March there (16:30 UTC)
    old.at = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)
    old.save(update_fields=["at"])
    assert shown(en, date_from="01/03/2026", date_to="01/03/2026") == ["Lê Văn Hùng"]
    assert shown(en, date_from="2026-03-01", date_to="2026-03-01") == ["Lê Văn Hùng"]
    assert "Lê Văn Hùng" not in shown(en, date_from="02/03/2026")
    assert shown(en, date_to="28/02/2026") == []


def test_a_filter_that_cannot_be_read_is_said_and_the_others_still_apply(en, world):
    en.force_login(world["officer"])
    response = en.get(
        reverse(PAGE),
        {"date_from": "31/02/2026", "type": "registry.household", "q": world["tim"].code},
    )
    assert response.status_code == 200
    page = text(response)
    assert "There is no day 31/02/2026 in the calendar" in page
    # what was typed stays in the form, and the other filters still apply
    assert 'value="31/02/2026"' in response.content.decode()
    assert {row.record for row in response.context["rows"]} == {world["tim"].code}
    reversed_range = en.get(reverse(PAGE), {"date_from": "02/03/2026", "date_to": "01/03/2026"})
    assert "The last day comes before the first day." in text(reversed_range)
    junk = en.get(reverse(PAGE), {"type": "nothing.here", "user": "99999999999999999999"})
    assert junk.status_code == 200
    assert "Select a valid choice" in text(junk)
    assert len(junk.context["rows"]) == AuditEntry.objects.filter(commune_code=f.TAN_DONG).count()


def test_pages_keep_the_filters(en, world, settings):
    en.force_login(world["officer"])
    entry = AuditEntry.objects.filter(model_label="registry.household").first()
    assert entry is not None
    at = timezone.now()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=at - dt.timedelta(seconds=i),
            action=AuditAction.UPDATE,
            model_label="registry.household",
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            changes={"address": [f"Tổ {i}", f"Tổ {i + 1}"]},
            commune_code=f.TAN_DONG,
            household_id=entry.household_id,
        )
        for i in range(PER_PAGE + 5)
    )
    response = en.get(reverse(PAGE), {"type": "registry.household", "action": "update"})
    html = response.content.decode()
    assert "type=registry.household&amp;action=update&amp;page=2" in html
    second = en.get(reverse(PAGE), {"type": "registry.household", "action": "update", "page": 2})
    assert len(second.context["rows"]) == 6  # 55 copies + the real update, 50 a page
    assert "type=registry.household&amp;action=update" in second.content.decode()


# --- export --------------------------------------------------------------------------------


def test_the_auditor_exports_the_filtered_log_and_the_export_is_logged(en, world, auditor):
    en.force_login(auditor)
    response = en.get(reverse(EXPORT), {"type": "registry.person"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = workbook(response)
    assert rows[0] == (
        "Time",
        "By",
        "Kind of change",
        "Record type",
        "Which record",
        "Changes",
        "Note",
    )
    assert {r[4] for r in rows[1:]} == {"Nguyễn Thị Tím", "Lê Văn Hùng"}
    assert {r[3] for r in rows[1:]} == {"Person"}
    tim = next(r for r in rows[1:] if r[4] == "Nguyễn Thị Tím")
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", tim[0])
    assert "Date of birth: 02/04/1990" in tim[5].split("\n")
    person = Person.objects.get(full_name="Nguyễn Thị Tím")
    assert person.cccd not in tim[5]
    logged = AuditEntry.objects.get(model_label="export")
    assert (logged.actor, logged.object_repr, logged.changes) == (
        auditor,
        "registry.audit_log.xlsx",
        {"rows": 2},
    )
    assert logged.note == "audit type=registry.person"
    # the log reads its own export
    log = text(en.get(reverse(PAGE), {"type": "export"}))
    assert "Audit log (Excel)" in log
    assert "Record type: Person" in log


def test_the_export_writes_a_typed_formula_as_text(en, world):
    en.force_login(world["officer"])
    audit.record(
        actor=scope_for(world["officer"]),
        instance=world["tim"],
        action=AuditAction.EVENT,
        note='=HYPERLINK("http://x.example","bấm")',
        commune_code=f.TAN_DONG,
        household_id=world["tim"].pk,
    )
    response = en.get(reverse(EXPORT), {"q": world["tim"].code})
    book = load_workbook(io.BytesIO(response.content))
    notes = [row[6] for row in book.active.iter_rows()]
    cell = next(c for c in notes if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # text, not a formula


def test_the_export_holds_the_newest_entries_up_to_its_limit(en, world, monkeypatch):
    from ansinh.registry import auditlog

    en.force_login(world["officer"])
    monkeypatch.setattr(auditlog, "EXPORT_LIMIT", 2)
    page = text(en.get(reverse(PAGE)))
    assert "The export holds the newest 2; narrow the filters for older ones." in page
    rows = workbook(en.get(reverse(EXPORT)))
    newest = AuditEntry.objects.filter(commune_code=f.TAN_DONG).exclude(model_label="export")
    assert [r[4] for r in rows[1:]] == [e.object_repr for e in newest[:2]]
    assert AuditEntry.objects.get(model_label="export").changes == {"rows": 2}
