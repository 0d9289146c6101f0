"""SQLite backup and restore through the online backup API.

A backup copies the database in one step from the application's own connection (a read
transaction: in WAL mode writers go on meanwhile), checks the copy (``PRAGMA integrity_check``
and the tables every ansinh database has), makes it standalone (``journal_mode=DELETE``) and
gzips it. A restore unpacks and checks the file, then copies it into the application's
connection in one write transaction, after setting aside ``-wal``/``-shm`` files orphaned
beside a deleted database."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import time
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from ansinh.core.backups.database import _refuse_if_not_empty
from ansinh.core.backups.files import _REQUIRED_TABLES, BackupError, _partial


def _sqlite_backup(connection: BaseDatabaseWrapper, folder: Path) -> Path:
    if connection.in_atomic_block:  # its own open write would block the copy for ever
        raise BackupError(_("A backup cannot be taken inside a transaction."))
    plain = _partial(folder, ".sqlite3")
    packed = _partial(folder, ".sqlite3.gz")
    try:
        connection.ensure_connection()
        target = sqlite3.connect(plain)
        try:
            # One step (pages=-1): a single read transaction gives a consistent snapshot;
            # in WAL mode, writers are not blocked while it runs.
            connection.connection.backup(target)
            _check_sqlite(target, plain)
            target.execute("PRAGMA journal_mode=DELETE")  # a standalone file, no -wal
        finally:
            target.close()
        with plain.open("rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
    except BaseException:
        packed.unlink(missing_ok=True)
        raise
    finally:
        plain.unlink(missing_ok=True)
    return packed


def _check_sqlite(db: sqlite3.Connection, path: Path) -> None:
    try:
        answer = db.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("%(file)s is not a readable SQLite database: %(reason)s.")
            % {"file": path.name, "reason": exc}
        ) from exc
    if not answer or answer[0] != "ok":
        raise BackupError(
            _("The integrity check of %(file)s failed: %(reason)s.")
            % {"file": path.name, "reason": answer[0] if answer else "?"}
        )
    if not set(_REQUIRED_TABLES) <= tables:
        raise BackupError(_("%(file)s is not an ansinh database.") % {"file": path.name})


def _sqlite_restore(path: Path, kind: str, connection: BaseDatabaseWrapper) -> None:
    target = str(connection.settings_dict["NAME"])
    on_disk = not target.startswith("file:") and target != ":memory:"
    if on_disk:
        _set_aside_orphans(Path(target))
    _refuse_if_not_empty(connection)
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a transaction."))
    work_dir = Path(target).parent if on_disk else path.parent
    plain = _partial(work_dir, ".sqlite3")
    try:
        if kind == "sqlite.gz":
            try:
                with gzip.open(path, "rb") as src, plain.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
            except (OSError, EOFError) as exc:
                raise BackupError(
                    _("%(file)s is damaged or incomplete: %(reason)s.")
                    % {"file": path.name, "reason": exc}
                ) from exc
        else:
            shutil.copyfile(path, plain)
        source = sqlite3.connect(plain)
        try:
            _check_sqlite(source, path)
            connection.ensure_connection()
            # The backup API into the application's connection: one write transaction that
            # replaces the whole database (a crash half-way leaves the empty one).
            source.backup(connection.connection)
        finally:
            source.close()
    finally:
        plain.unlink(missing_ok=True)


def _set_aside_orphans(db: Path) -> None:
    """A ``-wal``/``-shm`` left beside a deleted database would be replayed into the restored
    one: move them aside (renamed, not deleted) when the database file is missing or empty."""
    if db.exists() and db.stat().st_size > 0:
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in ("-wal", "-shm", "-journal"):
        orphan = Path(f"{db}{suffix}")
        if orphan.exists():
            orphan.rename(Path(f"{db}{suffix}.orphan-{stamp}"))
