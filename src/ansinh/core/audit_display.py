"""The audit log as people read it: one display layer for every page that shows audit entries
(the audit log, its XLSX export, a household's or a person's history).

An entry stores field names and raw values (``{"status": ["draft", "prepared"]}``, ids,
ISO dates, whole JSON documents). Here each entry is read with the model of its record type
(``model_label``):

* a field is named by its ``verbose_name`` ("Trạng thái"), never ``prepared_by``;
* a value of a field with choices by the label of *that model's* choices (an allowance case's
  ``active`` is "Đang hưởng"; a household's statuses are not used for it);
* dates as dd/mm/yyyy (months as mm/yyyy), times in Vietnam's time, booleans as Có/Không,
  money as ``1.500.000 đ``;
* foreign keys and the user ids of a change by the record's name, read in one query per kind
  of record for the whole page (no query per row), limited to the reader's commune; a record
  of another commune, or of a kind without a registered name, reads "#id";
* a JSON document (a survey's answers) as the list of what changed inside it, each part named;
* CCCD, phone and bank numbers masked at any depth (``core.audit``).

Old entries read the same: nothing of this is stored, it is all decided when an entry is
shown. What a model's fields cannot say, apps say in ``audit_labels`` modules
(:mod:`ansinh.core.audit_vocabulary`).

Public interface::

    entries_display(entries, *, commune_code) -> list[EntryView]
    EntryView(entry, at, by, action, record_type, record, note, changes)
    ChangeLine(label, before, after, shows_before).text
    NESTED_LINES
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.core.audit import SENSITIVE_FIELDS, mask_text
from ansinh.core.audit_vocabulary import (
    DASH,
    EVERY,
    FIELD_LABEL,
    Formatter,
    NoteFormatter,
    choice,
    field_of,
    model_of,
    names_of,
    plain,
    record_type_label,
    vocabulary,
)
from ansinh.core.identifiers import mask_identifier
from ansinh.core.models import AuditAction, AuditEntry

#: Lines shown for one JSON field's changes; the rest is counted ("… and 12 more").
NESTED_LINES = 30
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class ChangeLine:
    """One change as read: "Trạng thái: Chờ duyệt → Đã duyệt" (``before`` shown when
    ``shows_before``: an update, or a deletion's old values)."""

    label: str
    before: str
    after: str
    shows_before: bool

    @property
    def text(self) -> str:
        if self.shows_before:
            return f"{self.label}: {self.before} → {self.after}"
        return f"{self.label}: {self.after}"


@dataclass(frozen=True)
class EntryView:
    """An audit entry as read on a page or in the export."""

    entry: AuditEntry
    at: str
    by: str
    action: str
    record_type: str
    record: str
    note: str
    changes: list[ChangeLine]


# --------------------------------------------------------------------------- names of records


class _Lookup:
    """The names of the records that changes refer to. Run once collecting the ids the page
    needs (``collecting``), then :meth:`load` reads them, one query per model label."""

    def __init__(self, commune_code: int | None) -> None:
        self.commune_code = commune_code
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.names: dict[tuple[str, int], str] = {}
        self.collecting = True

    def name(self, model_label: str, value: Any) -> str:
        pk = _as_id(value)
        if pk is None:
            return plain(value)
        if self.collecting:
            if names_of(model_label) is not None:
                self.wanted[model_label].add(pk)
            return ""
        return self.names.get((model_label, pk)) or f"#{pk}"

    def load(self) -> None:
        self.collecting = False
        for model_label, ids in self.wanted.items():
            spec, model = names_of(model_label), model_of(model_label)
            if spec is None or model is None:
                continue
            if spec.commune is not None and self.commune_code is None:
                continue  # a reader of no commune: no one's records are named
            qs = model._default_manager.filter(pk__in=ids)
            if spec.commune is not None:
                qs = qs.filter(**{spec.commune: self.commune_code})
            for row in qs.values_list("pk", *spec.attrs):
                text = next((str(v) for v in row[1:] if v not in (None, "")), "")
                if text:
                    self.names[(model_label, row[0])] = mask_text(text)


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


class _Reader:
    """Reads the changes of the entries of one record type."""

    def __init__(self, model_label: str, lookup: _Lookup) -> None:
        self.model = model_of(model_label)
        self.own = vocabulary(model_label)
        self.every = vocabulary(EVERY)
        self.lookup = lookup
        self._formatters: dict[str, Formatter | None] = {}
        self._labels: dict[str, str] = {}
        self._scalars: dict[tuple[Any, ...], str] = {}

    def label(self, key: str) -> str:
        if key not in self._labels:
            self._labels[key] = str(capfirst(self._label(key)))
        return self._labels[key]

    def _label(self, key: str) -> str:
        own = self.own.labels.get(key)
        if own is not None:
            return str(own)
        found = field_of(self.model, key)
        if found is not None and isinstance(found.verbose_name, Promise):
            return str(found.verbose_name)
        common = self.every.labels.get(key)
        if common is not None:
            return str(common)
        if found is not None and found.related_model is not None:
            return str(found.related_model._meta.verbose_name)
        return key

    def ref(self, key: str) -> str | None:
        """The model label whose ids the values under ``key`` are (a foreign key or a ref)."""
        found = field_of(self.model, key)
        if found is not None and found.many_to_one and found.related_model is not None:
            return str(found.related_model._meta.label_lower)
        return self.own.refs.get(key) or self.every.refs.get(key)

    def formatter(self, key: str) -> Formatter | None:
        """How a value under ``key`` reads: what the app said, the field's choices, or what
        is said for every record type (found once per key)."""
        if key not in self._formatters:
            found = field_of(self.model, key)
            choices = choice(found.flatchoices) if found is not None and found.choices else None
            self._formatters[key] = (
                self.own.values.get(key) or choices or self.every.values.get(key)
            )
        return self._formatters[key]

    def text(self, key: str) -> Formatter | None:
        return self.own.texts.get(key) or self.every.texts.get(key)

    def scalar(self, value: Any, keys: Sequence[str], sensitive: bool) -> str:
        """A scalar under ``keys`` (the nearest first: the leaf, its parents, the field);
        read once per value and keys while names are looked up (then again, with them)."""
        memo = (type(value), value, sensitive, self.lookup.collecting, *keys)
        if memo not in self._scalars:
            self._scalars[memo] = self._scalar(value, keys, sensitive)
        return self._scalars[memo]

    def _scalar(self, value: Any, keys: Sequence[str], sensitive: bool) -> str:
        if value is None or value == "":
            return DASH
        if sensitive and not isinstance(value, bool):
            return mask_identifier(str(value), next(k for k in keys if k in SENSITIVE_FIELDS))
        for key in keys:
            fmt = self.formatter(key)
            if fmt is FIELD_LABEL:
                return self.label(str(value))
            if fmt is not None:
                return mask_text(fmt(value)) or DASH
            target = self.ref(key)
            if target is not None:
                return self.lookup.name(target, value)
        return plain(value, keys[0] if keys else "")

    def value(self, value: Any, keys: Sequence[str], sensitive: bool = False) -> str:
        """A whole value: a list item by item, a formatter of whole values, else a scalar."""
        sensitive = sensitive or any(k in SENSITIVE_FIELDS for k in keys)
        if keys and (whole := self.text(keys[0])) is not None and not sensitive:
            return mask_text(whole(value)) or DASH
        if isinstance(value, list | tuple):
            items = [self.value(v, keys, sensitive) for v in value]
            return ", ".join(items) if items else DASH
        if isinstance(value, Mapping):
            parts = [
                f"{self.key_label(k, keys)}: {self.value(v, [str(k), *keys], sensitive)}"
                for k, v in value.items()
            ]
            return "; ".join(parts) if parts else DASH
        return self.scalar(value, keys, sensitive)

    def key_label(self, key: Any, parents: Sequence[str]) -> str:
        """A key inside a JSON value: its label, else the record it names (a person's id
        among the members), else the key; "10787.sex" part by part."""
        text = str(key)
        if "." in text:
            return " · ".join(self.key_label(part, parents) for part in text.split("."))
        own = self.own.labels.get(text) or self.every.labels.get(text)
        if own is not None:
            return str(capfirst(own))
        if text.startswith("#") and text[1:].isdigit():
            return text[1:]  # the n-th item of a list
        for parent in parents[:1]:
            target = self.own.keyed.get(parent) or self.every.keyed.get(parent)
            if target is not None and _as_id(text) is not None:
                return self.lookup.name(target, text)
        if text.isdigit():
            return text
        return self.label(text)


# --------------------------------------------------------------------------- changes


def _leaves(value: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """A JSON value as its leaves by path: ``{"b2": {"internet": True}}`` ->
    ``{("b2", "internet"): True}``; a list of objects by position (``"#1"``)."""
    if isinstance(value, Mapping | list) and not value:
        return {}  # an empty document or part: nothing in it
    if isinstance(value, Mapping) and value:
        out: dict[tuple[str, ...], Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, (*path, str(key))))
        return out
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        out = {}
        for index, item in enumerate(value, start=1):
            out.update(_leaves(item, (*path, f"#{index}")))
        return out
    return {path: value}


def _is_document(value: Any) -> bool:
    return isinstance(value, Mapping) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)
    )


def _nested(
    reader: _Reader, key: str, label: str, before: Any, after: Any, shows_before: bool
) -> list[ChangeLine]:
    """The parts of a JSON value that changed (all of them for a creation), each named."""
    old = _leaves(before) if before is not None else {}
    new = _leaves(after) if after is not None else {}
    paths = [p for p in dict.fromkeys([*old, *new]) if old.get(p) != new.get(p)]
    lines = []
    for path in paths[:NESTED_LINES]:
        keys = [*reversed(path), key]
        parts = [reader.key_label(seg, keys[len(path) - i :]) for i, seg in enumerate(path)]
        lines.append(
            ChangeLine(
                label=" › ".join([label, *parts]),
                before=reader.value(old.get(path), keys),
                after=reader.value(new.get(path), keys),
                shows_before=shows_before,
            )
        )
    if len(paths) > NESTED_LINES:
        more = len(paths) - NESTED_LINES
        text = ngettext("… and %(n)d more change", "… and %(n)d more changes", more) % {"n": more}
        lines.append(ChangeLine(label=label, before="", after=text, shows_before=False))
    return lines


def _pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None, value  # an event's plain value ({"rows": 12})


def _lines(reader: _Reader, entry: AuditEntry) -> list[ChangeLine]:
    lines: list[ChangeLine] = []
    for key, stored in (entry.changes or {}).items():
        before, after = _pair(stored)
        if entry.action == AuditAction.DELETE and after is None:
            before, after = None, before  # what was deleted
        if entry.action != AuditAction.UPDATE and after in _EMPTY:
            continue  # a record created (or deleted) with this field empty: nothing to read
        shows_before = entry.action == AuditAction.UPDATE
        label = reader.label(str(key))
        if reader.text(str(key)) is None and (_is_document(before) or _is_document(after)):
            lines += _nested(reader, str(key), label, before, after, shows_before)
            continue
        lines.append(
            ChangeLine(
                label=label,
                before=reader.value(before, [str(key)]),
                after=reader.value(after, [str(key)]),
                shows_before=shows_before,
            )
        )
    return lines


def _record(reader: _Reader, entry: AuditEntry) -> str:
    """The record's name; an export's code by what was handed out."""
    name = reader.own.records.get(entry.object_repr)
    if name is not None:
        return str(name)
    return _read(entry.object_repr, [reader.own.record_patterns], reader.lookup)


def _note(reader: _Reader, entry: AuditEntry) -> str:
    """The note; one written in code words ("payment file") as the app says it reads."""
    return _read(entry.note, [reader.own.notes, reader.every.notes], reader.lookup)


def _read(text: str | None, patterns: list[dict[str, NoteFormatter]], lookup: _Lookup) -> str:
    for readings in patterns:
        for pattern, reading in readings.items():
            if match := re.fullmatch(pattern, text or ""):
                return mask_text(reading(match, lookup.name))
    return mask_text(text)


def _by(entry: AuditEntry) -> str:
    """Who acted: the person, or the system and what it was doing ("Hệ thống: dữ liệu mẫu")."""
    if entry.actor_id is None and entry.system:
        job = vocabulary(EVERY).systems.get(entry.system, entry.system)
        return _("System: %(job)s") % {"job": job}
    return entry.by


def _at(entry: AuditEntry) -> str:
    moment = entry.at
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M")


def entries_display(entries: Iterable[AuditEntry], *, commune_code: int | None) -> list[EntryView]:
    """The entries as read (``actor`` should be selected with them). The records their
    changes name are read once for all of them, limited to ``commune_code``."""
    rows = list(entries)
    lookup = _Lookup(commune_code)
    readers: dict[str, _Reader] = {}

    def reader(model_label: str) -> _Reader:
        if model_label not in readers:
            readers[model_label] = _Reader(model_label, lookup)
        return readers[model_label]

    for entry in rows:
        _lines(reader(entry.model_label), entry)
        _note(reader(entry.model_label), entry)
    lookup.load()
    actions = {value: str(label) for value, label in AuditAction.choices}
    return [
        EntryView(
            entry=entry,
            at=_at(entry),
            by=_by(entry),
            action=actions.get(entry.action, entry.action),
            record_type=record_type_label(entry.model_label),
            record=_record(reader(entry.model_label), entry),
            note=_note(reader(entry.model_label), entry),
            changes=_lines(reader(entry.model_label), entry),
        )
        for entry in rows
    ]
