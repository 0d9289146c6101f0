"""On PostgreSQL, a payroll line's case is checked once per statement instead of once per row
(ADR 0012).

Django's foreign key makes PostgreSQL check each inserted line with a ``FOR KEY SHARE`` lock
on its case row: for the million lines of a province's payroll that writes a lock into a
million case rows at commit (5.7 s of 19 s in ``bench/bench_assistance.py``). The same rule
is kept by three triggers:

* after an ``INSERT`` into the lines, one anti-join of the inserted rows (a transition table)
  against the cases refuses a line whose case does not exist;
* a line cannot be moved to another case (a row trigger that fires only when ``case_id``
  changes — it never does in ansinh);
* a case that has payroll lines cannot be deleted (cases are never deleted; this holds against
  a hand-written ``DELETE``).

SQLite keeps its foreign key: its checks are cheap, and its payroll is already under 10 s.
Django's migration state still describes the foreign key; a later ``AlterField`` of
``PayrollLine.case`` finds no constraint to drop and adds none (``tests/assistance/
test_line_case_check.py`` fails if one comes back).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION assistance_line_case_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM assistance_new_lines n
        WHERE NOT EXISTS (SELECT 1 FROM assistance_case c WHERE c.id = n.case_id)
    ) THEN
        RAISE EXCEPTION 'a payroll line refers to a case that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION assistance_line_case_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a payroll line keeps its case' USING ERRCODE = 'foreign_key_violation';
END $$;

CREATE FUNCTION assistance_case_keeps_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM assistance_payrollline WHERE case_id = OLD.id) THEN
        RAISE EXCEPTION 'case % has payroll lines and cannot be deleted', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER assistance_line_case_exists
    AFTER INSERT ON assistance_payrollline
    REFERENCING NEW TABLE AS assistance_new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_line_case_exists();

CREATE TRIGGER assistance_line_case_kept
    BEFORE UPDATE ON assistance_payrollline
    FOR EACH ROW WHEN (OLD.case_id IS DISTINCT FROM NEW.case_id)
    EXECUTE FUNCTION assistance_line_case_kept();

CREATE TRIGGER assistance_case_keeps_lines
    BEFORE DELETE ON assistance_case
    FOR EACH ROW EXECUTE FUNCTION assistance_case_keeps_lines();
"""

DROP = """
DROP TRIGGER IF EXISTS assistance_line_case_exists ON assistance_payrollline;
DROP TRIGGER IF EXISTS assistance_line_case_kept ON assistance_payrollline;
DROP TRIGGER IF EXISTS assistance_case_keeps_lines ON assistance_case;
DROP FUNCTION IF EXISTS assistance_line_case_exists();
DROP FUNCTION IF EXISTS assistance_line_case_kept();
DROP FUNCTION IF EXISTS assistance_case_keeps_lines();
"""


def foreign_keys(cursor: Any) -> list[str]:
    """The names of the foreign keys from the lines' ``case_id`` to the cases."""
    cursor.execute(
        """
        SELECT con.conname FROM pg_constraint con
        JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY (con.conkey)
        WHERE con.contype = 'f'
          AND con.conrelid = 'assistance_payrollline'::regclass
          AND con.confrelid = 'assistance_case'::regclass
          AND att.attname = 'case_id'
        """
    )
    return [row[0] for row in cursor.fetchall()]


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in foreign_keys(cursor):
            cursor.execute(f'ALTER TABLE assistance_payrollline DROP CONSTRAINT "{name}"')
        cursor.execute(FUNCTIONS)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP)
        if not foreign_keys(cursor):
            cursor.execute(
                "ALTER TABLE assistance_payrollline ADD CONSTRAINT "
                "assistance_payrollline_case_id_acc6c1c2_fk_assistance_case_id "
                "FOREIGN KEY (case_id) REFERENCES assistance_case (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0007_line_bank_result_check")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
