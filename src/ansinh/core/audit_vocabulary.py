"""The vocabulary of the audit log: what apps say about their entries so that the display
layer (:mod:`ansinh.core.audit_display`) can read them.

A model's fields say most of it (``verbose_name``, choices, foreign keys, date fields). What
they cannot say an app says in an ``audit_labels`` module (found like ``admin.py``, imported
the first time an entry is read), with :func:`describe` and :func:`name_records`::

    describe("poverty.roundhousehold", labels={"b2": _("Form B2")},
             values={"house_type": choice(HOUSE_TYPES)}, keyed={"members": "registry.person"})
    name_records("registry.household", "code", commune="commune_id")

Public interface::

    describe(model_label, *, name, labels, values, texts, refs, keyed, records,
             record_patterns, notes, systems)
    name_records(model_label, *attrs, commune=None)
    vocabulary(model_label) -> Vocabulary, names_of(model_label) -> NameSpec | None
    record_type_label(model_label) -> str
    model_of(model_label), field_of(model, name)
    choice(choices) -> Formatter, money(value), plain(value, key=""), FIELD_LABEL, EVERY
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ansinh.core.audit import mask_text
from ansinh.core.money import format_vnd

Formatter = Callable[[Any], str]
#: A note's reading: from the match of its pattern and ``name(model_label, id)``.
NoteFormatter = Callable[[re.Match[str], Callable[[str, Any], str]], str]

#: Every record type: what :func:`describe` says for ``EVERY`` applies to all of them.
EVERY = "*"
DASH = "—"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass
class Vocabulary:
    """What an app says about one record type (or ``EVERY``): its name, labels of keys,
    formatters of scalar values (``values``, applied to each item of a list too) and of whole
    values (``texts``); ``refs``: the keys whose values are ids of records of another model
    label (a foreign key needs none), ``keyed``: the JSON keys whose own keys are such ids
    (``{"request_members": {"10787": "working"}}``); ``records``: names of the record
    itself when it has no model (an export's ``"registry.households.xlsx"``), or regular
    expressions of a record's name written with a code (``"Trần Văn Lợi (head)"``); ``notes``:
    regular expressions of notes written in code words (``"payment file"``) and what they
    read as (a formatter of the match, which may name records with ``name(label, id)``);
    ``systems`` (said for ``EVERY``): the jobs and commands the system acts through, by what
    they do ("demo" -> "dữ liệu mẫu")."""

    name: Any = None
    labels: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Formatter] = field(default_factory=dict)
    texts: dict[str, Formatter] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    keyed: dict[str, str] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    record_patterns: dict[str, NoteFormatter] = field(default_factory=dict)
    notes: dict[str, NoteFormatter] = field(default_factory=dict)
    systems: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NameSpec:
    """How records of a model are named in a change: ``attrs`` (the first not empty), read
    within the reader's commune through the ``commune`` lookup (``None``: anywhere)."""

    attrs: tuple[str, ...]
    commune: str | None


_VOCABULARY: dict[str, Vocabulary] = defaultdict(Vocabulary)
_NAMES: dict[str, NameSpec] = {}


def describe(
    model_label: str,
    *,
    name: Any = None,
    labels: Mapping[str, Any] | None = None,
    values: Mapping[str, Formatter] | None = None,
    texts: Mapping[str, Formatter] | None = None,
    refs: Mapping[str, str] | None = None,
    keyed: Mapping[str, str] | None = None,
    records: Mapping[str, Any] | None = None,
    record_patterns: Mapping[str, NoteFormatter] | None = None,
    notes: Mapping[str, NoteFormatter] | None = None,
    systems: Mapping[str, Any] | None = None,
) -> None:
    """Teach the log about ``model_label`` (``EVERY`` for all record types); called from an
    app's ``audit_labels`` module. Repeated calls add to what was said."""
    vocab = _VOCABULARY[model_label]
    if name is not None:
        vocab.name = name
    vocab.labels.update(labels or {})
    vocab.values.update(values or {})
    vocab.texts.update(texts or {})
    vocab.refs.update(refs or {})
    vocab.keyed.update(keyed or {})
    vocab.records.update(records or {})
    vocab.record_patterns.update(record_patterns or {})
    vocab.notes.update(notes or {})
    vocab.systems.update(systems or {})


def name_records(model_label: str, *attrs: str, commune: str | None = None) -> None:
    """Records of ``model_label`` named in a change read by ``attrs`` (the first not empty;
    lookups such as ``person__full_name`` allowed), limited to the reader's commune through
    the ``commune`` lookup (``None``: names that are no one's personal data, e.g. accounts)."""
    _NAMES[model_label] = NameSpec(tuple(attrs), commune)


@cache
def _discovered() -> bool:
    autodiscover_modules("audit_labels")
    return True


def vocabulary(model_label: str) -> Vocabulary:
    """What the apps said about ``model_label`` (empty if nothing)."""
    _discovered()
    return _VOCABULARY.get(model_label) or Vocabulary()


def names_of(model_label: str) -> NameSpec | None:
    """How records of ``model_label`` are named (None: by their id)."""
    _discovered()
    return _NAMES.get(model_label)


def FIELD_LABEL(value: Any) -> str:  # noqa: N802 - a marker the reader recognises
    """A value that is the name of a field of the record (``{"revealed": "cccd"}``): read
    as that field's label. The reader replaces it; alone it returns the value."""
    return str(value)


def choice(choices: Iterable[tuple[Any, Any]]) -> Formatter:
    """A formatter giving a stored code its label (the code itself if unknown)."""
    mapping = dict(choices)
    return lambda value: str(mapping.get(value, value))


def money(value: Any) -> str:
    """Integer đồng as ``1.500.000 đ``."""
    return format_vnd(value) if isinstance(value, int) and not isinstance(value, bool) else ""


@cache
def model_of(model_label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(model_label)
    except (LookupError, ValueError):
        return None


def field_of(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: an event's key, or a field since removed
        return None
    return found if isinstance(found, models.Field) else None


def record_type_label(model_label: str) -> str:
    """ "Hồ sơ trợ cấp" for ``assistance.case``; the name an app gave a record type without
    a model (an export, a backup); the label itself otherwise."""
    vocab = vocabulary(model_label)
    if vocab.name is not None:
        return str(capfirst(vocab.name))
    model = model_of(model_label)
    if model is not None:
        return str(capfirst(model._meta.verbose_name))
    return model_label


def _date_text(value: str, *, month: bool) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return day.strftime("%m/%Y" if month else "%d/%m/%Y")


def _time_text(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M")


def plain(value: Any, key: str = "") -> str:
    """A stored value without a formatter of its own: booleans Có/Không, ISO dates
    dd/mm/yyyy (mm/yyyy for a month), numbers in the reader's format, text masked."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(formats.number_format(value, use_l10n=True))
    text = str(value)
    if _ISO_DATE.match(text):
        return _date_text(text, month=key.endswith("month"))
    if _ISO_TIME.match(text):
        return _time_text(text)
    return mask_text(text)
