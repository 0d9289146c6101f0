"""A payroll line always refers to an existing case (migration assistance 0008, ADR 0012): on
PostgreSQL by triggers checked once per statement, on SQLite by the foreign key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance.models import Case, PayrollLine
from tests import factories as f

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)


def _case_foreign_keys() -> list[str]:
    with connection.cursor() as cursor:
        return [
            name
            for name, info in connection.introspection.get_constraints(
                cursor, PayrollLine._meta.db_table
            ).items()
            if info["foreign_key"] and info["columns"] == ["case_id"]
        ]


@pytest.fixture
def line(cases, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=f.TAN_DONG, month=NOV)
    return payroll.lines.order_by("id").first()


def test_sqlite_keeps_its_foreign_key():
    if connection.vendor == "postgresql":
        assert _case_foreign_keys() == []  # replaced by the triggers: a new one would be slow
    else:
        assert len(_case_foreign_keys()) == 1


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
