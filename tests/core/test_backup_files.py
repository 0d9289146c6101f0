"""A backup carries the files the database refers to (ADR 0013): the data folders apps
register (the coordination photos), in the same archive; a missing photo is listed, a full
disk leaves nothing, a restore puts the files back into an empty data folder only and never
extracts a name that leaves its folder; older database-only backups still restore."""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import tarfile
from pathlib import Path, PurePosixPath

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from ansinh.coordination import photos
from ansinh.coordination.models import Photo
from ansinh.core import backups
from ansinh.core.backups import BackupError, archive, backup_create, backup_restore
from ansinh.core.backups.datafolders import (
    data_folders,
    register_data_folder,
    unregister_data_folder,
)
from ansinh.core.models import AuditEntry
from tests.core.test_backup_drill import small_photo

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite in-process")
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def photo(head_td, tan_dong) -> Photo:
    from ansinh.accounts.scopes import scope_for
    from ansinh.coordination import services

    item = services.item_report(
        scope=scope_for(head_td),
        village=tan_dong,
        kind="problem",
        topic="housing",
        title="Mái nhà bị tốc",
        photos=[small_photo()],
    )
    return item.photos.get()


def stored(photo: Photo, *, thumb: bool = False) -> Path:
    return photos.path_of(photo.item.commune_id, photo.stored_name, thumb=thumb)


def members(path: Path) -> list[str]:
    with tarfile.open(path) as tar:
        return tar.getnames()


def empty_the_database() -> None:
    """As a new data folder: every table dropped (SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys=OFF")
        for table in connection.introspection.table_names():
            cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute("PRAGMA foreign_keys=ON")


def test_the_coordination_photos_are_a_registered_data_folder(settings):
    (folder,) = [f for f in data_folders() if f.key == "coordination"]
    assert folder.folder() == settings.VAR_DIR / "coordination"
    with pytest.raises(ValueError, match="not a data folder key"):
        register_data_folder("../etc", folder=lambda: Path("/etc"))


# --------------------------------------------------------------------------- backup


@committed
def test_a_backup_carries_the_photos_after_the_database(tmp_path, photo):
    (stored(photo).parent / ".half-written.jpg.tmp").write_bytes(b"half")  # never carried
    report = backup_create(to=tmp_path / "backups")
    names = members(report.backup.path)
    prefix = f"files/coordination/{photo.item.commune_id}"
    assert names[0].startswith("database")  # the snapshot first, then the files
    assert names[1:] == [
        f"{prefix}/{photo.stored_name}",
        f"{prefix}/{stored(photo, thumb=True).name}",
        "manifest.json",
    ]
    with tarfile.open(report.backup.path) as tar:
        member = tar.extractfile(f"{prefix}/{photo.stored_name}")
        assert member is not None
        assert member.read() == stored(photo).read_bytes()
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        manifest = json.loads(handle.read())
    assert manifest["files"] == 2
    assert manifest["missing"] == []
    assert (report.files, report.missing) == (2, [])
    event = AuditEntry.objects.get(model_label="backup")
    assert event.changes["files"] == 2
    assert "missing" not in event.changes


@committed
def test_another_registered_folder_is_carried_too(tmp_path, officer, settings):
    extra = settings.VAR_DIR / "letters"
    (extra / "2026").mkdir(parents=True)
    (extra / "2026" / "a.pdf").write_bytes(b"%PDF")
    register_data_folder("letters", folder=lambda: settings.VAR_DIR / "letters")
    try:
        report = backup_create(to=tmp_path / "backups")
    finally:
        unregister_data_folder("letters")
    assert "files/letters/2026/a.pdf" in members(report.backup.path)


@committed
def test_a_photo_missing_on_disk_is_listed_and_the_backup_goes_on(tmp_path, photo, settings):
    stored(photo).unlink()
    settings.ANSINH_BACKUP_DIR = tmp_path / "backups"
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("backup", stdout=out, stderr=err)
    (made,) = backups.backups_in(tmp_path / "backups")
    lost = f"coordination/{photo.item.commune_id}/{photo.stored_name}"
    assert "1 file the database refers to is missing" in err.getvalue()
    assert lost in err.getvalue()
    assert "Files of the data folders carried: 1." in out.getvalue()
    names = members(made.path)
    assert f"files/{lost}" not in names
    assert f"files/coordination/{photo.item.commune_id}/{stored(photo, thumb=True).name}" in names
    event = AuditEntry.objects.get(model_label="backup")
    assert event.changes["missing"] == 1


@committed
def test_a_full_disk_leaves_nothing_that_looks_like_a_backup(tmp_path, photo, monkeypatch):
    real = tarfile.TarFile.addfile

    def full(self: tarfile.TarFile, info: tarfile.TarInfo, fileobj: object = None) -> None:
        if info.name.startswith("files/"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, info, fileobj)  # type: ignore[arg-type]

    monkeypatch.setattr(tarfile.TarFile, "addfile", full)
    folder = tmp_path / "backups"
    with translation.override("en"), pytest.raises(BackupError, match="No space left"):
        backup_create(to=folder)
    assert list(folder.iterdir()) == []  # neither the archive nor the database copy
    assert not AuditEntry.objects.filter(model_label="backup").exists()


# --------------------------------------------------------------------------- restore


@sqlite_only
@committed
def test_restore_refuses_a_data_folder_that_holds_files(tmp_path, photo, settings):
    path = backup_create(to=tmp_path / "backups").backup.path
    empty_the_database()
    with translation.override("en"), pytest.raises(BackupError, match="already holds files"):
        backup_restore(path=path)
    assert connection.introspection.table_names() == []  # the database was not touched
    assert not list(settings.VAR_DIR.glob(".ansinh-*"))  # nothing staged is left
    # Moved away, as the message says: now it restores.
    root = settings.VAR_DIR / "coordination"
    root.rename(settings.VAR_DIR / "coordination.old")
    assert backup_restore(path=path).files == 2
    assert stored(Photo.objects.get()).is_file()


@committed
def test_a_database_that_holds_data_is_refused_before_the_files(tmp_path, photo, settings):
    path = backup_create(to=tmp_path / "backups").backup.path
    with translation.override("en"), pytest.raises(BackupError, match="is not empty"):
        backup_restore(path=path)
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert not list(settings.VAR_DIR.glob(".ansinh-*"))


@sqlite_only
@committed
def test_a_refused_database_restore_puts_no_file_back(tmp_path, photo, settings):
    path = backup_create(to=tmp_path / "backups").backup.path
    root = settings.VAR_DIR / "coordination"
    for f in root.rglob("*.jpg"):
        f.unlink()  # the folder is empty, but the database is not
    with translation.override("en"), pytest.raises(BackupError, match="is not empty"):
        backup_restore(path=path)
    assert not [p for p in root.rglob("*") if p.is_file()]
    assert not list(settings.VAR_DIR.glob(".ansinh-*"))


@sqlite_only
@committed
def test_restore_puts_the_photos_back_private(tmp_path, photo, settings):
    original = stored(photo).read_bytes()
    path = backup_create(to=tmp_path / "backups").backup.path
    empty_the_database()
    root = settings.VAR_DIR / "coordination"
    for f in root.rglob("*.jpg"):
        f.unlink()  # empty folders are fine: only files are never overwritten
    out = io.StringIO()
    with translation.override("en"):
        call_command("restore", str(path), yes=True, stdout=out)
    assert "Files put back into the data folders: 2." in out.getvalue()
    photo = Photo.objects.get()
    assert stored(photo).read_bytes() == original
    assert stat.S_IMODE(stored(photo).stat().st_mode) == 0o600
    assert stat.S_IMODE(stored(photo).parent.stat().st_mode) == 0o700
    event = AuditEntry.objects.get(model_label="restore")
    assert event.changes == {"file": path.name, "files": 2}


@sqlite_only
@committed
def test_an_older_database_only_backup_still_restores(tmp_path, officer):
    partial = backups.sqlite._sqlite_backup(connection, tmp_path)
    old = tmp_path / "ansinh-20261101-013000.sqlite3.gz"
    partial.rename(old)
    assert [b.kind for b in backups.backups_in(tmp_path)] == ["sqlite"]
    empty_the_database()
    report = backup_restore(path=old)
    assert (report.kind, report.files) == ("sqlite", 0)
    assert officer.__class__.objects.filter(username=officer.username).exists()


def _archive(tmp_path: Path, names: list[str], *, manifest: bool) -> Path:
    path = tmp_path / "ansinh-20261207-013000.sqlite3.tar"
    with tarfile.open(path, "w") as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"abc"))
        if manifest:
            data = json.dumps(
                {"format": 1, "database": "sqlite", "folders": [], "files": 0}
            ).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_an_archive_without_its_end_is_refused(tmp_path, db):
    cut = _archive(tmp_path, ["database.sqlite3.gz"], manifest=False)
    with translation.override("en"), pytest.raises(BackupError, match="damaged or incomplete"):
        backup_restore(path=cut)


def test_an_archive_whose_files_do_not_match_its_list_is_refused(tmp_path, db):
    odd = _archive(tmp_path, ["database.sqlite3.gz", "files/coordination/1/a.jpg"], manifest=True)
    with translation.override("en"), pytest.raises(BackupError, match="does not match"):
        backup_restore(path=odd)


@pytest.mark.parametrize(
    "name",
    [
        "files/coordination/../../etc/passwd",
        "files/coordination/1/../../../x.jpg",
        "files/coordination/1/.hidden",
        "/files/coordination/1/a.jpg",
        "database.sqlite3.gz",
        "files/coordination",
    ],
)
def test_a_name_leaving_its_folder_is_never_extracted(name):
    info = tarfile.TarInfo(name)
    assert archive._member_path(info) is None


def test_a_name_inside_its_folder_is_extracted():
    info = tarfile.TarInfo("files/coordination/28471/abc.jpg")
    assert archive._member_path(info) == ("coordination", PurePosixPath("28471/abc.jpg"))


def test_a_temporary_or_linked_file_is_not_carried(tmp_path):
    (tmp_path / "1").mkdir()
    (tmp_path / "1" / "a.jpg").write_bytes(b"a")
    (tmp_path / "1" / ".a.jpg.tmp").write_bytes(b"half")
    os.symlink("/etc/hostname", tmp_path / "1" / "link.jpg")
    assert [rel for rel, _p in archive._files_of(tmp_path)] == ["1/a.jpg"]


def test_the_home_notice_shows_the_whole_archive(client, officer, settings, tmp_path):
    """The size on the officer's home is the archive's: the database and the photos."""
    import datetime as dt

    from django.utils import timezone

    from tests.core.test_backups import home_notice

    settings.ANSINH_BACKUP_DIR = tmp_path / "backups"
    settings.ANSINH_BACKUP_DIR.mkdir()
    recent = timezone.localtime() - dt.timedelta(hours=1)
    path = settings.ANSINH_BACKUP_DIR / f"ansinh-{recent:%Y%m%d-%H%M%S}.sqlite3.tar"
    path.write_bytes(b"x" * 3 * 1024 * 1024)
    client.force_login(officer)
    notice = home_notice(client)
    assert notice is not None
    assert 'data-state="ok"' in notice
    assert "3.0\xa0MB" in notice
