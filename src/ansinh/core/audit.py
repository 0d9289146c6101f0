"""Recording and displaying audit entries.

Services audit a change with :func:`tracked` (a before/after snapshot of some fields) or
:func:`created`, and a one-off event (a decision, an import, an export) with :func:`record` or
:func:`record_export`, inside their transaction. Pages read entries through
:mod:`ansinh.core.audit_display`; CCCD, phone and bank numbers are masked there with
:func:`masked` and :func:`mask_text`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from ansinh.core import bulk, figures
from ansinh.core.identifiers import mask, mask_identifier
from ansinh.core.models import AuditAction, AuditEntry

# Field names whose values are masked whenever the log is shown, at any depth (a proposal's
# payload, a survey's members). Other text is masked by :func:`mask_text`.
SENSITIVE_FIELDS = frozenset(
    {
        "cccd",
        "phone",
        "contact_phone",
        "bank_account_number",
        "account_number",
        "social_insurance_number",
    }
)

# A run of 9 or more digits (single spaces allowed between them, "+" in front): a CCCD, a
# phone or a bank account number typed into free text. Money is written with dots
# ("1.500.000 ₫") and dates with slashes or dashes, so they are left alone.
_NUMBER_IN_TEXT = re.compile(r"(?<![\d+])\+?\d(?: ?\d){8,}(?!\d)")


@dataclass
class Tracked:
    """What :func:`tracked` writes when its block ends. The block may set ``note``,
    ``commune_code`` or ``household_id`` when they are known only after the change (the
    explanation the rules gave, the household a person moved to); ``entry`` is the entry
    written (None until the block ends, and when nothing changed)."""

    note: str = ""
    commune_code: int | None = None
    household_id: int | None = None
    entry: AuditEntry | None = None


@contextmanager
def tracked(
    actor: Any,
    instance: models.Model,
    fields: Iterable[str],
    *,
    commune_code: int | None = None,
    household_id: int | None = None,
    note: str = "",
) -> Iterator[Tracked]:
    """Audit a change of ``instance``: its ``fields`` are read before the block and after it,
    and one UPDATE entry records what changed (nothing if nothing did)::

        with audit.tracked(scope, payroll, PAYROLL_FIELDS, commune_code=payroll.commune_id):
            payroll.status = PayrollStatus.PREPARED
            payroll.save()

    An instance not yet saved when the block starts gets a CREATE entry with its values once
    the block has saved it (nothing if it did not). Nothing is written if the block raises.
    The block receives a :class:`Tracked` to set what is known only after the change.
    """
    names = list(fields)
    creating = instance._state.adding
    before = None if creating else snapshot(instance, names)
    change = Tracked(note=note, commune_code=commune_code, household_id=household_id)
    yield change
    if creating and instance.pk is None:
        return
    change.entry = record(
        actor=actor,
        instance=instance,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        before=before,
        after=snapshot(instance, names),
        note=change.note,
        commune_code=change.commune_code,
        household_id=change.household_id,
    )


def created(
    actor: Any,
    instance: models.Model,
    fields: Iterable[str],
    *,
    commune_code: int | None = None,
    household_id: int | None = None,
    note: str = "",
) -> AuditEntry | None:
    """Audit a record just created: one CREATE entry with the values of its ``fields``::

        card = Card.objects.create(...)
        audit.created(scope, card, CARD_FIELDS, commune_code=card.commune_id)

    (:func:`tracked` does the same for an instance saved inside its block.)"""
    return record(
        actor=actor,
        instance=instance,
        action=AuditAction.CREATE,
        after=snapshot(instance, fields),
        note=note,
        commune_code=commune_code,
        household_id=household_id,
    )


def created_many(
    actor: Any,
    instances: Iterable[models.Model],
    fields: Iterable[str],
    *,
    commune_code: int | None = None,
    household_id: Callable[[Any], int | None] | None = None,
    note: str = "",
    batch_size: int = 5000,
) -> int:
    """Audit many records just created (an import): one CREATE entry each, as
    :func:`created` writes, inserted in batches. ``household_id`` gives an instance's
    household. Returns how many entries were written."""
    # Written by core.bulk (COPY on PostgreSQL, executemany on SQLite): Django's bulk_create
    # would prepare every field of every entry one by one (most of an import's time). The
    # JSON and the time are prepared by the fields themselves.
    names = list(fields)
    user = actor_user(actor)
    system = actor_system(actor)
    meta = AuditEntry._meta
    columns = (
        "at",
        "actor",
        "system",
        "action",
        "model_label",
        "object_id",
        "object_repr",
        "changes",
        "note",
        "commune_code",
        "household_id",
    )
    if [f.name for f in meta.concrete_fields if f.name in columns] != list(columns):
        raise RuntimeError("AuditEntry's fields changed: update audit.created_many")
    # the JSON text itself: what the field would send on SQLite, and COPY's text on PostgreSQL
    dumps = functools.partial(json.dumps, cls=meta.get_field("changes").encoder)
    at = meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    rows = [
        (
            at,
            getattr(user, "pk", None),
            system,
            AuditAction.CREATE.value,
            instance._meta.label_lower,
            instance.pk,
            str(instance)[:200],
            dumps(_created_changes(instance, names)),
            note[:300],
            commune_code,
            household_id(instance) if household_id else None,
        )
        for instance in instances
    ]
    db_columns = [str(f.column) for f in meta.concrete_fields if f.name in columns]
    for start in range(0, len(rows), batch_size):
        bulk.insert_rows(meta.db_table, db_columns, rows[start : start + batch_size])
    if rows:
        figures.changed(commune_code)
    return len(rows)


def _created_changes(instance: models.Model, fields: list[str]) -> dict[str, list[Any]]:
    """``diff({}, snapshot(instance, fields))``, the fields looked up once per model."""
    changes: dict[str, list[Any]] = {}
    for name, attname in _attnames(type(instance), tuple(fields)):
        value = _jsonable(getattr(instance, attname))
        if value is not None:
            changes[name] = [None, value]
    return changes


@functools.cache
def _attnames(model: type[models.Model], fields: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, getattr(model._meta.get_field(name), "attname", name)) for name in fields)


#: values JSON holds as they are (their subclasses, e.g. a TextChoices member, go the long way)
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    if type(value) in _AS_THEY_ARE:
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):  # exact, as written: "87.5" (JSON has no decimals)
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def actor_user(actor: Any) -> Any:
    """The person behind ``actor``: a user, or a ``Scope`` (its user; None for the system)."""
    user = getattr(actor, "user", actor) if hasattr(actor, "commune_code") else actor
    return user if getattr(user, "pk", None) else None


def actor_system(actor: Any) -> str:
    """The job or command when the system acts (a ``Scope.system(...)``), else ""."""
    return str(getattr(actor, "via", "") or "")[:60] if getattr(actor, "is_system", False) else ""


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
    # Every audited write is a change of the commune's data: its figures are counted again.
    figures.changed(commune_code)
    return AuditEntry.objects.create(
        actor=actor_user(actor),
        system=actor_system(actor),
        action=action,
        model_label=instance._meta.label_lower,
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        changes=changes,
        note=note[:300],
        commune_code=commune_code,
        household_id=household_id,
    )


def _mask_number(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+84"):
        digits = "0" + digits[2:]
    return mask(digits)


def mask_text(text: str | None) -> str:
    """Free text as it may be shown (a note, a record's name): long numbers masked,
    "gọi 0912 345 678" -> "gọi •••••••678"."""
    return _NUMBER_IN_TEXT.sub(lambda m: _mask_number(m.group(0)), text or "")


def _mask_field(field: str, value: Any) -> str:
    return mask_identifier(str(value), field)


def masked(value: Any, field: str | None = None) -> Any:
    """``value`` with every sensitive number masked, at any depth: values under a sensitive
    key (``{"members": [{"cccd": …}]}``) and long numbers inside text."""
    if isinstance(value, Mapping):
        return {k: masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v, field) for v in value]
    if value is None or value == "":
        return value
    if field in SENSITIVE_FIELDS:
        return _mask_field(field, value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def record_export(
    *,
    actor: Any,
    what: str,
    rows: int | None,
    commune_code: int | None,
    household_id: int | None = None,
    object_id: int = 0,
    note: str = "",
) -> AuditEntry:
    """Log a file of personal data handed out (an export, a printed document): who, what,
    when and how many rows. One ``event`` entry with ``model_label`` ``"export"``;
    ``object_id`` is the exported object's id (0 for a list), ``changes`` holds the count."""
    return AuditEntry.objects.create(
        actor=actor_user(actor),
        system=actor_system(actor),
        action=AuditAction.EVENT,
        model_label="export",
        object_id=object_id or 0,
        object_repr=what[:200],
        changes={"rows": rows},
        note=note[:300],
        commune_code=commune_code,
        household_id=household_id,
    )
