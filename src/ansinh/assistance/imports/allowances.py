"""The ``allowances`` import kind, on the loop the kinds of persons share
(:class:`~ansinh.imports.persons.PersonImport`): reads each row
(:meth:`AllowancesImport.read` — the cells; :meth:`AllowancesImport.matcher` — the person in
the registry; the same person and scheme twice in the file), hands the good rows to
:func:`~ansinh.assistance.imports.matching.match_cases` (the recorded case each one repeats
or corrects) and to :func:`~ansinh.assistance.imports.engine.compare_with_engine` (the rules
engine's amount beside the file's), and writes the plan through
:func:`~ansinh.assistance.imports.writes.case_import` and
:func:`~ansinh.assistance.imports.writes.case_import_update`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from ansinh.accounts.scopes import Scope
from ansinh.assistance.choices import PaymentMethod
from ansinh.assistance.imports.cells import group_of, month_of, payment_of
from ansinh.assistance.imports.columns import (
    COLUMNS,
    DECISION_MAX,
    HOLDER_MAX,
    MAX_AMOUNT,
    MAX_CHILDREN,
    Recipient,
)
from ansinh.assistance.imports.engine import compare_with_engine
from ansinh.assistance.imports.matching import match_cases
from ansinh.assistance.imports.writes import case_import, case_import_update
from ansinh.assistance.models import Case
from ansinh.core.identifiers import IdentifierError, clean_bank_account
from ansinh.core.money import format_vnd
from ansinh.core.periods import first_of_month
from ansinh.core.text import fold, normalize_name
from ansinh.imports import values
from ansinh.imports.kinds import CREATE, UPDATE, Plan, Progress, Result
from ansinh.imports.persons import (
    Cells,
    Matcher,
    Parsed,
    PersonImport,
    birth,
    decision_number,
    note_match_by_name,
    write_each,
)
from ansinh.places.models import Commune
from ansinh.registry.choices import LifeStatus
from ansinh.registry.finder import Finder
from ansinh.registry.models import Person


class AllowancesImport(PersonImport[Finder, Recipient]):
    name = "allowances"
    label = gettext_lazy("Allowance recipients")
    description = gettext_lazy(
        "One row per recipient: name, date of birth, CCCD or household code, the "
        "beneficiary group (Decree 20/2021 or the social pension), the decision's number and "
        "date, the month it is paid from, the monthly amount, how it is paid (cash, bank "
        "transfer), bank, account number and holder. Each row becomes a decided case with the "
        "file's amount; the rules engine's amount is shown beside it and every difference "
        "listed. The persons must be in the registry: import the households first."
    )
    matching = gettext_lazy(
        "A person is found by CCCD, else by household code and name; one found only by name "
        "and date of birth is imported when you confirm it. A case of the same person and "
        "scheme (same group or same decision) is unchanged, or updated with what the file "
        "corrects."
    )
    columns = COLUMNS

    finder = Finder

    def matcher(self, commune: Commune, finder: Finder) -> Matcher[Recipient]:
        def match(plan: Plan, row: int, p: Parsed, cells: Cells) -> Recipient | None:
            return self._recipient(plan, row, p, cells, finder)

        return match

    def settle(self, plan: Plan, commune: Commune, units: list[Recipient]) -> list[Recipient]:
        self._file_duplicates(plan, units)
        invalid = plan.invalid_rows
        units = [u for u in units if u.row not in invalid]
        match_cases(plan, units)
        invalid = plan.invalid_rows
        units = [u for u in units if u.row not in invalid]
        compare_with_engine(plan, commune, units)
        return units

    def read(self, plan: Plan, row: int, cells: Cells) -> Parsed | None:
        """Long on purpose: each column of a recipient row read in turn, its problems named
        where they are found."""
        before = len(plan.problems)
        name = values.text(cells.get("full_name"))
        if not name:
            plan.problem(row, "full_name", "", gettext_noop("The name is empty."))
        born, year_only = birth(plan, row, cells)
        scheme = group = ""
        try:
            scheme, group = group_of(cells.get("group"))
        except values.CellError as exc:
            plan.problem(row, "group", cells.get("group"), exc.message, **exc.params)
        number = decision_number(plan, row, cells, max_length=DECISION_MAX)
        decided: dt.date | None = None
        try:
            decided = values.date(cells.get("decision_date"))[0]
        except values.CellError as exc:
            value = cells.get("decision_date")
            plan.problem(row, "decision_date", value, exc.message, **exc.params)
        start = first_of_month(decided) if decided else None
        if values.text(cells.get("start_month")):
            try:
                start = month_of(cells.get("start_month"))
            except values.CellError as exc:
                value = cells.get("start_month")
                plan.problem(row, "start_month", value, exc.message, **exc.params)
        amount = 0
        try:
            amount = values.amount(cells.get("amount"))
        except values.CellError as exc:
            plan.problem(row, "amount", cells.get("amount"), exc.message, **exc.params)
        else:
            if not 0 < amount <= MAX_AMOUNT:
                plan.problem(
                    row,
                    "amount",
                    cells.get("amount"),
                    gettext_noop(
                        "The monthly amount must be more than 0 and at most %(max)s đồng."
                    ),
                    max=format_vnd(MAX_AMOUNT, unit=False),
                )
        children = self._children(plan, row, cells)
        account = values.digits(cells.get("account_number"))
        method = bank = ""
        try:
            method, bank = payment_of(
                cells.get("method"), cells.get("bank"), has_account=bool(account)
            )
        except values.CellError as exc:
            plan.problem(row, "method", cells.get("method"), exc.message, **exc.params)
        if method == PaymentMethod.BANK:
            try:
                account = clean_bank_account(account)
            except IdentifierError as exc:
                plan.problem(row, "account_number", cells.get("account_number"), exc.message)
            if not bank:
                plan.problem(
                    row,
                    "bank",
                    cells.get("bank"),
                    gettext_noop("A bank transfer needs the name of the bank."),
                )
        holder = normalize_name(values.text(cells.get("account_holder")))
        if len(holder) > HOLDER_MAX:
            plan.problem(
                row,
                "account_holder",
                holder,
                gettext_noop("At most %(n)s characters."),
                n=HOLDER_MAX,
            )
        if len(plan.problems) > before or decided is None or start is None:
            return None
        return {
            "name": name,
            "born": born,
            "year_only": year_only,
            "cccd": values.digits(cells.get("cccd"), length=12),
            "code": values.text(cells.get("household_code")).upper(),
            "scheme": scheme,
            "group": group,
            "number": number,
            "decided": decided,
            "start": start,
            "amount": amount,
            "children": children,
            "method": method,
            "bank": bank if method == PaymentMethod.BANK else "",
            "account": account if method == PaymentMethod.BANK else "",
            "holder": holder if method == PaymentMethod.BANK else "",
        }

    @staticmethod
    def _children(plan: Plan, row: int, cells: dict[str, Any]) -> int | None:
        raw = values.text(cells.get("children"))
        if not raw:
            return None
        if not raw.isdigit() or int(raw) > MAX_CHILDREN:
            plan.problem(
                row,
                "children",
                raw,
                gettext_noop("“%(value)s” is not a number of children."),
                value=raw[:20],
            )
            return None
        return int(raw)

    @staticmethod
    def _recipient(
        plan: Plan, row: int, p: Parsed, cells: Cells, finder: Finder
    ) -> Recipient | None:
        found = finder.find(
            cccd=p["cccd"], code=p["code"], name=p["name"], born=p["born"], year_only=p["year_only"]
        )
        if found.person is None:
            column, message, params = found.problem or ("full_name", "", {})
            if not p["born"] and not p["cccd"] and not p["code"]:
                column, message, params = (
                    "date_of_birth",
                    gettext_noop(
                        "Give the CCCD, the household code or the date of birth to find this "
                        "person in the registry."
                    ),
                    {},
                )
            plan.problem(row, column, cells.get(column), message, **params)
            return None
        person = found.person
        if person["life_status"] != LifeStatus.LIVING:
            plan.problem(
                row,
                "full_name",
                cells.get("full_name"),
                gettext_noop(
                    "%(name)s is recorded as deceased or moved away: a case is not imported "
                    "for them."
                ),
                name=person["full_name"],
            )
            return None
        if found.confirm:
            note_match_by_name(plan, row, person["full_name"])
        holder = p["holder"] or (fold(person["full_name"]).upper() if p["account"] else "")
        return Recipient(
            row=row,
            person_id=person["pk"],
            household_id=person["household_id"],
            born=person["date_of_birth"],
            name=person["full_name"],
            scheme=p["scheme"],
            group=p["group"],
            decision_number=p["number"],
            decision_date=p["decided"],
            effective_month=p["start"],
            amount=p["amount"],
            children=p["children"],
            method=p["method"],
            bank=p["bank"],
            account_number=p["account"],
            account_holder=fold(holder).upper()[:HOLDER_MAX],
            confirm=found.confirm,
        )

    @staticmethod
    def _file_duplicates(plan: Plan, units: list[Recipient]) -> None:
        seen: dict[tuple[int, str], int] = {}
        for unit in units:
            key = (unit.person_id, unit.scheme)
            if key in seen:
                plan.problem(
                    unit.row,
                    "full_name",
                    unit.name,
                    gettext_noop("The same person and scheme are on row %(row)s of the file."),
                    row=seen[key],
                )
            else:
                seen[key] = unit.row

    # ------------------------------------------------------------------ apply

    def write(
        self,
        *,
        scope: Scope,
        commune: Commune,
        units: list[Recipient],
        note: str,
        progress: Progress,
    ) -> Result:
        persons = Person.objects.in_bulk([u.person_id for u in units if u.action == CREATE])
        cases = Case.objects.select_related("person", "commune").in_bulk(
            [u.case_id for u in units if u.action == UPDATE and u.case_id]
        )

        def create(unit: Recipient) -> None:
            case_import(scope=scope, person=persons[unit.person_id], recipient=unit, note=note)

        def update(unit: Recipient) -> bool:
            if not unit.case_id:
                return False
            case_import_update(scope=scope, case=cases[unit.case_id], recipient=unit, note=note)
            return True

        return write_each(units, progress, create=create, update=update)
