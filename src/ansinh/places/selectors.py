"""Reads of places. Villages are not personal data: every user of a commune may list its
villages; the pages that manage them are the officer's."""

from __future__ import annotations

from django.db.models import QuerySet

from ansinh.core.selectors import get_or_404
from ansinh.core.text import fold
from ansinh.places.models import Commune, Village


def commune_get(code: int) -> Commune:
    return get_or_404(Commune.objects.select_related("province"), code)


def villages_of(commune: Commune) -> QuerySet[Village]:
    return Village.objects.filter(commune=commune).order_by("name")


def village_get(commune: Commune, pk: int) -> Village:
    """A village of ``commune``, or 404 (never another commune's)."""
    return get_or_404(villages_of(commune), pk)


#: Words that name the kind of a commune or province; a search need not type them.
_KIND_WORDS = frozenset({"xa", "phuong", "dac", "khu", "tinh", "thanh", "pho"})
#: The most communes a search lists.
SEARCH_LIMIT = 30


def commune_find(code: int) -> Commune | None:
    """The commune of the official list with this code, with its province, or ``None``."""
    return Commune.objects.select_related("province").filter(code=code).first()


def _phrase_in(typed: list[str], words: list[str], *, last_is_prefix: bool) -> int | None:
    """Where ``typed`` appears as consecutive words of ``words`` (the last typed word may be
    the start of a word), or ``None``."""
    n = len(typed)
    for i in range(len(words) - n + 1):
        window = words[i : i + n]
        if window[:-1] == typed[:-1] and (
            window[-1] == typed[-1] or (last_is_prefix and window[-1].startswith(typed[-1]))
        ):
            return i
    return None


def _match_rank(words: list[str], commune: Commune, *, with_province: bool) -> int | None:
    """How well ``words`` name ``commune``: 0 its exact name, 1 the start of its name, 2 words
    inside its name; ``None`` if they do not. ``with_province``: the last words typed may
    name the province instead ("tan dong tay ninh")."""
    name = [w for w in commune.codename.split("_") if w]
    own = [w for w in name if w not in _KIND_WORDS] or name
    province = [w for w in commune.province.codename.split("_") if w]
    best: int | None = None
    for k in range(len(words), 0, -1):
        head, rest = words[:k], words[k:]
        if rest and not (
            with_province and all(any(p.startswith(w) for p in province) for w in rest)
        ):
            continue
        typed = [w for w in head if w not in _KIND_WORDS] or head
        at = _phrase_in(typed, own, last_is_prefix=not rest)
        if at is None:
            continue
        rank = 0 if typed == own else 1 if at == 0 else 2
        best = rank if best is None else min(best, rank)
    return best


def communes_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Commune]:
    """Communes of the official list matching ``query`` typed with or without diacritics:
    "tan dong" finds Xã Tân Đông (Tây Ninh), Xã Tân Đông (Đồng Tháp) and Phường Tân Đông
    Hiệp. The words typed are words of the commune's name, in order (the last one may be
    cut short); when no name has them all, the last words may name the province ("tan dong
    tay ninh" finds only the first). A 5-digit code finds that commune. Exact names come
    first, then names that start with the words typed, then the others."""
    words = fold(query).split()
    if not words:
        return []
    if len(words) == 1 and words[0].isdigit():
        found = commune_find(int(words[0][:9]))
        return [found] if found is not None else []
    # The database narrows on the first word (a substring of the codename, "tan_dong"),
    # Python keeps the communes whose name has the words in order.
    candidates = list(
        Commune.objects.select_related("province").filter(codename__contains=words[0])
    )
    for with_province in (False, True):  # the words as a name first, then name + province
        ranked: list[tuple[int, str, int, Commune]] = []
        for commune in candidates:
            rank = _match_rank(words, commune, with_province=with_province)
            if rank is not None:
                ranked.append((rank, commune.codename, commune.province_id, commune))
        if ranked:
            ranked.sort(key=lambda r: r[:3])
            return [r[3] for r in ranked[:limit]]
    return []
