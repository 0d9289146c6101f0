"""``ansinh``, ``ansinh help`` and ``ansinh --help`` introduce the commands (in groups, a line
each, the batch rules among them) before Django's own list; ``ansinh <command> --help`` is
still each command's own help; the overview is shown even when the settings cannot be read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.utils import translation

from ansinh import cli, cli_help
from ansinh.rules.cli import main as rules_main

ANSINH = str(Path(sys.executable).parent / "ansinh")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ANSINH_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [ANSINH, *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def listed() -> list[str]:
    return [command for _title, rows in cli_help.GROUPS for command, _text in rows]


@pytest.mark.parametrize("args", [[], ["help"], ["--help"], ["-h"]])
def test_the_overview_comes_before_djangos_list(capsys, args):
    with translation.override("en"):
        assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("ansinh: social assistance for communes.")
    for title in ("Getting started", "The commune's data", "Scheduled jobs", "Batch rules"):
        assert f"\n{title}" in out
    assert re.search(r"\n  setup +Set up a new installation", out)
    assert re.search(r"\n  rules poverty +Classify households", out)
    assert out.index("rules bhyt") < out.index("Available subcommands:")
    assert "[auth]" in out  # Django's own list follows, complete
    assert "changepassword" in out


def test_every_command_of_ansinh_is_introduced():
    ours = {name for name, app in get_commands().items() if app.startswith("ansinh.")}
    assert ours, "ansinh's commands are found"
    assert ours <= set(listed()), sorted(ours - set(listed()))
    assert len(listed()) == len(set(listed()))


def test_every_batch_rule_is_introduced(capsys):
    assert rules_main(["--help"]) == 0
    usage = capsys.readouterr().out
    rules = re.search(r"\{([a-z,]+)\}", usage)
    assert rules is not None
    assert {f"rules {name}" for name in rules.group(1).split(",")} == {
        c for c in listed() if c.startswith("rules ")
    }


def test_each_line_is_translated_when_shown():
    """Every text is a msgid (extracted by makemessages) and goes through gettext."""
    seen: list[str] = []
    real = cli_help.gettext

    def spy(text: str) -> str:
        seen.append(text)
        return real(text)

    cli_help.gettext = spy  # type: ignore[assignment]
    try:
        cli_help.overview()
    finally:
        cli_help.gettext = real  # type: ignore[assignment]
    expected = [t for title, rows in cli_help.GROUPS for t in (title, *(x for _c, x in rows))]
    assert set(expected) <= set(seen)
    assert max(len(line) for line in cli_help.overview().splitlines()) <= 100


def test_the_installed_command_introduces_itself_and_each_command_keeps_its_help():
    overview = run("--help", ANSINH_ENV="development")
    assert overview.returncode == 0, overview.stderr
    assert re.search(r"(Bắt đầu|Getting started)", overview.stdout)
    assert "rules allowance" in overview.stdout
    assert "Available subcommands:" in overview.stdout
    alone = run(ANSINH_ENV="development")
    assert alone.returncode == 0
    assert alone.stdout == overview.stdout
    users = run("users", "--help", ANSINH_ENV="development")
    assert users.returncode == 0
    assert users.stdout.startswith("usage: ansinh users")
    assert "reset-password" in users.stdout
    backup = run("help", "backup", ANSINH_ENV="development")
    assert backup.returncode == 0
    assert "usage: ansinh backup" in backup.stdout
    rules = run("rules", "poverty", "--help")
    assert rules.returncode == 0
    assert "--households" in rules.stdout


def test_the_overview_shows_even_before_the_installation_is_configured():
    """A production machine without its secret key yet: the overview, then why Django's list
    cannot be shown — no traceback."""
    done = run("--help", ANSINH_ENV="production")
    assert done.returncode == 0, done.stderr
    assert re.search(r"(Bắt đầu|Getting started)", done.stdout)
    assert "ANSINH_SECRET_KEY" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    # any other command still refuses to start without it
    refused = run("migrate", ANSINH_ENV="production")
    assert refused.returncode != 0
    assert "ANSINH_SECRET_KEY" in refused.stderr
