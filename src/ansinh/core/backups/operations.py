"""The two operations: :func:`backup_create` and :func:`backup_restore`.

Each picks the SQLite or PostgreSQL way from the connection's vendor (:mod:`.sqlite`,
:mod:`.postgres`), uses the folder helpers of :mod:`.files` (temporary name, atomic publish,
retention) and the database helpers of :mod:`.database` (empty-target guard, audit event,
migrate). A restore first recognises the file by its first bytes (gzip, SQLite, pg_dump)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.backups.database import _migrate, _record
from ansinh.core.backups.files import (
    _GZIP_MAGIC,
    _PG_MAGIC,
    _SQLITE_MAGIC,
    BackupError,
    BackupReport,
    RestoreReport,
    _new_name,
    _parse,
    _prepare_folder,
    _prune,
    _publish,
    backup_dir,
)
from ansinh.core.backups.postgres import _pg_backup, _pg_restore
from ansinh.core.backups.sqlite import _sqlite_backup, _sqlite_restore


def backup_create(
    *,
    to: Path | None = None,
    keep: int | None = None,
    now: dt.datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> BackupReport:
    """Copy the whole database into ``to`` (default :func:`backup_dir`), check the copy,
    publish it under its dated name, record the backup in the audit log and apply retention
    (``keep``: the newest kept, default ``ANSINH_BACKUP_KEEP``). Raises :class:`BackupError`."""
    keep = settings.ANSINH_BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError(_("Keep at least one backup (--keep 1 or more)."))
    folder = Path(to) if to is not None else backup_dir()
    _prepare_folder(folder)
    connection = connections[using]
    started = now or timezone.now()
    clock = time.perf_counter()
    if connection.vendor == "sqlite":
        suffix = ".sqlite3.gz"
        partial = _sqlite_backup(connection, folder)
    elif connection.vendor == "postgresql":
        suffix = "-pg.dump"
        partial = _pg_backup(connection, folder)
    else:  # pragma: no cover - ansinh runs on SQLite or PostgreSQL
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))
    final = _new_name(folder, started, suffix)
    _publish(partial, final)
    backup = _parse(final)
    assert backup is not None
    _record(
        connection,
        system="backup",
        what=final.name,
        changes={"file": final.name, "bytes": backup.size, "database": connection.vendor},
    )
    removed = _prune(folder, keep=keep)
    return BackupReport(backup=backup, removed=removed, seconds=time.perf_counter() - clock)


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(
            _("The backup file %(file)s cannot be read: %(reason)s.")
            % {"file": path, "reason": exc.strerror or exc}
        ) from exc
    if head.startswith(_GZIP_MAGIC):
        return "sqlite.gz"
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(_PG_MAGIC):
        return "postgresql"
    raise BackupError(
        _("%(file)s is not an ansinh backup (neither SQLite nor a pg_dump file).")
        % {"file": path.name}
    )


def backup_restore(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Restore the backup ``path`` into the configured database, which must be empty (see the
    module's docstring); then ``migrate`` and an audit event. Raises :class:`BackupError`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("The backup file %(file)s does not exist.") % {"file": path})
    kind = _kind_of(path)
    connection = connections[using]
    vendor = "postgresql" if kind == "postgresql" else "sqlite"
    if connection.vendor != vendor:
        raise BackupError(
            _(
                "%(file)s is a backup of a %(backup)s database, but this installation uses "
                "%(database)s."
            )
            % {"file": path.name, "backup": vendor, "database": connection.vendor}
        )
    clock = time.perf_counter()
    if vendor == "sqlite":
        _sqlite_restore(path, kind, connection)
    else:
        _pg_restore(path, connection)
    connection.close()
    migrated = _migrate(using)
    _record(connection, system="restore", what=path.name, changes={"file": path.name})
    return RestoreReport(
        path=path, kind=vendor, seconds=time.perf_counter() - clock, migrated=migrated
    )
