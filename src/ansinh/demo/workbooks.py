"""Household workbooks as communes keep them, to try the import on (the demo, the tests and
``bench/bench_imports.py``): two title rows, a header in Vietnamese, the household code,
village and address only on the head's row, dates typed in several ways, phones with and
without spaces, CCCDs typed as numbers that lost their leading 0.

Names, ages and CCCDs come from the demo generator (:mod:`ansinh.demo.builder`); nothing here
is a real person. ``bad`` rows get one typical mistake each (a CCCD that does not match the
birth year, a date of 31/02, an unknown village, an empty name, a second head …).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

from ansinh.core.spreadsheet import append_row
from ansinh.demo import names
from ansinh.demo.builder import _Gen, _members

HEADERS = [
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
RELATIONSHIP_WORDS = {
    "head": "Chủ hộ",
    "spouse": ("Vợ", "Chồng"),
    "child": "Con",
    "child_in_law": ("Con dâu", "Con rể"),
    "grandchild": "Cháu",
    "parent": ("Mẹ", "Cha"),
}
MISTAKES = ("cccd", "date", "village", "name", "head", "sex")


def household_rows(
    *,
    persons: int,
    villages: Sequence[tuple[str, str]],
    seed: int = 1,
    bad: int = 0,
    as_of: dt.date | None = None,
    code_prefix: str = "",
) -> list[list[object]]:
    """The data rows (below the header) of about ``persons`` persons."""
    rng = random.Random(seed)
    gen = _Gen(rng=rng, as_of=as_of or dt.date(2026, 12, 1))
    rows: list[list[object]] = []
    household = 0
    while len(rows) < persons:
        household += 1
        village_name, village_code = villages[rng.randrange(len(villages))]
        code = f"{code_prefix}{village_code}-{household:05d}"
        address = f"{rng.choice(names.STREET_WORDS)}, {village_name}"
        for index, person in enumerate(_members(gen)):
            sex = person["sex"]
            dob = min(gen.dob(person["age"]), gen.as_of - dt.timedelta(days=1))
            word = RELATIONSHIP_WORDS.get(str(person["relationship"]), "Con")
            if isinstance(word, tuple):
                word = word[0] if sex == "female" else word[1]
            cccd: object = gen.cccd(dob, sex) if person["age"] >= 14 else ""
            if cccd and rng.random() < 0.3:
                cccd = int(str(cccd))  # typed as a number: the leading 0 is lost
            written: object = dob
            if rng.random() < 0.3:
                written = f"{dob:%d/%m/%Y}"
            elif rng.random() < 0.05:
                written = dob.year
            phone = ""
            if index == 0 and rng.random() < 0.7:
                national = gen.phone()[3:]
                phone = f"0{national[:3]} {national[3:6]} {national[6:]}"
            head = index == 0
            rows.append(
                [
                    len(rows) + 1,
                    code if head else None,
                    person["name"],
                    written,
                    "Nam" if sex == "male" else "Nữ",
                    word,
                    cccd,
                    "Kinh",
                    village_name if head else None,
                    address if head else None,
                    phone,
                ]
            )
    for number in rng.sample(range(len(rows)), k=min(bad, len(rows))):
        _spoil(rows[number], MISTAKES[number % len(MISTAKES)])
    return rows


def _spoil(row: list[object], mistake: str) -> None:
    if mistake == "cccd":
        row[6] = "079099123456"  # born in 1999 by the number, not by the date
        row[3] = "01/01/1950"
    elif mistake == "date":
        row[3] = "31/02/1980"
    elif mistake == "village":
        row[8] = "Ấp Không Có"
    elif mistake == "name":
        row[2] = ""
    elif mistake == "head":
        row[5] = "Chủ hộ" if row[5] != "Chủ hộ" else "Vợ"
    elif mistake == "sex":
        row[4] = "?"


def write_household_workbook(
    path: Path,
    *,
    persons: int,
    villages: Sequence[tuple[str, str]],
    commune_name: str = "Xã Tân Đông",
    seed: int = 1,
    bad: int = 0,
) -> Path:
    """An XLSX of ``household_rows`` under two title rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    append_row(sheet, [f"UBND {commune_name.upper()}"])
    append_row(sheet, ["DANH SÁCH HỘ GIA ĐÌNH VÀ NHÂN KHẨU"])
    append_row(sheet, [])
    append_row(sheet, HEADERS)
    for row in household_rows(persons=persons, villages=villages, seed=seed, bad=bad):
        append_row(sheet, row)
    book.save(path)
    return path
