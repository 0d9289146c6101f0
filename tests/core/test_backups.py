"""Backups: dated files written atomically (0600), retention, refusals of restore, the notice on
the officer's home (``ansinh.core.backups``, ``ansinh backup``, ``ansinh restore``)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ansinh.core import backups
from ansinh.core.backups import Backup, BackupError, backup_create, backup_restore, retained
from ansinh.core.models import AuditEntry
from tests import factories as f

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backups")
# A copy reads committed data with its own transaction: these tests commit theirs.
committed = pytest.mark.django_db(transaction=True)
TZ = timezone.get_default_timezone()


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """The data folders a backup carries (the coordination photos) are the test's own."""
    settings.VAR_DIR = tmp_path / "var"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def named(folder: Path, moment: dt.datetime, suffix: str = ".sqlite3.gz") -> Path:
    path = folder / f"ansinh-{moment:%Y%m%d-%H%M%S}{suffix}"
    path.write_bytes(b"x" * 10)
    return path


# --------------------------------------------------------------------------- retention


def fake(moment: dt.datetime) -> Backup:
    return Backup(path=Path(f"/b/{moment:%Y%m%d-%H%M%S}"), taken_at=moment, size=1, kind="sqlite")


def test_retention_keeps_the_newest_and_the_newest_of_each_month():
    daily = [fake(at(2026, 11, 1, 2) + dt.timedelta(days=i)) for i in range(40)]  # to 10 Dec
    monthly = [fake(at(2025, m, 15, 2)) for m in range(1, 13)]  # Jan..Dec 2025
    kept = retained([*daily, *monthly], keep=14, months=12)
    newest = sorted(daily, key=lambda b: b.taken_at)[-14:]
    assert {b.path for b in newest} <= kept
    # The newest 14 are 27/11–10/12/2026 (the newest of both months); besides them the
    # newest of each month back to the 12th: December 2025 to March 2025.
    assert fake(at(2026, 11, 26, 2)).path not in kept
    assert fake(at(2025, 3, 15, 2)).path in kept
    assert fake(at(2025, 2, 15, 2)).path not in kept  # the 13th month back
    assert len(kept) == 14 + 10


def test_retention_keep_one():
    items = [fake(at(2026, 12, d, 2)) for d in range(1, 6)]
    assert retained(items, keep=1, months=0) == {fake(at(2026, 12, 5, 2)).path}


# --------------------------------------------------------------------------- backup


@sqlite_only
@committed
def test_backup_is_a_checked_dated_private_copy(tmp_path, officer, hh_td):
    folder = tmp_path / "backups"
    report = backup_create(to=folder, now=at(2026, 12, 7, 1, 30))
    path = report.backup.path
    assert path.name == "ansinh-20261207-013000.sqlite3.tar"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left
    with tarfile.open(path) as tar:
        assert tar.getnames() == ["database.sqlite3.gz", "manifest.json"]  # no photos yet
        member = tar.extractfile("database.sqlite3.gz")
        assert member is not None
        packed = member.read()
    plain = tmp_path / "copy.sqlite3"
    plain.write_bytes(gzip.decompress(packed))
    db = sqlite3.connect(plain)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # standalone
    persons = db.execute("SELECT COUNT(*) FROM registry_person").fetchone()[0]
    db.close()
    assert persons == 3
    event = AuditEntry.objects.get(model_label="backup")
    assert (event.system, event.commune_code, event.actor_id) == ("backup", f.TAN_DONG, None)
    assert event.changes == {
        "file": path.name,
        "bytes": path.stat().st_size,
        "database": "sqlite",
        "files": 0,
    }


@sqlite_only
@committed
def test_two_backups_in_one_second_get_two_names(tmp_path, officer):
    moment = at(2026, 12, 7, 1, 30)
    first = backup_create(to=tmp_path, now=moment).backup.path
    second = backup_create(to=tmp_path, now=moment).backup.path
    assert (first.name, second.name) == (
        "ansinh-20261207-013000.sqlite3.tar",
        "ansinh-20261207-013000-2.sqlite3.tar",
    )
    assert backups.backups_in(tmp_path)[0].path == second


@sqlite_only
@committed
def test_backup_applies_retention_and_touches_nothing_else(tmp_path, officer):
    old = [named(tmp_path, at(2026, 12, d, 2)) for d in range(1, 6)]
    mine = tmp_path / "notes.txt"
    mine.write_text("keep me")
    stale_partial = tmp_path / ".ansinh-partial-abc.sqlite3"
    stale_partial.write_text("half")
    old_time = timezone.now().timestamp() - 3 * 24 * 3600
    import os

    os.utime(stale_partial, (old_time, old_time))
    report = backup_create(to=tmp_path, keep=2, now=at(2026, 12, 7, 2))
    assert sorted(p.name for p in report.removed) == sorted(p.name for p in old[:4])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([report.backup.name, old[4].name, "notes.txt"])


@sqlite_only
@committed
def test_a_failed_backup_leaves_nothing_that_looks_complete(tmp_path, officer, monkeypatch):
    def broken(db: sqlite3.Connection, path: Path) -> None:
        raise BackupError("integrity check failed")

    monkeypatch.setattr(backups.sqlite, "_check_sqlite", broken)
    with pytest.raises(BackupError, match="integrity check failed"):
        backup_create(to=tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(model_label="backup").exists()


@sqlite_only
def test_a_backup_inside_a_transaction_is_refused_not_stuck(tmp_path, officer):
    """The ``db`` fixture keeps a transaction open: the copy would wait for it for ever."""
    with translation.override("en"), pytest.raises(BackupError, match="inside a transaction"):
        backup_create(to=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_a_clear_refusal(tmp_path, officer):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with translation.override("en"), pytest.raises(BackupError, match="cannot be written"):
        backup_create(to=blocker / "backups")


def test_keep_must_be_at_least_one(tmp_path, officer):
    with translation.override("en"), pytest.raises(BackupError, match="at least one backup"):
        backup_create(to=tmp_path, keep=0)


@committed
def test_backup_command_prints_the_file(tmp_path, officer, settings):
    settings.ANSINH_BACKUP_DIR = tmp_path
    out = io.StringIO()
    with translation.override("en"):
        call_command("backup", stdout=out)
    (made,) = backups.backups_in(tmp_path)
    assert f"Backup written: {made.path}" in out.getvalue()


# --------------------------------------------------------------------------- pg tools


def test_pg_tool_takes_the_newest_debian_version(tmp_path, monkeypatch):
    for version in ("13", "17", "9.6"):
        tool = tmp_path / version / "bin" / "pg_dump"
        tool.parent.mkdir(parents=True)
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    monkeypatch.setenv("ANSINH_PG_BIN_ROOT", str(tmp_path))
    assert backups.pg_tool("pg_dump") == str(tmp_path / "17" / "bin" / "pg_dump")


def test_pg_tool_missing_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("ANSINH_PG_BIN_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with translation.override("en"), pytest.raises(BackupError, match="postgresql-client"):
        backups.pg_tool("pg_dump")


# --------------------------------------------------------------------------- restore refusals


def test_restore_refuses_a_database_that_holds_data(tmp_path, officer):
    dump = tmp_path / "ansinh-20261207-010000-pg.dump"
    dump.write_bytes(b"PGDMP" + b"\0" * 100)
    source = tmp_path / "ansinh-20261207-010000.sqlite3"
    sqlite3.connect(source).close()
    source.write_bytes(b"SQLite format 3\x00" + b"\0" * 100)
    mine = dump if connection.vendor == "postgresql" else source
    with translation.override("en"), pytest.raises(BackupError, match="is not empty"):
        backup_restore(path=mine)
    assert connection.vendor != "sqlite" or officer.__class__.objects.count() == 1


def test_restore_refuses_a_backup_of_the_other_database(tmp_path, db):
    other = (
        tmp_path / "ansinh-20261207-010000-pg.dump"
        if connection.vendor == "sqlite"
        else tmp_path / "ansinh-20261207-010000.sqlite3.gz"
    )
    other.write_bytes(b"PGDMP" if connection.vendor == "sqlite" else gzip.compress(b"x"))
    with translation.override("en"), pytest.raises(BackupError, match="but this installation"):
        backup_restore(path=other)


def test_restore_refuses_what_is_not_a_backup(tmp_path, db):
    junk = tmp_path / "holiday.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a database")
    with translation.override("en"), pytest.raises(BackupError, match="not an ansinh backup"):
        backup_restore(path=junk)
    with translation.override("en"), pytest.raises(BackupError, match="does not exist"):
        backup_restore(path=tmp_path / "missing.sqlite3.gz")


@sqlite_only
@committed
def test_restore_refuses_a_truncated_backup(tmp_path, officer, monkeypatch):
    good = backup_create(to=tmp_path / "b").backup.path
    cut = tmp_path / "cut.sqlite3.tar"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    monkeypatch.setattr(backups.database, "_holds_data", lambda connection: [])  # as if empty
    with translation.override("en"), pytest.raises(BackupError, match="damaged or incomplete"):
        backup_restore(path=cut)
    assert officer.__class__.objects.filter(pk=officer.pk).exists()  # nothing was replaced


def test_restore_command_asks_for_yes_without_a_terminal(tmp_path, db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with translation.override("en"), pytest.raises(CommandError, match="Confirm with --yes"):
        call_command("restore", str(tmp_path / "x.sqlite3.gz"))


# --------------------------------------------------------------------------- the home page


def home_notice(client: Client) -> str | None:
    """The backup notice of the home page, read in English (the language cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).content.decode()
    start = html.find('id="backup-notice"')
    if start < 0:
        return None
    return html[html.rfind("<p", 0, start) : html.find("</p>", start)]


@pytest.fixture
def backup_folder(tmp_path, settings):
    settings.ANSINH_BACKUP_DIR = tmp_path
    return tmp_path


def test_officer_home_warns_when_there_is_no_backup(client, officer, backup_folder):
    client.force_login(officer)
    notice = home_notice(client)
    assert notice is not None
    assert 'data-state="missing"' in notice
    assert "No backup of this database was found" in notice


def test_officer_home_shows_the_last_backup(client, officer, backup_folder):
    recent = timezone.localtime() - dt.timedelta(hours=5)
    path = named(backup_folder, recent)
    path.write_bytes(b"x" * 2048)
    named(backup_folder, recent - dt.timedelta(days=1))
    client.force_login(officer)
    notice = home_notice(client)
    assert notice is not None
    assert 'data-state="ok"' in notice
    assert f"{recent:%H:%M %d/%m/%Y}" in notice
    assert "2.0\xa0KB" in notice


def test_officer_home_warns_when_the_last_backup_is_older_than_two_days(
    client, officer, backup_folder
):
    old = timezone.localtime() - dt.timedelta(days=2, hours=1)
    named(backup_folder, old)
    client.force_login(officer)
    notice = home_notice(client)
    assert notice is not None
    assert 'data-state="stale"' in notice
    assert "more than two days ago" in notice


def test_village_heads_and_committee_see_no_backup_notice(
    client, head_td, committee, backup_folder
):
    for user in (head_td, committee):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert 'id="backup-notice"' not in response.content.decode()


def test_the_notice_reads_the_folder_only(db, backup_folder):
    """The home page's queries stay as they were: the notice makes none."""
    from django.test.utils import CaptureQueriesContext

    named(backup_folder, timezone.localtime() - dt.timedelta(hours=1))
    with CaptureQueriesContext(connection) as queries:
        status = backups.backup_status()
    assert status.last is not None
    assert not status.stale
    assert len(queries.captured_queries) == 0
