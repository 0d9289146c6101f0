from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ansinh.core.spreadsheet import append_row


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    """Uploaded files and refused-row workbooks go to this test's own folder."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()


HEADER = [
    "STT",
    "Mã hộ",
    "Họ và tên",
    "Ngày tháng năm sinh",
    "Giới tính",
    "Quan hệ với chủ hộ",
    "Số định danh cá nhân",
    "Dân tộc",
    "Ấp",
    "Địa chỉ",
    "Số điện thoại",
]


def workbook(
    path: Path, rows: list[list[Any]], *, header: list[str] | None = None, titles: int = 2
) -> Path:
    """An XLSX as officers keep them: title rows, a blank row, the header, the rows."""
    book = Workbook()
    sheet = book.active
    for index in range(titles):
        sheet.append([f"DANH SÁCH HỘ GIA ĐÌNH – DÒNG TIÊU ĐỀ {index + 1}"])
    if titles:
        sheet.append([])
    sheet.append(header or HEADER)
    for row in rows:
        append_row(sheet, row)  # texts as text cells: "=…" is a value typed, not a formula
    book.save(path)
    return path
