"""Writing many new rows at once (an import of 100,000 people, the audit entries of each).

Django's ``bulk_create`` prepares every field of every object one by one in Python, and on
PostgreSQL sends each column as an array for ``UNNEST``: for an import that is most of the
time it takes. Here, on PostgreSQL, the rows go through ``COPY … FROM STDIN`` (psycopg
writes each row in C) and the new records' ids are taken from their sequence beforehand, in
one query; on SQLite, ``bulk_create`` and ``executemany`` are already fast (an embedded
database, no round trips) and are kept.

Only new records of simple models belong here: no signals, no ``save()`` override, no
conflict to skip. The constraints still hold: ``COPY`` checks every one, and a violation
fails the whole statement (and the caller's transaction), as an ``INSERT`` would.
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


def _new_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` ids from the sequence of ``model``'s primary key (PostgreSQL)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def create_all(model: type[M], objects: Sequence[M], *, batch_size: int | None = None) -> list[M]:
    """Insert the new ``objects`` of ``model`` and set their primary keys, as
    ``bulk_create`` does (also their ``auto_now``/``auto_now_add`` times: one time for all)."""
    if not objects:
        return list(objects)
    if connection.vendor != "postgresql":
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
    ids = _new_ids(model, len(objects))
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
