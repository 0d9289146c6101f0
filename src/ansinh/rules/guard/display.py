"""Messages made sentences when they are read, in the reader's language.

A finding, and what an event says, is stored as the check's code, a message key and its
parameters, never as a sentence: :func:`render` makes the sentence with the reader's
``translate`` (Django's ``gettext`` in the web app) and number formats. Where only a text column
is at hand (a payroll line's note or recovery), :func:`pack` writes the three in it as one
string and :func:`render_text` renders such a string, or gives any other text back as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ansinh.core.money import format_vnd
from ansinh.rules.guard.schema import EVENT_PARAMS, Rule
from ansinh.rules.guard.table import CHECKS

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: ``person_gone:died {"date":"2026-10-28"}`` (see :func:`pack`).
_PACKED = re.compile(r"(?P<code>[a-z_]{1,20}):(?P<key>[a-z_]{1,40}) (?P<params>\{.*\})", re.DOTALL)


def _month_text(value: str) -> str:
    return f"{value[5:7]}/{value[:4]}"


#: How a parameter is shown: its kind and, for a ``label``, the msgid of each code.
_Shown = tuple[str, Mapping[str, str] | None]
_EVENT_SHOWN: Mapping[str, _Shown] = {name: (kind, None) for name, kind in EVENT_PARAMS.items()}


def _format(how: _Shown | None, value: Any, translate: Callable[[str], str], lang: str) -> str:
    if value is None:
        return ""
    kind, labels = how if how is not None else ("text", None)
    if kind == "money":
        return format_vnd(int(value), lang=lang)
    if kind == "date":
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    if kind == "month":
        return _month_text(value)
    if kind == "months":
        return ", ".join(_month_text(v) for v in value)
    if kind == "decimal":
        return str(value).replace(".", ",") if lang == "vi" else str(value)
    if kind == "label" and labels is not None:
        label = labels.get(value)
        return translate(label) if label else str(value)
    return str(value)


def _message(code: str, key: str) -> tuple[str, Mapping[str, _Shown]] | None:
    """The msgid of message ``key`` of check ``code`` and how its parameters are shown."""
    check = CHECKS.get(code)
    if check is None:
        return None
    if isinstance(check, Rule) and key in check.messages:
        return check.messages[key], {n: (p.kind, p.labels) for n, p in check.params.items()}
    if key in check.event_messages:
        return check.event_messages[key], _EVENT_SHOWN
    return None


def render(
    code: str,
    key: str,
    params: Mapping[str, Any] | str,
    translate: Callable[[str], str] = str,
    lang: str = "vi",
) -> str | None:
    """The message ``key`` of check ``code`` (a finding's or an event's) as a sentence, or None
    when the table no longer has it: ``translate`` (e.g. Django's ``gettext``) gives the msgid
    and the labels in the reader's language, ``lang`` (``vi`` or ``en``) the number formats."""
    found = _message(code, key)
    if found is None:
        return None
    msgid, how = found
    values = json.loads(params) if isinstance(params, str) else dict(params)
    texts = {name: _format(how.get(name), v, translate, lang) for name, v in values.items()}
    texts.update(dict.fromkeys(_placeholders(msgid) - set(texts), ""))
    try:
        return translate(msgid) % texts
    except (KeyError, ValueError, TypeError):  # a translation out of step with its msgid
        return msgid % texts


def _placeholders(message: str) -> set[str]:
    return set(_PLACEHOLDER.findall(message))


def pack(code: str, key: str, params: Mapping[str, Any]) -> str:
    """Message ``key`` of check ``code`` with its parameters as one string for a text column
    (``person_gone:died {"date":"2026-10-28"}``); :func:`render_text` renders it when read."""
    if _message(code, key) is None:
        raise ValueError(f"check {code} has no message {key!r}")
    values = json.dumps(dict(params), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"{code}:{key} {values}"


def unpack(text: str) -> tuple[str, str, dict[str, Any]] | None:
    """``(code, key, params)`` of a string :func:`pack` wrote, or None for any other text
    (an officer's note, a sentence stored before, a message the table no longer has)."""
    match = _PACKED.fullmatch(text)
    if match is None or _message(match["code"], match["key"]) is None:
        return None
    try:
        params = json.loads(match["params"])
    except ValueError:
        return None
    if not isinstance(params, dict):
        return None
    return match["code"], match["key"], params


def render_text(text: str, translate: Callable[[str], str] = str, lang: str = "vi") -> str:
    """What a text column holding either a packed message or plain text shows: the packed
    message as a sentence in the reader's language, anything else as it is."""
    found = unpack(text) if text else None
    if found is None:
        return text
    return render(*found, translate=translate, lang=lang) or text
