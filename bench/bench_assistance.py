"""Allowance payroll benchmark (issue 5): 1,000,000 active cases on SQLite and PostgreSQL.

Each database is fresh (SQLite under var/bench/, PostgreSQL database ``ansinh_bench_assist``).
Set-up (not timed): households, people and decided cases inserted in bulk (a person with a
severe disability, 750,000 đ, paid by bank). Timed:

* generate: ``payroll_generate`` (planned lines + bulk insert with ignore_conflicts + guard);
* guard alone (``guard_run`` again: recomputes every case with the rules engine);
* re-run generate (idempotent: nothing added);
* export: the bank CSV and the ISO 20022 pain.001 file (built and schema-validated) of every
  line.

Wall time per step and peak memory (max RSS of the process).

Run: .venv/bin/python bench/bench_assistance.py [--cases 1000000] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchlib import child_env, fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
ANSINH = str(Path(PYTHON).parent / "ansinh")
PG_BENCH_DB = "ansinh_bench_assist"


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def setup(cases: int) -> tuple[int, dt.date]:

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
    return commune.code, month


def child(cases: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    django.setup()
    from ansinh.accounts.scopes import Scope
    from ansinh.assistance import exports
    from ansinh.assistance import payroll as pr
    from ansinh.assistance.guard import guard_run

    started = time.perf_counter()
    commune_code, month = setup(cases)
    system = Scope.system(commune_code, "bench")
    setup_s = time.perf_counter() - started
    result: dict[str, object] = {"cases": cases, "setup_seconds": round(setup_s, 1)}

    started = time.perf_counter()
    payroll = pr.payroll_generate(scope=system, commune_code=commune_code, month=month)
    result["generate_with_guard_seconds"] = round(time.perf_counter() - started, 1)
    lines = payroll.lines.count()
    assert lines == cases, lines
    started = time.perf_counter()
    blocking = guard_run(commune_code=commune_code, month=month)
    result["guard_seconds"] = round(time.perf_counter() - started, 1)
    result["blocking_items"] = blocking
    started = time.perf_counter()
    pr.payroll_generate(scope=system, commune_code=commune_code, month=month)
    result["regenerate_seconds"] = round(time.perf_counter() - started, 1)
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


def run(name: str, env: dict[str, str], cases: int) -> dict[str, object]:
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True)
    done = subprocess.run(
        [PYTHON, __file__, "--child", "--cases", str(cases)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{name}: benchmark failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT / "src"))
        child(args.cases)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "assistance.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    runs = [] if args.skip_sqlite else [("sqlite", child_env(ANSINH_SQLITE_PATH=str(db)))]
    if not args.skip_postgres:
        pg = fresh_postgres(PG_BENCH_DB)
        if pg is None:
            print("   PostgreSQL not reachable: skipped")
        else:
            runs.append(("postgresql", pg))
    results = {}
    for name, env in runs:
        print(f"== payroll for {args.cases:,} active cases ({name})")
        r = run(name, env, args.cases)
        results[name] = r
        for key, value in r.items():
            print(f"   {key}: {value}")
        gg = r["generate_with_guard_seconds"]
        print(f"   generate + guard: {gg} s (target < 60 s)")
    (OUT / "assistance.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
