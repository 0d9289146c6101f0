"""Reading a batch file (CSV or XLSX) into text columns, before any parsing.

``read_table(path, sheet)`` gives every column as text (stripped; an empty cell is null) with
``_row``, the row number as a spreadsheet shows it; :mod:`ansinh.rules.io` parses and checks
the rows. An unreadable file, a damaged or oversized workbook, a header naming a column twice
raise :class:`FileError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ansinh.core.spreadsheet import SpreadsheetError, check_xlsx
from ansinh.rules.errors import RulesError

__all__ = ["ROW", "FileError", "read_table"]

ROW = "_row"


class FileError(RulesError):
    """The file cannot be used at all: unreadable, not UTF-8, a required column missing."""


def read_table(path: Path | str, sheet: str, month_columns: Sequence[str] = ()) -> pl.DataFrame:
    """Read a CSV or XLSX file into text columns (stripped, empty → null) with ``_row``."""
    path = Path(path)
    if not path.is_file():
        raise FileError(f"{path}: file not found")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = _read_xlsx(path, sheet, set(month_columns))
    else:
        frame = _read_csv(path)
    names = [c.strip().lower().lstrip("\ufeff") for c in frame.columns if c != ROW]
    seen: set[str] = set()
    for name in names:
        if name in seen and name:
            raise FileError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)
    frame = frame.rename(dict(zip([c for c in frame.columns if c != ROW], names, strict=True)))
    text = [c for c in frame.columns if c != ROW and c]
    frame = frame.select(ROW, *text).with_columns(_clean(frame, text))
    if text:
        frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in text))
    return frame


def _clean(frame: pl.DataFrame, columns: Sequence[str]) -> list[pl.Expr]:
    """Strip surrounding whitespace and turn empty cells into nulls — only in the columns that
    need it (checking is much cheaper than rewriting millions of strings)."""
    if not columns or frame.height == 0:
        return []
    checks = []
    for i, c in enumerate(columns):
        col = pl.col(c)
        padded = (
            col.str.starts_with(" ")
            | col.str.ends_with(" ")
            | col.str.starts_with("\t")
            | col.str.ends_with("\t")
            | col.str.ends_with("\r")
        ).any()
        checks += [padded.alias(f"pad{i}"), (col == "").any().alias(f"empty{i}")]
    flags = frame.select(checks).row(0, named=True)
    exprs = []
    for i, c in enumerate(columns):
        if flags[f"pad{i}"]:
            exprs.append(pl.col(c).str.strip_chars().replace("", None))
        elif flags[f"empty{i}"]:
            exprs.append(pl.col(c).replace("", None))
    return exprs


def _read_csv(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8", raise_if_empty=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "utf" in message.lower():
            message = "the file is not UTF-8 text (save it as 'CSV UTF-8')"
        elif "more fields" in message:
            message = (
                "a row has more values than the header has columns (is a value with a comma, "
                'such as 25,5, missing its quotes "25,5"?)'
            )
        raise FileError(f"{path}: cannot read the file: {message}") from exc
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _cell(value: Any, as_month: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if as_month else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, sheet: str, month_columns: set[str]) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        check_xlsx(path)  # not a workbook, or a "zip bomb" that unpacks to gigabytes
    except SpreadsheetError as exc:
        raise FileError(f"{path}: cannot read the workbook: {exc}") from exc
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FileError(f"{path}: cannot read the workbook: {exc}") from exc
    try:
        return _xlsx_frame(path, book, sheet, month_columns)
    except FileError:
        raise
    except Exception as exc:  # damaged sheet XML found while reading the rows
        raise FileError(f"{path}: cannot read the workbook: {exc}") from exc
    finally:
        book.close()


def _xlsx_frame(path: Path, book: Any, sheet: str, month_columns: set[str]) -> pl.DataFrame:
    if sheet in book.sheetnames:
        ws = book[sheet]
    elif len(book.sheetnames) == 1:
        ws = book[book.sheetnames[0]]
    else:
        raise FileError(f"{path}: no sheet named {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        return pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64)})
    header = [str(h).strip() if h is not None else "" for h in header_row]
    keys = [h.lower() for h in header]
    columns: list[list[str | None]] = [[] for _ in header]
    numbers: list[int] = []
    for number, values in enumerate(rows, start=2):
        cells = list(values)[: len(header)]
        cells += [None] * (len(header) - len(cells))
        for i, value in enumerate(cells):
            columns[i].append(_cell(value, keys[i] in month_columns))
        numbers.append(number)
    data: dict[str, pl.Series] = {ROW: pl.Series(numbers, dtype=pl.Int64)}
    for i, name in enumerate(header):
        if name:
            data[name] = pl.Series(columns[i], dtype=pl.String)
    return pl.DataFrame(data)
