"""A payroll line always refers to an existing case and payroll (migrations assistance 0008 and
0010, ADR 0012): on PostgreSQL by triggers checked once per statement, on SQLite by the
foreign keys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance.models import Case, Payroll, PayrollLine
from tests import factories as f

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)


def _foreign_keys(column: str = "case_id") -> list[str]:
    with connection.cursor() as cursor:
        return [
            name
            for name, info in connection.introspection.get_constraints(
                cursor, PayrollLine._meta.db_table
            ).items()
            if info["foreign_key"] and info["columns"] == [column]
        ]


@pytest.fixture
def line(cases, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=f.TAN_DONG, month=NOV)
    return payroll.lines.order_by("id").first()


@pytest.mark.parametrize("column", ["case_id", "payroll_id"])
def test_sqlite_keeps_its_foreign_keys(column):
    if connection.vendor == "postgresql":
        assert _foreign_keys(column) == []  # replaced by the triggers: a new one would be slow
    else:
        assert len(_foreign_keys(column)) == 1


@on_postgres
def test_a_line_for_a_case_that_does_not_exist_is_refused(line):
    missing = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1000
    with pytest.raises(IntegrityError, match="case that does not exist"), transaction.atomic():
        PayrollLine.objects.bulk_create(
            [
                PayrollLine(
                    payroll_id=line.payroll_id,
                    case_id=missing,
                    month=dt.date(2026, 12, 1),
                    kind=line.kind,
                    amount=1,
                    method=line.method,
                    reference="TC-missing",
                )
            ]
        )


@on_postgres
def test_a_line_keeps_its_case(line, cases):
    other = next(c for c in cases.values() if c.pk != line.case_id)
    with pytest.raises(IntegrityError, match="keeps its case"), transaction.atomic():
        PayrollLine.objects.filter(pk=line.pk).update(case_id=other.pk)
    PayrollLine.objects.filter(pk=line.pk).update(note="checked")  # other changes are free


@on_postgres
def test_a_case_with_lines_cannot_be_deleted_even_by_hand(line):
    with (
        pytest.raises(IntegrityError, match="has payroll lines"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM assistance_case WHERE id = %s", [line.case_id])
    assert Case.objects.filter(pk=line.case_id).exists()


@on_postgres
def test_a_line_for_a_payroll_that_does_not_exist_is_refused(line):
    missing = (Payroll.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1000
    with pytest.raises(IntegrityError, match="payroll that does not exist"), transaction.atomic():
        PayrollLine.objects.bulk_create(
            [
                PayrollLine(
                    payroll_id=missing,
                    case_id=line.case_id,
                    month=dt.date(2026, 12, 1),
                    kind=line.kind,
                    amount=1,
                    method=line.method,
                    reference="TC-no-payroll",
                )
            ]
        )


@on_postgres
def test_a_line_keeps_its_payroll(line, officer):
    other = pr.payroll_generate(
        scope=scope_for(officer), commune_code=f.TAN_DONG, month=dt.date(2026, 12, 1)
    )
    with (
        pytest.raises(IntegrityError, match="keeps its case and its payroll"),
        transaction.atomic(),
    ):
        PayrollLine.objects.filter(pk=line.pk).update(payroll_id=other.pk)
    assert PayrollLine.objects.get(pk=line.pk).payroll_id == line.payroll_id


@on_postgres
def test_a_payroll_with_lines_cannot_be_deleted_even_by_hand(line):
    with (
        pytest.raises(IntegrityError, match="has lines and cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM assistance_payroll WHERE id = %s", [line.payroll_id])
    assert Payroll.objects.filter(pk=line.payroll_id).exists()


def test_a_payroll_without_lines_can_still_be_deleted(officer):
    payroll = Payroll.objects.create(commune_id=f.TAN_DONG, month=dt.date(2026, 10, 1))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assistance_payroll WHERE id = %s", [payroll.pk])
    assert not Payroll.objects.filter(pk=payroll.pk).exists()
