"""``ansinh serve [--bind HOST:PORT] [--workers N] [--threads N]``: the production web server.

gunicorn runs ansinh's WSGI application in several worker processes; whitenoise (in the
middleware) serves the static files, collected first (``collectstatic``: the hashed,
compressed files of production). Stop it with Ctrl-C or SIGTERM (requests in flight finish,
up to ``--graceful-timeout``); SIGHUP reloads the workers with the installed code (after an
upgrade). Behind nginx or Caddy bind it to 127.0.0.1 and see docs/deploy.md.

Workers default to 2 × CPU + 1, at most 8: each is a process of about 100–150 MB. On SQLite
they share one file safely (WAL: readers never wait, one writer at a time, others wait up to
the 20 s busy timeout), so the default is right there too; on PostgreSQL several servers can
run against one database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.wsgi import get_wsgi_application
from django.db import connections

#: Workers at most by default (memory: each worker is a whole Django process).
MAX_DEFAULT_WORKERS = 8
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def default_workers(cpus: int | None = None) -> int:
    """2 × CPU + 1 (gunicorn's advice), at least 2, at most :data:`MAX_DEFAULT_WORKERS`."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    return max(2, min(2 * cpus + 1, MAX_DEFAULT_WORKERS))


DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


def start_worker() -> subprocess.Popen[bytes]:
    """One task worker (imports, reminder plans) in its own process, with the server's
    environment; a real installation runs it as its own service instead (docs/deploy.md)."""
    return subprocess.Popen(
        [sys.executable, "-m", "ansinh", "db_worker", "--queue-name", "*", "--interval", "2"],
        # Its own session: Ctrl-C in the terminal reaches the web server only, which then
        # asks the worker once to stop (a second signal would cut the running task short).
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker: it finishes the task it is running (django-tasks handles SIGTERM)."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def parse_bind(value: str) -> str:
    """``HOST:PORT``, ``:PORT``, ``PORT``, ``[::1]:PORT`` or ``unix:/path``; a clear error
    otherwise."""
    value = value.strip()
    if value.startswith("unix:"):
        return value
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(
            f"--bind {value!r}: cần HOST:CỔNG, ví dụ 127.0.0.1:8000 "
            "(expected HOST:PORT, e.g. 127.0.0.1:8000)."
        )
    return f"{host or '127.0.0.1'}:{port}"


def gunicorn_options(
    *,
    bind: str,
    workers: int,
    threads: int,
    timeout: int,
    graceful_timeout: int,
    access_log: str | None,
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        # gthread when threads > 1 (gunicorn picks it), else the plain sync worker.
        "timeout": timeout,
        "graceful_timeout": graceful_timeout,
        "keepalive": 5,
        # A worker is replaced after this many requests: memory stays flat over months.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "ansinh",
        # Behind a proxy on this machine: X-Forwarded-* only from it (Django decides on
        # X-Forwarded-Proto with ANSINH_BEHIND_PROXY).
        "forwarded_allow_ips": "127.0.0.1,::1",
        # gunicorn >= 25.1 opens a control socket in $HOME by default: two servers on one
        # machine would fight over it, and ansinh does not use it.
        "control_socket_disable": True,
    }
    return options


class Command(BaseCommand):
    help = "Run the production web server (gunicorn, static files by whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("ANSINH_BIND", "127.0.0.1:8000"),
            help="HOST:PORT or unix:/path (default ANSINH_BIND or 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("ANSINH_WORKERS", "0")) or None,
            help=f"worker processes (default ANSINH_WORKERS or 2 × CPU + 1, at most "
            f"{MAX_DEFAULT_WORKERS}: {default_workers()} here)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("ANSINH_THREADS", "1")),
            help="threads per worker (default 1: one request at a time per process)",
        )
        parser.add_argument("--timeout", type=int, default=120, help="seconds per request")
        parser.add_argument("--graceful-timeout", type=int, default=30)
        parser.add_argument(
            "--access-log", default="-", help="file, or - for standard output (default)"
        )
        parser.add_argument("--no-access-log", action="store_true")
        parser.add_argument(
            "--worker",
            action="store_true",
            help="also run one background task worker (ansinh db_worker) beside the web "
            "server, stopped with it; needs ANSINH_TASKS_BACKEND=" + DATABASE_TASKS,
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="do not collect static files first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        workers = options["workers"] or default_workers()
        if workers < 1 or options["threads"] < 1:
            raise CommandError("--workers và --threads phải ≥ 1 (must be at least 1).")
        bind = parse_bind(options["bind"])
        if options["worker"] and settings.TASKS["default"]["BACKEND"] != DATABASE_TASKS:
            raise CommandError(
                "--worker cần hàng đợi trong cơ sở dữ liệu: đặt ANSINH_TASKS_BACKEND="
                f"{DATABASE_TASKS} (--worker needs the database task backend: set "
                f"ANSINH_TASKS_BACKEND={DATABASE_TASKS})."
            )
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        # Nothing of the master's may be shared with the forked workers.
        connections.close_all()
        config = gunicorn_options(
            bind=bind,
            workers=workers,
            threads=options["threads"],
            timeout=options["timeout"],
            graceful_timeout=options["graceful_timeout"],
            access_log=None if options["no_access_log"] else options["access_log"],
        )
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"ansinh serve: http://{bind}/ ({workers} workers × {options['threads']} threads, "
            f"{database}, ANSINH_ENV={settings.ANSINH_ENV})"
        )
        self.stdout.flush()
        application = get_wsgi_application()

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                known = self.cfg.settings
                for key, value in config.items():
                    if key in known and value is not None:
                        self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        worker = start_worker() if options["worker"] else None
        try:
            Server().run()
        finally:
            if worker is not None:
                stop_worker(worker)
