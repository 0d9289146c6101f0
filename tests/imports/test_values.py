"""Reading cells the way officers type them."""

from __future__ import annotations

import datetime as dt

import pytest

from ansinh.imports import values
from ansinh.imports.kinds import Column, recognise
from ansinh.imports.table import Table, column_letter, find_header
from ansinh.registry.choices import Ethnicity


@pytest.mark.parametrize(
    ("typed", "expected", "year_only"),
    [
        (dt.datetime(1962, 9, 5), dt.date(1962, 9, 5), False),  # noqa: DTZ001 - a cell's value
        (dt.date(1962, 9, 5), dt.date(1962, 9, 5), False),
        ("05/09/1962", dt.date(1962, 9, 5), False),
        ("5/9/1962", dt.date(1962, 9, 5), False),
        ("05-09-1962", dt.date(1962, 9, 5), False),
        ("05.09.1962", dt.date(1962, 9, 5), False),
        ("1962-09-05", dt.date(1962, 9, 5), False),
        (1962, dt.date(1962, 1, 1), True),
        (1962.0, dt.date(1962, 1, 1), True),
        ("1962", dt.date(1962, 1, 1), True),
        ("09/1962", dt.date(1962, 9, 1), True),
        (22894, dt.date(1962, 9, 5), False),  # an Excel serial day number
    ],
)
def test_dates_as_officers_type_them(typed, expected, year_only):
    assert values.date(typed) == (expected, year_only)


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("31/02/1980", "not a date of the calendar"),
        ("hôm qua", "not a date"),
        ("01/01/9999", "outside"),
        (1899, "outside"),
        (123, "not a date"),
        ("", "empty"),
        (12.5, "not a date"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(typed, match):
    with pytest.raises(values.CellError, match=match):
        values.date(typed)


def test_numbers_that_lost_their_leading_zero_get_it_back():
    assert values.digits(79080001234, length=12) == "079080001234"
    assert values.digits(79080001234.0, length=12) == "079080001234"
    assert values.digits("079 080 001 234", length=12) == "079080001234"
    assert values.digits("'079080001234", length=12) == "079080001234"
    assert values.phone(912345678) == "0912345678"
    assert values.phone(912345678.0) == "0912345678"
    assert values.phone("0276 3822 123") == "0276 3822 123"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Nam", "male"), ("nữ", "female"), ("NU", "female"), (" Nữ ", "female"), ("M", "male")],
)
def test_sex(typed, expected):
    assert values.sex(typed) == expected


def test_unknown_sex_is_refused():
    with pytest.raises(values.CellError, match="Nam or Nữ"):
        values.sex("?")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Chủ hộ", "head"),
        ("CHỦ HỘ", "head"),
        ("Vợ", "spouse"),
        ("Chồng", "spouse"),
        ("Con", "child"),
        ("Con trai", "child"),
        ("Con dâu", "child_in_law"),
        ("Cháu nội", "grandchild"),
        ("Mẹ", "parent"),
        ("Em gái", "sibling"),
        ("Con thứ 3", "child"),
    ],
)
def test_relationship_words(typed, expected):
    assert values.relationship(typed) == expected


def test_ethnic_groups_by_name_or_code():
    assert values.ethnicity("Khơ-me", Ethnicity.choices) == "05"
    assert values.ethnicity("Khmer", Ethnicity.choices) == "05"
    assert values.ethnicity("kinh", Ethnicity.choices) == "01"
    assert values.ethnicity("", Ethnicity.choices) == "01"
    assert values.ethnicity(17, Ethnicity.choices) == "17"
    with pytest.raises(values.CellError, match="54 ethnic groups"):
        values.ethnicity("Sao Hỏa", Ethnicity.choices)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (1500000, 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("500.000 đ", 500_000),
        ("750000 VNĐ", 750_000),
    ],
)
def test_amounts_in_dong(typed, expected):
    assert values.amount(typed) == expected


@pytest.mark.parametrize("typed", ["1.5", "-100", "một triệu", 12.5])
def test_bad_amounts(typed):
    with pytest.raises(values.CellError, match="amount"):
        values.amount(typed)


COLUMNS = (
    Column("full_name", "name", ("Họ và tên", "Họ tên"), required=True),
    Column("date_of_birth", "dob", ("Ngày sinh", "Năm sinh")),
    Column("birth_male", "m", ("Năm sinh Nam",)),
    Column("birth_female", "f", ("Năm sinh Nữ",)),
    Column("cccd", "cccd", ("Số CCCD", "Số định danh")),
)


def test_headers_are_recognised_without_diacritics_case_or_suffixes():
    found = recognise(COLUMNS, ["STT", "HO VA TEN", "ngày sinh", "Số định danh cá nhân (12 số)"])
    assert found == {"full_name": 1, "date_of_birth": 2, "cccd": 3}


def test_the_header_is_found_under_title_rows():
    rows = [
        ["UBND XÃ TÂN ĐÔNG", None, None],
        ["DANH SÁCH", None, None],
        [None, None, None],
        ["STT", "Họ và tên", "Ngày sinh"],
        [1, "Nguyễn Văn An", "01/01/1980"],
    ]
    table = Table(rows=rows, numbers=[1, 2, 3, 4, 5])
    find_header(table, lambda r: len(recognise(COLUMNS, [values.text(v) for v in r])))
    assert table.header_row_number == 4
    assert table.data() == [(5, [1, "Nguyễn Văn An", "01/01/1980"])]


def test_a_two_row_header_is_joined():
    rows = [
        ["STT", "Họ và tên", "Năm sinh", None],
        [None, None, "Nam", "Nữ"],
        [1, "Nguyễn Văn An", 1980, None],
    ]
    table = Table(rows=rows, numbers=[1, 2, 3])
    find_header(table, lambda r: len(recognise(COLUMNS, [values.text(v) for v in r])))
    assert table.headers == ["STT", "Họ và tên", "Năm sinh Nam", "Năm sinh Nữ"]
    assert recognise(COLUMNS, table.headers) == {"full_name": 1, "birth_male": 2, "birth_female": 3}


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_a_two_digit_year_is_read_on_vietnams_day():
    """05/09/26 is 2026 once 2026 has begun in Vietnam, 1926 before (not the server's UTC day)."""
    assert values.date("05/09/26", today=dt.date(2026, 1, 1))[0] == dt.date(2026, 9, 5)
    assert values.date("05/09/27", today=dt.date(2026, 1, 1))[0] == dt.date(1927, 9, 5)
