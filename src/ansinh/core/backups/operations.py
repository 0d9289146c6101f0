"""The two operations: :func:`backup_create` and :func:`backup_restore`.

Each picks the SQLite or PostgreSQL way from the connection's vendor (:mod:`.sqlite`,
:mod:`.postgres`), uses the folder helpers of :mod:`.files` (temporary name, atomic publish,
retention), the archive of :mod:`.archive` (the database copy and the data folders in one
file, ADR 0013) and the database helpers of :mod:`.database` (empty-target guard, audit event,
migrate). A restore first recognises the file by its first bytes (tar, gzip, SQLite,
pg_dump): the older database-only backups are restored as before."""

from __future__ import annotations

import datetime as dt
import tarfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.backups import archive
from ansinh.core.backups.database import _migrate, _record, _refuse_if_not_empty
from ansinh.core.backups.files import (
    _GZIP_MAGIC,
    _PG_MAGIC,
    _SQLITE_MAGIC,
    BackupError,
    BackupReport,
    RestoreReport,
    _new_name,
    _parse,
    _partial,
    _prepare_folder,
    _prune,
    _publish,
    backup_dir,
)
from ansinh.core.backups.postgres import _pg_backup, _pg_restore
from ansinh.core.backups.sqlite import _set_aside_orphans, _sqlite_backup, _sqlite_restore


def backup_create(
    *,
    to: Path | None = None,
    keep: int | None = None,
    now: dt.datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> BackupReport:
    """Copy the whole database into ``to`` (default :func:`backup_dir`), check the copy, add
    the files of the data folders (:mod:`.datafolders`) after it, publish the archive under
    its dated name, record the backup in the audit log and apply retention (``keep``: the
    newest kept, default ``ANSINH_BACKUP_KEEP``). Raises :class:`BackupError`."""
    keep = settings.ANSINH_BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError(_("Keep at least one backup (--keep 1 or more)."))
    folder = Path(to) if to is not None else backup_dir()
    _prepare_folder(folder)
    connection = connections[using]
    started = now or timezone.now()
    clock = time.perf_counter()
    if connection.vendor == "sqlite":
        suffix = ".sqlite3.tar"
        database = _sqlite_backup(connection, folder)
    elif connection.vendor == "postgresql":
        suffix = "-pg.tar"
        database = _pg_backup(connection, folder)
    else:  # pragma: no cover - ansinh runs on SQLite or PostgreSQL
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))
    partial = _partial(folder, suffix)
    try:
        carried = archive.write_archive(partial, database, connection.vendor, using=using)
    except OSError as exc:  # a full disk: nothing that looks like a backup is left
        partial.unlink(missing_ok=True)
        raise BackupError(
            _("The backup could not be written to %(folder)s: %(reason)s. Nothing was kept.")
            % {"folder": folder, "reason": exc.strerror or exc}
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        database.unlink(missing_ok=True)
    final = _new_name(folder, started, suffix)
    _publish(partial, final)
    backup = _parse(final)
    assert backup is not None
    changes = {
        "file": final.name,
        "bytes": backup.size,
        "database": connection.vendor,
        "files": carried.files,
    }
    if carried.missing:
        changes["missing"] = len(carried.missing)
    _record(connection, system="backup", what=final.name, changes=changes)
    removed = _prune(folder, keep=keep)
    return BackupReport(
        backup=backup,
        removed=removed,
        seconds=time.perf_counter() - clock,
        files=carried.files,
        missing=carried.missing,
    )


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise BackupError(
            _("The backup file %(file)s cannot be read: %(reason)s.")
            % {"file": path, "reason": exc.strerror or exc}
        ) from exc
    if archive.is_archive(head):
        return "archive"
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


def _check_vendor(path: Path, vendor: str, connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != vendor:
        raise BackupError(
            _(
                "%(file)s is a backup of a %(backup)s database, but this installation uses "
                "%(database)s."
            )
            % {"file": path.name, "backup": vendor, "database": connection.vendor}
        )


def _restore_database(path: Path, kind: str, connection: BaseDatabaseWrapper) -> None:
    if kind == "postgresql":
        _pg_restore(path, connection)
    else:
        _sqlite_restore(path, kind, connection)
    connection.close()


def _refuse_early(connection: BaseDatabaseWrapper) -> None:
    """Refuse a database that holds data before any file is unpacked (the restore itself
    checks again)."""
    target = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and not target.startswith("file:") and target != ":memory:":
        _set_aside_orphans(Path(target))  # before the first connection replays a stale -wal
    _refuse_if_not_empty(connection)


def _restore_archive(path: Path, connection: BaseDatabaseWrapper) -> tuple[str, int]:
    """Restore the database and the data folders of an archive; ``(vendor, files)``."""
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            _("%(file)s is damaged or incomplete: %(reason)s.") % {"file": path.name, "reason": exc}
        ) from exc
    with tar:
        manifest = archive.read_manifest(tar, path)
        vendor = str(manifest["database"])
        _check_vendor(path, vendor, connection)
        _refuse_early(connection)  # the database first: its message is the one that matters
        targets = archive.refuse_if_folders_hold_files(manifest)
        staged = archive.stage_files(tar, path, targets)
        try:
            work_dir = Path(settings.VAR_DIR)
            work_dir.mkdir(parents=True, exist_ok=True)
            database = archive.extract_database(tar, manifest, work_dir)
            try:
                kind = "postgresql" if vendor == "postgresql" else "sqlite.gz"
                _restore_database(database, kind, connection)
            finally:
                database.unlink(missing_ok=True)
        except BaseException:
            archive.discard(staged)
            raise
        archive.put_in_place(staged, targets)
    return vendor, int(manifest.get("files", 0))


def backup_restore(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Restore the backup ``path`` into the configured database, which must be empty, and
    its files into the data folders, which must hold none (see the module's docstring); then
    ``migrate`` and an audit event. Raises :class:`BackupError`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("The backup file %(file)s does not exist.") % {"file": path})
    kind = _kind_of(path)
    connection = connections[using]
    clock = time.perf_counter()
    files = 0
    if kind == "archive":
        vendor, files = _restore_archive(path, connection)
    else:
        vendor = "postgresql" if kind == "postgresql" else "sqlite"
        _check_vendor(path, vendor, connection)
        _restore_database(path, kind, connection)
    migrated = _migrate(using)
    cache.clear()  # figures kept for the database before it was restored answer for nothing
    changes: dict[str, object] = {"file": path.name}
    if kind == "archive":
        changes["files"] = files
    _record(connection, system="restore", what=path.name, changes=changes)
    return RestoreReport(
        path=path,
        kind=vendor,
        seconds=time.perf_counter() - clock,
        migrated=migrated,
        files=files,
    )
