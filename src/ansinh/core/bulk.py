"""Writing many new rows at once (an import of 100,000 people, the audit entries of each).

Django's ``bulk_create`` prepares every field of every object one by one in Python, sends
each column as an array for ``UNNEST`` on PostgreSQL, and on SQLite fits some 50 rows in a
statement (999 parameters): for an import that was most of the time it takes. Here the ids
of the new records are chosen first, then the rows are written with their columns read
together: on PostgreSQL through ``COPY … FROM STDIN`` (psycopg writes each row in C), ids
from the table's sequence in one query; on SQLite by ``executemany`` (sqlite3 in C), ids
after the highest ever given (``sqlite_sequence``: an id is never given twice, even after a
deletion), which is safe because ansinh's SQLite transactions take the write lock at
``BEGIN`` (``transaction_mode: IMMEDIATE``) so no other writer can take the same ids.

Only new records of simple models belong here: no signals, no ``save()`` override, no
conflict to skip. The constraints still hold: a violation fails the whole statement (and the
caller's transaction), as an ``INSERT`` would.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

#: Field classes whose value, as the model holds it, is what the database receives (their
#: preparation methods are the identity for values of the right type).
_PLAIN_BASES: tuple[type[models.Field[Any, Any]], ...] = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.ForeignKey,
)
_PREPARATION = ("get_prep_value", "get_db_prep_value", "get_db_prep_save", "pre_save")


def _plain(field: models.Field[Any, Any]) -> bool:
    """The field's value needs no preparation: a plain base class, or a subclass that
    overrides none of the preparation methods (e.g. the registry's ``SearchKeyField``)."""
    if isinstance(field, models.DateTimeField) or getattr(field, "auto_now_add", False):
        return False
    if getattr(field, "auto_now", False):
        return False
    cls = type(field)
    return any(
        issubclass(cls, base) and all(getattr(cls, m) is getattr(base, m) for m in _PREPARATION)
        for base in _PLAIN_BASES
    )


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (values ready for the database, in the order of ``columns``) into
    ``table``: ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own cursor, under Django's: its errors become Django's (IntegrityError …)
            sql = f"COPY {quote(table)} ({names}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, list(rows))


def _new_ids(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` new ids for ``model``'s primary key, never given before; None where they
    cannot be chosen safely here (then ``bulk_create`` writes the rows)."""
    meta = model._meta
    table, column = meta.db_table, str(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        immediate = connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
        if connection.vendor != "sqlite" or not (immediate and connection.in_atomic_block):
            return None
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT max({quote(column)}) FROM {quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        given = cursor.fetchone()
        start = max(highest, given[0] if given else 0) + 1
        return list(range(start, start + count))


def create_all(model: type[M], objects: Sequence[M], *, batch_size: int | None = None) -> list[M]:
    """Insert the new ``objects`` of ``model`` and set their primary keys, as
    ``bulk_create`` does (also their ``auto_now``/``auto_now_add`` times: one time for all)."""
    if not objects:
        return list(objects)
    ids = _new_ids(model, len(objects))
    if ids is None:
        return list(model._default_manager.bulk_create(objects, batch_size=batch_size))
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    now = timezone.now()
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for field in stamped:
        for obj in objects:
            setattr(obj, field.attname, now)
    for obj, new_id in zip(objects, ids, strict=True):
        setattr(obj, pk.attname, new_id)
    # Columns grouped: those sent as the objects hold them (read together, in C), the times
    # set above (prepared once), the others prepared by their field.
    plain = [f for f in fields if f not in stamped and _plain(f)]
    other = [f for f in fields if f not in stamped and f not in plain]
    read = operator.attrgetter(pk.attname, *(f.attname for f in plain))
    times = tuple(f.get_db_prep_save(now, connection) for f in stamped)
    rows = (
        (
            *read(obj),
            *times,
            *(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in other),
        )
        for obj in objects
    )
    columns = [str(f.column) for f in [pk, *plain, *stamped, *other]]
    insert_rows(meta.db_table, columns, rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objects)
