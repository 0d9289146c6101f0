"""A row of a card list that the card service would refuse (:func:`card_register`,
:func:`card_update`) is a problem of the check, with its sheet row and column, never a
failure of the import: without ``--skip-invalid`` nothing is written, with it the good rows
are and the bad one is left out with its reason."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ansinh.imports import services, values
from ansinh.imports.files import render
from ansinh.imports.models import ImportJob
from ansinh.insurance.imports import cards_import
from ansinh.insurance.models import Card
from ansinh.insurance.services import card_register
from ansinh.places.models import Commune
from tests import factories as f
from tests.imports.conftest import workbook
from tests.imports.test_cards import HEADER, refused, run
from tests.imports.test_cards import family as family

pytestmark = pytest.mark.django_db
D = dt.date
MB = 1_000_000
XLSX_CELL = 32_767  # what the reader keeps of a cell of a workbook (Excel's limit)
ENTER = "Enter the social insurance number, the card code or the personal ID."
CARD_CODE = (
    "A card code has 15 characters: 2 letters, benefit level 1–5, 2-digit province, 10 digits."
)
# A: STT, B: name, C: date of birth, D: CCCD, E: social insurance number, F: card code,
# G: group, H: valid from, I: valid to, J: paid on, K: household code
COLUMNS = [*HEADER, "Mã hộ"]
COLUMN_INDEX = {
    "cccd": 3,
    "social_insurance_number": 4,
    "legacy_code": 5,
    "valid_from": 7,
    "valid_to": 8,
}


def line(**cells: Any) -> list[Any]:
    """Lê Thị Hoa (no CCCD recorded) found in her household, her number given: a good row,
    but for ``cells``."""
    row = {
        "no": 2,
        "name": "Lê Thị Hoa",
        "born": None,
        "cccd": None,
        "number": "7298765432",
        "legacy": None,
        "group": "GD",
        "start": "01/01/2026",
        "end": "31/12/2026",
        "paid": None,
        "code": "TD-0042",
    }
    row.update(cells)
    return list(row.values())


def good(family: dict[str, Any]) -> list[Any]:
    """Bình, by his CCCD: sheet row 5."""
    binh = family["Nguyễn Văn Bình"]
    return [
        1,
        binh.full_name,
        "04/03/1978",
        binh.cccd,
        None,
        None,
        "GD",
        "01/01/2026",
        "31/12/2026",
        None,
        "TD-0042",
    ]


def book(tmp_path: Path, family: dict[str, Any], bad: list[Any]) -> Path:
    return workbook(tmp_path / "cards.xlsx", [good(family), bad], header=COLUMNS)


def check(path: Path) -> list[tuple[int, str, str, str, dict[str, Any]]]:
    """The problems the check lists: (sheet row, column, value, message, parameters)."""
    scope = f.system()
    job = services.import_upload(
        scope=scope,
        kind_name="cards",
        commune=Commune.objects.get(code=f.TAN_DONG),
        source=path,
        filename=path.name,
    )
    services.import_check(scope=scope, job=job)
    job.refresh_from_db()
    assert job.state == "checked", job.error
    problems = [(p.row, p.column, p.value, p.message, p.params) for p in services.problems_of(job)]
    services.import_cancel(scope=scope, job=job)
    return problems


def either(message: str, params: dict[str, Any]) -> list[str]:
    """The message as an officer reads it, in Vietnamese and in English."""
    texts = []
    for language in ("vi", "en"):
        with translation.override(language):
            texts.append(render(message, params))
    return texts


# (the row's cells, the column, its letter, the message, its parameters)
CASES: dict[str, tuple[dict[str, Any], str, str, str, dict[str, Any]]] = {
    "no number, found in her household": (
        {"number": None},
        "social_insurance_number",
        "E",
        ENTER,
        {},
    ),
    "no number, found by name and date of birth": (
        {"number": None, "code": None, "born": "07/06/1980"},
        "social_insurance_number",
        "E",
        ENTER,
        {},
    ),
    "a blank number": ({"number": "   "}, "social_insurance_number", "E", ENTER, {}),
    "a social insurance number of 5 digits": (
        {"number": "72123"},
        "social_insurance_number",
        "E",
        "A social insurance number has 10 digits.",
        {},
    ),
    "a card code of 14 characters": (
        {"number": None, "legacy": "GD479791234567"},
        "legacy_code",
        "F",
        CARD_CODE,
        {},
    ),
    "a personal ID with a letter": (
        {"number": None, "cccd": "07218000099X"},
        "cccd",
        "D",
        "A personal ID number contains digits only.",
        {},
    ),
    "a personal ID of 13 digits": (
        {"cccd": "0721800009991"},
        "cccd",
        "D",
        "A personal ID number has 12 digits; this one has %(count)s.",
        {"count": "13"},
    ),
    "a personal ID of no province": (
        {"cccd": "999180000999"},
        "cccd",
        "D",
        "The first three digits (%(code)s) are not a province-of-birth code.",
        {"code": "999"},
    ),
    "the end before the start": (
        {"end": "31/12/2025"},
        "valid_to",
        "I",
        "The card ends before it starts.",
        {},
    ),
    "the year 9999 typed": (
        {"end": "31/12/9999"},
        "valid_to",
        "I",
        "The year %(year)s is outside %(lo)s–%(hi)s.",
        {"year": 9999, "lo": 1900, "hi": 2100},
    ),
    "the year 9999 in a date cell": (
        {"end": D(9999, 12, 31)},
        "valid_to",
        "I",
        "The year %(year)s is outside %(lo)s–%(hi)s.",
        {"year": 9999, "lo": 1900, "hi": 2100},
    ),
    "a 1 MB personal ID": (
        {"cccd": "1" * MB},
        "cccd",
        "D",
        "A personal ID number has 12 digits; this one has %(count)s.",
        {"count": str(XLSX_CELL)},
    ),
    "a 1 MB social insurance number": (
        {"number": "9" * MB},
        "social_insurance_number",
        "E",
        "A social insurance number has 10 digits.",
        {},
    ),
    "a 1 MB card code": ({"number": None, "legacy": "G" * MB}, "legacy_code", "F", CARD_CODE, {}),
}


@pytest.mark.parametrize(
    ("cells", "column", "letter", "message", "params"), CASES.values(), ids=list(CASES)
)
def test_a_row_the_card_service_would_refuse_is_a_problem_of_the_check(
    tmp_path, family, cells, column, letter, message, params
):
    path = book(tmp_path, family, line(**cells))
    problems = check(path)
    assert [(r, c, m, p) for r, c, _v, m, p in problems] == [(6, column, message, params)]
    assert problems[0][2] == values.text(line(**cells)[COLUMN_INDEX[column]])[:200]

    # the command: nothing is written without --skip-invalid ...
    code, _out, err = run(path, "--confirm-matches")
    assert code == 1, err
    assert not Card.objects.exists()

    # ... with it, the good row is, and the bad one is left out with its reason
    reasons = tmp_path / "refused.xlsx"
    code, _out, err = run(path, "--skip-invalid", "--confirm-matches", "--problems", str(reasons))
    assert code == 1, err
    assert list(Card.objects.values_list("person__full_name", flat=True)) == ["Nguyễn Văn Bình"]
    job = ImportJob.objects.latest("pk")
    assert (job.state, job.result["created"], job.result["skipped"]) == ("done", 1, 1)
    ((row, *_cells, reason),) = refused(reasons)
    assert row == 6
    assert re.search(rf"\((column|cột) {letter}\)", reason), reason
    assert any(text in reason for text in either(message, params))


def test_the_card_page_lists_the_row_and_imports_the_others_when_told(tmp_path, family):
    """The import of the card page (and ``ansinh cards import``): the same check."""
    commune = Commune.objects.get(code=f.TAN_DONG)
    path = book(tmp_path, family, line(number=None))
    report = cards_import(commune=commune, scope=f.system(), path=path)
    ((row, column, text),) = report.problems
    assert (row, column) == (6, "social_insurance_number")
    assert text in either(ENTER, {})
    assert (report.created, Card.objects.count()) == (0, 0)
    report = cards_import(commune=commune, scope=f.system(), path=path, skip_invalid=True)
    assert report.created == 1
    assert Card.objects.get().person == family["Nguyễn Văn Bình"]


def test_a_person_with_a_personal_id_needs_no_number_on_the_row(tmp_path, family):
    """Bình found in his household without any number: his recorded CCCD is the card's."""
    binh = family["Nguyễn Văn Bình"]
    path = book(
        tmp_path,
        family,
        line(name=binh.full_name, number=None, start="01/01/2027", end="31/12/2027"),
    )
    assert check(path) == []
    code, _out, err = run(path)
    assert code == 0, err
    assert set(Card.objects.values_list("cccd", flat=True)) == {binh.cccd}


def test_a_recorded_period_is_corrected_without_a_number(tmp_path, family):
    """A corrected period keeps its recorded numbers: the row needs none."""
    first = book(tmp_path, family, line())
    assert run(first)[0] == 0
    corrected = workbook(tmp_path / "b.xlsx", [line(number=None, end="30/06/2026")], header=COLUMNS)
    assert check(corrected) == []
    code, _out, err = run(corrected)
    assert code == 0, err
    card = Card.objects.get(person=family["Lê Thị Hoa"])
    assert (card.valid_to, card.social_insurance_number) == (D(2026, 6, 30), "7298765432")


def test_the_service_refuses_what_the_check_refuses(family):
    """One definition: the service refuses a personal ID the check refuses (it would not fit
    the card) and a new period without any number."""
    hoa = family["Lê Thị Hoa"]
    period = {"group_code": "GD", "valid_from": D(2026, 1, 1), "valid_to": D(2026, 12, 31)}
    with pytest.raises(ValidationError, match=r"12 digits|12 chữ số") as refused_id:
        card_register(scope=f.system(), person=hoa, cccd="1" * 13, **period)
    assert set(refused_id.value.message_dict) == {"cccd"}
    with pytest.raises(ValidationError, match=r"social insurance number|mã số BHXH") as no_number:
        card_register(scope=f.system(), person=hoa, **period)
    assert set(no_number.value.message_dict) == {"social_insurance_number"}
    card = card_register(scope=f.system(), person=hoa, cccd="072 180 000 999", **period)
    assert card.cccd == "072180000999"


def test_a_long_cell_of_a_csv_file(tmp_path, family):
    """A CSV cell is not cut (up to the csv module's limit, 131,072 characters; a longer one
    makes the file unreadable)."""
    path = tmp_path / "cards.csv"
    path.write_text(
        "full_name,household_code,cccd,group_code,valid_from,valid_to\n"
        f"Lê Thị Hoa,TD-0042,{'1' * 100_000},GD,01/01/2026,31/12/2026\n",
        encoding="utf-8",
    )
    problems = check(path)
    assert [(r, c, p) for r, c, _v, _m, p in problems] == [(2, "cccd", {"count": "100000"})]
    assert run(path, "--skip-invalid")[0] == 1
    assert not Card.objects.exists()
