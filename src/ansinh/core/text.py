"""Vietnamese text helpers: folding for accent-insensitive search and name sorting.

Pure Python (no Django).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NOT_KEY = re.compile(r"[^a-z0-9 ]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII form for search: "Nguyễn Thị Tím" -> "nguyen thi tim".

    Removes every diacritic (đ/Đ becomes d), keeps letters, digits and single spaces.
    """
    if not text:
        return ""
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
