"""The restore drill: build a small world, back it up, destroy the database, restore it, and
find the same rows of the key tables and the same audit log (plus the restore's own entry),
and the same photos (the coordination data folder, ADR 0013), byte for byte.

- SQLite in-process: the test database is emptied (every table dropped), the photos folder
  deleted, and both restored with ``ansinh restore`` (the command, in-process).
- SQLite with the real commands and files: ``ansinh migrate``, ``backup``, the database file
  deleted (a stale ``-wal`` left beside it), ``ansinh restore``.
- PostgreSQL (``postgres_only``): ``pg_dump`` of the test database, ``ansinh restore`` into a
  database of the drill's own name (never the test database of a concurrent run), dropped
  afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from ansinh.core.backups import backup_create
from tests import factories as f

ANSINH = str(Path(sys.executable).parent / "ansinh")
ROOT = Path(__file__).resolve().parents[2]
KEY_TABLES = (
    "accounts_user",
    "places_village",
    "registry_household",
    "registry_person",
    "registry_membershipevent",
    "registry_changeproposal",
    "core_auditentry",
    "coordination_photo",
)
AUDIT = (
    "SELECT id, actor_id, system, action, model_label, object_id, object_repr, "
    "CAST(changes AS TEXT), note, commune_code, household_id FROM core_auditentry ORDER BY id"
)


def counts(cursor: Any) -> dict[str, int]:
    out = {}
    for table in KEY_TABLES:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own names
        out[table] = cursor.fetchone()[0]
    return out


def audit_rows(cursor: Any) -> list[tuple[Any, ...]]:
    cursor.execute(AUDIT)
    return [tuple(row) for row in cursor.fetchall()]


def photo_files() -> dict[str, str]:
    """Every file of the coordination photos folder: its name and the SHA-256 of its bytes."""
    from ansinh.coordination.photos import photos_root

    root = photos_root()
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def small_photo() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 120, 60)).save(out, "JPEG")
    return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")


def build_world() -> None:
    """Two villages, an officer and a village head, three households registered by the
    officer (audited), one member's death recorded, a problem reported with a photo."""
    from ansinh.accounts.scopes import scope_for
    from ansinh.coordination import services as coordination
    from ansinh.registry import services

    tan_dong = f.village()
    dong_hiep = f.village(name="Ấp Đông Hiệp", code="DH")
    officer = f.user("canbo", f.Role.OFFICER)
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[tan_dong])
    f.household(tan_dong, actor=officer)
    f.household(dong_hiep, f.person("Lê Thị Tím", f.dt.date(1975, 8, 8), "female"), actor=officer)
    household = f.household(
        tan_dong,
        f.person("Trần Văn Bình", f.dt.date(1950, 1, 2)),
        f.person("Trần Thị Cúc", f.dt.date(1952, 3, 4), "female", "spouse"),
        actor=officer,
    )
    services.person_record_death(
        scope=scope_for(officer),
        person=household.members.order_by("id").last(),
        date=f.dt.date(2026, 3, 1),
    )
    coordination.item_report(
        scope=scope_for(head),
        village=tan_dong,
        kind="problem",
        topic="housing",
        title="Mái nhà bị tốc sau mưa giông",
        photos=[small_photo()],
    )


def assert_same_after_restore(
    before: dict[str, int],
    audit_before: list[tuple[Any, ...]],
    after: dict[str, int],
    audit_after: list[tuple[Any, ...]],
) -> None:
    assert before["registry_household"] == 3
    assert before["coordination_photo"] == 1
    assert before["core_auditentry"] >= 4
    # The restore writes one entry (one commune has users); the backup's own entry was
    # written after the copy, so it is not in it.
    assert after == {**before, "core_auditentry": before["core_auditentry"] + 1}
    assert audit_after[: len(audit_before)] == audit_before
    (restore,) = audit_after[len(audit_before) :]
    assert restore[2:5] == ("restore", "event", "restore")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite drill")
@pytest.mark.django_db(transaction=True)
def test_drill_on_sqlite(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    build_world()
    with connection.cursor() as cursor:
        before, audit_before = counts(cursor), audit_rows(cursor)
    photos_before = photo_files()
    assert len(photos_before) == 2  # the photo and its small copy
    backup = backup_create(to=tmp_path / "backups").backup
    shutil.rmtree(settings.VAR_DIR / "coordination")  # destroy the photos too

    with connection.cursor() as cursor:  # destroy: an empty database, as a new data folder
        cursor.execute("PRAGMA foreign_keys=OFF")
        for table in connection.introspection.table_names():
            cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute("PRAGMA foreign_keys=ON")
    assert connection.introspection.table_names() == []

    call_command("restore", str(backup.path), yes=True, stdout=io.StringIO())
    with connection.cursor() as cursor:
        after, audit_after = counts(cursor), audit_rows(cursor)
    assert_same_after_restore(before, audit_before, after, audit_after)
    assert photo_files() == photos_before


WORLD_AND_COUNTS = """
import json, sys
from django.db import connection
sys.path.insert(0, {root!r})
from tests.core.test_backup_drill import audit_rows, build_world, counts, photo_files
if {build}:
    build_world()
with connection.cursor() as cursor:
    world = {{"counts": counts(cursor), "audit": audit_rows(cursor), "photos": photo_files()}}
print(json.dumps(world))
"""


def _shell(env: dict[str, str], *, build: bool) -> dict[str, Any]:
    code = WORLD_AND_COUNTS.format(root=str(ROOT), build=build)
    done = subprocess.run(
        [ANSINH, "shell", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([ANSINH, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite drill")
def test_drill_on_sqlite_with_the_commands_and_files(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ANSINH_SQLITE_PATH"}}
    env.update(ANSINH_ENV="development", ANSINH_VAR_DIR=str(var), LANGUAGE="en")
    _run(env, "migrate", "-v0")
    world = _shell(env, build=True)
    _run(env, "backup")
    (backup,) = (var / "backups").iterdir()

    assert len(world["photos"]) == 2
    database = var / "ansinh.sqlite3"
    database.unlink()  # destroy; a stale write-ahead log stays beside it
    shutil.rmtree(var / "coordination")
    Path(f"{database}-wal").write_bytes(b"stale wal from the lost database" * 100)
    refused = subprocess.run(
        [ANSINH, "restore", str(backup)], env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 1
    assert not database.exists()

    _run(env, "restore", str(backup), "--yes")
    assert list(var.glob("ansinh.sqlite3-wal.orphan-*")), "the stale -wal is set aside"
    again = _shell(env, build=False)
    audit_before = [tuple(r) for r in world["audit"]]
    audit_after = [tuple(r) for r in again["audit"]]
    assert_same_after_restore(world["counts"], audit_before, again["counts"], audit_after)
    assert again["photos"] == world["photos"]

    # Restoring again into the now full database is refused, and changes nothing.
    refused = subprocess.run(
        [ANSINH, "restore", str(backup), "--yes"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert str(database) in refused.stderr  # "The database … is not empty (…)"
    assert _shell(env, build=False)["counts"] == again["counts"]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL drill")
@pytest.mark.django_db(transaction=True)
def test_drill_on_postgresql(tmp_path, settings):
    import psycopg

    settings.VAR_DIR = tmp_path / "var"
    build_world()
    with connection.cursor() as cursor:
        before, audit_before = counts(cursor), audit_rows(cursor)
    photos_before = photo_files()
    assert len(photos_before) == 2
    backup = backup_create(to=tmp_path / "backups").backup
    assert backup.name.endswith("-pg.tar")

    db = connection.settings_dict
    name = f"ansinh_drill_{os.getpid()}_{secrets.token_hex(3)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        # A new data folder too: the photos come back into it.
        restored = tmp_path / "restored"
        env = {
            **os.environ,
            "ANSINH_ENV": "development",
            "DATABASE_URL": url,
            "ANSINH_VAR_DIR": str(restored),
        }
        # A new database where `migrate` ran (communes, content types: no users, no log) is
        # empty enough: its tables are replaced by the dump's.
        _run(env, "migrate", "-v0")
        _run(env, "restore", str(backup.path), "--yes")
        with psycopg.connect(url) as drill, drill.cursor() as cursor:
            after, audit_after = counts(cursor), audit_rows(cursor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    assert_same_after_restore(before, audit_before, after, audit_after)
    settings.VAR_DIR = restored
    assert photo_files() == photos_before
