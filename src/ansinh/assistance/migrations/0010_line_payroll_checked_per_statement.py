"""On PostgreSQL, a payroll line's payroll is checked once per statement too (ADR 0012).

The foreign key from the lines to their payroll made PostgreSQL check each inserted line at
commit, one row at a time: for a million lines, 8 s of the payroll's generation on the
machine of stop 21, even with the payroll row already locked ``FOR UPDATE``. The rule is kept
as migration 0008 keeps the case's:

* the statement trigger of 0008 also refuses inserted lines whose payroll does not exist (one
  anti-join of the new rows against the payrolls);
* a line cannot be moved to another payroll (the row trigger of 0008 fires when its payroll
  changes as well as its case — neither ever does in ansinh);
* a payroll that has lines cannot be deleted, even by a hand-written ``DELETE`` (payrolls are
  never deleted; the ORM refuses already: ``on_delete=PROTECT``).

A payroll's lines are inserted only by its generation, which holds the payroll row ``FOR
UPDATE`` until it commits: the row cannot be deleted meanwhile, which is what the foreign
key's row locks also ensured. SQLite keeps its foreign key. Django's migration state still
describes it; ``tests/assistance/test_line_case_check.py`` fails if one comes back.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION assistance_line_case_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM assistance_new_lines n
        WHERE NOT EXISTS (SELECT 1 FROM assistance_case c WHERE c.id = n.case_id)
    ) THEN
        RAISE EXCEPTION 'a payroll line refers to a case that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (
        SELECT 1 FROM assistance_new_lines n
        WHERE NOT EXISTS (SELECT 1 FROM assistance_payroll p WHERE p.id = n.payroll_id)
    ) THEN
        RAISE EXCEPTION 'a payroll line refers to a payroll that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION assistance_line_case_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a payroll line keeps its case and its payroll'
        USING ERRCODE = 'foreign_key_violation';
END $$;

DROP TRIGGER IF EXISTS assistance_line_case_kept ON assistance_payrollline;
CREATE TRIGGER assistance_line_case_kept
    BEFORE UPDATE ON assistance_payrollline
    FOR EACH ROW WHEN (
        OLD.case_id IS DISTINCT FROM NEW.case_id OR OLD.payroll_id IS DISTINCT FROM NEW.payroll_id
    )
    EXECUTE FUNCTION assistance_line_case_kept();

CREATE FUNCTION assistance_payroll_keeps_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM assistance_payrollline WHERE payroll_id = OLD.id) THEN
        RAISE EXCEPTION 'payroll % has lines and cannot be deleted', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER assistance_payroll_keeps_lines
    BEFORE DELETE ON assistance_payroll
    FOR EACH ROW EXECUTE FUNCTION assistance_payroll_keeps_lines();
"""

# the functions as migration 0008 made them
BACK = """
DROP TRIGGER IF EXISTS assistance_payroll_keeps_lines ON assistance_payroll;
DROP FUNCTION IF EXISTS assistance_payroll_keeps_lines();

CREATE OR REPLACE FUNCTION assistance_line_case_exists() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION assistance_line_case_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a payroll line keeps its case' USING ERRCODE = 'foreign_key_violation';
END $$;

DROP TRIGGER IF EXISTS assistance_line_case_kept ON assistance_payrollline;
CREATE TRIGGER assistance_line_case_kept
    BEFORE UPDATE ON assistance_payrollline
    FOR EACH ROW WHEN (OLD.case_id IS DISTINCT FROM NEW.case_id)
    EXECUTE FUNCTION assistance_line_case_kept();
"""


def foreign_keys(cursor: Any) -> list[str]:
    """The names of the foreign keys from the lines' ``payroll_id`` to the payrolls."""
    cursor.execute(
        """
        SELECT con.conname FROM pg_constraint con
        JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY (con.conkey)
        WHERE con.contype = 'f'
          AND con.conrelid = 'assistance_payrollline'::regclass
          AND con.confrelid = 'assistance_payroll'::regclass
          AND att.attname = 'payroll_id'
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
        cursor.execute(BACK)
        if not foreign_keys(cursor):
            cursor.execute(
                "ALTER TABLE assistance_payrollline ADD CONSTRAINT "
                "assistance_payrollli_payroll_id_65f4863c_fk_assistanc "
                "FOREIGN KEY (payroll_id) REFERENCES assistance_payroll (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0009_shortfall_lines")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
