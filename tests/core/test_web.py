"""Bad input gets a clear message, never a crash: bounded parameters, ids, dates, months,
numbers and uploads; long problem lists are capped on the page and downloadable in full."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory
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


# --- running a service from a form or a button -----------------------------------------


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)


MemberFormSet = forms.formset_factory(NameForm, extra=0)


def _request(data=None):
    """A GET, or a POST of ``data``, able to carry messages."""
    factory = RequestFactory()
    request = factory.get("/") if data is None else factory.post("/", data)
    request._messages = CookieStorage(request)
    return request


def _said(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_form_action_runs_the_service_once_the_form_is_valid():
    request = _request({"name": "Ấp Một"})
    form = NameForm(request.POST)
    calls = []
    done = web.form_action(request, form, lambda: calls.append(form.cleaned_data["name"]))
    assert done == web.Done(None)
    assert done  # true even when the service returns nothing
    assert calls == ["Ấp Một"]
    assert web.form_action(request, NameForm(request.POST), lambda: 42) == web.Done(42)


def test_form_action_does_not_run_on_a_get_or_an_invalid_form():
    def run():
        raise AssertionError("the service must not run")

    assert web.form_action(_request(), NameForm(), run) is None
    request = _request({"name": ""})
    form = NameForm(request.POST)
    assert web.form_action(request, form, run) is None
    assert "name" in form.errors


def test_a_field_error_of_the_service_goes_on_its_field():
    request = _request({"name": "Ấp Một"})
    form = NameForm(request.POST)

    def run():
        raise ValidationError({"name": ["Tên thôn đã có."], "code": ["Mã không hợp lệ."]})

    assert web.form_action(request, form, run) is None
    assert form.errors["name"] == ["Tên thôn đã có."]
    assert form.non_field_errors() == ["Mã không hợp lệ."]  # not a field of this form
    assert _said(request) == []  # on the form, not as a message


def test_an_error_without_a_field_goes_above_the_form():
    request = _request({"name": "Ấp Một"})
    form = NameForm(request.POST)

    def run():
        raise ValidationError("Kỳ rà soát đã khoá.")

    assert web.form_action(request, form, run) is None
    assert form.non_field_errors() == ["Kỳ rà soát đã khoá."]
    assert "name" not in form.errors


def test_a_formsets_member_gets_its_own_errors():
    request = _request(
        {
            "name": "Hộ mới",
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "0",
            "members-0-name": "An",
            "members-1-name": "Bình",
        }
    )
    form = NameForm(request.POST)
    members = MemberFormSet(request.POST, prefix="members")

    def run():
        raise ValidationError(
            {
                "members-1-name": ["Trùng CCCD."],
                "members": ["Hộ cần một chủ hộ."],
                "members-9-name": ["Không có thành viên này."],
            }
        )

    assert web.form_action(request, form, run, also=[members]) is None
    assert members.forms[1].errors["name"] == ["Trùng CCCD."]
    assert not members.forms[0].errors
    assert form.non_field_errors() == ["Hộ cần một chủ hộ.", "Không có thành viên này."]


def test_every_form_must_be_valid():
    request = _request({"name": "Hộ mới", "members-TOTAL_FORMS": "x"})
    members = MemberFormSet(request.POST, prefix="members")
    assert web.form_action(request, NameForm(request.POST), lambda: 1, also=[members]) is None


def test_permission_denied_passes_through():
    request = _request({"name": "Ấp Một"})

    def run():
        raise PermissionDenied("Vai trò của bạn không được làm việc này.")

    with pytest.raises(PermissionDenied, match="Vai trò"):
        web.form_action(request, NameForm(request.POST), run)
    with pytest.raises(PermissionDenied, match="Vai trò"):
        web.post_action(request, run)
    assert _said(request) == []


@pytest.mark.django_db
def test_a_refused_service_leaves_nothing_half_written():
    """The service writes, then refuses: its transaction is rolled back before the helper
    reports the refusal, and the page can go on using the database."""
    request = _request({"name": "Ấp Một"})
    form = NameForm(request.POST)

    @transaction.atomic
    def service():
        Group.objects.create(name="viết dở")
        raise ValidationError({"name": ["Không lưu được."]})

    assert web.form_action(request, form, service) is None
    assert form.errors["name"] == ["Không lưu được."]
    assert not Group.objects.filter(name="viết dở").exists()
    assert web.post_action(request, service) is None
    assert not Group.objects.filter(name="viết dở").exists()
    Group.objects.create(name="sau đó")  # the connection is usable (no broken transaction)


def test_post_action_reports_each_refusal_as_an_error_message():
    request = _request({})
    assert web.post_action(request, lambda: "ok") == web.Done("ok")

    def run():
        raise ValidationError(["Chưa duyệt.", "Còn mục chặn."])

    assert web.post_action(request, run) is None
    assert _said(request) == [("error", "Chưa duyệt."), ("error", "Còn mục chặn.")]


# --- pagination ---------------------------------------------------------------------------


def test_page_of_reads_the_page_number_safely(settings):
    settings.ANSINH_PAGE_SIZE = 10
    items = list(range(25))
    factory = RequestFactory()
    assert list(web.page_of(factory.get("/"), items).object_list) == list(range(10))
    assert web.page_of(factory.get("/?page=2"), items).number == 2
    for bad in ("abc", "0", HUGE):
        assert web.page_of(factory.get(f"/?page={bad}"), items).number in (1, 3)
    assert web.page_of(factory.get("/?page=99"), items).number == 3
    assert len(web.page_of(factory.get("/"), items, per_page=20).object_list) == 20


@pytest.mark.django_db
def test_a_capped_count_stops_after_the_cap():
    class Results(list):
        def count_upto(self, limit):
            return min(len(self), limit)

    page = web.page_of(RequestFactory().get("/"), Results(range(50)), per_page=5, cap=20)
    assert page.paginator.count == 21  # "more than 20"
    Group.objects.bulk_create(Group(name=f"g{i}") for i in range(8))
    groups = Group.objects.order_by("id")
    assert web.page_of(RequestFactory().get("/"), groups, per_page=5, cap=3).paginator.count == 4


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
