"""Backups of the whole database and of the files it refers to, and restoring one (``ansinh
backup``, ``ansinh restore``).

A backup is one tar archive (ADR 0013, :mod:`.archive`): the database copy described below,
then the files of the data folders apps register (:mod:`.datafolders`; the coordination
photos), copied after the database snapshot, then a manifest that marks the file complete:
``ansinh-YYYYMMDD-HHMMSS.sqlite3.tar`` or ``ansinh-YYYYMMDD-HHMMSS-pg.tar``. A referenced file
missing on disk is listed (``BackupReport.missing``), not fatal. Backups of older versions
(the database copy alone, named as below) are still listed, pruned and restored.

The database copy is consistent and taken while the application runs:

- **SQLite**: the online backup API copies the database in one step from the application's
  own connection (a read transaction: in WAL mode the web servers go on writing meanwhile),
  ``PRAGMA integrity_check`` must answer ``ok`` on the copy, which is then made a standalone
  file (``journal_mode=DELETE``) and gzipped (gzip's CRC finds a damaged file on restore):
  ``database.sqlite3.gz`` in the archive (older backups: ``ansinh-…sqlite3.gz`` alone).
- **PostgreSQL**: ``pg_dump -Fc`` (one snapshot of the whole database), checked by reading its
  table of contents back with ``pg_restore --list``: ``database-pg.dump`` in the archive
  (older backups: ``ansinh-…-pg.dump`` alone).

The time in the name is the local time (``TIME_ZONE``) when the copy started. A backup is
written under a hidden temporary name and renamed only once it is complete and checked, so a
crash or a full disk leaves no file that looks like a backup. Files are created ``0600`` in a
``0700`` folder: a backup holds every person's data.

Retention (:func:`retained`): the newest ``keep`` backups (``ANSINH_BACKUP_KEEP``, 14) and the
newest backup of each of the last 12 months; older files of the same naming are removed after a
successful backup, nothing else in the folder is touched.

Restoring goes into an **empty** database only: one without user accounts and without audit
entries (a new data folder, a new PostgreSQL database, or one where only ``ansinh migrate`` has
run). A database that holds anything is refused, never overwritten; so is a data folder that
holds any file (the files are put in place once the database is restored). After the copy the
database is brought to the installed version (``migrate``) and the restore is written to the
audit log. Both operations act for the whole installation (every commune), so they take no
``Scope``; the audit entries name the system (``Hệ thống: backup``) in each commune that has
users.

Public interface::

    BackupError                         # a refusal, translated, for a person to read
    Backup(path, taken_at, size, kind)  # one backup file
    backup_dir() -> Path                # ANSINH_BACKUP_DIR (default VAR_DIR/backups)
    backups_in(folder) -> list[Backup]  # newest first
    backup_status(*, folder=None, now=None) -> BackupStatus   # last backup, stale?
    retained(items, *, keep, months=12) -> set[Path]           # what retention keeps
    backup_create(*, to=None, keep=None, now=None, using="default") -> BackupReport
    backup_restore(*, path, using="default") -> RestoreReport
    pg_tool(name) -> str                # pg_dump / pg_restore, newest installed version
    register_data_folder(key, *, folder, referenced=None)    # an app's files, in backups

The package is split by job: :mod:`.files` (naming, listing, retention, the home page's
status), :mod:`.sqlite` (online backup API), :mod:`.postgres` (``pg_dump`` / ``pg_restore``),
:mod:`.database` (empty-target guard, audit events, migrate) and :mod:`.operations`
(:func:`backup_create`, :func:`backup_restore`), :mod:`.datafolders` (the registry of data
folders) and :mod:`.archive` (the tar archive); every public name is importable from here.
"""

from ansinh.core.backups.datafolders import register_data_folder
from ansinh.core.backups.files import (
    MONTHS,
    STALE_AFTER,
    Backup,
    BackupError,
    BackupReport,
    BackupStatus,
    RestoreReport,
    backup_dir,
    backup_status,
    backups_in,
    retained,
)
from ansinh.core.backups.operations import backup_create, backup_restore
from ansinh.core.backups.postgres import pg_tool

__all__ = [
    "MONTHS",
    "STALE_AFTER",
    "Backup",
    "BackupError",
    "BackupReport",
    "BackupStatus",
    "RestoreReport",
    "backup_create",
    "backup_dir",
    "backup_restore",
    "backup_status",
    "backups_in",
    "pg_tool",
    "register_data_folder",
    "retained",
]
