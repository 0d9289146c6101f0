"""What the kinds whose rows each name a person (or a household) of the registry share —
poverty, allowances, cards: the loop of :meth:`PersonImport.check` and of
:meth:`PersonImport.apply`, the date of birth of a row, the note of a match by name, and
each unit's action on the preview.

A check reads every row (the kind's :meth:`~PersonImport.read`: the row's values, or its
problems), loads the registry's persons for the CCCDs, household codes and names of the whole
file at once (the kind's ``finder``, :class:`ansinh.registry.finder.Finder`: a few queries),
then matches each row in memory (the kind's :meth:`~PersonImport.matcher`: a unit of work,
or a problem), and lets the kind :meth:`~PersonImport.settle` the units against what is
recorded. The import writes the units the officer did not leave out
(:meth:`~PersonImport.write`; :func:`write_each` for one write per unit).

The finder is named by the kind: the framework sits below the registry (the layers of
import-linter), so it knows the finder only by what it does (:class:`Lookups`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

from django.utils.translation import gettext_noop

from ansinh.imports import values
from ansinh.imports.kinds import (
    CONFIRM,
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportKind,
    Plan,
    Progress,
    Result,
)

if TYPE_CHECKING:
    from ansinh.accounts.scopes import Scope
    from ansinh.places.models import Commune


class Lookups(Protocol):
    """The registry's persons for the rows of one file (:class:`ansinh.registry.finder.Finder`)."""

    @classmethod
    def load(
        cls,
        commune_code: int,
        *,
        cccds: Iterable[str] = ...,
        codes: Iterable[str] = ...,
        names: Iterable[tuple[str, dt.date | None]] = ...,
    ) -> Self: ...


class Unit(Protocol):
    """A kind's unit of work: one row of the file, matched, with its action."""

    row: int
    action: str
    confirm: bool  # matched only by name and date of birth


F = TypeVar("F", bound=Lookups)
U = TypeVar("U", bound=Unit)
#: The values a kind reads from one row: at least ``cccd``, ``code`` (the household's),
#: ``name`` and ``born``, which the finder is loaded with.
Parsed = dict[str, Any]
Cells = dict[str, Any]
#: Matches one read row: (plan, sheet row, the row's values, its cells) → a unit, or None
#: when the row is not imported (and the plan has its problem).
Matcher = Callable[[Plan, int, Parsed, Cells], U | None]


class PersonImport(ImportKind, Generic[F, U]):
    """A kind whose rows each name a person or a household of the registry. Subclasses set
    ``finder`` and write :meth:`read`, :meth:`matcher`, :meth:`write` (and, when the units
    meet recorded data, :meth:`settle`)."""

    finder: type[F]

    def check(
        self,
        *,
        scope: Scope,
        commune: Commune,
        rows: list[tuple[int, dict[str, Any]]],
        progress: Progress,
    ) -> Plan:
        plan = Plan()
        total = len(rows)
        read: list[tuple[int, Parsed, Cells]] = []
        for row, cells in rows:
            parsed = self.read(plan, row, cells)
            if parsed is not None:
                read.append((row, parsed, cells))
        finder = self.finder.load(
            commune.code,
            cccds=[p["cccd"] for _r, p, _c in read],
            codes=[p["code"] for _r, p, _c in read],
            names=[(p["name"], p["born"]) for _r, p, _c in read],
        )
        match = self.matcher(commune, finder)
        units: list[U] = []
        for done, (row, parsed, cells) in enumerate(read, start=1):
            if done % 2000 == 0:
                progress(done, total)
            unit = match(plan, row, parsed, cells)
            if unit is not None:
                units.append(unit)
        plan.units = self.settle(plan, commune, units)
        progress(total, total)
        return plan

    def read(self, plan: Plan, row: int, cells: Cells) -> Parsed | None:
        """The row's values (see :data:`Parsed`), or None when a cell is wrong (and the plan
        has its problems)."""
        raise NotImplementedError

    def matcher(self, commune: Commune, finder: F) -> Matcher[U]:
        """How each read row of this file is matched: a function, which may keep what it
        saw of the file's earlier rows (the same household twice)."""
        raise NotImplementedError

    def settle(self, plan: Plan, commune: Commune, units: list[U]) -> list[U]:
        """The units against what is recorded (each one's action, the problems across rows):
        the units to keep in the plan."""
        return units

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
        units: list[U] = [u for u in plan.units if u.row not in skip]
        return self.write(scope=scope, commune=commune, units=units, note=note, progress=progress)

    def write(
        self, *, scope: Scope, commune: Commune, units: list[U], note: str, progress: Progress
    ) -> Result:
        """Write ``units`` (those the officer left out are not among them)."""
        raise NotImplementedError


def write_each(
    units: Sequence[U],
    progress: Progress,
    *,
    create: Callable[[U], object],
    update: Callable[[U], bool],
) -> Result:
    """Write each unit in turn: ``create`` the new ones, ``update`` the corrections (it says
    False for a unit that names no record: counted unchanged, like the unchanged ones)."""
    result = Result()
    for done, unit in enumerate(units, start=1):
        if unit.action == CREATE:
            create(unit)
            result.created += 1
        elif unit.action == UPDATE and update(unit):
            result.updated += 1
        else:
            result.unchanged += 1
        if done % 500 == 0:
            progress(done, len(units))
    progress(len(units), len(units))
    return result


def birth(plan: Plan, row: int, cells: Cells) -> tuple[dt.date | None, bool]:
    """The row's date of birth (None when the cell is empty or wrong: a problem) and whether
    only the year is given."""
    if not values.text(cells.get("date_of_birth")):
        return None, False
    try:
        return values.date(cells.get("date_of_birth"))
    except values.CellError as exc:
        plan.problem(row, "date_of_birth", cells.get("date_of_birth"), exc.message, **exc.params)
        return None, False


def decision_number(plan: Plan, row: int, cells: Cells, *, max_length: int) -> str:
    """The number of the decision the row was decided by ("" and a problem when it is empty
    or too long)."""
    number = values.text(cells.get("decision_number"))
    if not number:
        plan.problem(row, "decision_number", "", gettext_noop("The decision number is empty."))
    elif len(number) > max_length:
        plan.problem(
            row,
            "decision_number",
            number,
            gettext_noop("At most %(n)s characters."),
            n=max_length,
        )
    return number


def note_match_by_name(plan: Plan, row: int, name: str, *, household: bool = False) -> None:
    """The row was matched only by name and date of birth: the officer confirms it."""
    if household:
        message = gettext_noop(
            "Matched only by name and date of birth (%(name)s): confirm it is the same household."
        )
    else:
        message = gettext_noop(
            "Matched only by name and date of birth (%(name)s): confirm it is the same person."
        )
    plan.note(row, message, name=name)


def decide(plan: Plan, unit: Unit) -> None:
    """The unit's action on the preview: a match by name that would change nothing is not
    asked about (its note goes); one that would is to confirm."""
    if unit.confirm and unit.action == UNCHANGED:
        plan.notes.pop(unit.row, None)
    confirm = unit.confirm and unit.action != UNCHANGED
    plan.actions[unit.row] = CONFIRM if confirm else unit.action
