"""Phones: one function (libphonenumber, region VN) parses, checks and formats every phone
typed in a form, read from an import or sent to by messaging."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ansinh.core.forms import PhoneField
from ansinh.core.identifiers import (
    IdentifierError,
    format_phone,
    identifier_text,
    is_mobile,
    mask_identifier,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("0912345678", "+84912345678", "0912 345 678"),
        ("+84 91 234 5678", "+84912345678", "0912 345 678"),
        ("0084 912 345 678", "+84912345678", "0912 345 678"),
        ("0376.123.456", "+84376123456", "0376 123 456"),
        ("0276 3822 123", "+842763822123", "0276 3822 123"),  # Tây Ninh landline
        ("(0276) 3822-123", "+842763822123", "0276 3822 123"),
        ("+84 24 3822 1234", "+842438221234", "024 3822 1234"),  # Hà Nội: a 2-digit code
        ("02838221234", "+842838221234", "028 3822 1234"),  # Thành phố Hồ Chí Minh
    ],
)
def test_phone_stored_in_e164_and_shown_grouped(typed, stored, shown):
    assert normalize_phone(typed) == stored
    assert format_phone(stored) == shown
    assert identifier_text(stored, "phone") == shown


@pytest.mark.parametrize(
    ("typed", "part", "message"),
    [
        ("0276 382 212", "length", "A landline number has 11 digits"),
        ("0276 3822 1234", "length", "A landline number has 11 digits"),
        ("0912 345 67", "length", "A mobile number has 10 digits"),
        ("0012 345 678", "format", "starts with 0 or \\+84"),
        ("+1 650 253 0000", "format", "starts with 0 or \\+84"),
        ("0912 34S 678", "format", "digits only"),
        ("0112 345 678", "prefix", "numbers starting 0112 \\(an unknown network prefix\\)"),
        ("0200 3822 123", "prefix", "area code"),  # no such area code
    ],
)
def test_bad_phone_names_what_is_wrong(typed, part, message):
    with pytest.raises(IdentifierError, match=message) as err:
        normalize_phone(typed)
    assert err.value.part == part


def test_only_mobiles_can_get_an_sms():
    assert is_mobile("+84912345678")
    assert is_mobile("+84862345678")  # Viettel 086
    assert not is_mobile("+842763822123")  # a landline
    assert not is_mobile("0912345678")  # not in stored form
    assert not is_mobile("")


def test_stored_values_of_before_are_unchanged_and_still_shown():
    # values stored before libphonenumber (same E.164 form): no data migration needed
    for stored in ("+84912345678", "+84376123456", "+842763822111"):
        assert normalize_phone(stored) == stored
    assert format_phone("+84123") == "+84123"  # something odd is shown as stored, not lost
    assert format_phone("") == ""
    assert mask_identifier("+842763822123", "phone") == "••••••••123"  # 02763822123


def test_phone_field_cleans_checks_and_shows_grouped():
    field = PhoneField(required=False)
    assert field.clean("0276 3822 123") == "+842763822123"
    assert field.clean("") == ""
    assert field.prepare_value("+84912345678") == "0912 345 678"
    assert field.prepare_value("0912 34") == "0912 34"  # what was typed stays as typed
    with translation.override("vi"), pytest.raises(ValidationError, match="10 chữ số") as err:
        field.clean("0912 345 67")
    assert err.value.messages == [
        translation.gettext("A mobile number has 10 digits (0 and 9 more), e.g. 0912 345 678.")
    ]
    assert "10 chữ số" in err.value.messages[0]


def test_reddi_numbers_in_use_are_mobiles():
    # 055 is Reddi's prefix (a virtual network); libphonenumber knows its block in use, 0559
    assert normalize_phone("0559 123 456") == "+84559123456"
    assert is_mobile("+84559123456")
    assert format_phone("+84559123456") == "0559 123 456"
    assert normalize_phone("0896 123 456") == "+84896123456"  # MobiFone 089, same kind


def test_an_unknown_block_is_refused_naming_its_prefix():
    # 0550-0558 are not known to be in use: refused, and the message names the prefix
    # instead of calling the number invalid
    with pytest.raises(IdentifierError, match=r"numbers starting 0551 \(an unknown") as err:
        normalize_phone("0551 234 567")
    assert err.value.part == "prefix"
    assert str(err.value).startswith("No Vietnamese mobile network is known to use")
    field = PhoneField(required=False)
    with pytest.raises(ValidationError, match="0551") as refused:
        field.clean("0551 234 567")
    assert "%(prefix)s" not in refused.value.messages[0]


def test_numbers_built_directly_read_as_libphonenumber_parses_them() -> None:
    """The shortcut of ``normalize_phone`` (the number built from its digits, not parsed)
    accepts, refuses and formats exactly what parsing the typed text does."""
    import random

    import phonenumbers

    from ansinh.core import identifiers

    def verdict(number: phonenumbers.PhoneNumber | None) -> str | None:
        if number is None or not phonenumbers.is_valid_number_for_region(number, "VN"):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    rng = random.Random(7)
    digits = [str(rng.randint(10**8, 10**10)) for _ in range(3000)]
    digits += [str(rng.randint(1, 10 ** rng.randint(1, 20))) for _ in range(1000)]
    digits += ["912345678", "2763822123", "0912345678", "9" * 20, "1"]
    valid = 0
    for national in digits:
        fast = verdict(identifiers._vietnamese(national))
        assert fast == verdict(identifiers._parse("+84" + national)), national
        valid += fast is not None
    assert valid > 100  # the comparison covered accepted numbers, not only refusals
