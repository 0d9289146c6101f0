"""SMS length: GSM-7 (160, then 153 per part) or UCS-2 (70, then 67); Vietnamese without
diacritics."""

from __future__ import annotations

import pytest

from ansinh.messaging.sms import sms_parts, to_gsm_text


def test_vietnamese_loses_its_diacritics_and_fits_gsm7():
    text = "Nhắc gia hạn thẻ BHYT – hộ ông Đặng Văn Ư, hết hạn “31/12/2026”…"
    plain = to_gsm_text(text)
    assert plain == 'Nhac gia han the BHYT - ho ong Dang Van U, het han "31/12/2026"...'
    assert sms_parts(plain) == ("gsm7", 1)
    assert sms_parts(text)[0] == "ucs2"


def test_characters_outside_gsm7_become_question_marks():
    assert to_gsm_text("Phí 50.000đ 😀") == "Phi 50.000d ?"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("gsm7", 1)),
        ("a" * 161, ("gsm7", 2)),
        ("a" * 306, ("gsm7", 2)),
        ("a" * 307, ("gsm7", 3)),
        ("[" * 80, ("gsm7", 1)),  # extension characters count twice
        ("[" * 81, ("gsm7", 2)),
        ("ắ" * 70, ("ucs2", 1)),
        ("ắ" * 71, ("ucs2", 2)),
        ("ắ" * 134, ("ucs2", 2)),
        ("ắ" * 135, ("ucs2", 3)),
        ("a" * 159 + "ắ", ("ucs2", 3)),  # one diacritic turns the whole text into UCS-2
    ],
)
def test_parts(text, expected):
    assert sms_parts(text) == expected
