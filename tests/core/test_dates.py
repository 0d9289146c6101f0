"""Dates typed and shown dd/mm/yyyy whatever the browser's language (issue 15, item 3): a text
input read by the project's DateField (dd/mm/yyyy, and yyyy-mm-dd for links and old bookmarks),
months mm/yyyy; a date that does not exist, a two-digit year or a year 9999 gets a clear
message; no form uses the browser's date picker any more."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

from ansinh.core import web
from ansinh.core.forms import DateField, DateInput, MonthField, MonthInput
from ansinh.core.periods import DateTextError, read_date, read_month
from ansinh.core.templatetags.ansinh import date_input

SRC = Path(__file__).resolve().parents[2] / "src" / "ansinh"
D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/09/1962", D(1962, 9, 5)),
        ("5/9/1962", D(1962, 9, 5)),
        ("05.09.1962", D(1962, 9, 5)),  # a phone's number pad may have no "/"
        ("05-09-1962", D(1962, 9, 5)),
        ("05091962", D(1962, 9, 5)),
        (" 05 / 09 / 1962 ", D(1962, 9, 5)),
        ("1962-09-05", D(1962, 9, 5)),  # links, old bookmarks, scripts
        ("29/02/2024", D(2024, 2, 29)),
        ("31/12/9999", D(9999, 12, 31)),  # read; the field's bounds refuse it
    ],
)
def test_read_date(text, expected):
    assert read_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2026", "calendar"),
        ("29/02/2025", "calendar"),
        ("00/00/0000", "calendar"),
        ("2026-13-01", "calendar"),
        ("05/09/62", "two_digit_year"),
        ("05/09/962", "format"),
        ("05/09/19622", "format"),
        ("09/05", "format"),
        ("2026/12/07", "format"),
        ("٠٥/٠٩/١٩٦٢", "format"),  # digits of another script
        ("ngày 5 tháng 9", "format"),
        ("1" * 100, "format"),
    ],
)
def test_read_date_refuses(text, code):
    with pytest.raises(DateTextError, match=code) as err:
        read_date(text)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/2026", D(2026, 11, 1)),
        ("1/2026", D(2026, 1, 1)),
        ("112026", D(2026, 11, 1)),
        ("11.2026", D(2026, 11, 1)),
        ("2026-11", D(2026, 11, 1)),
        ("2026-11-20", D(2026, 11, 1)),  # a whole date: its month
        ("20/11/2026", D(2026, 11, 1)),
    ],
)
def test_read_month(text, expected):
    assert read_month(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("13/2026", "calendar"), ("0/2026", "calendar"), ("11/26", "two_digit_year"), ("x", "format")],
)
def test_read_month_refuses(text, code):
    with pytest.raises(DateTextError, match=code) as err:
        read_month(text)
    assert err.value.code == code


class DayForm(forms.Form):
    day = DateField(label="Ngày")
    month = MonthField(label="Tháng", required=False)


def _errors(data: dict[str, str], field: str = "day") -> str:
    form = DayForm(data)
    assert not form.is_valid()
    return " ".join(form.errors[field])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_date_field_reads_day_first_in_every_language(lang):
    """An English browser or English mode never turns 05/09/1962 into 9 May."""
    with translation.override(lang):
        form = DayForm({"day": "05/09/1962", "month": "11/2026"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data == {"day": D(1962, 9, 5), "month": D(2026, 11, 1)}
    assert DayForm({"day": "1962-09-05"}).is_valid()


def test_a_day_that_does_not_exist_is_refused_with_a_message():
    with translation.override("vi"):
        message = _errors({"day": "31/02/2026"})
    assert re.search(r"(Không có ngày|There is no day) 31/02/2026", message)


def test_a_two_digit_year_is_refused():
    with translation.override("vi"):
        message = _errors({"day": "05/09/62"})
    assert re.search(r"(bốn chữ số|four digits)", message)
    assert "05/09/1962" in message


@pytest.mark.parametrize("text", ["31/12/9999", "9999-12-31", "01/01/0001", "31/12/1899"])
def test_a_year_outside_1900_2100_is_refused(text):
    with translation.override("vi"):
        message = _errors({"day": text})
    assert re.search(
        r"(Nhập ngày trong khoảng từ|Enter a date between) 01/01/1900 .* 31/12/2100", message
    )


def test_something_else_is_refused_with_the_expected_form():
    with translation.override("vi"):
        message = _errors({"day": "hôm qua"})
    assert re.search(r"dd/mm/yyyy", message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13/2026", r"(Không có tháng|There is no month) 13/2026"),
        ("11/26", r"(bốn chữ số|four digits).*11/2026"),
        ("tháng mười", r"mm/yyyy"),
        ("9999-12", r"(Chọn tháng|Choose a month)"),
        ("12/1999", r"(Chọn tháng|Choose a month)"),
    ],
)
def test_a_month_that_cannot_be_taken_is_refused(text, expected):
    with translation.override("vi"):
        message = _errors({"day": "05/09/1962", "month": text}, "month")
    assert re.search(expected, message), message


def test_what_was_typed_stays_in_the_field():
    """A refused date is shown again as typed, to be corrected."""
    form = DayForm({"day": "31/02/2026"})
    assert not form.is_valid()
    assert 'value="31/02/2026"' in str(form["day"])


def test_the_inputs_are_text_inputs_for_day_first():
    html = str(DayForm(initial={"day": D(1962, 9, 5), "month": D(2026, 11, 1)}))
    day_input = re.search(r"<input[^>]*name=\"day\"[^>]*>", html).group(0)
    assert 'type="text"' in day_input
    assert 'value="05/09/1962"' in day_input
    assert 'inputmode="numeric"' in day_input
    assert 'placeholder="dd/mm/yyyy"' in day_input
    assert "pattern=" in day_input
    month_input = re.search(r"<input[^>]*name=\"month\"[^>]*>", html).group(0)
    assert 'value="11/2026"' in month_input
    assert 'placeholder="mm/yyyy"' in month_input
    assert isinstance(DateField().widget, DateInput)
    assert isinstance(MonthField().widget, MonthInput)


def test_the_input_pattern_takes_what_the_field_reads():
    """The browser lets through what the server reads (the pattern is anchored by the
    browser); checked here with Python's re, whose syntax for it is the same."""
    pattern = re.compile(f"^(?:{DateInput().attrs['pattern']})$".replace("\\/", "/"))
    for text in ("05/09/1962", "5/9/1962", "05.09.1962", "05091962", "1962-09-05"):
        assert pattern.match(text), text
    for text in ("05/09/62", "hôm qua", "1962/09/05"):
        assert not pattern.match(text), text
    month = re.compile(f"^(?:{MonthInput().attrs['pattern']})$".replace("\\/", "/"))
    assert month.match("11/2026")
    assert month.match("2026-11")
    assert not month.match("11/26")


def test_the_date_input_tag_for_a_filter_form():
    html = date_input("date", D(2026, 11, 20), element_id="date")
    assert 'type="text"' in html
    assert 'id="date"' in html
    assert 'value="20/11/2026"' in html
    assert "id=" not in date_input("date_of_birth", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20/11/2026", D(2026, 11, 20)),
        ("2026-11-20", D(2026, 11, 20)),
        ("31/02/2026", None),
        ("20/11/26", None),
        ("31/12/9999", None),
    ],
)
def test_a_date_in_a_link_is_read_both_ways(value, expected):
    assert web.date_param(value) == expected


def test_no_page_uses_the_browsers_date_picker():
    """``<input type="date">`` and ``type="month"`` show and read dates in the browser's
    language: none is left in a template or a form."""
    picker = re.compile(r"""type=["']?(date|month|datetime-local)\b|"type":\s*"(date|month)\"""")
    found = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in {".html", ".py"} or "migrations" in path.parts:
            continue
        text = path.read_text()
        found += [f"{path.relative_to(SRC)}: {m.group(0)}" for m in picker.finditer(text)]
    assert not found, found


def test_every_date_field_of_a_form_is_the_projects():
    """Every form's date field reads dd/mm/yyyy with a text input (Django's own DateField
    would read 05/09/1962 as 9 May in English)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("forms")
    stray, checked = [], 0
    for form in _all_subclasses(forms.BaseForm):
        if not form.__module__.startswith("ansinh."):
            continue
        for name, field in getattr(form, "base_fields", {}).items():
            checked += isinstance(field, forms.DateField)
            if isinstance(field, forms.DateField) and not isinstance(field, DateField | MonthField):
                stray.append(f"{form.__module__}.{form.__name__}.{name}")
            elif isinstance(field, DateField | MonthField) and field.widget.input_type != "text":
                stray.append(f"{form.__module__}.{form.__name__}.{name}: {field.widget.input_type}")
    assert not stray, stray
    assert checked >= 20  # the registry's, poverty's, assistance's, insurance's, policy's …


def _all_subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_all_subclasses(sub)}
    return out


def test_dates_are_shown_day_first_in_english_too():
    from django.template import Context, Template

    template = Template("{{ day }} · {{ moment }}")
    moment = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
    with translation.override("en"):
        assert template.render(Context({"day": D(2026, 11, 28), "moment": moment})) == (
            "28/11/2026 · 28/11/2026 16:30"  # Vietnam's time
        )
