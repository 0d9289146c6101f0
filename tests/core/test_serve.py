"""``ansinh serve`` (gunicorn + whitenoise) and the production settings (``check --deploy``)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management.base import CommandError

from ansinh.core.management.commands.serve import default_workers, gunicorn_options, parse_bind

ANSINH = str(Path(sys.executable).parent / "ansinh")
# A typical real installation: HTTPS terminated by nginx or Caddy on the same machine.
PRODUCTION = {
    "ANSINH_ENV": "production",
    "ANSINH_SECRET_KEY": "k3v9-not-a-real-secret-but-long-enough-for-the-check-8c1f2e7a90b4d6",
    "ANSINH_BEHIND_PROXY": "true",
    "ANSINH_ALLOWED_HOSTS": "ansinh.tandong.example.vn",
    "ANSINH_CSRF_TRUSTED_ORIGINS": "https://ansinh.tandong.example.vn",
}


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # The test process's own settings stay out, and so does DJANGO_ALLOW_ASYNC_UNSAFE: the
    # browser tests set it in the worker that ran them, and `check --deploy` rightly refuses it.
    ignored = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSINH_") and k not in ignored}
    env.update(PRODUCTION, ANSINH_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    done = subprocess.run(
        [ANSINH, "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    assert re.findall(r"\(\w+\.[WE]\d+\)", output) == [], output
    assert done.returncode == 0, output
    assert "no issues" in output


def test_check_deploy_still_warns_about_a_missing_proxy_setting(tmp_path):
    """The check is live: without ANSINH_BEHIND_PROXY nothing redirects to HTTPS (W008)."""
    env = production_env(tmp_path)
    env.pop("ANSINH_BEHIND_PROXY")
    done = subprocess.run(
        [ANSINH, "check", "--deploy"], env=env, capture_output=True, text=True, check=False
    )
    assert "security.W008" in done.stdout + done.stderr


def test_default_workers():
    assert [default_workers(n) for n in (1, 2, 3, 4, 16)] == [3, 5, 7, 8, 8]


def test_bind_is_checked():
    assert parse_bind("0.0.0.0:80") == "0.0.0.0:80"
    assert parse_bind("8001") == "127.0.0.1:8001"
    assert parse_bind(":8002") == "127.0.0.1:8002"
    assert parse_bind("[::1]:8003") == "[::1]:8003"
    assert parse_bind("unix:/run/ansinh.sock") == "unix:/run/ansinh.sock"
    for bad in ("localhost", "127.0.0.1:http", "127.0.0.1:70000"):
        with pytest.raises(CommandError, match="HOST:PORT"):
            parse_bind(bad)


def test_gunicorn_options_are_known_to_gunicorn():
    from gunicorn.config import Config

    options = gunicorn_options(
        bind="127.0.0.1:8000",
        workers=3,
        threads=2,
        timeout=120,
        graceful_timeout=30,
        access_log="-",
    )
    config = Config()
    unknown = [k for k in options if k not in config.settings and k != "control_socket_disable"]
    assert unknown == []
    for key, value in options.items():
        if key in config.settings:
            config.set(key, value)
    assert (config.workers, config.threads, config.timeout) == (3, 2, 120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_gunicorn_with_collected_static_files(tmp_path):
    """Production settings, a fresh data folder: static files are collected (hashed names,
    compressed copies, served by whitenoise with a year's cache) and SIGTERM stops it."""
    port = free_port()
    env = production_env(tmp_path, ANSINH_BEHIND_PROXY="false", ANSINH_ALLOWED_HOSTS="127.0.0.1")
    env["ANSINH_SECURE_COOKIES"] = "false"
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True)
    server = subprocess.Popen(
        [ANSINH, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None, "the server did not answer"
        assert (health.status_code, health.text) == (200, "ok")
        manifest = tmp_path / "var" / "static" / "staticfiles.json"
        assert manifest.exists()
        hashed = next(
            name
            for name in json.loads(manifest.read_text())["paths"].values()
            if name.endswith(".css")
        )
        css = httpx.get(f"{base}/static/{hashed}", headers={"Accept-Encoding": "gzip"})
        assert css.status_code == 200
        assert "immutable" in css.headers["cache-control"]
        assert css.headers.get("content-encoding") == "gzip"
        # A page drawn with the production storage: every {% static %} has its hashed name.
        page = httpx.get(f"{base}/accounts/login/", follow_redirects=True)
        assert page.status_code == 200
        assert re.search(r'/static/[^"]+\.[0-9a-f]{12}\.css"', page.text), page.text[:500]
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert "Booting worker" in output
    assert re.search(r'"GET /healthz HTTP/1.1" 200 \d+ \d+ms', output), output


def test_serve_refuses_a_worker_without_the_database_task_backend(tmp_path):
    env = production_env(tmp_path, ANSINH_BEHIND_PROXY="false", ANSINH_ALLOWED_HOSTS="127.0.0.1")
    done = subprocess.run(
        [ANSINH, "serve", "--worker", "--no-collectstatic"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ANSINH_TASKS_BACKEND=django_tasks_db.DatabaseBackend" in done.stderr


def _shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [ANSINH, "shell", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]  # after shell's own "… objects imported" line


def test_serve_with_a_worker_runs_background_tasks_and_stops_it(tmp_path):
    """`ansinh serve --worker` (what `make demo` runs): a task queued in the database is run
    by the worker beside the web server, and stopping the server stops the worker."""
    port = free_port()
    env = production_env(
        tmp_path,
        ANSINH_BEHIND_PROXY="false",
        ANSINH_ALLOWED_HOSTS="127.0.0.1",
        ANSINH_SECURE_COOKIES="false",
        ANSINH_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True)
    server = subprocess.Popen(
        [ANSINH, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        task_id = _shell(
            env,
            "from ansinh.messaging.tasks import dispatch_outbox; "
            "print(dispatch_outbox.enqueue().id)",
        )
        status = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            status = _shell(
                env,
                "from django_tasks_db.models import DBTaskResult; "
                f"print(DBTaskResult.objects.get(id='{task_id}').status)",
            )
            if status in {"SUCCESSFUL", "SUCCEEDED", "FAILED"}:
                break
            time.sleep(1)
        assert status in {"SUCCESSFUL", "SUCCEEDED"}, status
    finally:
        server.send_signal(signal.SIGTERM)
        # The worker shares the server's output: reading to its end waits for both to exit.
        output, _ = server.communicate(timeout=90)
    assert server.returncode == 0, output
