"""Spreadsheets and CSV files that cannot run anything when opened. Pure Python (no Django).

Every XLSX and CSV file ansinh writes goes through this module, so that a value typed by
someone (a name, an address, an account holder, a household code in a batch file) that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is never taken for a formula by
Excel or LibreOffice ("CSV/formula injection"):

* **XLSX**: such a value is written as a *text cell* (``data_type "s"``): the cell shows
  exactly the text (``+84 912 345 678``, ``=HYPERLINK(…)``) and nothing is evaluated;
* **CSV**: a text value with such a first character gets a leading single quote
  (``'=HYPERLINK(…)``), the usual neutralisation; numbers written as numbers (``int``,
  ``float``, ``Decimal``) are left as they are, so a negative amount stays ``-50000``.

It also reads the files people upload (``read_xlsx``, ``read_csv``): a file that is not a
workbook, a "zip bomb" or a CSV field over the csv module's limit becomes a
:class:`SpreadsheetError` with a plain message instead of a crash.

Public interface::

    DANGEROUS_PREFIXES, CSV_DANGER_PATTERN
    is_dangerous(value) -> bool
    safe_csv_value(value) -> value          # "'" + text for a dangerous text
    csv_writer(file, **fmtparams) -> SafeCsvWriter   # .writerow / .writerows
    append_row(ws, values)                  # normal and write-only openpyxl sheets
    xlsx_bytes(sheet_title, headings, rows) -> bytes
    xlsx_text_bytes(sheet_title, headings, rows) -> bytes  # texts and numbers, ~10x faster
    SpreadsheetError
    check_xlsx(source, max_uncompressed=...)  # zip sanity and zip-bomb guard
    read_xlsx(source, ...) -> list[list]     # first (or named) sheet, values only
    read_csv(text, delimiter) -> list[list[str]]
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

__all__ = [
    "CSV_DANGER_PATTERN",
    "DANGEROUS_PREFIXES",
    "MAX_UNCOMPRESSED_BYTES",
    "SafeCsvWriter",
    "SpreadsheetError",
    "append_row",
    "check_xlsx",
    "csv_writer",
    "is_dangerous",
    "read_csv",
    "read_xlsx",
    "safe_csv_value",
    "xlsx_bytes",
    "xlsx_text_bytes",
]

#: First characters that make Excel or LibreOffice read a cell as a formula (or a DDE call).
DANGEROUS_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: The same as a regular expression (for vectorised writers such as polars).
CSV_DANGER_PATTERN = r"^[=+\-@\t\r]"
#: A workbook whose parts unpack to more than this is refused (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024


def is_dangerous(value: object) -> bool:
    """True for a text that a spreadsheet would take for a formula."""
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def safe_csv_value(value: Any) -> Any:
    """The value to write in a CSV cell: a dangerous text gets a leading ``'``; numbers,
    ``None`` and harmless texts are returned unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised cell by cell (:func:`safe_csv_value`)."""

    def __init__(self, file: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_csv_value(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: IO[str], **fmtparams: Any) -> SafeCsvWriter:
    """A CSV writer (same arguments as ``csv.writer``) that neutralises dangerous texts."""
    return SafeCsvWriter(file, **fmtparams)


def _text_cell(ws: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # control characters make openpyxl raise: they are dropped, the text is kept
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # a text cell, whatever it begins with: never a formula
    return cell


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl worksheet (normal or write-only) with every text as a
    text cell: ``"=HYPERLINK(…)"`` shows as that text and is not a formula. Numbers, dates
    and ``None`` are written as they are."""
    ws.append([_text_cell(ws, v) if isinstance(v, str) else v for v in values])


def xlsx_bytes(sheet_title: str, headings: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook (write-only, streamed) of ``headings`` and ``rows``."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    append_row(ws, headings)
    for row in rows:
        append_row(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_SHEET = "xl/worksheets/sheet1.xml"
_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.DOTALL)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _xml_cells(number: int, row: Sequence[Any], illegal: re.Pattern[str]) -> str:
    """Row ``number`` as openpyxl's write-only mode writes it: a text is an inline string
    (never a formula, whatever it begins with), a number a ``<v>``, ``None`` no cell."""
    cells = []
    for index, value in enumerate(row, 1):
        if value is None:
            continue
        ref = f"{_column_letter(index)}{number}"
        if isinstance(value, str):
            if not value:
                cells.append(f'<c r="{ref}" t="inlineStr"/>')
                continue
            text = illegal.sub("", value).translate(_XML_ESCAPES)
            space = ' xml:space="preserve"' if value != value.strip() else ""
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            cells.append(f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>')
        else:
            raise TypeError(f"xlsx_text_bytes writes texts and numbers only, not {type(value)}")
    return f'<row r="{number}">{"".join(cells)}</row>'


@functools.cache
def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def xlsx_text_bytes(
    sheet_title: str, headings: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> bytes:
    """The workbook :func:`xlsx_bytes` writes, for rows of texts and numbers only (a date
    must be a text already), about ten times faster: openpyxl spends some 30 µs on each cell,
    so a list of 35,000 rows took half a minute. openpyxl writes the workbook's other parts;
    the sheet's rows are written here as the same XML (every text an inline string cell)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    shell = io.BytesIO(xlsx_bytes(sheet_title, [], []))
    out = io.BytesIO()
    with zipfile.ZipFile(shell) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            if info.filename != _SHEET:
                zf.writestr(info, source.read(info))
                continue
            head, tail = _SHEET_DATA.split(source.read(info).decode(), maxsplit=1)
            with zf.open(_SHEET, "w") as sheet:
                sheet.write(f"{head}<sheetData>".encode())
                lines = itertools.chain([headings] if headings else [], rows)
                for number, row in enumerate(lines, 1):
                    sheet.write(_xml_cells(number, row, ILLEGAL_CHARACTERS_RE).encode())
                sheet.write(f"</sheetData>{tail}".encode())
    return out.getvalue()


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, "-")
    return title[:31] or "Sheet1"


# --------------------------------------------------------------------------- reading


class SpreadsheetError(ValueError):
    """An uploaded file cannot be read as a spreadsheet or CSV; the message says why.

    ``code`` (``not_xlsx``, ``too_large``, ``damaged``, ``csv``, ``too_many_rows``) and
    ``params`` let a page show a translated message (``ansinh.core.web.upload_error``).
    """

    def __init__(self, message: str, code: str = "damaged", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def check_xlsx(source: bytes | Path | str, *, max_uncompressed: int | None = None) -> None:
    """Refuse a file that is not a zip archive with a workbook in it, or whose parts would
    unpack to more than ``max_uncompressed`` bytes (a "zip bomb": a few kB that expand to
    gigabytes). Only the archive's directory is read, nothing is unpacked."""
    limit = MAX_UNCOMPRESSED_BYTES if max_uncompressed is None else max_uncompressed
    handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetError("the file is not an Excel workbook (.xlsx)", "not_xlsx") from exc
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        raise SpreadsheetError("the file is not an Excel workbook (.xlsx)", "not_xlsx")
    if sum(info.file_size for info in infos) > limit:
        mb = limit // (1024 * 1024)
        raise SpreadsheetError(
            f"the workbook unpacks to more than {mb} MB: it is refused", "too_large", mb=mb
        )


def read_xlsx(
    source: bytes | Path | str,
    *,
    sheet: str | None = None,
    max_rows: int | None = None,
    max_uncompressed: int | None = None,
) -> list[list[Any]]:
    """The rows (values only) of sheet ``sheet`` (default: the active/first sheet).

    Any problem (not a workbook, damaged XML, too large once unpacked, more than
    ``max_rows`` rows) is a :class:`SpreadsheetError`.
    """
    check_xlsx(source, max_uncompressed=max_uncompressed)
    from openpyxl import load_workbook

    handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise SpreadsheetError("the workbook is damaged and cannot be read", "damaged") from exc
    try:
        ws = book[sheet] if sheet and sheet in book.sheetnames else book.active
        if ws is None:
            return []
        rows: list[list[Any]] = []
        for values in _iter_rows(ws):
            rows.append(list(values))
            if max_rows is not None and len(rows) > max_rows:
                raise SpreadsheetError(
                    f"the file has more than {max_rows} rows", "too_many_rows", rows=max_rows
                )
        return rows
    finally:
        book.close()


def _iter_rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    try:
        yield from ws.iter_rows(values_only=True)
    except SpreadsheetError:
        raise
    except Exception as exc:  # damaged sheet XML, bad shared strings …
        raise SpreadsheetError("the workbook is damaged and cannot be read", "damaged") from exc


def read_csv(text: str, *, delimiter: str = ",", max_rows: int | None = None) -> list[list[str]]:
    """The records of a CSV text; a malformed file (a field over the csv module's size limit,
    a NUL byte …) or more than ``max_rows`` rows is a :class:`SpreadsheetError`."""
    rows: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(record)
            if max_rows is not None and len(rows) > max_rows:
                raise SpreadsheetError(
                    f"the file has more than {max_rows} rows", "too_many_rows", rows=max_rows
                )
    except csv.Error as exc:
        row = len(rows) + 1
        raise SpreadsheetError(
            f"the CSV file is malformed (row {row}): {exc}", "csv", row=row
        ) from exc
    return rows
