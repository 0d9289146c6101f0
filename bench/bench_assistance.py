"""Allowance payroll benchmark (issue 5): 1,000,000 active cases on SQLite and PostgreSQL.

Each database is fresh (SQLite under var/bench/, PostgreSQL database ``ansinh_bench_assist``).
Set-up (not timed): households, people and decided cases inserted in bulk (a person with a
severe disability, 750,000 đ, paid by bank), then the tables analysed as a real database's
are. Timed:

* generate: ``payroll_generate`` (regular lines set-based, planned lines, guard);
* guard alone (``guard_run`` again: recomputes every case with the rules engine);
* re-run generate (idempotent: nothing added);
* export: the bank CSV and the ISO 20022 pain.001 file (built and schema-validated) of every
  line.

Wall time per step and peak memory (max RSS of the process).

Run: .venv/bin/python bench/bench_assistance.py [--cases 1000000] [--skip-postgres]

``--keep-setup`` keeps a copy of the set-up data (``var/bench/assistance-setup-<cases>.sqlite3``,
PostgreSQL database ``ansinh_bench_assist_setup_<cases>``) and starts from it when it exists:
the set-up of a million cases takes about 12 minutes per database, the timed part a minute.
``--src DIR`` measures another copy of the code (e.g. ``git archive HEAD`` unpacked), for a
before/after on the same data; ``--profile DIR`` writes a cProfile of each timed step.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import child_env, fresh_postgres, migrate, pg_exists, psql, run_child

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PG_BENCH_DB = "ansinh_bench_assist"


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def setup(cases: int) -> tuple[int, dt.date]:
    from django.db import connection

    from ansinh.assistance.models import Case
    from ansinh.places.choices import VillageKind
    from ansinh.places.models import Commune, Village
    from ansinh.places.services import places_sync
    from ansinh.registry.models import Household, Person

    if not Commune.objects.filter(code=25522).exists():
        places_sync()
    commune = Commune.objects.get(code=25522)
    village, _ = Village.objects.get_or_create(
        commune=commune, code="B1", defaults={"name": "Ấp Bench", "kind": VillageKind.AP}
    )
    month = dt.date(2026, 11, 1)
    chunk = 20_000
    for start in range(0, cases, chunk):
        n = min(chunk, cases - start)
        hh = Household.objects.bulk_create(
            [
                Household(commune=commune, village=village, code=f"B{start + i:08d}")
                for i in range(n)
            ],
            batch_size=chunk,
        )
        if not hh[0].pk:  # SQLite returns ids too; keep a fallback
            hh = list(Household.objects.filter(code__gte=f"B{start:08d}").order_by("code")[:n])
        people = Person.objects.bulk_create(
            [
                Person(
                    household=h,
                    commune=commune,
                    village=village,
                    full_name=f"Nguyen Van {i}",
                    folded_name=f"nguyen van {i}",
                    given_key=f"{i} nguyen van",
                    date_of_birth=dt.date(1970 + i % 20, 1 + i % 12, 1 + i % 28),
                    sex="male",
                    relationship="head",
                )
                for i, h in enumerate(hh, start=start)
            ],
            batch_size=chunk,
        )
        Case.objects.bulk_create(
            [
                Case(
                    person=p,
                    household=p.household,
                    commune=commune,
                    village=village,
                    scheme="social_assistance",
                    groups=["disability_severe"],
                    status="active",
                    applied_on=dt.date(2026, 10, 1),
                    decision_number=f"{p.pk}/QĐ",
                    decision_date=dt.date(2026, 11, 2),
                    decision_signer="CT",
                    effective_month=month,
                    amount_from=month,
                    household_status="other",
                    basis="disability_severe",
                    coefficient="1.5",
                    amount=750_000,
                    payment_method="bank",
                    bank="agribank",
                    bank_account_number=f"57{p.pk:010d}",
                    bank_account_holder=p.full_name.upper(),
                )
                for p in people
            ],
            batch_size=chunk,
        )
    with connection.cursor() as cursor:  # statistics, as autovacuum would gather them
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return commune.code, month


def _timed(
    result: dict[str, object], key: str, profile: Path | None, step: Callable[[], Any]
) -> Any:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    value = step()
    if profiler:
        profiler.disable()
    result[key] = round(time.perf_counter() - started, 1)
    if profiler and profile:
        profile.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile / f"{key}.prof")
    return value


def child(cases: int, phase: str, quick: bool, profile: Path | None) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    django.setup()
    from ansinh.accounts.scopes import Scope
    from ansinh.assistance import exports
    from ansinh.assistance import payroll as pr
    from ansinh.assistance.guard import guard_run

    result: dict[str, object] = {"cases": cases}
    if phase == "setup":
        started = time.perf_counter()
        setup(cases)
        result["setup_seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps(result))
        return
    commune_code, month = 25522, dt.date(2026, 11, 1)
    system = Scope.system(commune_code, "bench")

    def generate() -> Any:
        return pr.payroll_generate(scope=system, commune_code=commune_code, month=month)

    payroll = _timed(result, "generate_with_guard_seconds", profile, generate)
    lines = payroll.lines.count()
    assert lines == cases, lines
    result["blocking_items"] = _timed(
        result,
        "guard_seconds",
        profile,
        lambda: guard_run(commune_code=commune_code, month=month),
    )
    if not quick:
        _timed(result, "regenerate_seconds", profile, generate)
        assert payroll.lines.count() == cases
        started = time.perf_counter()
        csv_bytes = exports.bank_csv(payroll)
        result["csv_seconds"] = round(time.perf_counter() - started, 1)
        result["csv_mb"] = round(len(csv_bytes) / 1e6, 1)
        del csv_bytes
        started = time.perf_counter()
        xml = exports.pain001(
            payroll,
            debtor_name="Uy ban nhan dan xa Tan Dong",
            debtor_account="5700201004417",
            debtor_bank="Agribank",
        )
        result["pain001_lines"] = cases
        result["pain001_seconds"] = round(time.perf_counter() - started, 1)
        result["pain001_mb"] = round(len(xml) / 1e6, 1)
        del xml
    result["peak_rss_mb"] = _peak_mb()
    print(json.dumps(result))


def run_sqlite(args: argparse.Namespace, base: dict[str, str], cases: int) -> dict[str, Any]:
    db = Path(args.sqlite_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    kept = db.with_name(f"{db.stem}-setup-{cases}{db.suffix}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = base | {"ANSINH_SQLITE_PATH": str(db)}
    result: dict[str, Any] = {}
    if args.keep_setup and kept.exists():
        shutil.copyfile(kept, db)
    else:
        migrate(env)
        result |= run_child(__file__, env, "sqlite", "setup", "--cases", str(cases))
        if args.keep_setup:
            shutil.copyfile(db, kept)
    migrate(env)
    return result | run_child(__file__, env, "sqlite", *_timed_args(args, "sqlite"))


def run_postgres(args: argparse.Namespace, base: dict[str, str], cases: int) -> dict[str, Any]:
    database = args.pg_database
    kept = f"{database}_setup_{cases}"
    result: dict[str, Any] = {}
    if args.keep_setup and pg_exists(kept):
        psql(f"DROP DATABASE IF EXISTS {database}")
        psql(f"CREATE DATABASE {database} TEMPLATE {kept}")
        env = base | {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}"}
    else:
        pg = fresh_postgres(database)
        if pg is None:
            raise SystemExit("PostgreSQL not reachable")
        env = base | {"DATABASE_URL": pg["DATABASE_URL"]}
        migrate(env)
        result |= run_child(__file__, env, "postgresql", "setup", "--cases", str(cases))
        if args.keep_setup:
            psql(f"DROP DATABASE IF EXISTS {kept}")
            psql(f"CREATE DATABASE {kept} TEMPLATE {database}")
    migrate(env)
    return result | run_child(__file__, env, "postgresql", *_timed_args(args, "postgresql"))


def _timed_args(args: argparse.Namespace, name: str) -> list[str]:
    out = ["time", "--cases", str(args.cases)]
    if args.quick:
        out.append("--quick")
    if args.profile:
        out += ["--profile", str(Path(args.profile) / name)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--keep-setup", action="store_true", help="keep the set-up data and start from it"
    )
    parser.add_argument("--quick", action="store_true", help="only generate and guard")
    parser.add_argument("--src", help="the source tree to measure (default: this one's src/)")
    parser.add_argument("--profile", help="write a cProfile of each timed step under this folder")
    parser.add_argument("--sqlite-path", default=str(OUT / "assistance.sqlite3"))
    parser.add_argument("--pg-database", default=PG_BENCH_DB)
    parser.add_argument("--child", nargs="?", const="all", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, os.environ.get("ANSINH_BENCH_SRC", str(ROOT / "src")))
        profile = Path(args.profile) if args.profile else None
        child(args.cases, args.child, args.quick, profile)
        return
    src = str(Path(args.src).resolve()) if args.src else str(ROOT / "src")
    base = child_env(PYTHONPATH=src, ANSINH_BENCH_SRC=src)
    runs: list[tuple[str, Callable[..., dict[str, Any]]]] = []
    if not args.skip_sqlite:
        runs.append(("sqlite", run_sqlite))
    if not args.skip_postgres:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode:
            print("   PostgreSQL not reachable: skipped")
        else:
            runs.append(("postgresql", run_postgres))
    results = {}
    for name, runner in runs:
        print(f"== payroll for {args.cases:,} active cases ({name})", flush=True)
        r = runner(args, base, args.cases)
        results[name] = r
        for key, value in r.items():
            print(f"   {key}: {value}")
        gg = r["generate_with_guard_seconds"]
        print(f"   generate + guard: {gg} s (target < 15 s)", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "assistance.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
