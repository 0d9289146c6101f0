"""The villages of a commune as an officer types or pastes them at set-up.

Pure functions (no database): one name a line, or cells pasted from Excel (tabs), or a list
separated by ``;`` or ``,``; each name trimmed, a leading list number ("1.", "2)") dropped;
names that are the same once folded ("Ấp 1" and "ap 1") kept once; cells that are only a
number (an Excel "STT" column) or a table's heading ("Tên thôn") ignored. The kind (thôn,
ấp, khu phố, tổ dân phố) is read from the name's first words where it says it, and each
village gets a short code for household codes ("Ấp Tân Đông" → ``TD``, "Khu phố 3" → ``KP3``).

Public interface::

    parse_villages(text, default_kind) -> ParsedVillages
    guess_kind(name) -> str | None
    village_code(name, kind, taken) -> str
    MAX_VILLAGES, MAX_NAME
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ansinh.core.text import fold, normalize_name
from ansinh.places.choices import VillageKind

#: The most villages one set-up takes (a commune has a few dozen).
MAX_VILLAGES = 300
#: The longest village name (``Village.name``).
MAX_NAME = 100

_SEPARATORS = re.compile(r"[\r\n\t;,]+")
_LIST_NUMBER = re.compile(r"^\s*(?:\d{1,3}\s*[.)]|[-•*–])\s+")
_ONLY_NUMBER = re.compile(r"^[\d\s.,/-]+$")
_SPACES = re.compile(r"\s+")
# The headings of a pasted table ("STT", "Tên thôn"), folded: left out like the numbers.
_HEADINGS = frozenset(
    {"stt", "tt", "so tt", "ten", "ten thon", "ten ap", "ten thon ap", "thon ap", "ghi chu"}
)

# The first words of a name (folded) that say its kind. Bản, buôn, làng, xóm, bon, plei, sóc
# are the thôn of the mountains and of the Khmer communes: kept as thôn.
_PREFIXES: list[tuple[tuple[str, ...], str]] = [
    (("to", "dan", "pho"), VillageKind.TO_DAN_PHO),
    (("khu", "pho"), VillageKind.KHU_PHO),
    (("tdp",), VillageKind.TO_DAN_PHO),
    (("kp",), VillageKind.KHU_PHO),
    (("to",), VillageKind.TO_DAN_PHO),
    (("ap",), VillageKind.AP),
    (("thon",), VillageKind.THON),
    *[((w,), VillageKind.THON) for w in ("ban", "buon", "lang", "xom", "bon", "plei", "soc")],
]
# The letters put before a code that would start with a digit ("Ấp 1" → A1).
_KIND_LETTERS: dict[str, str] = {
    VillageKind.THON: "T",
    VillageKind.AP: "A",
    VillageKind.KHU_PHO: "KP",
    VillageKind.TO_DAN_PHO: "TDP",
}


@dataclass(frozen=True)
class VillageName:
    name: str
    kind: str


@dataclass
class ParsedVillages:
    """What was typed, as villages: ``names`` in the order typed; ``duplicates`` the names
    dropped because an earlier one is the same once folded; ``ignored`` the cells that are
    only a number or a heading; ``too_long`` the names over :data:`MAX_NAME` characters."""

    names: list[VillageName] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)


def _prefix(words: list[str]) -> tuple[int, str | None]:
    """How many of the folded ``words`` name the kind, and which kind."""
    for prefix, kind in _PREFIXES:
        if tuple(words[: len(prefix)]) == prefix:
            return len(prefix), kind
    return 0, None


def guess_kind(name: str) -> str | None:
    """The kind a name says ("Ấp Tân Đông" → ấp, "TDP 5" → tổ dân phố), or ``None``."""
    return _prefix(fold(name).split())[1]


def tidy(name: str) -> str:
    """A name as stored: NFC, single spaces, a leading list number dropped, a capital first
    letter; a name typed all in lower case gets capitals ("ấp tân đông" → "Ấp Tân Đông",
    "tổ dân phố 5" → "Tổ dân phố 5"), others are kept as typed."""
    text = unicodedata.normalize("NFC", _LIST_NUMBER.sub("", name or ""))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return ""
    if not any(ch.isupper() for ch in text):
        words = normalize_name(text).split(" ")
        skip, _kind = _prefix(fold(text).split())
        # "Tổ dân phố 5", "Khu phố 3": only the first word of the kind takes a capital
        text = " ".join([words[0], *(w.lower() for w in words[1:skip]), *words[max(skip, 1) :]])
    return text[0].upper() + text[1:]


def parse_villages(text: str, default_kind: str = VillageKind.THON) -> ParsedVillages:
    """The villages in ``text`` (see the module's docstring)."""
    out = ParsedVillages()
    seen: set[str] = set()
    for cell in _SEPARATORS.split(text or ""):
        name = tidy(cell)
        if not name:
            continue
        if _ONLY_NUMBER.fullmatch(name) or fold(name) in _HEADINGS:
            out.ignored.append(name)
            continue
        if len(name) > MAX_NAME:
            out.too_long.append(name)
            continue
        key = fold(name)
        if key in seen:
            out.duplicates.append(name)
            continue
        seen.add(key)
        out.names.append(VillageName(name=name, kind=guess_kind(name) or default_kind))
    return out


def village_code(name: str, kind: str, taken: Iterable[str] = ()) -> str:
    """A short code (1–8 capital letters or digits) not in ``taken``: the initials of the
    words after the kind, whole numbers kept ("Ấp Tân Đông" → TD, "Thôn 3" → T3, "Khu phố 12"
    → KP12, "Ấp Bến Cát 2" → BC2), then 2, 3 … added when the code is taken."""
    words = fold(name).upper().split()
    skip, _kind = _prefix([w.lower() for w in words])
    rest = words[skip:] or words
    base = "".join(w if w.isdigit() else w[0] for w in rest if w.isalnum())
    if not base or base[0].isdigit():
        base = _KIND_LETTERS.get(kind, "V") + base
    base = base[:8]
    used = {code.upper() for code in taken}
    if base not in used:
        return base
    for n in range(2, 10**6):
        suffix = str(n)
        candidate = base[: 8 - len(suffix)] + suffix
        if candidate not in used:
            return candidate
    raise ValueError("no free village code")  # pragma: no cover - a million villages
