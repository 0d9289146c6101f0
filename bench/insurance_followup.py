"""The BHYT follow-up list on a 10,000-household commune (issue 15): the page, a page further
on, a village, every reason, the workbook and the printed lists per ấp.

Usage: python bench/insurance_followup.py [--households 10000] [--rebuild]
Builds the demo commune at that size once (SQLite under var/bench, reused by later runs), then
renders each page 5 times in a fresh process and prints the median, the slowest, the number
of queries (the same whatever the page: no N+1) and the rows. Target: a page under 1 s.
The demo without its story records no card: every member of every household is due, the
worst case for the workbook and the printed lists (about 35,000 rows). Prints one JSON line
last.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
ANSINH = str(Path(PYTHON).parent / "ansinh")
ON = "2026-11-20"
PAGES = [
    ("any reason", "/insurance/people/", {"date": ON}),
    ("any reason, page 20", "/insurance/people/", {"date": ON, "page": "20"}),
    ("no card", "/insurance/people/", {"date": ON, "reason": "never"}),
    ("expired", "/insurance/people/", {"date": ON, "reason": "lapsed"}),
    ("this month", "/insurance/people/", {"date": ON, "reason": "month"}),
    ("one village", "/insurance/people/", {"date": ON, "village": "VILLAGE"}),
    ("workbook (XLSX)", "/insurance/people/list.xlsx", {"date": ON}),
    (
        "printed list of a village (PDF)",
        "/insurance/people/list.pdf",
        {"date": ON, "village": "VILLAGE"},
    ),
    ("printed lists of every village (PDF)", "/insurance/people/list.pdf", {"date": ON}),
]


def build(db: Path, households: int) -> float:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ANSINH_SQLITE_PATH=str(db), ANSINH_ENV="development")
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [
            ANSINH,
            "demo",
            "--households",
            str(households),
            "--seed",
            "1",
            "--no-story",
            "--as-of",
            ON,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def child() -> None:
    """Render every page in this process (the database from ANSINH_SQLITE_PATH)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from ansinh.accounts.models import User
    from ansinh.places.models import Village
    from ansinh.registry.models import Household

    setup_test_environment()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="canbo"))
    village = Village.objects.filter(households__isnull=False).order_by("pk").first()
    results = []
    for name, url, params in PAGES:
        query = {k: (str(village.pk) if v == "VILLAGE" else v) for k, v in params.items()}
        times, queries, rows = [], 0, None
        for _ in range(5 if url.endswith("/") else 2):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, query)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(ctx.captured_queries)
            if response.context and "households_due" in response.context:
                rows = response.context["households_due"]
        results.append(
            {
                "page": name,
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "queries": queries,
                "households_due": rows,
                "bytes": len(response.content),
            }
        )
    print(json.dumps({"households": Household.objects.count(), "pages": results}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child()
        return
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"followup-{args.households}.sqlite3"
    if args.rebuild or not db.exists():
        print(f"== building the demo commune with {args.households:,} households", flush=True)
        print(f"   {build(db, args.households):.0f} s", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ANSINH_SQLITE_PATH=str(db), ANSINH_ENV="development")
    done = subprocess.run(
        [PYTHON, __file__, "--child"], env=env, check=False, capture_output=True, text=True
    )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"follow-up benchmark failed ({done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"== BHYT follow-up list, {result['households']:,} households (SQLite)")
    for page in result["pages"]:
        due = f", {page['households_due']:,} households due" if page["households_due"] else ""
        print(
            f"   {page['page']}: median {page['median_s']} s, slowest {page['max_s']} s, "
            f"{page['queries']} queries{due}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
