"""The backup folder: file naming, listing, retention and the newest backup for the home page.

A backup is named ``ansinh-YYYYMMDD-HHMMSS[-N]{.sqlite3.tar,-pg.tar}`` (before ADR 0013:
``.sqlite3.gz``, ``-pg.dump``, still listed and restorable) (local time when the copy
started) and is written under a hidden temporary name, then published by an atomic rename
(:func:`_partial`, :func:`_publish`). :func:`retained` decides what retention keeps and
:func:`_prune` removes the rest; :func:`backup_status` reads the folder only (no database
query). The shared error and result types of :mod:`ansinh.core.backups` live here too."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.models import AuditEntry

#: The newest backup of each of this many months is kept besides the newest ``keep``.
MONTHS = 12
#: The officer's home warns when the newest backup is older than this (or there is none).
STALE_AFTER = dt.timedelta(days=2)
#: A temporary file left by a crash is removed once it is this old.
_PARTIAL_MAX_AGE = 24 * 3600

_NAME = re.compile(
    r"^ansinh-(\d{8}-\d{6})(?:-(\d{1,3}))?(\.sqlite3\.tar|-pg\.tar|\.sqlite3\.gz|\.sqlite3|-pg\.dump)$"
)
# Since ADR 0013 a backup is a tar archive (the database copy and the data folders); the
# older database-only files are still listed, pruned and restored.
_KINDS = {
    ".sqlite3.tar": "sqlite",
    "-pg.tar": "postgresql",
    ".sqlite3.gz": "sqlite",
    ".sqlite3": "sqlite",
    "-pg.dump": "postgresql",
}
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
    files: int = 0  # files of the data folders carried
    missing: list[str] = field(default_factory=list)  # referenced by the database, not on disk


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    kind: str
    seconds: float
    migrated: bool
    files: int = 0  # files of the data folders put back


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
