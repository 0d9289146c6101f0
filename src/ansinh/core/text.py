"""Vietnamese text helpers: folding for accent-insensitive search and name sorting, and
addresses joined without repeating a place.

Pure Python (no Django).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NOT_KEY = re.compile(r"[^a-z0-9 ]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII form for search: "Nguyễn Thị Tím" -> "nguyen thi tim".

    Removes every diacritic (đ/Đ becomes d), keeps letters, digits and single spaces.
    """
    if not text:
        return ""
    return _fold(text)


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """:func:`fold`, remembered: an import of 100,000 people folds the same names, villages
    and headings hundreds of thousands of times."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    lowered = _NOT_KEY.sub(" ", stripped.lower())
    return _SPACES.sub(" ", lowered).strip()


def normalize_name(text: str) -> str:
    """Tidy a typed name: NFC, single spaces, each word capitalised ("nguyễn  thị tím")."""
    nfc = unicodedata.normalize("NFC", _SPACES.sub(" ", text or "").strip())
    return " ".join(word[:1].upper() + word[1:].lower() for word in nfc.split(" ") if word)


def given_name_key(folded_full_name: str) -> str:
    """Sort/search key with the given name first: "nguyen thi tim" -> "tim nguyen thi".

    Vietnamese lists sort by the given name (the last word), then by the rest.
    """
    words = folded_full_name.split(" ")
    if len(words) < 2:
        return folded_full_name
    return " ".join([words[-1], *words[:-1]])


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix``.

    Folded keys contain only [a-z0-9 ], so appending "~" (0x7E) bounds them in binary
    order. Used to turn a prefix search into an index range scan on every database.
    """
    return prefix + "~"


# --------------------------------------------------------------------------- addresses

#: Words that name a kind of place before its name ("Ấp Cây Cầy", "xã Tân Đông"), folded,
#: longest first.
_PLACE_KINDS = (
    "to dan pho",
    "thanh pho",
    "thi tran",
    "khu pho",
    "dac khu",
    "phuong",
    "thon",
    "buon",
    "khom",
    "tinh",
    "ban",
    "ap",
    "xa",
    "to",
)


@lru_cache(maxsize=4096)
def _place_parts(segment: str) -> tuple[str, str, str]:
    """(folded segment, its kind, its name without the kind): "Ấp Cây Cầy" -> ("ap cay cay",
    "ap", "cay cay"). A name without a letter ("Tổ 4") keeps its kind in the name."""
    folded = fold(segment)
    for kind in _PLACE_KINDS:
        if folded.startswith(kind + " "):
            name = folded[len(kind) + 1 :]
            if any(ch.isalpha() for ch in name):
                return folded, kind, name
            break
    return folded, "", folded


def _repeats(segment: str, kept: list[str]) -> bool:
    """Whether ``segment`` names a place already in one of the ``kept`` segments: the same
    place ("ấp Cây Cầy" and "Ấp Cây Cầy", "Cây Cầy" and "Ấp Cây Cầy"), or a place the kept
    segment ends with ("Số 12 ấp Cây Cầy" already says "Ấp Cây Cầy")."""
    folded, kind, name = _place_parts(segment)
    words = folded.split(" ")
    for other in kept:
        other_folded, other_kind, other_name = _place_parts(other)
        if name == other_name and (kind == other_kind or not kind or not other_kind):
            return True
        other_words = other_folded.split(" ")
        if kind and len(other_words) > len(words) and other_words[-len(words) :] == words:
            return True
    return False


def join_address(*parts: str | None) -> str:
    """An address from its parts, most precise first, each part named once:
    ``join_address("Tổ 4, Ấp Cây Cầy", "Ấp Cây Cầy", "xã Tân Đông")`` is
    "Tổ 4, Ấp Cây Cầy, xã Tân Đông". Parts are split at commas; an empty part, or one that
    repeats a place already written (whatever its case or diacritics), is left out. The
    same hamlet and commune names are both kept ("Ấp Tân Đông, xã Tân Đông")."""
    kept: list[str] = []
    for part in parts:
        for raw in (part or "").split(","):
            segment = _SPACES.sub(" ", raw).strip()
            if fold(segment) and not _repeats(segment, kept):
                kept.append(segment)
    return ", ".join(kept)
