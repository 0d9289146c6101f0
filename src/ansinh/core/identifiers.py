"""Vietnamese identifiers: personal ID (CCCD), phone numbers, health-insurance numbers.

Pure Python (no Django). Messages are English msgids marked for translation by the caller
(Django wraps them with gettext); see ``ansinh.core.validators``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import phonenumbers


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue; the caller translates it (Django's
    extractor knows this name). Keeps this module free of Django."""
    return message


# Birth-registration province codes of the personal ID: the 63 provinces before the 2025
# merger (Circular 07/2016/TT-BCA, same numbers as the statistics office codes).
CCCD_PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "TP. Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Century-and-sex digit: (first year of the century, sex).
_CENTURY_SEX: dict[str, tuple[int, str]] = {
    "0": (1900, "male"),
    "1": (1900, "female"),
    "2": (2000, "male"),
    "3": (2000, "female"),
    "4": (2100, "male"),
    "5": (2100, "female"),
    "6": (2200, "male"),
    "7": (2200, "female"),
    "8": (1800, "male"),
    "9": (1800, "female"),
}


@dataclass(frozen=True)
class IdentifierError(ValueError):
    """A refused identifier; ``part`` names which part disagrees, ``message`` is a msgid."""

    part: str
    message: str
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


def cccd_century_sex_digit(birth_year: int, sex: str) -> str:
    """The 4th digit of a personal ID for someone born in ``birth_year`` of ``sex``."""
    for digit, (century, digit_sex) in _CENTURY_SEX.items():
        if century <= birth_year < century + 100 and digit_sex == sex:
            return digit
    raise ValueError(f"no century digit for {birth_year}")


def clean_cccd(value: str) -> str:
    """Strip spaces, dots and dashes that people type inside the 12 digits."""
    return re.sub(r"[\s.\-]", "", value or "")


def validate_cccd(
    value: str, *, date_of_birth: dt.date | None = None, sex: str | None = None
) -> str:
    """Return the cleaned 12-digit personal ID or raise ``IdentifierError``.

    Layout: 3-digit province of birth registration + century/sex digit + 2-digit birth year
    + 6 digits. There is no check digit, so consistency with the person is what we can check.
    """
    cccd = clean_cccd(value)
    if not cccd.isdigit():
        raise IdentifierError("format", gettext_noop("A personal ID number contains digits only."))
    if len(cccd) != 12:
        raise IdentifierError(
            "length",
            gettext_noop("A personal ID number has 12 digits; this one has %(count)s."),
            (("count", str(len(cccd))),),
        )
    province = cccd[:3]
    if province not in CCCD_PROVINCES:
        raise IdentifierError(
            "province",
            gettext_noop("The first three digits (%(code)s) are not a province-of-birth code."),
            (("code", province),),
        )
    century, id_sex = _CENTURY_SEX[cccd[3]]
    year = century + int(cccd[4:6])
    if sex is not None and sex in {"male", "female"} and id_sex != sex:
        raise IdentifierError(
            "sex",
            gettext_noop(
                "The 4th digit (%(digit)s) stands for the century of birth and the sex: "
                "%(id_sex)s, but the person is recorded as %(sex)s."
            ),
            (
                ("digit", cccd[3]),
                ("id_sex", "male" if id_sex == "male" else "female"),
                ("sex", sex),
            ),
        )
    if date_of_birth is not None and year != date_of_birth.year:
        raise IdentifierError(
            "birth_year",
            gettext_noop(
                "Digits 4–6 (%(digits)s) mean birth year %(year)s, but the date of birth is in "
                "%(dob_year)s."
            ),
            (("digits", cccd[3:6]), ("year", str(year)), ("dob_year", str(date_of_birth.year))),
        )
    return cccd


def mask(value: str | None, keep: int = 3) -> str:
    """Mask a sensitive number for display: "079203001234" -> "•••••••••234"."""
    if not value:
        return ""
    if len(value) <= keep:
        return "•" * len(value)
    return "•" * (len(value) - keep) + value[-keep:]


# Phones: parsed, checked and formatted by libphonenumber (``phonenumbers``) for region VN, so
# the network prefixes and area codes follow its metadata, not a copy of them here. Stored in
# E.164 form ("+84912345678", "+842763822123"): what the SMS and Zalo channels send to.
# Its metadata (checked with phonenumbers 9.0.43) knows the blocks in use within a prefix, not
# only the 3-digit prefix: of 055 (Reddi's, a virtual network) only 0559 numbers are
# valid, of MobiFone's 089 only 0896-0899; 0551 234 567 is refused as an unknown prefix and no
# supplement is added here: the block is not known to be in use. If a real 055x number is
# reported, add its block here in one place and remove it once the library knows it.
_PHONE_SIGNS = re.compile(r"[\s.\-()/]")
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def _national_digits(value: str) -> str:
    """The digits after the 0 or +84 of a Vietnamese number as typed, or raise."""
    raw = _PHONE_SIGNS.sub("", value or "")
    if raw.startswith("+84"):
        national = raw[3:]
    elif raw.startswith("0084"):
        national = raw[4:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        national = raw[2:]
    elif raw.startswith("0") and not raw.startswith("00"):
        national = raw[1:]
    else:
        raise IdentifierError(
            "format",
            gettext_noop("A Vietnamese phone number starts with 0 or +84 (e.g. 0912 345 678)."),
        )
    if not national.isdigit():
        raise IdentifierError("format", gettext_noop("A phone number contains digits only."))
    return national


@functools.lru_cache(maxsize=4096)
def _parse(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return None


def _vietnamese(national: str) -> phonenumbers.PhoneNumber | None:
    """The number +84 ``national``. Digits that cannot begin with a national prefix are the
    number itself: built directly, three times faster than parsing its text (an import checks
    tens of thousands of phones, each once)."""
    if not national or national[0] == "0" or len(national) > 17:  # parsed, as typed
        return _parse("+84" + national)
    return phonenumbers.PhoneNumber(country_code=84, national_number=int(national))


def normalize_phone(value: str) -> str:
    """Return the phone in E.164 form ("0912 345 678" -> "+84912345678") or raise.

    Accepts 0xxxxxxxxx, 84xxxxxxxxx, +84xxxxxxxxx, 0084xxxxxxxxx with spaces, dots, dashes or
    brackets; mobiles (10 digits) and landlines (0 + area code + number, 11 digits). The one
    phone check of the forms, the imports, the API and messaging.
    """
    national = _national_digits(value)
    number = _vietnamese(national)
    if number is not None and phonenumbers.is_valid_number_for_region(number, "VN"):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if national.startswith("2"):
        if len(national) != 10:
            raise IdentifierError(
                "length",
                gettext_noop(
                    "A landline number has 11 digits (0, the area code and the number), "
                    "e.g. 0276 3822 123."
                ),
            )
        raise IdentifierError(
            "prefix",
            gettext_noop("This landline number does not start with a Vietnamese area code."),
        )
    if len(national) != 9:
        raise IdentifierError(
            "length",
            gettext_noop("A mobile number has 10 digits (0 and 9 more), e.g. 0912 345 678."),
        )
    raise IdentifierError(
        "prefix",
        gettext_noop(
            "No Vietnamese mobile network is known to use numbers starting %(prefix)s "
            "(an unknown network prefix). Check the number."
        ),
        (("prefix", "0" + national[:3]),),
    )


def is_mobile(phone_e164: str) -> bool:
    """A Vietnamese mobile number (one an SMS can be sent to), in E.164 form."""
    if not phone_e164.startswith("+84"):
        return False
    number = _parse(phone_e164)
    return number is not None and phonenumbers.number_type(number) in _MOBILE_TYPES


def format_phone(phone_e164: str | None) -> str:
    """Display form, grouped as Vietnamese write it: "+84912345678" -> "0912 345 678",
    "+842763822123" -> "0276 3822 123", "+842438221234" -> "024 3822 1234"."""
    if not phone_e164:
        return ""
    if not phone_e164.startswith("+84"):
        return phone_e164
    number = _parse(phone_e164)
    if number is None or not phonenumbers.is_possible_number(number):
        return phone_e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


_BANK_ACCOUNT = re.compile(r"^\d{6,19}$")


def clean_bank_account(value: str) -> str:
    """Vietnamese bank account numbers: 6–19 digits once spaces/dashes are removed."""
    number = re.sub(r"[\s.\-]", "", value or "")
    if not _BANK_ACCOUNT.match(number):
        raise IdentifierError("format", gettext_noop("A bank account number has 6 to 19 digits."))
    return number


_PHONE_FIELDS = frozenset({"phone", "contact_phone"})


def identifier_text(value: str | None, field: str) -> str:
    """A CCCD, phone or bank account number (named by its field) as a person reads it."""
    if not value:
        return ""
    return format_phone(value) if field in _PHONE_FIELDS else str(value)


def mask_identifier(value: str | None, field: str) -> str:
    """The same, masked: "+84912345678" (phone) -> "•••••••678"."""
    return mask(identifier_text(value, field).replace(" ", ""))
