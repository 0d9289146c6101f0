"""Bad input gets a clear message, never a crash: bounded parameters, ids, dates, months,
numbers and uploads; long problem lists are capped on the page and downloadable in full."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import forms as assistance_forms
from ansinh.assistance import payroll as pr
from ansinh.core import web
from ansinh.core.periods import check_month_in_range, latest_month
from ansinh.poverty.forms import MeetingForm, RoundForm
from ansinh.registry.forms import PersonForm
from tests import factories as f
from tests.assistance.conftest import cases, people  # noqa: F401 - fixtures
from tests.poverty.conftest import (  # noqa: F401 - fixtures
    annual_round,
    commune,
    near_poor_dh,
    poor_td,
)

HUGE = "99999999999999999999"  # 20 digits: more than a 64-bit integer holds
TODAY = dt.date(2026, 12, 7)


# --- helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 7 ", 7), ("1", 1), (str(2**63 - 1), 2**63 - 1), (5, 5)],
)
def test_int_param_accepts_ids(value, expected):
    assert web.int_param(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "0", "-1", HUGE, str(2**63), "1e3", "+5", "1_000", "١٢", "abc", "4.5"]
)
def test_int_param_refuses_the_rest(value):
    assert web.int_param(value) is None


def test_int_param_bounds():
    assert web.int_param("30", lo=0, hi=30) == 30
    assert web.int_param("31", lo=0, hi=30) is None
    assert web.int_param("-3", lo=-5, hi=5) == -3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-07", dt.date(2026, 12, 7)),
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("2026-13-01", None),
        ("20261207", None),
        ("", None),
        (None, None),
    ],
)
def test_date_param(value, expected):
    assert web.date_param(value) == expected


def test_datetime_param():
    assert web.datetime_param("2026-12-07T10:00:00Z") == dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
    assert web.datetime_param("0001-01-01T00:00:00") is None
    assert web.datetime_param("nonsense") is None


def test_id_converter():
    converter = web.IdConverter()
    import re

    assert re.fullmatch(converter.regex, "1" * 18)
    assert not re.fullmatch(converter.regex, "1" * 19)
    assert converter.to_python("42") == 42


def test_month_in_range():
    check_month_in_range(dt.date(2000, 1, 1), TODAY)
    check_month_in_range(dt.date(2027, 12, 1), TODAY)
    assert latest_month(TODAY) == dt.date(2027, 12, 1)
    for month in (dt.date(1999, 12, 1), dt.date(2028, 1, 1), dt.date(9999, 12, 1)):
        with pytest.raises(ValueError, match="month"):
            check_month_in_range(month, TODAY)


# --- forms ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_payroll_month_far_ahead_is_refused():
    for month in ("9999-12", "1999-12"):
        form = assistance_forms.GenerateForm({"month": month})
        assert not form.is_valid()
        assert "month" in form.errors
    assert assistance_forms.GenerateForm({"month": "2026-11"}).is_valid()


def test_dates_outside_1900_2100_are_refused():
    data = {"full_name": "Nguyễn Văn An", "sex": "male", "relationship": "head", "ethnicity": "01"}
    for day in ("0001-01-01", "2101-01-01"):
        form = PersonForm({**data, "date_of_birth": day})
        assert not form.is_valid()
        assert "date_of_birth" in form.errors
    assert PersonForm({**data, "date_of_birth": "1980-05-17"}).is_valid()


@pytest.mark.django_db
def test_numbers_have_bounds():
    data = {"person": "1", "scheme": "social_assistance", "applied_on": "2026-11-01"}
    apply = assistance_forms.ApplyForm({**data, "children": "31", "pension": str(10**13)})
    assert not apply.is_valid()
    assert {"children", "pension"} <= set(apply.errors)
    meeting = MeetingForm({"held_on": "2026-11-20", "attendees": "100001"}, entries=[])
    assert not meeting.is_valid()
    assert "attendees" in meeting.errors


def test_round_year_is_last_this_or_next_year():
    year = timezone.localdate().year
    base = {"kind": "annual", "posting_days": "7"}
    assert not RoundForm({**base, "year": str(year + 2)}).is_valid()
    assert not RoundForm({**base, "year": "2022"}).is_valid() or year <= 2023
    assert RoundForm({**base, "year": str(year)}).is_valid()


# --- pages ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/registry/households/?village={HUGE}",
        f"/registry/households/?village={HUGE}&q=nguyen",
        f"/registry/households/export.xlsx?village={HUGE}",
        f"/assistance/?village={HUGE}",
        f"/assistance/cases/new/?person={HUGE}",
        f"/insurance/people/?village={HUGE}",
        "/insurance/?date=0001-01-01",
        "/insurance/reminders/campaign/?date=9999-12-31",
        "/registry/check/?field=cccd&cccd=072190000123&date_of_birth=0001-01-01",
    ],
)
def test_huge_or_absurd_parameters_are_ignored(client, officer, hh_td, url):
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
def test_round_page_with_a_huge_village(client, officer, annual_round):  # noqa: F811
    client.force_login(officer)
    response = client.get(f"/poverty/rounds/{annual_round.pk}/?village={HUGE}")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/registry/households/{HUGE}/",
        f"/registry/persons/{HUGE}/edit/",
        f"/assistance/cases/{HUGE}/",
        f"/assistance/payrolls/{HUGE}/",
        f"/insurance/households/{HUGE}/",
        f"/poverty/rounds/{HUGE}/",
        f"/poverty/households/{HUGE}/",
        f"/places/villages/{HUGE}/edit/",
        f"/messaging/outbox/{HUGE}/",
    ],
)
def test_huge_ids_are_404(client, officer, url):
    with pytest.raises(Resolver404):  # refused by the URL itself, before any view runs
        resolve(url)
    client.force_login(officer)
    assert client.get(url).status_code == 404
    assert resolve(url.replace(HUGE, "1" * 18)).kwargs["pk"] == int("1" * 18)


# --- uploads ----------------------------------------------------------------------------


@pytest.fixture
def approved(cases, officer, committee):  # noqa: F811 - the imported fixture
    payroll = pr.payroll_generate(
        scope=scope_for(officer), commune_code=f.TAN_DONG, month=dt.date(2026, 11, 1)
    )
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    return pr.payroll_approve(scope=scope_for(committee), payroll=payroll)


def _results(client, payroll, name, data):
    url = reverse("assistance:payroll_detail", args=[payroll.pk])
    return client.post(url, {"step": "results", "file": SimpleUploadedFile(name, data)})


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ket-qua.xlsx", b"\x00\x01\x02 not a workbook" * 10),
        ("ket-qua.xlsx", b"PK\x03\x04 truncated zip"),
        ("ket-qua.csv", b'reference,status\n"' + b"x" * (csv.field_size_limit() + 1) + b'",ok\n'),
    ],
)
def test_unreadable_bank_results_are_a_message(client, officer, approved, name, data):
    client.force_login(officer)
    response = _results(client, approved, name, data)
    assert response.status_code == 200
    text = _messages(response)
    assert text
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_too_large_upload_is_refused(client, officer, approved, settings):
    settings.ANSINH_MAX_UPLOAD_MB = 1
    client.force_login(officer)
    data = b"reference,status\n" + b"TC1-1-R2611,ok\n" * 80_000  # ~1.2 MB
    response = _results(client, approved, "ket-qua.csv", data)
    assert response.status_code == 200
    assert "1 MB" in _messages(response)
    assert approved.lines.filter(status="paid").count() == 0
    page = client.post(
        reverse("insurance:card_import"), {"file": SimpleUploadedFile("ds.csv", data)}
    )
    assert "1 MB" in str(page.context["form"].errors["file"])


@pytest.mark.django_db
def test_bank_result_problems_are_capped_with_a_full_download(client, officer, approved):
    client.force_login(officer)
    rows = "".join(f"TC9-9-R{i:04d},ok,1000\n" for i in range(250))
    response = _results(
        client, approved, "ket-qua.csv", f"reference,status,amount\n{rows}".encode()
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="exception"') == web.PROBLEMS_SHOWN
    url = response.context["exceptions_url"]
    assert url in page
    download = client.get(url)
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet.max_row == 251  # heading + every problem
    client.logout()
    client.force_login(f.user("canbo2", f.Role.OFFICER))
    assert client.get(url).status_code == 404  # only in the session that made it


@pytest.mark.django_db
def test_card_import_problems_are_capped_with_a_full_download(client, officer, hh_td):
    client.force_login(officer)
    rows = "".join(f"0000000{i:05d},GD,2026-01-01,2026-12-31\n" for i in range(250))
    upload = SimpleUploadedFile("ds.csv", f"cccd,group_code,valid_from,valid_to\n{rows}".encode())
    page = client.post(reverse("insurance:card_import"), {"file": upload})
    assert page.status_code == 200
    assert len(page.context["problems_shown"]) == web.PROBLEMS_SHOWN
    download = client.get(page.context["problems_url"])
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.content)).active.max_row == 251


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ds.csv", b'cccd,group_code\n"' + b"x" * (csv.field_size_limit() + 1) + b'",GD\n'),
        ("ds.csv", b"cccd,group_code\n1,GD,extra,values\n"),
    ],
)
def test_unreadable_card_lists_are_a_message(client, officer, hh_td, name, data):
    client.force_login(officer)
    page = client.post(reverse("insurance:card_import"), {"file": SimpleUploadedFile(name, data)})
    assert page.status_code == 200
    form, report = page.context["form"], page.context["report"]
    assert form.errors.get("file") or (report and report.problems)


@pytest.mark.django_db
def test_card_dates_outside_1900_2100_are_problems(client, officer, hh_td):
    cccd = hh_td.members.exclude(cccd=None).first().cccd
    client.force_login(officer)
    data = f"cccd,group_code,valid_from,valid_to\n{cccd},GD,0001-01-01,9999-12-31\n".encode()
    page = client.post(
        reverse("insurance:card_import"), {"file": SimpleUploadedFile("d.csv", data)}
    )
    assert page.status_code == 200
    problems = {(row, column) for row, column, _text in page.context["report"].problems}
    assert problems == {(2, "valid_from"), (2, "valid_to")}
