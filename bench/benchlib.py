"""What every benchmark script shares: the environment of a child process and a fresh
PostgreSQL database for one benchmark."""

from __future__ import annotations

import os
import shutil
import subprocess

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"


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
