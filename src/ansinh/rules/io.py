"""Reading and validating the batch files of ``docs/rules.md`` (format version 1).

Public interface::

    read_table(path, sheet) -> pl.DataFrame          # every column as text, plus "_row"
    parse_households(raw, file, indicators) -> Parsed
    parse_members(raw, file, on) -> Parsed
    parse_people(raw, file, month) -> Parsed
    link_members(households, members, raw_households, raw_members, h_file, m_file)
        -> (households, members, errors)

Files are CSV in UTF-8 with a header row (a BOM is accepted) or XLSX workbooks (sheet
``households``, ``members`` or ``people``; a workbook with a single sheet is read whatever its
name). Header names are matched case-insensitively, column order is free and unknown columns
are ignored. Completely empty rows are skipped. Row numbers in reports count the header as
row 1, as a spreadsheet shows them (for CSV: the record number, so a quoted value spanning
several lines counts as one row).

Reading a file into text columns is :mod:`ansinh.rules.reading` (``read_table``, re-exported
here). Each ``parse_*`` function checks every row at once (vectorised) and returns the typed
rows that are valid plus one :class:`RowError` per problem (file, row, column, problem). A
missing required column or an unreadable file raises :class:`FileError` (exit code 2 in the
commands).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from ansinh.core.periods import next_month
from ansinh.rules.allowance import GROUP_CODES, HOUSEHOLD_STATUSES
from ansinh.rules.poverty import (
    AREAS,
    DISABILITIES,
    HOUSE_TYPES,
    QUALIFICATIONS,
    SEXES,
    WORK_STATUSES,
    YES_NO_INDICATOR_COLUMNS,
    members_aligned,
)
from ansinh.rules.reading import ROW, FileError, read_table

__all__ = [
    "ROW",
    "FileError",
    "Parsed",
    "RowError",
    "link_members",
    "parse_households",
    "parse_members",
    "parse_people",
    "read_table",
]

_YES = ("yes", "y", "1", "true", "có")
_NO = ("no", "n", "0", "false", "không")
_YES_NO: dict[str, bool] = {}
for _word in _YES:
    _YES_NO[_word] = True
    _YES_NO[unicodedata.normalize("NFD", _word)] = True
for _word in _NO:
    _YES_NO[_word] = False
    _YES_NO[unicodedata.normalize("NFD", _word)] = False


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in one row: the command prints ``file: row N: column C: problem``."""

    file: str
    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: column {self.column}: {self.problem}"


@dataclass
class Parsed:
    """Typed valid rows (``_row`` kept) and the problems of the others."""

    rows: pl.DataFrame
    errors: list[RowError]


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # text | enum | yesno | date | month | int | number | groups
    required: bool = True
    choices: tuple[str, ...] = ()
    default: str | None = None


def _parse_column(raw: pl.Series, col: _Column) -> tuple[pl.Series, pl.Series]:
    """(typed values, bad-row flags) for one column; a flag is False for an accepted null.

    Case-insensitive kinds are first matched as written and lowercased only if some value did
    not match (lowercasing millions of strings costs more than the usual exact match).
    """
    if col.default is not None:
        raw = raw.fill_null(col.default)
    present = raw.is_not_null()

    def retry_lower(value: pl.Series, convert: Any) -> pl.Series:
        if bool((value.is_null() & present).any()):
            converted: pl.Series = convert(raw.str.to_lowercase())
            return converted
        return value

    if col.kind == "text":
        value = raw
        bad = pl.repeat(False, raw.len(), eager=True)
    elif col.kind == "enum":
        enum = pl.Enum(col.choices)

        def to_enum(s: pl.Series) -> pl.Series:
            return s.cast(enum, strict=False)

        value = retry_lower(to_enum(raw), to_enum)
        bad = present & value.is_null()
    elif col.kind == "yesno":

        def to_bool(s: pl.Series) -> pl.Series:
            return s.replace_strict(_YES_NO, default=None, return_dtype=pl.Boolean)

        value = retry_lower(to_bool(raw), to_bool)
        bad = present & value.is_null()
    elif col.kind == "date":
        value = raw.str.to_date("%Y-%m-%d", strict=False)
        bad = present & (value.is_null() | (raw.str.len_bytes() != 10))
    elif col.kind == "month":
        value = (raw + "-01").str.to_date("%Y-%m-%d", strict=False)
        bad = present & (value.is_null() | (raw.str.len_bytes() != 7))
    elif col.kind == "int":
        value = raw.str.to_integer(strict=False)
        bad = present & (value.is_null() | (value < 0))
    elif col.kind == "number":
        value = raw.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
        bad = present & ~(value.is_finite() & (value >= 0)).fill_null(False)
    elif col.kind == "groups":
        value = (
            raw.str.split(";")
            .list.eval(pl.element().str.strip_chars().str.to_lowercase())
            .list.eval(pl.element().filter(pl.element() != ""))
            .list.unique(maintain_order=True)
            .fill_null(pl.lit([], pl.List(pl.String)))
        )
        bad = value.list.eval(~pl.element().is_in(col.choices)).list.any().fill_null(False)
    else:  # pragma: no cover - programming error
        raise ValueError(col.kind)
    if col.required:
        bad = bad | ~present
    return value.alias(col.name), bad.fill_null(True).alias(col.name)


def _message(col: _Column, raw: str | None) -> str:
    if raw is None:
        return "missing value"
    if col.kind == "enum":
        return f"{raw!r} is not one of {', '.join(col.choices)}"
    if col.kind == "yesno":
        return f"{raw!r} is not yes/no (yes, no, y, n, 1, 0, true, false, có, không)"
    if col.kind == "date":
        return f"{raw!r} is not a date YYYY-MM-DD"
    if col.kind == "month":
        return f"{raw!r} is not a month YYYY-MM"
    if col.kind == "int":
        return f"{raw!r} is not a whole number ≥ 0"
    if col.kind == "number":
        return f"{raw!r} is not a number ≥ 0"
    if col.kind == "groups":
        unknown = [
            code.strip().lower()
            for code in raw.split(";")
            if code.strip() and code.strip().lower() not in col.choices
        ]
        return f"unknown group code(s) {', '.join(unknown)} (known: {', '.join(col.choices)})"
    return f"bad value {raw!r}"


def _parse(
    raw: pl.DataFrame, file: str, columns: Sequence[_Column], key: str
) -> tuple[pl.DataFrame, list[RowError]]:
    """Type every column; report each bad cell; add duplicate-key problems."""
    absent = [
        c.name for c in columns if c.required and c.default is None and c.name not in raw.columns
    ]
    if absent:
        raise FileError(f"{file}: required column(s) missing: {', '.join(absent)}")
    n = raw.height
    typed: list[pl.Series] = [raw.get_column(ROW)]
    bad: dict[str, pl.Series] = {}
    for c in columns:
        source = (
            raw.get_column(c.name)
            if c.name in raw.columns
            else pl.repeat(None, n, dtype=pl.String, eager=True).alias(c.name)
        )
        value, flags = _parse_column(source, c)
        typed.append(value)
        if bool(flags.any()):
            bad[c.name] = flags
    keys = raw.get_column(key)
    duplicated = keys.is_duplicated() if keys.n_unique() != keys.len() else None
    frame = pl.DataFrame(typed)
    if not bad and duplicated is None:
        return frame, []
    any_bad = pl.repeat(False, n, eager=True)
    for flags in bad.values():
        any_bad = any_bad | flags
    if duplicated is not None:
        any_bad = any_bad | (duplicated & keys.is_not_null())
    errors: list[RowError] = []
    rows = raw.filter(any_bad)
    flags_frame = pl.DataFrame([f.filter(any_bad).alias(name) for name, f in bad.items()])
    first_row: dict[Any, int] = {}
    if duplicated is not None:
        first_row = dict(raw.filter(duplicated).group_by(key).agg(pl.col(ROW).min()).iter_rows())
    for i, row in enumerate(rows.iter_rows(named=True)):
        number = row[ROW]
        errors += [
            RowError(file, number, c.name, _message(c, row.get(c.name)))
            for c in columns
            if c.name in bad and flags_frame.get_column(c.name)[i]
        ]
        first = first_row.get(row[key]) if row[key] is not None else None
        if first is not None and first != number:
            errors.append(RowError(file, number, key, f"duplicate {key} (first on row {first})"))
    return frame.filter(~any_bad), errors


def _in_row_order(errors: list[RowError]) -> list[RowError]:
    """By file and row; within a row, in the order the problems were found (column order)."""
    return sorted(errors, key=lambda e: (e.file, e.row))


def parse_households(raw: pl.DataFrame, file: str, indicators: Sequence[str]) -> Parsed:
    """Households file: typed rows as :func:`ansinh.rules.poverty.classify` expects them.

    ``indicators`` (the set in force on the date) decides whether ``info_assets`` (to 2026) or
    ``waste_treatment`` (from 2027) must be filled in.
    """
    yes_no_required = {
        YES_NO_INDICATOR_COLUMNS[c] for c in indicators if c in YES_NO_INDICATOR_COLUMNS
    }
    columns = [
        _Column("household_code", "text"),
        _Column("area", "enum", choices=AREAS),
        _Column("income_per_capita", "int", required=False),
        _Column("b1_score", "int", required=False),
        _Column("house_type", "enum", choices=HOUSE_TYPES),
        _Column("floor_area_m2", "number"),
        _Column("safe_water", "yesno", required="safe_water" in yes_no_required),
        _Column("hygienic_latrine", "yesno", required="hygienic_latrine" in yes_no_required),
        _Column("internet", "yesno", required="internet" in yes_no_required),
        _Column("info_assets", "yesno", required="info_assets" in yes_no_required),
        _Column("waste_treatment", "yesno", required="waste_treatment" in yes_no_required),
    ]
    rows, errors = _parse(raw, file, columns, "household_code")
    # One of income_per_capita / b1_score is required per household.
    neither = rows.filter(pl.col("income_per_capita").is_null() & pl.col("b1_score").is_null())
    if neither.height:
        errors += [
            RowError(file, r, "income_per_capita", "give income_per_capita or b1_score")
            for r in neither.get_column(ROW).to_list()
        ]
        rows = rows.filter(
            pl.col("income_per_capita").is_not_null() | pl.col("b1_score").is_not_null()
        )
    return Parsed(rows, _in_row_order(errors))


def parse_members(raw: pl.DataFrame, file: str, on: dt.date) -> Parsed:
    """Members file; a birth date after ``on`` is a bad row."""
    columns = [
        _Column("household_code", "text"),
        _Column("member_code", "text"),
        _Column("date_of_birth", "date"),
        _Column("sex", "enum", choices=SEXES),
        _Column("health_insurance", "yesno"),
        _Column("work", "enum", choices=WORK_STATUSES),
        _Column("studying", "yesno"),
        _Column("qualification", "enum", choices=QUALIFICATIONS),
        _Column("malnourished", "yesno"),
        _Column("disability", "enum", choices=DISABILITIES),
        _Column("monthly_allowance", "yesno"),
    ]
    rows, errors = _parse(raw, file, columns, "member_code")
    future = rows.filter(pl.col("date_of_birth") > on)
    if future.height:
        errors += [
            RowError(
                file, r, "date_of_birth", f"{d.isoformat()} is after the date {on.isoformat()}"
            )
            for r, d in future.select(ROW, "date_of_birth").iter_rows()
        ]
        rows = rows.filter(pl.col("date_of_birth") <= on)
    return Parsed(rows, _in_row_order(errors))


def link_members(
    households: Parsed,
    members: Parsed,
    raw_households: pl.DataFrame,
    raw_members: pl.DataFrame,
    households_file: str,
    members_file: str,
) -> tuple[pl.DataFrame, pl.DataFrame, list[RowError]]:
    """Cross-file checks; returns the households that can be classified and their members.

    * a member whose ``household_code`` is in no row of the households file is a bad row;
    * members of a household whose own row is bad are left out with it (not reported again);
    * a household with no member row is a bad row;
    * a household with a bad member row is left out (its row is reported, naming the member
      rows), since classifying it without that member would be wrong.
    """
    hh = households.rows
    m = members.rows
    if not households.errors and not members.errors and members_aligned(hh, m):
        return hh, m, []  # one contiguous block of members per household, in order
    errors: list[RowError] = []
    in_file = (
        raw_households.get_column("household_code").drop_nulls().implode()
        if "household_code" in raw_households.columns
        else pl.Series([], dtype=pl.String).implode()
    )
    orphan = m.filter(~pl.col("household_code").is_in(in_file))
    errors += [
        RowError(members_file, r, "household_code", f"{code!r} is not in the households file")
        for r, code in orphan.select(ROW, "household_code").iter_rows()
    ]
    m = m.filter(pl.col("household_code").is_in(hh.get_column("household_code").implode()))
    # households named by a bad member row (raw codes, before typing)
    bad_member_rows = sorted({e.row for e in members.errors})
    tainted: dict[str, list[int]] = {}
    if bad_member_rows and "household_code" in raw_members.columns:
        for r, code in (
            raw_members.filter(pl.col(ROW).is_in(bad_member_rows))
            .select(ROW, "household_code")
            .iter_rows()
        ):
            if code is not None:
                tainted.setdefault(code, []).append(r)
    with_members = m.get_column("household_code").unique().implode()
    lonely = hh.filter(~pl.col("household_code").is_in(with_members))
    for r, code in lonely.select(ROW, "household_code").iter_rows():
        if code not in tainted:
            errors.append(
                RowError(households_file, r, "household_code", "no members in the members file")
            )
    if tainted:
        skipped = hh.filter(pl.col("household_code").is_in(list(tainted)))
        for r, code in skipped.select(ROW, "household_code").iter_rows():
            rows = ", ".join(str(x) for x in sorted(tainted[code]))
            errors.append(
                RowError(
                    households_file,
                    r,
                    "household_code",
                    f"left out: member row(s) {rows} of {members_file} are invalid",
                )
            )
    drop = set(tainted) | set(lonely.get_column("household_code").to_list())
    if drop:
        hh = hh.filter(~pl.col("household_code").is_in(list(drop)))
        m = m.filter(~pl.col("household_code").is_in(list(drop)))
    return hh, m, _in_row_order(errors)


def parse_people(raw: pl.DataFrame, file: str, month: dt.date) -> Parsed:
    """People file for allowances; ``groups`` becomes a list of codes."""
    columns = [
        _Column("person_code", "text"),
        _Column("date_of_birth", "date"),
        _Column("sex", "enum", choices=SEXES),
        _Column("household", "enum", choices=HOUSEHOLD_STATUSES),
        _Column("groups", "groups", required=False, choices=GROUP_CODES),
        _Column("children", "int", default="0"),
        _Column("pension", "int", default="0"),
        _Column("social_pension_request", "yesno", default="no"),
        _Column("decision_month", "month"),
    ]
    rows, errors = _parse(raw, file, columns, "person_code")
    future = rows.filter(pl.col("date_of_birth") >= next_month(month))
    if future.height:
        errors += [
            RowError(file, r, "date_of_birth", f"{d.isoformat()} is after the month {month:%Y-%m}")
            for r, d in future.select(ROW, "date_of_birth").iter_rows()
        ]
        rows = rows.filter(pl.col("date_of_birth") < next_month(month))
    return Parsed(rows, _in_row_order(errors))
