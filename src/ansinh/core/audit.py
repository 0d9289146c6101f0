"""Recording and displaying audit entries.

Services call :func:`record` inside their transaction; pages call :func:`display_changes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from ansinh.core.identifiers import format_phone, mask
from ansinh.core.models import AuditAction, AuditEntry

# Field names whose values are masked whenever the log is shown.
SENSITIVE_FIELDS = frozenset({"cccd", "phone", "bank_account_number", "contact_phone"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by id), ready for JSON."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _jsonable(getattr(instance, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    *,
    actor: Any,
    instance: models.Model,
    action: AuditAction,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
    commune_code: int | None = None,
    household_id: int | None = None,
) -> AuditEntry | None:
    """Write one audit entry; an update that changed nothing writes nothing."""
    changes = diff(before or {}, after or {})
    if action == AuditAction.UPDATE and not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        model_label=instance._meta.label_lower,
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        changes=changes,
        note=note[:300],
        commune_code=commune_code,
        household_id=household_id,
    )


@dataclass(frozen=True)
class DisplayChange:
    field: str
    label: str
    before: str
    after: str


Formatter = Callable[[Any], str]


def _display_value(field: str, value: Any, formatters: Mapping[str, Formatter]) -> str:
    if value is None or value == "":
        return "—"
    if field in formatters and field not in SENSITIVE_FIELDS:
        return formatters[field](value)
    text = str(value)
    if field in SENSITIVE_FIELDS:
        if field in {"phone", "contact_phone"}:
            text = format_phone(text)
        return mask(text.replace(" ", ""))
    return text


def display_changes(
    entry: AuditEntry,
    labels: Mapping[str, str] | None = None,
    formatters: Mapping[str, Formatter] | None = None,
) -> list[DisplayChange]:
    """Readable changes: ``labels`` name the fields, ``formatters`` turn stored values into
    what a person reads (choice labels, dd/mm/yyyy); sensitive numbers are always masked."""
    labels = labels or {}
    formatters = formatters or {}
    out = []
    for field, pair in (entry.changes or {}).items():
        before, after = ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
        out.append(
            DisplayChange(
                field=field,
                label=str(labels.get(field, field)),
                before=_display_value(field, before, formatters),
                after=_display_value(field, after, formatters),
            )
        )
    return out
