"""SMS text: GSM-7 or UCS-2, how many parts, and Vietnamese without diacritics.

Pure Python (no Django). GSM 03.38: 160 characters in one part, 153 per part of a
concatenated message; characters of the extension table (``^{}\\[~]|€``) count twice.
A single character outside GSM-7 (any Vietnamese letter with a diacritic) makes the whole
message UCS-2: 70 characters in one part, 67 per part (UTF-16 code units).
"""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

# Typography that phones and word processors insert, with its plain GSM-7 form.
_PLAIN = {
    "đ": "d",
    "Đ": "D",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\t": " ",
    "\u00b7": ".",
    "\u2022": "-",
    "\u00ab": '"',
    "\u00bb": '"',
}


def to_gsm_text(text: str) -> str:
    """Vietnamese without diacritics ("khong dau"), in the GSM-7 alphabet.

    "Nhắc gia hạn thẻ BHYT – Đợt 1" -> "Nhac gia han the BHYT - Dot 1". Every diacritic goes
    (đ/Đ become d/D), typographic quotes and dashes become plain ones, and any character
    still outside GSM-7 becomes "?" so that the result always fits the 160/153 rule.
    """
    if not text:
        return ""
    if text.isascii() and GSM7.issuperset(text):
        return text  # already plain (the usual case for planned reminders)
    mapped = "".join(_PLAIN.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFD", mapped)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return "".join(ch if ch in GSM7 else "?" for ch in unicodedata.normalize("NFC", stripped))


def is_gsm7(text: str) -> bool:
    return GSM7.issuperset(text)


def sms_length(text: str) -> tuple[str, int]:
    """("gsm7"|"ucs2", length in septets or UTF-16 code units)."""
    if GSM7_BASIC.issuperset(text):
        return "gsm7", len(text)
    if is_gsm7(text):
        return "gsm7", sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    return "ucs2", len(text.encode("utf-16-le")) // 2


def sms_parts(text: str) -> tuple[str, int]:
    """("gsm7"|"ucs2", number of SMS parts). Empty text is one (empty) part."""
    encoding, length = sms_length(text)
    single, multi = (160, 153) if encoding == "gsm7" else (70, 67)
    if length <= single:
        return encoding, 1
    return encoding, math.ceil(length / multi)
