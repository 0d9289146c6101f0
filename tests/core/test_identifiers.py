import datetime as dt

import pytest

from ansinh.core.identifiers import (
    IdentifierError,
    format_phone,
    mask,
    normalize_phone,
    validate_cccd,
)
from ansinh.core.money import format_vnd
from ansinh.core.text import fold, given_name_key

DOB = dt.date(1985, 1, 16)


def test_valid_cccd_is_cleaned():
    assert validate_cccd("072 085 631262", date_of_birth=DOB, sex="male") == "072085631262"


@pytest.mark.parametrize(
    ("value", "sex", "dob", "part", "message"),
    [
        ("07208563126", "male", DOB, "length", "has 12 digits; this one has 11"),
        ("07208563126x", "male", DOB, "format", "contains digits only"),
        # 003 is not a province code
        ("003085631262", "male", DOB, "province", "are not a province-of-birth code"),
        # 1 = woman born in the 1900s
        ("072185631262", "male", DOB, "sex", "the sex: female, but the person is recorded as male"),
        ("072086631262", "male", DOB, "birth_year", "mean birth year 1986"),  # 86 ≠ 1985
        # 2 = man born in the 2000s: 2085
        ("072285631262", "male", DOB, "birth_year", "mean birth year 2085"),
    ],
)
def test_wrong_cccd_says_which_part(value, sex, dob, part, message):
    with pytest.raises(IdentifierError, match=message) as err:
        validate_cccd(value, date_of_birth=dob, sex=sex)
    assert err.value.part == part


def test_cccd_of_a_girl_born_in_2012():
    assert validate_cccd("080312000123", date_of_birth=dt.date(2012, 3, 1), sex="female")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912.345.678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0376-123-456", "+84376123456"),
        ("02763 822 111", "+842763822111"),  # Tây Ninh landline
    ],
)
def test_phone_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("912345678", "A Vietnamese phone number starts with 0 or"),
        ("0912 345 67", "A mobile number has 10 digits"),
        ("0112345678", r"starting 0112 \(an unknown network prefix\)"),
        ("09123456789", "A mobile number has 10 digits"),
        ("abc", "A Vietnamese phone number starts with 0 or"),
    ],
)
def test_bad_phone_refused(raw, message):
    with pytest.raises(IdentifierError, match=message):
        normalize_phone(raw)


def test_phone_display_and_mask():
    assert format_phone("+84912345678") == "0912 345 678"
    assert mask("072085631262") == "•••••••••262"


def test_fold_and_given_key():
    assert fold("Nguyễn Thị Tím") == "nguyen thi tim"
    assert fold("  ĐẶNG   Văn  Đức ") == "dang van duc"
    assert given_name_key("nguyen thi tim") == "tim nguyen thi"


def test_money_format():
    assert format_vnd(1_500_000) == "1.500.000 đ"
    assert format_vnd(-500) == "-500 đ"
    with pytest.raises(TypeError, match="money is integer đồng"):
        format_vnd(1.5)  # type: ignore[arg-type]
