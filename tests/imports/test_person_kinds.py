"""What the three kinds that match each row to a person of the registry (poverty, allowances,
cards) do with one file mixing every case: each row's action, every problem (row, column,
value, message, parameters), the notes, the result, the audit records and the number of
queries of the check and of the import. Pinned whole, so that a change of their shared loop
(:mod:`ansinh.imports.persons`) shows any difference in what an officer is told or gets."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.assistance.models import Case
from ansinh.core.models import AuditEntry
from ansinh.imports import services
from ansinh.insurance.models import Card
from ansinh.places.models import Commune
from ansinh.registry.models import Person
from tests import factories as f
from tests.imports import test_allowances as allowances
from tests.imports import test_cards as cards
from tests.imports import test_poverty as poverty
from tests.imports.conftest import workbook
from tests.imports.test_allowances import people as people
from tests.imports.test_cards import family as family
from tests.imports.test_poverty import homes as homes

pytestmark = pytest.mark.django_db
#: What each file below gave before the kinds shared their loop (7 December 2026).
EXPECTED: dict[str, Any] = json.loads((Path(__file__).parent / "person_kinds.json").read_text())
D = dt.date


def _through(kind: str, path: Path, *, hide: str = "") -> dict[str, Any]:
    """Check and import ``path`` (skipping the bad rows, confirming the matches by name): what
    the officer is shown and gets. A problem's value ``hide`` (a CCCD the factories number in
    the order tests run) reads "HIDDEN"."""
    scope = f.system()
    commune = Commune.objects.get(code=f.TAN_DONG)
    job = services.import_upload(
        scope=scope, kind_name=kind, commune=commune, source=path, filename=path.name
    )
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as checked:
        services.import_check(scope=scope, job=job)
    job.refresh_from_db()
    seen = {
        "counts": {k: v for k, v in job.counts.items() if v},
        "problems": [
            [r, c, "HIDDEN" if hide and v == hide else v, m, p] for r, c, v, m, p in job.problems
        ],
        "notes": job.notes,
        "check_queries": len(checked),
    }
    with CaptureQueriesContext(connection) as committed:
        services.import_commit(scope=scope, job=job, skip_invalid=True, confirm_matches=True)
    job.refresh_from_db()
    assert job.state == "done", job.error
    audited = AuditEntry.objects.order_by("pk")[entries:]
    return {
        **seen,
        "result": job.result,
        "audit": sorted(
            [*k, n]
            for k, n in Counter(
                (e.model_label, e.action, path.name in e.note) for e in audited
            ).items()
        ),
        "commit_queries": len(committed),
    }


# ------------------------------------------------------------------ allowances


def test_allowances_every_case_of_a_row(tmp_path, people, dong_hiep):
    hung = people["Trần Văn Hùng"]
    gone = f.household(
        dong_hiep,
        f.person("Đặng Thị Mới", D(1944, 6, 1), "female"),
        f.person("Võ Văn Mất", D(1940, 3, 3), "male", "spouse"),
        code="DH-0009",
    )
    Person.objects.filter(household=gone, full_name="Võ Văn Mất").update(
        life_status="deceased", status_date=D(2025, 11, 1)
    )
    other = f.village(commune_code=25525, name="Ấp Khác", code="KH")
    stranger = f.household(other, f.person("Phạm Văn Xa", D(1970, 1, 1)))
    first = allowances.rows(people)
    assert _through("allowances", allowances.book(tmp_path, first, "a.xlsx"))["result"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    base = allowances.rows(people)
    data = [
        base[0],  # 5: unchanged
        [*base[1][:9], "600.000", *base[1][10:]],  # 6: Lan's amount corrected
        [
            7,
            "Lê Minh Bé",
            None,
            None,
            "DH-0003",
            "Người khuyết tật nặng",
            "23/QĐ",
            "01/02/2026",
            None,
            750000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 7: another group
        [
            8,
            "Lê Văn Tư",
            "01/01/1960",
            None,
            None,
            "Hưu trí xã hội",
            "20/QĐ",
            "01/02/2026",
            None,
            500000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 8: by name only
        [
            9,
            None,
            "30/02/1990",
            None,
            None,
            "Hộ khó khăn",
            None,
            "hôm qua",
            "13/2026",
            "nhiều",
            "Gửi nhờ",
            None,
            None,
            None,
        ],  # 9: every cell wrong
        [
            10,
            "Ai",
            None,
            None,
            None,
            "NKT nặng",
            "X" * 101,
            "01/02/2026",
            None,
            0,
            "Chuyển khoản",
            None,
            "12",
            "Y" * 101,
        ],  # 10: more wrong cells
        [
            11,
            "Người Lạ",
            "01/01/1950",
            None,
            None,
            "NKT nặng",
            "21/QĐ",
            "01/02/2026",
            None,
            750000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 11: nobody
        [
            12,
            "Người Lạ",
            None,
            None,
            None,
            "NKT nặng",
            "21/QĐ",
            "01/02/2026",
            None,
            750000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 12: nothing to look for
        [
            13,
            "Trần Văn Hùng",
            None,
            None,
            "TD-9999",
            "NKT nặng",
            "21/QĐ",
            "01/02/2026",
            None,
            750000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 13: no such household
        [
            14,
            "Trần Văn Hùng",
            None,
            hung.cccd,
            None,
            "NKT nặng",
            "15/QĐ-UBND",
            "20/01/2026",
            "01/2026",
            750000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 14: row 5 again
        [
            15,
            "Võ Văn Mất",
            None,
            None,
            "DH-0009",
            "NKT nặng",
            "22/QĐ",
            "01/02/2026",
            None,
            750000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 15: deceased
        [
            16,
            "Phạm Văn Xa",
            None,
            stranger.members.get().cccd,
            None,
            "NKT nặng",
            "22/QĐ",
            "01/02/2026",
            None,
            750000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 16: another commune
        [
            17,
            "Đặng Thị Mới",
            "1944",
            None,
            "DH-0009",
            "NCT từ đủ 80 tuổi",
            "24/QĐ",
            "01/02/2026",
            None,
            540000,
            "Tiền mặt",
            None,
            None,
            None,
        ],  # 17: new, by code
    ]
    seen = _through(
        "allowances", allowances.book(tmp_path, data, "b.xlsx"), hide=stranger.members.get().cccd
    )
    assert seen == EXPECTED["allowances"]
    assert Case.objects.count() == 5


# ------------------------------------------------------------------ cards


def test_cards_every_case_of_a_row(tmp_path, family, dong_hiep):
    binh = family["Nguyễn Văn Bình"]
    other = f.village(commune_code=25525, name="Ấp Khác", code="KH")
    stranger = f.household(other, f.person("Phạm Văn Xa", D(1970, 1, 1))).members.get().cccd
    first = _through("cards", cards.book(tmp_path, cards.rows(family), "a.xlsx"))
    assert first["result"] == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    base = cards.rows(family)
    data = [
        [*base[0][:8], "30/06/2026", base[0][9]],  # 5: corrected end
        base[1],  # 6: by the card code, unchanged
        [
            7,
            None,
            None,
            None,
            "7212345678",
            None,
            "GD",
            "01/01/2027",
            "31/12/2027",
            None,
        ],  # 7: by the number, a new period
        [
            8,
            "Lê Thị Hoa",
            "07/06/1980",
            None,
            "7298765432",
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            None,
        ],  # 8: by name only
        [
            9,
            "Ai",
            None,
            "072180000999",
            "7212345678",
            None,
            "GD",
            "01/01/2028",
            "31/12/2028",
            None,
        ],  # 9: someone else's number
        [
            10,
            "Ai",
            "30/02/1990",
            None,
            "123",
            "XX",
            "ZZ",
            "hôm qua",
            "31/12/2026",
            "mai",
        ],  # 10: every cell wrong
        [
            11,
            "Ai",
            None,
            None,
            None,
            None,
            "GD",
            "01/01/2026",
            "31/12/2025",
            None,
        ],  # 11: nothing to look for, ends before it starts
        [
            12,
            "Nguyễn Văn Bình",
            None,
            None,
            None,
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            None,
        ],  # 12: a name alone
        [
            13,
            "Người Lạ",
            "01/01/1950",
            None,
            None,
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            None,
        ],  # 13: nobody
        [
            14,
            None,
            None,
            None,
            "7212345678",
            None,
            "GD",
            "01/01/2027",
            "31/12/2027",
            None,
        ],  # 14: row 7 again
        [
            15,
            "Phạm Văn Xa",
            None,
            stranger,
            None,
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            None,
        ],  # 15: another commune
    ]
    seen = _through("cards", cards.book(tmp_path, data, "b.xlsx"), hide=stranger)
    assert seen == EXPECTED["cards"]
    assert Card.objects.filter(person=binh).count() == 2


def test_cards_by_household_code(tmp_path, family):
    header = [*cards.HEADER, "Mã hộ"]
    data = [
        [
            1,
            "Lê Thị Hoa",
            None,
            None,
            "7298765432",
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            None,
            "TD-0042",
        ],  # 5: found in her household
        [
            2,
            "Ai Khác",
            None,
            None,
            None,
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            None,
            "TD-0042",
        ],  # 6: nobody of that name there
        [
            3,
            "Lê Thị Hoa",
            None,
            None,
            None,
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            None,
            "TD-9999",
        ],  # 7: no such household
        [
            4,
            "Lê Thị Hoa",
            None,
            None,
            None,
            None,
            "GD",
            "01/01/2027",
            "31/12/2027",
            None,
            "TD-0042",
        ],  # 8: found, but no number for a new card (she has no CCCD)
    ]
    path = workbook(tmp_path / "c.xlsx", data, header=header)
    assert _through("cards", path) == EXPECTED["cards by household"]


# ------------------------------------------------------------------ poverty


def test_poverty_every_case_of_a_row(tmp_path, homes):
    other = f.village(commune_code=25525, name="Ấp Khác", code="KH")
    stranger = f.household(other, f.person("Phạm Văn Xa", D(1970, 1, 1))).members.get().cccd
    header = [*poverty.HEADER, "Áp dụng từ"]
    first = [[*r, None] for r in poverty.rows(homes)]
    seen = _through("poverty", poverty.book(tmp_path, first, "a.xlsx", header=header))
    assert seen["result"] == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    base = poverty.rows(homes)
    data = [
        [*base[0], None],  # 5: unchanged
        [*base[1][:6], "HN", *base[1][7:], None],  # 6: corrected class
        [
            3,
            None,
            "Phạm Thị Năm",
            "09/01/1960",
            None,
            None,
            "nghèo",
            "7/QĐ",
            "02/02/2026",
            None,
            None,
        ],  # 7: by name only
        [*base[0], None],  # 8: row 5 again
        [5, None, None, None, None, None, "HN", "7/QĐ", "02/02/2026", None, None],  # 9: not named
        [
            6,
            "TD-0100",
            "Nguyễn Văn An",
            "30/02/1975",
            None,
            None,
            "Thoát nghèo",
            None,
            "hôm qua",
            None,
            None,
        ],  # 10: every cell wrong
        [
            7,
            "TD-0100",
            "Nguyễn Văn An",
            None,
            None,
            None,
            "HN",
            "X" * 101,
            "02/02/2026",
            "1990",
            None,
        ],  # 11: more wrong cells
        [
            8,
            "TD-9999",
            "Ai Đó",
            1990,
            None,
            None,
            "HN",
            "7/QĐ",
            "02/02/2026",
            None,
            None,
        ],  # 12: no such household
        [
            9,
            None,
            "Người Lạ",
            "01/01/1970",
            None,
            None,
            "HN",
            "7/QĐ",
            "02/02/2026",
            None,
            None,
        ],  # 13: nobody
        [
            10,
            None,
            None,
            None,
            stranger,
            None,
            "HN",
            "7/QĐ",
            "02/02/2026",
            None,
            None,
        ],  # 14: another commune
        [
            11,
            "TD-0100",
            "Ai Khác",
            None,
            None,
            None,
            "HN",
            "7/QĐ",
            "02/02/2026",
            None,
            None,
        ],  # 15: nobody of that name in the household
        [
            12,
            "TD-0100",
            None,
            None,
            None,
            None,
            None,
            "7/QĐ",
            "02/02/2026",
            None,
            "01/01/2020",
        ],  # 16: no class, applies too early
    ]
    path = poverty.book(tmp_path, data, "b.xlsx", header=header)
    assert _through("poverty", path, hide=stranger) == EXPECTED["poverty"]
