"""Backups of the whole database and restoring one (``ansinh backup``, ``ansinh restore``).

A backup is a consistent copy taken while the application runs:

- **SQLite**: the online backup API copies the database in one step from the application's
  own connection (a read transaction: in WAL mode the web servers go on writing meanwhile),
  ``PRAGMA integrity_check`` must answer ``ok`` on the copy, which is then made a standalone
  file (``journal_mode=DELETE``) and gzipped (gzip's CRC finds a damaged file on restore):
  ``ansinh-YYYYMMDD-HHMMSS.sqlite3.gz``.
- **PostgreSQL**: ``pg_dump -Fc`` (one snapshot of the whole database), checked by reading its
  table of contents back with ``pg_restore --list``: ``ansinh-YYYYMMDD-HHMMSS-pg.dump``.

The time in the name is the local time (``TIME_ZONE``) when the copy started. A backup is
written under a hidden temporary name and renamed only once it is complete and checked, so a
crash or a full disk leaves no file that looks like a backup. Files are created ``0600`` in a
``0700`` folder: a backup holds every person's data.

Retention (:func:`retained`): the newest ``keep`` backups (``ANSINH_BACKUP_KEEP``, 14) and the
newest backup of each of the last 12 months; older files of the same naming are removed after a
successful backup, nothing else in the folder is touched.

Restoring goes into an **empty** database only: one without user accounts and without audit
entries (a new data folder, a new PostgreSQL database, or one where only ``ansinh migrate`` has
run). A database that holds anything is refused, never overwritten. After the copy the
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
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.models import AuditAction, AuditEntry

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
    "retained",
]

#: The newest backup of each of this many months is kept besides the newest ``keep``.
MONTHS = 12
#: The officer's home warns when the newest backup is older than this (or there is none).
STALE_AFTER = dt.timedelta(days=2)
#: A temporary file left by a crash is removed once it is this old.
_PARTIAL_MAX_AGE = 24 * 3600

_NAME = re.compile(r"^ansinh-(\d{8}-\d{6})(?:-(\d{1,3}))?(\.sqlite3\.gz|\.sqlite3|-pg\.dump)$")
_KINDS = {".sqlite3.gz": "sqlite", ".sqlite3": "sqlite", "-pg.dump": "postgresql"}
_PARTIAL_PREFIX = ".ansinh-partial-"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GZIP_MAGIC = b"\x1f\x8b"
_PG_MAGIC = b"PGDMP"
# Tables an ansinh database always has: a copy without them is not an ansinh backup.
_REQUIRED_TABLES = ("django_migrations", AuditEntry._meta.db_table)


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for a person to read."""


@dataclass(frozen=True)
class Backup:
    """One backup file of the folder."""

    path: Path
    taken_at: dt.datetime  # aware, from the file name
    size: int  # bytes
    kind: str  # "sqlite" or "postgresql"

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BackupStatus:
    """What the officer's home shows: the newest backup, and whether it is too old."""

    last: Backup | None
    stale: bool
    folder: Path


@dataclass(frozen=True)
class BackupReport:
    backup: Backup
    removed: list[Path] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    kind: str
    seconds: float
    migrated: bool


# --------------------------------------------------------------------------- the folder


def backup_dir() -> Path:
    """Where backups are written and read (``ANSINH_BACKUP_DIR``, default ``VAR_DIR/backups``)."""
    return Path(getattr(settings, "ANSINH_BACKUP_DIR", settings.VAR_DIR / "backups"))


def _parse(path: Path) -> Backup | None:
    match = _NAME.fullmatch(path.name)
    if match is None:
        return None
    try:
        naive = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")  # noqa: DTZ007 - local
        stat = path.stat()
    except (ValueError, OSError):
        return None
    return Backup(
        path=path,
        taken_at=timezone.make_aware(naive, timezone.get_default_timezone()),
        size=stat.st_size,
        kind=_KINDS[match.group(3)],
    )


def _order(backup: Backup) -> tuple[dt.datetime, int]:
    match = _NAME.fullmatch(backup.name)
    return backup.taken_at, int(match.group(2) or 0) if match else 0


def backups_in(folder: Path) -> list[Backup]:
    """The backups in ``folder`` (files named like ours), newest first."""
    try:
        paths = [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []
    found = [b for b in map(_parse, paths) if b is not None]
    return sorted(found, key=_order, reverse=True)


def backup_status(*, folder: Path | None = None, now: dt.datetime | None = None) -> BackupStatus:
    """The newest backup in the backup folder; ``stale`` when it is older than
    :data:`STALE_AFTER` or there is none. Reads the folder only (no database query)."""
    folder = folder or backup_dir()
    found = backups_in(folder)
    last = found[0] if found else None
    now = now or timezone.now()
    return BackupStatus(
        last=last, stale=last is None or now - last.taken_at > STALE_AFTER, folder=folder
    )


def retained(items: Iterable[Backup], *, keep: int, months: int = MONTHS) -> set[Path]:
    """The backups that retention keeps: the newest ``keep``, and the newest of each of the
    last ``months`` calendar months that have a backup."""
    ordered = sorted(items, key=_order, reverse=True)
    kept = {b.path for b in ordered[:keep]}
    seen_months: list[tuple[int, int]] = []
    for b in ordered:
        local = timezone.localtime(b.taken_at)
        month = (local.year, local.month)
        if month not in seen_months:
            seen_months.append(month)
            if len(seen_months) > months:
                break
            kept.add(b.path)
    return kept


def _prune(folder: Path, *, keep: int) -> list[Path]:
    """Remove the backups retention does not keep, and temporary files left by a crash."""
    removed = []
    found = backups_in(folder)
    keep_paths = retained(found, keep=keep)
    for b in found:
        if b.path not in keep_paths:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    now = time.time()
    for partial in folder.glob(f"{_PARTIAL_PREFIX}*"):
        try:
            if now - partial.stat().st_mtime > _PARTIAL_MAX_AGE:
                partial.unlink()
        except OSError:
            pass
    return removed


def _prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = folder / f"{_PARTIAL_PREFIX}probe"
        probe.touch(mode=0o600)
        probe.unlink()
    except OSError as exc:
        raise BackupError(
            _("The backup folder %(folder)s cannot be written: %(reason)s.")
            % {"folder": folder, "reason": exc.strerror or exc}
        ) from exc


def _new_name(folder: Path, started: dt.datetime, suffix: str) -> Path:
    stamp = timezone.localtime(started).strftime("%Y%m%d-%H%M%S")
    path = folder / f"ansinh-{stamp}{suffix}"
    serial = 1
    while path.exists():  # two backups in the same second
        serial += 1
        path = folder / f"ansinh-{stamp}-{serial}{suffix}"
    return path


def _partial(folder: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=_PARTIAL_PREFIX, suffix=suffix, dir=folder)
    os.close(fd)
    path = Path(name)
    path.chmod(0o600)
    return path


def _publish(partial: Path, final: Path) -> None:
    """Make a complete, checked file visible under its final name (atomically)."""
    with partial.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, final)
    try:
        fd = os.open(final.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- backup


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


# --------------------------------------------------------------------------- audit


def _communes(connection: BaseDatabaseWrapper) -> list[int | None]:
    """The communes this installation serves (those with users), or [None] if none."""
    users = get_user_model()._default_manager.using(connection.alias)
    codes = sorted(
        {c for c in users.values_list("commune_id", flat=True).distinct() if c is not None}
    )
    return list(codes) or [None]


def _record(
    connection: BaseDatabaseWrapper, *, system: str, what: str, changes: dict[str, Any]
) -> None:
    """One audit event per commune: a backup or a restore concerns everybody's data."""
    AuditEntry.objects.using(connection.alias).bulk_create(
        AuditEntry(
            actor=None,
            system=system,
            action=AuditAction.EVENT,
            model_label=system,
            object_id=0,
            object_repr=what[:200],
            changes=changes,
            commune_code=code,
        )
        for code in _communes(connection)
    )


# --------------------------------------------------------------------------- restore


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


def _holds_data(connection: BaseDatabaseWrapper) -> list[str]:
    """What the target database holds that a restore would destroy: user accounts, audit
    entries (a database where only ``migrate`` ran holds neither)."""
    tables = set(connection.introspection.table_names())
    held = []
    user_table = get_user_model()._meta.db_table
    for table, label in ((user_table, _("user accounts")), (_REQUIRED_TABLES[1], _("audit log"))):
        if table in tables:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                n = cursor.fetchone()[0]
            if n:
                held.append(f"{label}: {n}")
    return held


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


def _refuse_if_not_empty(connection: BaseDatabaseWrapper) -> None:
    held = _holds_data(connection)
    if held:
        name = connection.settings_dict.get("NAME")
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(held)s): a restore never overwrites "
                "data. Restore into a new data folder (ANSINH_VAR_DIR or ANSINH_SQLITE_PATH) "
                "or a new PostgreSQL database (DATABASE_URL), or move the old one away first."
            )
            % {"name": name, "held": ", ".join(held)}
        )


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


def _pg_restore(path: Path, connection: BaseDatabaseWrapper) -> None:
    _refuse_if_not_empty(connection)
    _pg_list(path)
    tables = connection.introspection.table_names()
    if tables:  # only what `migrate` made (checked above): dropped, the dump recreates it
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
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


def _migrate(using: str) -> bool:
    """Bring a restored older backup to the installed version; True if anything ran."""
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[using]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", database=using, interactive=False, verbosity=0)
    return bool(plan)
