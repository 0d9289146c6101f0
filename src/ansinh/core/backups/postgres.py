"""PostgreSQL backup and restore with ``pg_dump`` / ``pg_restore`` and finding those programs.

A backup is ``pg_dump -Fc`` (one snapshot of the whole database), checked by reading its table
of contents back with ``pg_restore --list``. A restore drops what ``migrate`` made in the empty
target and runs ``pg_restore --single-transaction``. :func:`pg_tool` picks the newest client
Debian installed (a newer client reads and writes for older servers), else the one on ``PATH``;
the connection settings go through the libpq environment, never a command line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from ansinh.core.backups.database import _refuse_if_not_empty
from ansinh.core.backups.files import BackupError, _partial
from ansinh.core.models import AuditEntry


def _pg_backup(connection: BaseDatabaseWrapper, folder: Path) -> Path:
    pg_dump = pg_tool("pg_dump")
    partial = _partial(folder, "-pg.dump")
    try:
        with partial.open("wb") as out:
            done = subprocess.run(  # noqa: S603 - a fixed program and our own arguments
                [pg_dump, "--format=custom", "--compress=6"],
                env=_pg_env(connection.settings_dict),
                stdout=out,
                stderr=subprocess.PIPE,
                check=False,
            )
        if done.returncode != 0:
            raise BackupError(
                _("pg_dump failed: %(reason)s")
                % {"reason": done.stderr.decode(errors="replace").strip()[-800:]}
            )
        _pg_list(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial


def _pg_list(path: Path) -> None:
    """Read the dump's table of contents back: a damaged or truncated dump fails here."""
    done = subprocess.run(  # noqa: S603
        [pg_tool("pg_restore"), "--list", str(path)], capture_output=True, check=False
    )
    if done.returncode != 0 or AuditEntry._meta.db_table.encode() not in done.stdout:
        raise BackupError(
            _("%(file)s is not a readable ansinh PostgreSQL dump: %(reason)s")
            % {"file": path.name, "reason": done.stderr.decode(errors="replace").strip()[-400:]}
        )


def _pg_version(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/17/bin/pg_dump -> (17,)
    try:
        return tuple(int(p) for p in path.parent.parent.name.split("."))
    except ValueError:
        return (0,)


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` / ``pg_restore``: the newest version Debian installed under
    ``/usr/lib/postgresql/*/bin`` (a newer client reads and writes for older servers), else
    the one on ``PATH``. Raises :class:`BackupError` with what to install."""
    root = Path(os.environ.get("ANSINH_PG_BIN_ROOT", "/usr/lib/postgresql"))
    versions = sorted(root.glob(f"*/bin/{name}"), key=_pg_version, reverse=True)
    for candidate in versions:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        _(
            "%(program)s was not found. Install the PostgreSQL client programs "
            "(Debian: apt-get install postgresql-client) and try again."
        )
        % {"program": name}
    )


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq environment for the database of ``db`` (a connection's settings): no password
    on a command line."""
    env = dict(os.environ)
    for key, value in (
        ("PGDATABASE", db.get("NAME")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[key] = str(value)
    return env


def _pg_restore(path: Path, connection: BaseDatabaseWrapper) -> None:
    _refuse_if_not_empty(connection)
    _pg_list(path)
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        if tables:  # only what `migrate` made (checked above): dropped, the dump recreates it
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
        # The trigger functions migrations made (assistance 0008) too; not an extension's.
        cursor.execute(
            """
            SELECT p.oid::regprocedure::text FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema()
              AND NOT EXISTS (
                  SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
              )
            """
        )
        for (function,) in cursor.fetchall():
            cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    connection.close()
    done = subprocess.run(  # noqa: S603
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(path),
        ],
        env=_pg_env(connection.settings_dict),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            _("pg_restore failed (nothing was restored): %(reason)s")
            % {"reason": done.stderr.decode(errors="replace").strip()[-800:]}
        )
