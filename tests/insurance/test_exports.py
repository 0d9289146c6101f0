"""The follow-up list's files written fast (issue 15): the workbook's sheet written directly
reads the same as openpyxl's, and the printed list measures and cuts text as fpdf does."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from ansinh.core.pdf import FAMILY, VnDocument
from ansinh.core.spreadsheet import xlsx_bytes, xlsx_text_bytes
from ansinh.insurance.documents import _Table

ROWS = [
    ["Ấp Tân Đông", "TD-0001", '=HYPERLINK("http://x")', " Tổ 4 <&> ", "0912 345 678"],
    ["Ấp Bến Cừ", "+84 912", "Lê\x01 Thị Hoa", "", None, 12, 1.5],
    ["-1", "@x", "tab\tin", "ends ", "ĐT"],
]


def _cells(content: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_the_sheet_written_directly_reads_as_openpyxls():
    fast = xlsx_text_bytes("BHYT", ["A", "B", "C", "D", "E"], ROWS)
    assert _cells(fast) == _cells(xlsx_bytes("BHYT", ["A", "B", "C", "D", "E"], ROWS))
    sheet = load_workbook(io.BytesIO(fast)).active
    assert sheet.title == "BHYT"
    assert sheet["C2"].value == '=HYPERLINK("http://x")'  # a text, never a formula
    assert sheet["C2"].data_type == "s"
    assert sheet["D2"].value == " Tổ 4 <&> "  # spaces kept, signs escaped
    assert sheet["C3"].value == "Lê Thị Hoa"  # a control character dropped
    assert (sheet["F3"].value, sheet["G3"].value) == (12, 1.5)


def test_the_direct_sheet_refuses_what_it_cannot_write():
    with pytest.raises(TypeError):
        xlsx_text_bytes("BHYT", ["Ngày"], [[dt.date(2026, 11, 20)]])


@pytest.mark.parametrize("style", ["", "B"])
def test_the_table_measures_as_fpdf(style):
    doc = VnDocument(landscape=True)
    table = _Table(doc)
    doc.set_font(FAMILY, style, 9)
    for text in ["Nguyễn Thị Bích Phượng", "Hết hạn 08/10/2026 (60 ngày)", "☐", "ĐT: 0912"]:
        assert table.width(text) == pytest.approx(doc.get_string_width(text), abs=1e-9)


def test_the_table_cuts_a_long_text_where_fpdf_would():
    doc = VnDocument(landscape=True)
    table = _Table(doc)
    text = "Tổ 12, đường Nguyễn Văn Linh, khu phố Tân Đông Hiệp, Ấp Tân Đông"
    cut = table.fit(text, 40)
    assert cut.endswith("…")
    assert text.startswith(cut[:-1])
    assert doc.get_string_width(cut) <= 40
    assert doc.get_string_width(text[: len(cut)] + "…") > 40  # one more letter would not fit
    assert table.fit("Lê Thị Hoa", 40) == "Lê Thị Hoa"
    assert table.wrap(text, 40) == [table.fit(line, 40) for line in table.wrap(text, 40)]
    assert len(table.wrap(text, 40)) == 2
