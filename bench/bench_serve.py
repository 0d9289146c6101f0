"""The production server under load (issue 13): ``ansinh serve`` (gunicorn) against
``runserver``, on SQLite and PostgreSQL, with the 1,000,000-person benchmark databases.

50 concurrent signed-in clients (each its own session, signed in through the login form as
an officer made for the benchmark) request the main pages in turn: home, the household list,
a search, a household page, insurance coverage, payrolls, review rounds. Per page and overall:
requests per second, p50, p95 (target p95 < 1 s on the 2-core machine), errors. The load
generator is a separate process (httpx, one thread per client); both run on this machine.

The databases are those of ``bench/bench_registry.py`` (``var/bench/search.sqlite3`` and the
PostgreSQL database ``ansinh_bench``); they are built if missing (``--households``, default
290,000 ≈ 1,000,000 persons; several minutes each). Results: ``var/bench/serve.json``.

Run: .venv/bin/python bench/bench_serve.py [--households N] [--clients 50] [--seconds 40]
     [--skip-postgres] [--servers gunicorn,runserver] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchlib import child_env, fresh_postgres, pg_exists

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
ANSINH = str(Path(PYTHON).parent / "ansinh")
PG_BENCH_DB = "ansinh_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
USERNAME = "bench_serve"
PASSWORD = "bench-serve-password-1"  # noqa: S105 - a local benchmark account
PAGES = ("home", "list", "search", "household", "coverage", "payrolls", "rounds")
# A real installation's settings, over plain HTTP on the loopback (no proxy in front).
SERVER_ENV = {
    "ANSINH_ENV": "production",
    "ANSINH_SECRET_KEY": "bench-serve-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "ANSINH_SECURE_COOKIES": "false",
    "ANSINH_ALLOWED_HOSTS": "127.0.0.1",
    "ANSINH_VAR_DIR": str(OUT / "serve-var"),
}


# --------------------------------------------------------------------------- in the database


def add_cards(commune_code: int) -> None:
    """Health-insurance cards for the benchmark's people, once: 87 % of them have one, their
    years starting month after month (some already over), so that the coverage page counts
    real cards. Inserted with one INSERT … SELECT per month of start."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from ansinh.insurance.models import Card

    if Card.objects.filter(commune_id=commune_code).exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    table = Card._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for k in range(12):
            start = today - dt.timedelta(days=30 * k + 60)
            end = start + dt.timedelta(days=364)
            cursor.execute(
                f"INSERT INTO {table} (person_id, commune_id, legacy_code, "  # noqa: S608
                "social_insurance_number, cccd, group_code, payer, valid_from, valid_to, "
                "paid_on, source, created_at, updated_at) "
                "SELECT id, commune_id, '', '', '', 'GD', 'household', %s, %s, NULL, "
                "'imported', %s, %s FROM registry_person "
                "WHERE commune_id = %s AND id %% 100 < 87 AND id %% 12 = %s",
                [start, end, now, now, commune_code, k],
            )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def prepare() -> None:
    """(Child, Django set up from the environment.) The officer of the benchmark and the URLs
    of the pages, as one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    import django

    django.setup()
    from ansinh.accounts.choices import Role
    from ansinh.accounts.models import User
    from ansinh.registry.models import Household, Person

    officer = User.objects.get(username="canbo")
    user = User.objects.filter(username=USERNAME).first() or User(username=USERNAME)
    user.role = Role.OFFICER
    user.commune_id = officer.commune_id
    user.full_name = "Bench officer"
    user.is_active = True
    user.must_change_password = False
    user.set_password(PASSWORD)
    user.save()
    rng = random.Random(13)
    add_cards(officer.commune_id)
    top = Household.objects.filter(commune_id=officer.commune_id).order_by("-id").first()
    assert top is not None, "no households: build the benchmark database first"
    ids = [rng.randrange(1, top.pk + 1) for _ in range(400)]
    households = list(Household.objects.filter(pk__in=ids).values_list("pk", flat=True))
    names = [
        Person.objects.filter(pk=rng.randrange(1, top.pk)).values_list("full_name", flat=True)
        for _ in range(200)
    ]
    terms = []
    for qs in names:
        name = qs.first()
        if name:
            words = name.split()
            terms.append(rng.choice([name.lower(), words[-1].lower(), " ".join(words[-2:])]))
    urls = {"persons": Person.objects.count(), "households": households, "terms": terms}
    # Each page alone (one request at a time, in this process): what the load adds to.
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # The first request counts the figures kept per change of the commune's data (home,
    # coverage: core/figures); the next ones read them.
    alone, cold = {}, {}
    for page in PAGES:
        ms = []
        for i in range(4):
            t0 = time.perf_counter()
            status = client.get(url_for(page, urls, random.Random(i))).status_code
            ms.append((time.perf_counter() - t0) * 1000)
            assert status == 200, (page, status)
        cold[page] = round(ms[0], 1)
        alone[page] = round(statistics.median(ms[1:]), 1)
    urls["alone_ms"] = alone
    urls["first_ms"] = cold
    print(json.dumps(urls, ensure_ascii=False))


FIXED = {"coverage": "/insurance/", "payrolls": "/assistance/payrolls/", "rounds": "/poverty/"}


def url_for(page: str, urls: dict[str, Any], rng: random.Random) -> str:
    if page == "home":
        return "/"
    if page == "list":
        return f"/registry/households/?page={rng.randrange(1, 400)}"
    if page == "search":
        from urllib.parse import urlencode

        return "/registry/households/?" + urlencode({"q": rng.choice(urls["terms"])})
    if page == "household":
        return f"/registry/households/{rng.choice(urls['households'])}/"
    return FIXED[page]


def ensure_database(name: str, env: dict[str, str], households: int) -> None:
    """Build the registry benchmark database if it is missing."""
    if name == "sqlite":
        path = Path(env["ANSINH_SQLITE_PATH"])
        if path.exists() and path.stat().st_size > 10_000_000:
            return
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        if pg_exists(PG_BENCH_DB) and _pg_has_persons():
            return
        fresh = fresh_postgres(PG_BENCH_DB)
        assert fresh is not None
    print(f"   building the {name} benchmark database ({households:,} households)…", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            str(ROOT / "bench" / "registry_search.py"),
            "--households",
            str(households),
            "--build",
            "--queries",
            "4",
        ],
        env={**env, "ANSINH_ENV": "development"},
        check=False,  # the search figures after the build are not needed here
        stdout=subprocess.DEVNULL,
    )
    print(f"   built in {time.perf_counter() - started:.0f} s", flush=True)


def _pg_has_persons() -> bool:
    done = subprocess.run(
        ["psql", PG_URL, "-tAc", "SELECT to_regclass('registry_person') IS NOT NULL"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() == "t"


# --------------------------------------------------------------------------- the servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    kind: str, env: dict[str, str], port: int, workers: int | None, threads: int | None = None
) -> Any:
    if kind == "gunicorn":
        cmd = [ANSINH, "serve", "--bind", f"127.0.0.1:{port}"]
        if workers:
            cmd += ["--workers", str(workers)]
        if threads:
            cmd += ["--threads", str(threads)]
    else:
        subprocess.run([ANSINH, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        cmd = [ANSINH, "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(  # the access logs of both go nowhere, alike
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{kind} exited ({server.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"{kind} did not answer")


def stop_server(server: Any) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --------------------------------------------------------------------------- the load


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sign_in(client: Any) -> None:
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    done = client.post(
        "/accounts/login/",
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        follow_redirects=True,
    )
    assert done.status_code == 200, done.status_code
    assert "/accounts/login" not in str(done.url), done.url


def load(
    base: str,
    urls: dict[str, Any],
    clients: int,
    seconds: float,
    warmup: float,
    pages: tuple[str, ...] = PAGES,
    cookies: Path | None = None,
) -> None:
    """(Child.) ``clients`` signed-in clients, each a thread; one JSON line of figures."""
    import httpx

    sessions = [httpx.Client(base_url=base, timeout=120) for _ in range(clients)]
    errors: list[str] = []

    def login(c: Any) -> None:
        try:
            sign_in(c)
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    started = time.perf_counter()
    if cookies is not None and cookies.exists():  # the sessions of an earlier run, same database
        for c, jar in zip(sessions, json.loads(cookies.read_text()), strict=False):
            c.cookies.update(jar)
    else:
        threads = [threading.Thread(target=login, args=(c,)) for c in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise SystemExit(f"sign-in failed: {errors[:3]}")
        if cookies is not None:
            cookies.write_text(json.dumps([dict(c.cookies) for c in sessions]))
    login_seconds = time.perf_counter() - started

    samples: list[tuple[str, float, int]] = []
    failures: list[str] = []
    lock = threading.Lock()
    begin = time.perf_counter() + warmup
    end = begin + seconds

    def run(i: int, client: Any) -> None:
        rng = random.Random(i)
        k = i  # each client walks the pages in turn, starting at a different one
        mine = []
        while (now := time.perf_counter()) < end and len(mine) < 100_000:
            page = pages[k % len(pages)]
            k += 1
            t0 = time.perf_counter()
            try:
                status = client.get(url_for(page, urls, rng)).status_code
            except httpx.HTTPError as exc:
                status = 0
                if len(failures) < 5:
                    failures.append(repr(exc))
            t1 = time.perf_counter()
            if now >= begin and t1 <= end:  # started and finished inside the window
                mine.append((page, t1 - t0, status))
        with lock:
            samples.extend(mine)

    workers = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(sessions)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    for c in sessions:
        c.close()

    def figures(rows: list[tuple[str, float, int]]) -> dict[str, Any]:
        ms = [r[1] * 1000 for r in rows]
        return {
            "requests": len(rows),
            "rps": round(len(rows) / seconds, 1),
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(percentile(ms, 0.95), 1) if ms else None,
            "max_ms": round(max(ms), 1) if ms else None,
            "errors": sum(1 for r in rows if r[2] != 200),
        }

    result = {
        "clients": clients,
        "seconds": seconds,
        "login_seconds": round(login_seconds, 1),
        "overall": figures(samples),
        "failures": failures,
        "pages": {p: figures([r for r in samples if r[0] == p]) for p in pages},
    }
    print(json.dumps(result))


def run_load(
    base: str, urls: dict[str, Any], args: argparse.Namespace, pages: tuple[str, ...]
) -> dict[str, Any]:
    seconds = args.all_seconds if pages == PAGES else args.seconds
    spec = OUT / "serve-urls.json"
    spec.write_text(json.dumps(urls, ensure_ascii=False))
    done = subprocess.run(
        [
            PYTHON,
            __file__,
            "--load",
            base,
            "--urls",
            str(spec),
            "--clients",
            str(args.clients),
            "--seconds",
            str(seconds),
            "--warmup",
            str(args.warmup),
            "--pages",
            ",".join(pages),
            "--cookies",
            str(OUT / "serve-cookies.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + args.warmup + 900,
    )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit("the load generator failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ms(value: float | None) -> str:
    return f"{value:7.1f}" if value is not None else "      -"


def report(name: str, kind: str, r: dict[str, Any]) -> None:
    o = r["overall"]
    print(
        f"   {kind:9} overall {o['rps']:7.1f} req/s  p50 {_ms(o['p50_ms'])} ms  "
        f"p95 {_ms(o['p95_ms'])} ms  errors {o['errors']}  (sign-in of {r['clients']}: "
        f"{r['login_seconds']} s)",
        flush=True,
    )
    for page, p in r["pages"].items():
        print(
            f"     {page:10} {p['rps']:6.1f} req/s  p50 {_ms(p['p50_ms'])}  p95 {_ms(p['p95_ms'])}"
            f"  max {_ms(p['max_ms'])} ms  errors {p['errors']}"
        )


def _pages(mix: str) -> tuple[str, ...]:
    if mix == "all":
        return PAGES
    if mix == "no-slow":
        return tuple(p for p in PAGES if p not in {"coverage", "home"})
    pages = tuple(p for p in mix.split(",") if p)
    unknown = set(pages) - set(PAGES)
    if unknown or not pages:
        raise SystemExit(f"unknown pages: {sorted(unknown)}; known: {', '.join(PAGES)}")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=290_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--all-seconds",
        type=float,
        default=240,
        help="window of the mix 'all': at 1M persons a round of its pages costs ~17 s of CPU, "
        "and 50 clients queue for a minute",
    )
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads a worker")
    parser.add_argument("--servers", default="gunicorn,runserver")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--mixes",
        default="all;no-slow",
        help="page mixes separated by ';': 'all', 'no-slow' (without coverage and home, "
        "the pages over 1 s alone at 1M persons) or page names joined by ','",
    )
    parser.add_argument("--pages", default=",".join(PAGES), help=argparse.SUPPRESS)
    parser.add_argument("--cookies", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--urls", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return
    if args.load:
        urls = json.loads(Path(args.urls).read_text())
        cookies = Path(args.cookies) if args.cookies else None
        load(args.load, urls, args.clients, args.seconds, args.warmup, _pages(args.pages), cookies)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    wanted = args.databases.split(",")
    databases = []
    if "sqlite" in wanted:
        databases.append(("sqlite", child_env(ANSINH_SQLITE_PATH=str(OUT / "search.sqlite3"))))
    pg_up = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0
    if "postgresql" not in wanted:
        pass
    elif not args.skip_postgres and pg_up:
        databases.append(("postgresql", child_env(DATABASE_URL=PG_URL)))
    elif not args.skip_postgres:
        print("   PostgreSQL not reachable: skipped")
    servers = [s for s in args.servers.split(",") if s]
    mixes = [m for m in args.mixes.split(";") if m]
    results: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "clients": args.clients,
        "seconds": args.seconds,
        "load_average_at_start": os.getloadavg(),
        "databases": {},
    }
    for name, env in databases:
        ensure_database(name, env, args.households)
        server_env = {**env, **SERVER_ENV}
        # A database built by an older checkout gets this one's tables first.
        subprocess.run([ANSINH, "migrate", "-v0"], env=server_env, check=True)
        # The first page drawn by `prepare` needs the production static files manifest.
        subprocess.run([ANSINH, "collectstatic", "--noinput", "-v0"], env=server_env, check=True)
        done = subprocess.run(
            [PYTHON, __file__, "--prepare"],
            env=server_env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit("prepare failed")
        urls = json.loads(done.stdout.strip().splitlines()[-1])
        (OUT / "serve-cookies.json").unlink(missing_ok=True)  # sign in anew on each database
        print(f"   each page alone, first request (ms): {urls['first_ms']}", flush=True)
        print(f"   each page alone, then (ms): {urls['alone_ms']}", flush=True)
        print(
            f"== {args.clients} signed-in clients, {args.seconds:.0f} s, {name}, "
            f"{urls['persons']:,} persons",
            flush=True,
        )
        results["databases"][name] = {
            "persons": urls["persons"],
            "alone_ms": urls["alone_ms"],
            "first_ms": urls["first_ms"],
            "mixes": {},
        }
        for mix in mixes:
            pages = _pages(mix)
            print(f"  -- pages: {', '.join(pages)}", flush=True)
            by: dict[str, Any] = {}
            for kind in servers:
                port = free_port()
                server = start_server(kind, server_env, port, args.workers, args.threads)
                try:
                    r = run_load(f"http://127.0.0.1:{port}", urls, args, pages)
                finally:
                    stop_server(server)
                r["load_average_after"] = os.getloadavg()
                by[kind] = r
                report(name, kind, r)
            if "gunicorn" in by and "runserver" in by:
                fast, slow = by["gunicorn"]["overall"]["rps"], by["runserver"]["overall"]["rps"]
                by["gunicorn_over_runserver_rps"] = round(fast / max(slow, 0.1), 2)
                print(f"   gunicorn / runserver: {fast / max(slow, 0.1):.2f} × the requests/s")
            results["databases"][name]["mixes"][mix] = by
    tag = "" if not args.threads else f"-threads{args.threads}"
    out = OUT / (
        f"serve{tag}.json"
        if wanted == ["sqlite", "postgresql"]
        else f"serve-{'-'.join(wanted)}{tag}.json"
    )
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
