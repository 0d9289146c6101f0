"""What every kind of import shares: its columns, how headers are recognised, the problems
of a row, the plan of a check and the registry of kinds.

A kind (households, poverty, allowances, cards) lives in its own app and registers itself in
its ``AppConfig.ready()``::

    from ansinh.imports.kinds import register
    register(HouseholdsImport())

It says which columns it knows (:class:`Column`: a key, a label, the header texts officers
use), how to :meth:`ImportKind.check` the rows (read, validate, match with what is
recorded: nothing is written) and how to :meth:`ImportKind.apply` a plan (inside the
framework's transaction, through the app's own services). A kind whose rows each name a
person or a household of the registry builds on :class:`ansinh.imports.persons.PersonImport`,
which has the loop of both. The framework
(:mod:`ansinh.imports.services`) does the rest: reading the file, the column mapping saved
per commune, the preview, all-or-nothing or skipping bad rows, the refused rows as a
workbook, progress, the audit entry, the command ``ansinh import``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from ansinh.imports import values

if TYPE_CHECKING:
    from ansinh.accounts.scopes import Scope
    from ansinh.places.models import Commune


@dataclass(frozen=True)
class Column:
    """A column an import knows. ``aliases`` are header texts as officers write them (they
    are compared without diacritics, case or punctuation); a header that *starts* with an
    alias also matches ("Số CCCD/Số định danh cá nhân (12 số)")."""

    key: str
    label: str | Promise  # gettext_lazy
    aliases: tuple[str, ...]
    required: bool = False
    help: Any = ""  # gettext_lazy: shown under the column on the upload page

    def folded_aliases(self) -> tuple[str, ...]:
        return tuple(values.key(a) for a in self.aliases)


def recognise(columns: Sequence[Column], headers: Sequence[str]) -> dict[str, int]:
    """The column of each known key in ``headers``: an exact (folded) match first, then a
    header that begins with an alias; each header is used once."""
    folded = [values.key(h) for h in headers]
    found: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for column in columns:
            if column.key in found:
                continue
            for alias in column.folded_aliases():
                for index, header in enumerate(folded):
                    if index in used or not header:
                        continue
                    if header == alias or (
                        not exact and (header.startswith(alias + " ") or header == alias)
                    ):
                        found[column.key] = index
                        used.add(index)
                        break
                if column.key in found:
                    break
    return found


def header_score(columns: Sequence[Column]) -> Callable[[Sequence[Any]], int]:
    """How many known columns a row names: how :func:`table.find_header` picks the header."""

    def score(row: Sequence[Any]) -> int:
        return len(recognise(columns, [values.text(v) for v in row]))

    return score


@dataclass
class Problem:
    """One thing wrong in one row; ``message`` is English with ``params`` (translated when
    shown). ``column`` is a column key (or "" for the whole row)."""

    row: int
    column: str
    value: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> list[Any]:
        return [self.row, self.column, self.value[:200], self.message, self.params]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> Problem:
        return cls(int(data[0]), str(data[1]), str(data[2]), str(data[3]), dict(data[4] or {}))


# What the check decided for a row.
CREATE, UPDATE, UNCHANGED, CONFIRM, INVALID = "create", "update", "unchanged", "confirm", "invalid"
ACTIONS = (CREATE, UPDATE, UNCHANGED, CONFIRM, INVALID)


@dataclass
class Plan:
    """What a check found: each data row's action, the problems, and the kind's own units of
    work (``units``, opaque to the framework) that :meth:`ImportKind.apply` writes.

    ``confirm`` rows are matched only by folded name and date of birth: they are applied
    only when the officer confirms the matches; otherwise they are skipped with a reason."""

    actions: dict[int, str] = field(default_factory=dict)  # sheet row -> action
    problems: list[Problem] = field(default_factory=list)
    notes: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # row -> note
    units: list[Any] = field(default_factory=list)
    #: a row's further notes (an amount that differs, beside a match to confirm)
    more_notes: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)

    def note(self, row: int, message: str, /, **params: Any) -> None:
        """Tell the officer something about row ``row`` on the preview (not a refusal): the
        row's first note is ``notes[row]`` (the match to confirm), later ones are kept too."""
        if row in self.notes:
            self.more_notes.append((row, message, params))
        else:
            self.notes[row] = (message, params)

    def problem(self, row: int, column: str, cell: Any, message: str, /, **params: Any) -> None:
        """Row ``row`` cannot be imported: ``column`` (a key, or "") holds ``cell``."""
        self.problems.append(Problem(row, column, values.text(cell), message, params))
        self.actions[row] = INVALID

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for action in self.actions.values():
            counts[action] += 1
        return counts

    @property
    def invalid_rows(self) -> set[int]:
        return {row for row, action in self.actions.items() if action == INVALID}


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


Progress = Callable[[int, int], None]  # (done, total)


class ImportKind:
    """One kind of list. Subclasses set the class attributes and the two methods."""

    name: str = ""
    label: str | Promise = ""
    description: str | Promise = ""
    columns: tuple[Column, ...] = ()
    #: the permission (accounts.permissions) an import of this kind needs
    right: str = "edit"
    #: a note on what a re-import matches by, shown on the upload page
    matching: str | Promise = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def required_missing(self, mapping: dict[str, int], commune: Commune) -> list[Column]:
        """Required columns the mapping lacks (a kind may waive one, e.g. the village of a
        commune that has only one)."""
        return [c for c in self.columns if c.required and c.key not in mapping]

    def check(
        self,
        *,
        scope: Scope,
        commune: Commune,
        rows: list[tuple[int, dict[str, Any]]],
        progress: Progress,
    ) -> Plan:
        """Read, validate and match ``rows`` ((sheet row, {column key: cell})); write nothing."""
        raise NotImplementedError

    def apply(
        self,
        *,
        scope: Scope,
        commune: Commune,
        plan: Plan,
        skip: set[int],
        note: str,
        progress: Progress,
    ) -> Result:
        """Write the plan's units, leaving out the sheet rows in ``skip`` (bad rows the
        officer chose to skip, and matches by name that were not confirmed). The framework
        runs this inside one transaction, after checking the file again."""
        raise NotImplementedError


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    if not kind.name or (kind.name in _KINDS and _KINDS[kind.name] is not kind):
        raise ValueError(f"import kind {kind.name!r} is empty or already registered")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[ImportKind]:
    return list(_KINDS.values())


def get(name: str) -> ImportKind | None:
    return _KINDS.get(name)
