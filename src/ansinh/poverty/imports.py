"""The commune's current poor and near-poor list: one row per household, with the decision
that recognised it, becomes the households' official statuses.

Each row names the household (its code, else the head's CCCD, else the head's name and date
of birth — a match the officer confirms), its class ("Hộ nghèo", "Hộ cận nghèo", "HN",
"HCN", "nghèo", "cận nghèo", or a tick in a "Hộ nghèo" / "Hộ cận nghèo" column), the
decision's number and date, and optionally the date it applies from or the year of the list.
The status applies from that date, else from 1 January of the list's year when the decision
was signed the year before (an annual review decided in December), else from the decision's
date. A decision written only in a title row above the header is not read: the number and
date are columns of the list (the kind reports them missing).

The statuses are recorded by :func:`ansinh.poverty.services.statuses.statuses_record`
(audited, and the allowance payrolls are told). A household already of that class on that
date is unchanged, so importing the same file again changes nothing; a corrected file (another
class under the same decision) updates the period. Households not on the list are left as
they are: the list says who is poor or near-poor, not who escaped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from ansinh.accounts.scopes import Scope
from ansinh.imports import values
from ansinh.imports.kinds import CREATE, UNCHANGED, UPDATE, Column, Plan, Progress, Result
from ansinh.imports.persons import (
    Cells,
    Matcher,
    Parsed,
    PersonImport,
    birth,
    decide,
    decision_number,
    note_match_by_name,
)
from ansinh.places.models import Commune
from ansinh.poverty.choices import PovertyClass
from ansinh.poverty.models import PovertyStatusPeriod
from ansinh.poverty.services.statuses import (
    CREATED,
    UPDATED,
    StatusDecided,
    status_change,
    statuses_record,
)
from ansinh.poverty.services.statuses import (
    UNCHANGED as STATUS_UNCHANGED,
)
from ansinh.registry.finder import Finder
from ansinh.registry.imports import aliases_of

BASIS_MAX = PovertyStatusPeriod._meta.get_field("basis").max_length or 200
DECISION_MAX = 100


DECISION_NUMBER = Column(
    "decision_number",
    gettext_lazy("Decision number"),
    ("Số quyết định", "Quyết định số", "Số QĐ", "QĐ số", "Số QĐ công nhận", "Quyết định"),
    required=True,
    help=gettext_lazy(
        "A column of the list. A decision written only in a title row is not read: add a "
        "column with its number on every row."
    ),
)
DECISION_DATE = Column(
    "decision_date",
    gettext_lazy("Decision date"),
    (
        "Ngày quyết định",
        "Ngày QĐ",
        "Ngày ký quyết định",
        "Ngày ký QĐ",
        "Ngày ký",
        "Ngày ban hành",
        "Ngày ban hành QĐ",
    ),
    required=True,
)

COLUMNS = (
    Column("household_code", gettext_lazy("Household code"), aliases_of("household_code")),
    Column(
        "full_name",
        gettext_lazy("Head of household"),
        (
            "Họ và tên chủ hộ",
            "Họ tên chủ hộ",
            "Tên chủ hộ",
            "Chủ hộ",
            *aliases_of("full_name"),
        ),
    ),
    Column(
        "date_of_birth",
        gettext_lazy("Head's date of birth"),
        (
            "Ngày sinh chủ hộ",
            "Năm sinh chủ hộ",
            "Ngày tháng năm sinh chủ hộ",
            *aliases_of("date_of_birth"),
        ),
    ),
    Column(
        "cccd",
        gettext_lazy("Head's personal ID (CCCD)"),
        ("Số CCCD chủ hộ", "CCCD chủ hộ", "Số định danh chủ hộ", *aliases_of("cccd")),
    ),
    Column("village", gettext_lazy("Village"), aliases_of("village")),
    Column(
        "poverty_class",
        gettext_lazy("Poor or near-poor"),
        (
            "Phân loại",
            "Phân loại hộ",
            "Loại hộ",
            "Hộ nghèo/Hộ cận nghèo",
            "Hộ nghèo/cận nghèo",
            "Hộ nghèo, hộ cận nghèo",
            "Xếp loại",
            "Thuộc diện",
            "Diện hộ",
            "Kết quả",
            "Kết quả rà soát",
        ),
    ),
    Column("poor", gettext_lazy("Poor (tick)"), ("Hộ nghèo", "HN", "Nghèo")),
    Column("near_poor", gettext_lazy("Near-poor (tick)"), ("Hộ cận nghèo", "HCN", "Cận nghèo")),
    DECISION_NUMBER,
    DECISION_DATE,
    Column(
        "valid_from",
        gettext_lazy("Applies from"),
        ("Áp dụng từ", "Áp dụng từ ngày", "Hiệu lực từ", "Có hiệu lực từ", "Ngày hiệu lực"),
    ),
    Column("year", gettext_lazy("Year of the list"), ("Năm", "Năm rà soát", "Năm áp dụng")),
)

_CLASSES = {
    "hn": PovertyClass.POOR,
    "ho ngheo": PovertyClass.POOR,
    "ngheo": PovertyClass.POOR,
    "poor": PovertyClass.POOR,
    "hcn": PovertyClass.NEAR_POOR,
    "cn": PovertyClass.NEAR_POOR,
    "ho can ngheo": PovertyClass.NEAR_POOR,
    "can ngheo": PovertyClass.NEAR_POOR,
    "near poor": PovertyClass.NEAR_POOR,
}


def poverty_class(value: Any) -> str:
    """ "Hộ nghèo", "HN", "nghèo" → poor; "Hộ cận nghèo", "HCN", "cận nghèo" → near-poor."""
    raw = values.key(value)
    found = _CLASSES.get(raw)
    words = raw.split()
    if found is None and raw and not {"thoat", "khong", "ngoai"} & set(words):
        if "can ngheo" in raw:
            found = PovertyClass.NEAR_POOR
        elif "ngheo" in words:
            found = PovertyClass.POOR
    if found is None:
        raise values.CellError(
            gettext_noop("“%(value)s”: write Hộ nghèo (HN) or Hộ cận nghèo (HCN)."),
            value=values.text(value)[:40],
        )
    return str(found)


@dataclass
class Row:
    row: int
    household_id: int
    status: StatusDecided
    confirm: bool = False  # found only by the head's name and date of birth
    action: str = CREATE


class PovertyImport(PersonImport[Finder, Row]):
    name = "poverty"
    label = gettext_lazy("Poor and near-poor households")
    description = gettext_lazy(
        "One row per household on the current poor or near-poor list: the household code, the "
        "head's name, date of birth and CCCD, the village, “Hộ nghèo” or “Hộ cận nghèo”, the "
        "decision's number and date (columns: a decision written only in a title row is not "
        "read), and optionally the date it applies from or the year of the list. The "
        "households become officially poor or near-poor; the others are left as they are."
    )
    matching = gettext_lazy(
        "A household is found by its code, else by its head's CCCD; one found only by the "
        "head's name and date of birth is recorded when you confirm it. A household already "
        "of that class on that date is unchanged."
    )
    columns = COLUMNS

    def required_missing(self, mapping: dict[str, int], commune: Commune) -> list[Column]:
        missing = super().required_missing(mapping, commune)
        if "poverty_class" not in mapping and not {"poor", "near_poor"} & set(mapping):
            missing.append(self.column("poverty_class"))
        if not {"household_code", "cccd", "full_name"} & set(mapping):
            missing.append(self.column("household_code"))
        return missing

    # ------------------------------------------------------------------ check

    finder = Finder

    def matcher(self, commune: Commune, finder: Finder) -> Matcher[Row]:
        seen: dict[int, int] = {}  # household -> the row of the file it was first on

        def match(plan: Plan, row: int, parsed: Parsed, cells: Cells) -> Row | None:
            found = finder.find(
                cccd=parsed["cccd"],
                code=parsed["code"],
                name=parsed["name"],
                born=parsed["born"],
                year_only=parsed["year_only"],
                household_only=True,
            )
            if found.problem is not None:
                column, message, params = found.problem
                plan.problem(row, column, cells.get(column), message, **params)
                return None
            assert found.household_id is not None
            if found.household_id in seen:
                plan.problem(
                    row,
                    "",
                    "",
                    gettext_noop("The same household is on row %(row)s of the file."),
                    row=seen[found.household_id],
                )
                return None
            seen[found.household_id] = row
            if found.confirm:
                note_match_by_name(plan, row, parsed["name"], household=True)
            status = StatusDecided(
                household_id=found.household_id,
                poverty_class=parsed["class"],
                valid_from=parsed["valid_from"],
                basis=parsed["basis"],
            )
            return Row(
                row=row, household_id=found.household_id, status=status, confirm=found.confirm
            )

        return match

    def read(self, plan: Plan, row: int, cells: Cells) -> Parsed | None:
        """The row's values, or None (and problems)."""
        before = len(plan.problems)
        name = values.text(cells.get("full_name"))
        code = values.text(cells.get("household_code")).upper()
        cccd = values.digits(cells.get("cccd"), length=12)
        born, year_only = birth(plan, row, cells)
        if not (code or cccd or (name and born)):
            plan.problem(
                row,
                "household_code" if "household_code" in cells else "full_name",
                "",
                gettext_noop(
                    "The household is not named: give its code, the head's CCCD, or the "
                    "head's name and date of birth."
                ),
            )
        klass = self._class(plan, row, cells)
        number = decision_number(plan, row, cells, max_length=DECISION_MAX)
        decided = self._date(plan, row, "decision_date", cells.get("decision_date"))
        valid_from = decided
        if values.text(cells.get("valid_from")):
            valid_from = self._date(plan, row, "valid_from", cells.get("valid_from"))
            if valid_from and decided and valid_from < decided - dt.timedelta(days=366):
                plan.problem(
                    row,
                    "valid_from",
                    cells.get("valid_from"),
                    gettext_noop("It applies more than a year before the decision (%(date)s)."),
                    date=f"{decided:%d/%m/%Y}",
                )
        elif values.text(cells.get("year")) and decided:
            year = self._year(plan, row, cells.get("year"), decided)
            if year is not None:
                valid_from = max(decided, dt.date(year, 1, 1))
        if len(plan.problems) > before or klass is None or valid_from is None or decided is None:
            return None
        basis = f"{number} ({decided:%d/%m/%Y})"[:BASIS_MAX]
        return {
            "name": name,
            "code": code,
            "cccd": cccd,
            "born": born,
            "year_only": year_only,
            "class": klass,
            "valid_from": valid_from,
            "basis": basis,
        }

    @staticmethod
    def _date(plan: Plan, row: int, column: str, value: Any) -> dt.date | None:
        try:
            day, _year_only = values.date(value)
        except values.CellError as exc:
            plan.problem(row, column, value, exc.message, **exc.params)
            return None
        return day

    @staticmethod
    def _year(plan: Plan, row: int, value: Any, decided: dt.date) -> int | None:
        raw = values.text(value)
        digits = "".join(ch for ch in raw if ch.isdigit())
        year = int(digits[-4:]) if len(digits) >= 4 else None
        if year is None or not decided.year - 1 <= year <= decided.year + 1:
            plan.problem(
                row,
                "year",
                value,
                gettext_noop("“%(value)s” is not the year of a list decided on %(date)s."),
                value=raw[:20],
                date=f"{decided:%d/%m/%Y}",
            )
            return None
        return year

    @staticmethod
    def _class(plan: Plan, row: int, cells: dict[str, Any]) -> str | None:
        if values.text(cells.get("poverty_class")):
            try:
                return poverty_class(cells.get("poverty_class"))
            except values.CellError as exc:
                plan.problem(
                    row, "poverty_class", cells.get("poverty_class"), exc.message, **exc.params
                )
                return None
        poor, near = values.yes(cells.get("poor")), values.yes(cells.get("near_poor"))
        if poor and near:
            plan.problem(
                row,
                "near_poor",
                cells.get("near_poor"),
                gettext_noop("Ticked both poor and near-poor: keep one."),
            )
            return None
        if poor or near:
            return str(PovertyClass.POOR if poor else PovertyClass.NEAR_POOR)
        column = "poverty_class" if "poverty_class" in cells else "poor"
        plan.problem(
            row,
            column,
            "",
            gettext_noop("Poor or near-poor is not said: write Hộ nghèo or Hộ cận nghèo."),
        )
        return None

    def settle(self, plan: Plan, commune: Commune, units: list[Row]) -> list[Row]:
        """Each row's action against the recorded periods (read at once)."""
        ids = sorted({u.household_id for u in units})
        periods: dict[int, list[PovertyStatusPeriod]] = defaultdict(list)
        for start in range(0, len(ids), 900):
            for period in PovertyStatusPeriod.objects.filter(
                household_id__in=ids[start : start + 900]
            ).order_by("-valid_from"):
                periods[period.household_id].append(period)
        for unit in units:
            day = unit.status.valid_from
            covering = next(
                (
                    p
                    for p in periods.get(unit.household_id, [])
                    if p.valid_from <= day and (p.valid_to is None or p.valid_to >= day)
                ),
                None,
            )
            change = status_change(covering, unit.status)
            unit.action = {CREATED: CREATE, UPDATED: UPDATE, STATUS_UNCHANGED: UNCHANGED}[change]
            decide(plan, unit)
        return units

    # ------------------------------------------------------------------ apply

    def write(
        self, *, scope: Scope, commune: Commune, units: list[Row], note: str, progress: Progress
    ) -> Result:
        result = Result()
        actions = statuses_record(
            scope=scope, commune_code=commune.code, items=[u.status for u in units], note=note
        )
        for action in actions:
            if action == CREATED:
                result.created += 1
            elif action == UPDATED:
                result.updated += 1
            else:
                result.unchanged += 1
        progress(len(units), len(units))
        return result


__all__ = ["PovertyImport", "poverty_class"]
