"""The survey's date of birth is typed dd/mm/yyyy like every date (issue 15, item 3) and kept
as yyyy-mm-dd, the registry's value it is compared to."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ansinh.accounts.scopes import scope_for
from ansinh.poverty import services
from tests.poverty.conftest import fill


def _member(annual_round, officer, poor_td):
    entry = fill(annual_round.entries.get(household=poor_td), officer)
    key = next(iter(entry.answers["members"]))
    return entry, key, entry.answers["members"][key]["date_of_birth"]


def test_a_date_of_birth_typed_day_first_is_kept_as_the_registrys(annual_round, officer, poor_td):
    entry, key, born = _member(annual_round, officer, poor_td)
    year, month, day = born.split("-")
    services.survey_save(
        scope=scope_for(officer),
        entry=entry,
        section=f"member:{key}",
        data={"date_of_birth": f"{day}/{month}/{year}"},
    )
    entry.refresh_from_db()
    assert entry.answers["members"][key]["date_of_birth"] == born
    assert f"{key}.date_of_birth" not in entry.answers["notes"]  # the same day: no correction


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/1980", r"(Không có ngày|There is no day) 31/02/1980"),
        ("17/05/81", r"(bốn chữ số|four digits)"),
        ("17/05/9999", r"(Nhập ngày trong khoảng|Enter a date between)"),
        ("mười bảy", r"dd/mm/yyyy"),
    ],
)
def test_a_date_of_birth_that_cannot_be_read_is_refused(
    annual_round, officer, poor_td, typed, message
):
    entry, key, born = _member(annual_round, officer, poor_td)
    with translation.override("vi"), pytest.raises(ValidationError, match=message) as err:
        services.survey_save(
            scope=scope_for(officer),
            entry=entry,
            section=f"member:{key}",
            data={"date_of_birth": typed, "note_date_of_birth": "Theo giấy khai sinh"},
        )
    assert re.search(message, " ".join(err.value.message_dict["date_of_birth"]))
    entry.refresh_from_db()
    assert entry.answers["members"][key]["date_of_birth"] == born  # nothing was saved
