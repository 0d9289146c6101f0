"""Poverty-review benchmark (issue 4): close an annual round for 100,000 households —
classification by the rules engine (with the stored Vietnamese explanation and parameter
versions), then the decision: transitions and official status periods — on SQLite and on
PostgreSQL. Reports wall time and the peak memory (RSS) of the process.

Each database is fresh (SQLite under var/bench/, PostgreSQL database ``ansinh_bench_pov``).
Set-up (not timed): the demo registry generator builds the households and members, 1.2% of
them get a current poor / near-poor status, the round lists every household and each gets
complete survey answers (forms A, B1, B2) and the village's agreement.

Run: .venv/bin/python bench/bench_poverty.py [--households 100000] [--skip-postgres]
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
PG_BENCH_DB = "ansinh_bench_pov"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(households: int, phase: str) -> None:
    """Runs inside Django (a fresh, migrated database): ``setup`` then ``close``, each in its
    own process so that the peak memory of the close is its own."""

    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    django.setup()
    from ansinh.demo.builder import build_registry
    from ansinh.poverty.choices import EntryStatus, ListReason, RoundKind, RoundStatus
    from ansinh.poverty.models import PovertyStatusPeriod, ReviewRound, RoundHousehold
    from ansinh.registry.choices import LifeStatus
    from ansinh.registry.models import Person

    as_of = dt.date(2025, 11, 1)
    if phase == "close":
        close(as_of)
        return
    rng = random.Random(4)
    started = time.perf_counter()
    reg = build_registry(households=households, seed=4, as_of=as_of, chunk=10_000)
    commune = reg.commune
    people: dict[int, list[tuple[int, dt.date, str]]] = {}
    persons = Person.objects.filter(commune=commune, life_status=LifeStatus.LIVING)
    for pk, hid, dob, sex in persons.values_list("pk", "household_id", "date_of_birth", "sex"):
        people.setdefault(hid, []).append((pk, dob, sex))
    hh = [
        (pk, v) for pk, v in reg.commune.households.values_list("pk", "village_id") if pk in people
    ]
    PovertyStatusPeriod.objects.bulk_create(
        (
            PovertyStatusPeriod(
                household_id=pk,
                poverty_class=rng.choice(["poor", "near_poor"]),
                valid_from=dt.date(2025, 1, 1),
            )
            for pk, _ in hh
            if rng.random() < 0.012
        ),
        batch_size=5000,
    )
    rnd = ReviewRound.objects.create(  # posted and reported upward: ready for the decision
        commune=commune,
        kind=RoundKind.ANNUAL,
        year=2025,
        standard_date=dt.date(2026, 1, 1),
        status=RoundStatus.POSTING,
        report_number="1/BC-UBND",
        report_date=as_of,
        report_recipient="Ủy ban nhân dân tỉnh Tây Ninh",
    )

    def answers(hid: int) -> dict:
        income = rng.choices(
            [1_100_000, 1_400_000, 2_000_000, 4_000_000, 6_000_000], weights=[2, 3, 10, 45, 40]
        )[0]
        poor_house = rng.random() < 0.1
        return {
            "a": {"screened_out": False},
            "b1": {"route": "income", "income_per_capita": income},
            "b2": {
                "house_type": "makeshift" if poor_house else "durable",
                "floor_area_m2": float(rng.randrange(20, 150)),
                "safe_water": rng.random() > 0.1,
                "hygienic_latrine": rng.random() > 0.15,
                "internet": rng.random() > 0.2,
                "info_assets": rng.random() > 0.05,
            },
            "members": {
                str(pk): {
                    "date_of_birth": dob.isoformat(),
                    "sex": sex,
                    "health_insurance": rng.random() > 0.1,
                    "work": "self_employed" if dob.year < 2008 else "not_working",
                    "studying": dob.year >= 2008,
                    "qualification": "upper_secondary" if dob.year < 2008 else "primary",
                    "malnourished": False,
                    "disability": "none",
                    "monthly_allowance": False,
                }
                for pk, dob, sex in people[hid]
                if dob < dt.date(2025, 10, 1)
            },
        }

    RoundHousehold.objects.bulk_create(
        (
            RoundHousehold(
                round=rnd,
                household_id=pk,
                village_id=v,
                reason=ListReason.COMMITTEE,
                previous_class="not_poor",
                answers=answers(pk),
                status=EntryStatus.AGREED,
            )
            for pk, v in hh
        ),
        batch_size=2000,
    )
    print(
        json.dumps(
            {"households": len(hh), "setup_seconds": round(time.perf_counter() - started, 1)}
        )
    )


def close(as_of: dt.date) -> None:

    from ansinh.accounts.scopes import Scope
    from ansinh.poverty import services
    from ansinh.poverty.models import PovertyStatusPeriod, ReviewRound

    rnd = ReviewRound.objects.get()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx(
            "services.round_decide(scope=Scope.system(rnd.commune_id, 'bench'), rnd=rnd,"
            " number='p', signed_on=as_of, effective_date=dt.date(2026, 1, 1))",
            globals(),
            locals(),
            os.environ["BENCH_PROFILE"],
        )
        return
    rss_start = _rss_mb()
    started = time.perf_counter()
    classified = services.round_classify(rnd=rnd)
    classify_s = time.perf_counter() - started
    started = time.perf_counter()
    counts = services.round_decide(
        scope=Scope.system(rnd.commune_id, "bench"),
        rnd=rnd,
        number="1/QĐ-UBND",
        signed_on=as_of,
        effective_date=dt.date(2026, 1, 1),
    )
    decide_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "classified": classified,
                "classify_seconds": round(classify_s, 2),
                "decide_seconds": round(decide_s, 2),
                "total_seconds": round(classify_s + decide_s, 2),
                "rss_mb_at_start": round(rss_start),
                "peak_rss_mb": round(_rss_mb()),
                "new_status_periods": PovertyStatusPeriod.objects.filter(
                    valid_from=dt.date(2026, 1, 1)
                ).count(),
                "transitions": counts,
            }
        )
    )


def run(name: str, env: dict[str, str], households: int) -> dict[str, object]:
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True)
    out: dict[str, object] = {}
    for phase in ("setup", "close"):
        done = subprocess.run(
            [PYTHON, __file__, "--child", phase, "--households", str(households)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name}: benchmark {phase} failed ({done.returncode})")
        out.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", choices=["setup", "close"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT / "src"))
        child(args.households, args.child)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "poverty.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    runs = [("sqlite", child_env(ANSINH_SQLITE_PATH=str(db)))]
    if not args.skip_postgres:
        pg = fresh_postgres(PG_BENCH_DB)
        if pg is None:
            print("   PostgreSQL not reachable: skipped")
        else:
            runs.append(("postgresql", pg))
    results = {}
    for name, env in runs:
        print(f"== close an annual round of {args.households:,} households ({name})")
        r = run(name, env, args.households)
        results[name] = r
        print(
            f"   classify + store results: {r['classify_seconds']} s; decision (transitions,"
            f" status periods): {r['decide_seconds']} s; total {r['total_seconds']} s"
        )
        print(
            f"   peak RSS of the closing process {r['peak_rss_mb']} MB (Django loaded:"
            f" {r['rss_mb_at_start']} MB); {r['new_status_periods']:,} new status periods"
        )
    (OUT / "poverty.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
