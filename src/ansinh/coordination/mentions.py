"""``@username`` in a text: the names written, found the way a person types them ("@canbo,"
"(@truongap1)" "@CanBo."), compared without regard to case as user names are (ADR 0006)."""

from __future__ import annotations

import re

# A user name is letters, digits and @ . + - _ ; an "@" inside a word (an e-mail address) is
# not a mention, and a trailing "." or "-" ends the sentence, not the name.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]{1,150})")


def names_in(text: str) -> list[str]:
    """The user names mentioned in ``text``, lower case, each once, in order."""
    found: dict[str, None] = {}
    for match in _MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-").lower()
        if name:
            found.setdefault(name, None)
    return list(found)


def spans(text: str, known: set[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is a mention of a known user) for display."""
    out: list[tuple[str, bool]] = []
    last = 0
    for match in _MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-")
        if name.lower() not in known:
            continue
        start, end = match.start(), match.start(1) + len(name)
        if start > last:
            out.append((text[last:start], False))
        out.append((text[start:end], True))
        last = end
    if last < len(text or ""):
        out.append((text[last:], False))
    return out
