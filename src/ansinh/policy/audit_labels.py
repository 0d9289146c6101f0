"""How the audit log reads a policy value's entries (``core.audit_display``): the parameter by
its Vietnamese label, the value as the policy pages show it, the version without its code."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language

from ansinh.core.audit_vocabulary import describe
from ansinh.policy.templatetags.policy import policy_value
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import shipped_parameters


def param_label(name: Any) -> str:
    """The parameter's label in the reader's language (its code when ansinh has none), from
    the shipped files: no query, whatever the number of entries."""
    try:
        meta = shipped_parameters().parameter(str(name))
    except RulesError:
        return str(name)
    return meta.label_vi if (get_language() or "vi").startswith("vi") else meta.label_en


def _version(value: Any) -> str:
    """``poverty.indicator.floor_area@2027-01-01#fc194d5a`` -> "diện tích nhà ở @ 01/01/2027
    (#fc194d5a)"."""
    name, _at, rest = str(value).partition("@")
    day, _hash, digest = rest.partition("#")
    try:
        day = dt.date.fromisoformat(day).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)
    return f"{param_label(name)} @ {day}" + (f" (#{digest})" if digest else "")


def _named(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    """A policy value's name or a note about it, ``poverty.indicator.floor_area @ 01/01/2027``,
    with the parameter's label instead of its code."""
    return f"{match['before']}{param_label(match['name'])} @ {match['rest']}"


#: "… poverty.indicator.floor_area @ 01/01/2027 …" (the code of a parameter, then its date).
_CODE_AT = r"(?P<before>.*?)(?P<name>[a-z0-9_]+(?:\.[a-z0-9_]+)+) @ (?P<rest>.*)"
describe(
    "policy.policyvalue",
    values={"name": param_label, "version": _version},
    texts={"value": policy_value},
    record_patterns={_CODE_AT: _named},
    notes={_CODE_AT: _named},
)
