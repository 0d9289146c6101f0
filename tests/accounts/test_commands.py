"""``ansinh setup`` and ``ansinh users``: the same services from the shell, with exit codes
0 (done), 1 (refused, the reason on stderr) and 2 (usage)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ansinh.accounts.management.commands import _common
from ansinh.accounts.management.commands import setup as setup_command
from ansinh.accounts.models import User
from ansinh.core.models import AuditEntry
from ansinh.places.models import Village
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "Lua-chin-vang-2026"
OTP = re.compile(r": ([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})$", re.MULTILINE)


def run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> CommandError:
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command(*args, stdout=io.StringIO())
    return caught.value


SETUP = ("setup", "--commune", "25522", "--village", "Ấp Tân Đông", "--officer", "canbo")


# --- ansinh setup ------------------------------------------------------------------------------


def test_setup_takes_the_password_from_the_environment_and_runs_twice(monkeypatch):
    monkeypatch.setenv("ANSINH_SETUP_PASSWORD", PASSWORD)
    out = run(*SETUP, "--village", "Ấp Đông Hiệp\nap tan dong", "--full-name", "Nguyễn Thị Hoa")
    assert "Villages created (2): Ấp Tân Đông, Ấp Đông Hiệp" in out
    assert "Entered twice, kept once: Ap Tan Dong" in out
    assert "Officer canbo created." in out
    assert User.objects.get(username="canbo").check_password(PASSWORD)
    entries = AuditEntry.objects.count()
    monkeypatch.setenv("ANSINH_SETUP_PASSWORD", "another-password-2027")
    again = run(*SETUP)
    assert "Villages already there (1): Ấp Tân Đông" in again
    assert "Officer canbo already there: not changed (password kept)." in again
    assert "Nothing changed" in again
    assert AuditEntry.objects.count() == entries
    assert User.objects.get(username="canbo").check_password(PASSWORD)


def test_without_a_password_and_without_a_terminal_it_stops_with_2(monkeypatch):
    monkeypatch.delenv("ANSINH_SETUP_PASSWORD", raising=False)
    monkeypatch.setattr(setup_command, "stdin_is_tty", lambda: False)
    error = refused(*SETUP)
    assert error.returncode == 2
    assert "ANSINH_SETUP_PASSWORD" in str(error)
    assert not Village.objects.exists()


def test_at_a_terminal_the_password_is_asked_twice(monkeypatch):
    monkeypatch.delenv("ANSINH_SETUP_PASSWORD", raising=False)
    monkeypatch.setattr(setup_command, "stdin_is_tty", lambda: True)
    typed = iter([PASSWORD, "not-the-same-2026"])
    monkeypatch.setattr(setup_command.getpass, "getpass", lambda prompt: next(typed))
    error = refused(*SETUP)
    assert (error.returncode, str(error)) == (1, "The two passwords are not the same.")
    typed = iter([PASSWORD, PASSWORD])
    assert "Officer canbo created." in run(*SETUP)
    assert User.objects.get(username="canbo").check_password(PASSWORD)


def test_setup_refuses_with_the_services_reason(monkeypatch):
    monkeypatch.setenv("ANSINH_SETUP_PASSWORD", PASSWORD)
    run(*SETUP)
    other = ("setup", "--commune", "28723", "--village", "Ấp 1", "--officer", "canbo.dt")
    error = refused(*other)
    assert error.returncode == 1
    assert "run the set-up with --add-commune" in str(error)
    assert "Officer canbo.dt created." in run(*other, "--add-commune")
    error = refused("setup", "--commune", "tan dong", "--village", "Ấp 1", "--officer", "x")
    assert error.returncode == 1
    assert "25522  Xã Tân Đông (Tây Ninh)" in str(error)
    assert "28723  Xã Tân Đông (Đồng Tháp)" in str(error)


def test_villages_from_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("ANSINH_SETUP_PASSWORD", PASSWORD)
    villages = tmp_path / "thon.txt"
    villages.write_text("STT\tTên\n1\tThôn 1\n2\tThôn 2\n", encoding="utf-8-sig")
    out = run("setup", "--commune", "25522", "--villages-file", str(villages), "--officer", "hoa")
    assert "Villages created (2): Thôn 1, Thôn 2" in out
    assert "Left out (numbers, headings): STT, Tên, 1, 2" in out


# --- ansinh users ------------------------------------------------------------------------------


def test_users_add_prints_the_one_time_password_once(officer, tan_dong):
    out = run(
        "users",
        "add",
        "truongap.td",
        "--role",
        "village_head",
        "--village",
        "ap tan dong",
        "--full-name",
        "Trần Văn Bảy",
    )
    [password] = OTP.findall(out)
    head = User.objects.get(username="truongap.td")
    assert head.check_password(password)
    assert head.must_change_password
    assert list(head.villages.all()) == [tan_dong]
    entry = AuditEntry.objects.get(model_label="accounts.user", object_id=head.pk)
    assert entry.system == "ansinh users"
    listing = run("users", "list")
    assert re.search(r"truongap\.td\s+Trần Văn Bảy\s+Village head\s+active\s+never\s+Ấp", listing)


def test_users_reset_deactivate_reactivate(officer, auditor):
    [password] = OTP.findall(run("users", "reset-password", "KIEMTRA"))
    auditor.refresh_from_db()
    assert auditor.check_password(password)
    assert "can no longer sign in" in run("users", "deactivate", "kiemtra")
    auditor.refresh_from_db()
    assert not auditor.is_active
    assert "can sign in again" in run("users", "reactivate", "kiemtra")
    auditor.refresh_from_db()
    assert auditor.is_active


def test_users_update(officer, head_td, dong_hiep):
    run("users", "update", "truongap1", "--village", "Ấp Đông Hiệp", "--phone", "0912345678")
    head_td.refresh_from_db()
    assert list(head_td.villages.all()) == [dong_hiep]
    assert head_td.phone == "+84912345678"
    assert head_td.full_name == "Truongap1"  # not given: kept


def test_users_refusals_exit_with_1(officer, tan_dong):
    error = refused("users", "deactivate", "canbo")
    assert (error.returncode, str(error)) == (
        1,
        (
            "Canbo is the last active officer of the commune: create or reactivate another "
            "officer account first."
        ),
    )
    error = refused("users", "reset-password", "khongco")
    assert (error.returncode, str(error)) == (1, "No account has the user name khongco.")
    error = refused("users", "add", "truongap2", "--role", "village_head", "--village", "Ấp X")
    assert error.returncode == 1
    assert "No village Ấp X in Xã Tân Đông (there are: Ấp Tân Đông, Ấp Đông Hiệp)." in str(error)
    assert not User.objects.filter(username="truongap2").exists()


def test_users_add_on_an_installation_of_several_communes_needs_the_commune(officer):
    f.user("canbo_b", f.Role.OFFICER, commune_code=28468)
    error = refused("users", "add", "kiemtra2", "--role", "auditor")
    assert error.returncode == 2
    assert "--commune" in str(error)
    run("users", "add", "kiemtra2", "--role", "auditor", "--commune", "28468")
    assert User.objects.get(username="kiemtra2").commune_id == 28468


def test_the_exit_codes_of_the_real_command(tmp_path):
    """The installed ``ansinh`` in a fresh SQLite database: 2 for a usage error or a missing
    password, 1 for a refusal (Vietnamese on stderr), 0 when done."""
    env = {
        **os.environ,
        "ANSINH_ENV": "development",
        "ANSINH_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "ANSINH_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("ANSINH_SETUP_PASSWORD", None)
    ansinh = str(Path(sys.executable).with_name("ansinh"))

    def cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ansinh, *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )

    assert cli("migrate", "-v0").returncode == 0
    no_password = cli(*SETUP)
    assert no_password.returncode == 2
    assert "ANSINH_SETUP_PASSWORD" in no_password.stderr
    done = cli(*SETUP, ANSINH_SETUP_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    again = cli(*SETUP)  # the officer exists: no password needed
    assert again.returncode == 0, again.stderr
    assert cli("users", "add", "x", "--role", "chief").returncode == 2
    last = cli("users", "deactivate", "canbo")
    assert last.returncode == 1
    assert "canbo" in last.stderr.lower()
    added = cli("users", "add", "kiemtra", "--role", "auditor")
    assert added.returncode == 0, added.stderr
    assert len(OTP.findall(added.stdout)) == 1


def test_stdin_check_reads_the_terminal(monkeypatch):
    monkeypatch.setattr(_common.sys, "stdin", io.StringIO())
    assert _common.stdin_is_tty() is False
