"""What every benchmark script shares: the environment of a child process and a fresh
PostgreSQL database for one benchmark."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"
PG_MAINTENANCE = "postgres://postgres@127.0.0.1:5432/postgres"
PYTHON = sys.executable


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment without DATABASE_URL, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(extra)
    return env


def fresh_postgres(database: str) -> dict[str, str] | None:
    """Drop and create ``database`` on the local server; None when PostgreSQL is not running."""
    if shutil.which("psql") is None:
        return None
    probe = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False)
    if probe.returncode != 0:
        return None
    for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
        subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True)
    return child_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}")


def run_child(script: str, env: dict[str, str], name: str, *args: str) -> dict[str, Any]:
    """Run ``script --child ARGS`` in a fresh process; its last output line is a JSON result."""
    done = subprocess.run(
        [PYTHON, script, "--child", *args], env=env, check=False, capture_output=True, text=True
    )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{name}: benchmark failed ({done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def migrate(env: dict[str, str]) -> None:
    code = "from ansinh.cli import main; main()"
    subprocess.run([PYTHON, "-c", code, "migrate", "-v0"], env=env, check=True)


def psql(sql: str) -> None:
    subprocess.run(["psql", PG_MAINTENANCE, "-q", "-c", sql], check=True)


def pg_exists(database: str) -> bool:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
        raise SystemExit(f"not a database name: {database!r}")
    sql = f"SELECT 1 FROM pg_database WHERE datname = '{database}'"  # noqa: S608 - checked
    done = subprocess.run(
        ["psql", PG_MAINTENANCE, "-tAc", sql], check=True, capture_output=True, text=True
    )
    return done.stdout.strip() == "1"
