"""Reading a commune's own list: an Excel workbook (.xlsx, .xls, .ods) or a CSV file, as
officers keep them — title rows above the header ("DANH SÁCH HỘ GIA ĐÌNH ẤP CÂY CẦY"),
numbers typed as numbers, merged title cells, blank rows between villages.

:func:`read_table` returns every row of the sheet with its sheet row number;
:func:`find_header` picks the header row (the first row in the top 30 that names the most
columns the import knows). Pure Python (no Django), so the batch tools can use it too.

Workbooks are read with python-calamine (Rust's calamine): fast, little memory, and it
reads the old ``.xls`` files many communes still keep. An ``.xlsx`` is first checked by
:func:`ansinh.core.spreadsheet.check_xlsx` (a "zip bomb" is refused before anything is
unpacked). Every failure is a :class:`~ansinh.core.spreadsheet.SpreadsheetError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansinh.core.spreadsheet import SpreadsheetError, check_xlsx, read_csv

#: Sheets of a commune's lists are a few thousand rows; a province's at most this many.
MAX_ROWS = 300_000
#: The header is looked for in this many rows at the top of the sheet.
HEADER_SEARCH_ROWS = 30
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})


@dataclass
class Table:
    """One sheet: ``rows[i]`` is sheet row ``numbers[i]`` (1-based, as Excel shows it)."""

    rows: list[list[Any]]
    numbers: list[int]
    sheet: str = ""
    header_index: int | None = None  # index in ``rows`` of the header row
    headers: list[str] = field(default_factory=list)

    @property
    def header_row_number(self) -> int | None:
        return None if self.header_index is None else self.numbers[self.header_index]

    def data(self) -> list[tuple[int, list[Any]]]:
        """(sheet row number, values) of every non-empty row below the header."""
        start = 0 if self.header_index is None else self.header_index + 1
        return [
            (self.numbers[i], self.rows[i])
            for i in range(start, len(self.rows))
            if any(_present(v) for v in self.rows[i])
        ]


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_table(path: Path, *, max_rows: int = MAX_ROWS, sheet: str | None = None) -> Table:
    """The rows of ``path`` (the first sheet that has data, or ``sheet``)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path, max_rows=max_rows, sheet=sheet)
    if suffix in {".csv", ".txt", ""}:
        return _read_csv(path, max_rows=max_rows)
    raise SpreadsheetError("the file is not an Excel workbook or a CSV file", "not_xlsx")


def _read_workbook(path: Path, *, max_rows: int, sheet: str | None) -> Table:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        check_xlsx(path)
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types and OSError for damaged files
        raise SpreadsheetError("the workbook is damaged and cannot be read", "damaged") from exc
    try:
        names = [sheet] if sheet and sheet in book.sheet_names else list(book.sheet_names)
        for name in names:
            try:
                values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise SpreadsheetError(
                    "the workbook is damaged and cannot be read", "damaged"
                ) from exc
            if len(values) > max_rows + HEADER_SEARCH_ROWS:
                raise SpreadsheetError(
                    f"the file has more than {max_rows} rows", "too_many_rows", rows=max_rows
                )
            if any(any(_present(v) for v in row) for row in values[: HEADER_SEARCH_ROWS + 50]):
                for row in values:  # in place: a second copy of a big sheet would double it
                    for index, value in enumerate(row):
                        if value == "":
                            row[index] = None  # type: ignore[call-overload]
                return Table(rows=values, numbers=list(range(1, len(values) + 1)), sheet=name)
        return Table(rows=[], numbers=[], sheet=names[0] if names else "")
    finally:
        close = getattr(book, "close", None)
        if close is not None:
            close()


def _read_csv(path: Path, *, max_rows: int) -> Table:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258"):  # Excel on a Vietnamese Windows saves cp1258
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise SpreadsheetError("the CSV file is not UTF-8 text", "not_utf8")
    sample = text[:4096]
    delimiter = max((",", ";", "\t"), key=sample.count)
    rows: list[list[Any]] = [
        [v if v.strip() else None for v in row]
        for row in read_csv(text, delimiter=delimiter, max_rows=max_rows + HEADER_SEARCH_ROWS)
    ]
    return Table(rows=rows, numbers=list(range(1, len(rows) + 1)), sheet="CSV")


def find_header(table: Table, score: Callable[[Sequence[Any]], int]) -> Table:
    """Set ``table.header_index``/``headers`` to the row in the first
    :data:`HEADER_SEARCH_ROWS` with the highest ``score`` (how many known columns it names);
    the first row when none names any. A header split over two rows ("Ngày sinh" above
    "Nam" | "Nữ") is joined with the row above when that scores higher."""
    best, best_score = None, 0
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        row_score = score(row)
        if row_score > best_score:
            best, best_score = index, row_score
    if best is None:
        best = next((i for i, row in enumerate(table.rows) if any(_present(v) for v in row)), None)
    table.header_index = best
    if best is not None:
        table.headers = [_header_text(v) for v in table.rows[best]]
        if best + 1 < len(table.rows):
            merged = _merge_header(table.headers, table.rows[best + 1])
            if score(merged) > best_score:
                table.headers, table.header_index = merged, best + 1
    return table


def _merge_header(top: list[str], below: Sequence[Any]) -> list[str]:
    """A two-row header: each column's text is the lower cell when present, the upper one
    carried right across merged cells otherwise ("Năm sinh" over "Nam" | "Nữ" gives
    "Năm sinh Nam" | "Năm sinh Nữ")."""
    merged: list[str] = []
    carried = ""
    width = max(len(top), len(below))
    for i in range(width):
        upper = top[i] if i < len(top) else ""
        lower = _header_text(below[i]) if i < len(below) else ""
        carried = upper or carried
        merged.append(f"{carried} {lower}".strip() if lower else upper)
    return merged


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
