"""The parameters in force in this installation: the shipped files and environment overlays,
with the approved :class:`~ansinh.policy.models.PolicyValue` entries merged on top.

Registered with the rules engine (``ansinh.rules.parameters.set_provider``) when Django starts,
so every classification, allowance and contribution computed by the application uses them.
The merged set is rebuilt only when the approved entries change (one small query per call
tells); the shipped set is returned before the table exists (during ``migrate``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count, Max

from ansinh.policy.choices import EntryState
from ansinh.policy.models import PolicyValue
from ansinh.rules.parameters import ParameterSet, shipped_parameters

SOURCE = "ansinh database (approved policy values)"

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "set": None, "base": None}
_table_ready = False


def overlay_document(entries: Iterable[PolicyValue]) -> dict[str, Any]:
    """An overlay document (the parsed form of an overlay file) from entries given in order of
    approval: for the same parameter, province and date the later entry wins."""
    latest: dict[tuple[str, int | None, Any], PolicyValue] = {}
    for e in entries:
        latest[(e.name, e.province, e.valid_from)] = e
    parameters: dict[str, dict[str, Any]] = {}
    for (name, province, _start), e in sorted(
        latest.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2])
    ):
        spec = parameters.setdefault(name, {})
        if province is None:
            spec.setdefault("values", []).append(e.overlay_entry())
        else:
            spec.setdefault("provinces", {}).setdefault(province, []).append(e.overlay_entry())
    return {"parameters": parameters}


def approved_entries() -> list[PolicyValue]:
    return list(
        PolicyValue.objects.filter(state=EntryState.APPROVED)
        .defer("text_pdf")
        .order_by("decided_at", "pk")
    )


def merged(base: ParameterSet, entries: Iterable[PolicyValue]) -> ParameterSet:
    """``base`` with ``entries`` merged on top (refuses like a malformed overlay file)."""
    document = overlay_document(entries)
    if not document["parameters"]:
        return base
    return base.with_document(document, SOURCE)


def _ready() -> bool:
    global _table_ready
    if not _table_ready:
        _table_ready = PolicyValue._meta.db_table in connection.introspection.table_names()
    return _table_ready


def parameters_in_force() -> ParameterSet:
    """Shipped + environment overlays + the approved entries (cached by their revision)."""
    base = shipped_parameters()
    if not _ready():
        return base
    revision = PolicyValue.objects.filter(state=EntryState.APPROVED).aggregate(
        n=Count("pk"), last=Max("decided_at"), top=Max("pk")
    )
    key = (id(base), revision["n"], revision["last"], revision["top"])
    with _lock:
        if _cache["key"] == key:
            return _cache["set"]  # type: ignore[no-any-return]
    result = merged(base, approved_entries())
    with _lock:
        _cache.update(key=key, set=result)
    return result


def forget() -> None:
    """Drop the cached set (tests that change the shipped files or the environment)."""
    with _lock:
        _cache.update(key=None, set=None)
