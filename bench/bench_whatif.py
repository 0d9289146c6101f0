"""Policy what-if benchmark (issue 12): the effect of a proposed poverty value on a round of
100,000 surveyed households, before it is approved — on SQLite and on PostgreSQL.

Set-up (not timed, reported apart): the demo registry generator builds the households and
members; the illustrative 2027 indicator thresholds are entered and approved as in the demo;
this year's annual round (standard date 01/01/2027) lists every household with complete survey
answers (forms A, B1, B2, every living member); the officer enters a proposed rural income line
of 2,600,000 đ (2,200,000 đ in force).

Timed, in a fresh process:

* ``sets``: the two parameter sets (in force; in force with the proposal);
* ``poverty_effects``: ``whatif.poverty_effects(commune, before, after)``, first call and best
  of three (the what-if of the value's page);
* ``effect_of``: the whole ``whatif.effect_of(scope, entry)``;
* ``page``: the value's page (``/policy/values/<pk>/``) as the committee member sees it.

The target is under 5 s. A digest of the results (classes both ways, moves) is printed so that
a change of ``whatif.py`` can be checked to give the same results (``--src`` measures another
copy of the code on the same data).

Run: .venv/bin/python bench/bench_whatif.py [--households 100000] [--skip-postgres]
     [--keep-setup] [--src DIR] [--profile DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import child_env, migrate, pg_exists, psql, run_child

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PG_BENCH_DB = "ansinh_bench_whatif"
AS_OF = dt.date(2026, 11, 20)
STANDARD = dt.date(2027, 1, 1)
TARGET_SECONDS = 5.0


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def setup(households: int) -> dict[str, Any]:
    from django.db import connection

    from ansinh.accounts.models import User
    from ansinh.accounts.scopes import scope_for
    from ansinh.demo.builder import build_registry
    from ansinh.demo.policy import build_policy
    from ansinh.policy import services
    from ansinh.poverty.choices import EntryStatus, ListReason, RoundKind, RoundStatus
    from ansinh.poverty.models import ReviewRound, RoundHousehold
    from ansinh.registry.choices import LifeStatus
    from ansinh.registry.models import Person

    rng = random.Random(12)
    reg = build_registry(households=households, seed=12, as_of=AS_OF, chunk=10_000)
    commune = reg.commune
    build_policy(commune=commune)
    people: dict[int, list[tuple[int, dt.date, str]]] = {}
    persons = Person.objects.filter(commune=commune, life_status=LifeStatus.LIVING)
    for pk, hid, dob, sex in persons.values_list("pk", "household_id", "date_of_birth", "sex"):
        people.setdefault(hid, []).append((pk, dob, sex))
    listed = [(pk, v) for pk, v in commune.households.values_list("pk", "village_id")]
    listed = [(pk, v) for pk, v in listed if pk in people]
    rnd = ReviewRound.objects.create(
        commune=commune,
        kind=RoundKind.ANNUAL,
        year=AS_OF.year,
        standard_date=STANDARD,
        status=RoundStatus.SURVEYING,
    )

    def answers(hid: int) -> dict[str, Any]:
        # about one in six households at most 2.6 million đ per person: the proposal moves some
        income = int(rng.lognormvariate(15.2, 0.55)) // 10_000 * 10_000
        poor_house = rng.random() < 0.08
        return {
            "a": {"screened_out": rng.random() < 0.02, "note": ""},
            "b1": {"route": "income", "income_per_capita": income, "b1_score": None},
            "b2": {
                "house_type": "makeshift" if poor_house else "durable",
                "floor_area_m2": float(rng.randrange(20, 150)),
                "safe_water": rng.random() > 0.1,
                "hygienic_latrine": rng.random() > 0.15,
                "internet": rng.random() > 0.2,
                "info_assets": rng.random() > 0.05,
                "waste_treatment": rng.random() > 0.2,
            },
            "members": {
                str(pk): {
                    "full_name": f"Thành viên {pk}",
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
            },
            "registry": {},
            "notes": {},
        }

    officer = User.objects.get(username="canbo")
    for start in range(0, len(listed), 10_000):
        RoundHousehold.objects.bulk_create(
            [
                RoundHousehold(
                    round=rnd,
                    household_id=pk,
                    village_id=v,
                    reason=ListReason.COMMITTEE,
                    previous_class="not_poor",
                    answers=answers(pk),
                    status=EntryStatus.SURVEYED,
                    surveyors=[officer.pk],
                    surveyed_by=officer,
                )
                for pk, v in listed[start : start + 10_000]
            ],
            batch_size=2000,
        )
    services.policy_value_enter(
        scope=scope_for(officer),
        name="poverty.income_line.rural",
        valid_from=STANDARD,
        value=2_600_000,
        document="Decree 351/2025/ND-CP",
        document_vi="Nghị định 351/2025/NĐ-CP",
        note="bench",
    )
    with connection.cursor() as cursor:  # statistics, as autovacuum would gather them
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"households": households, "round_entries": len(listed)}


def _timed(result: dict[str, Any], key: str, profile: Path | None, step: Callable[[], Any]) -> Any:
    """Wall time as ``<key>_seconds`` and this process's CPU time as ``<key>_cpu`` (on a busy
    machine the CPU time is the steadier figure; PostgreSQL's own work is not in it)."""
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    value = step()
    if profiler:
        profiler.disable()
    result[f"{key}_seconds"] = round(time.perf_counter() - started, 2)
    result[f"{key}_cpu"] = round(time.process_time() - cpu, 2)
    if profiler and profile:
        profile.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile / f"{key}.prof")
    return value


def _digest(effects: list[Any]) -> dict[str, Any]:
    """What the page shows, and every class both ways, hashed: equal digests = same results."""
    out: dict[str, Any] = {}
    for i, p in enumerate(effects):
        shown = {
            "total": p.total,
            "unchanged": p.unchanged,
            "matrix": p.matrix,
            "by_village": p.by_village,
            "moved": p.moved,
            "refusals": [p.before.refusal, p.after.refusal],
            "classes": [sorted(p.before.classes.items()), sorted(p.after.classes.items())],
        }
        text = json.dumps(shown, sort_keys=True, default=str)
        out[f"round_{i}"] = {
            "total": p.total,
            "moved": sum(n for _b, _a, n in p.matrix),
            "matrix": [list(m) for m in p.matrix],
            "sha256": hashlib.sha256(text.encode()).hexdigest()[:16],
        }
    return out


def child_time(profile: Path | None) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from ansinh.accounts.models import User
    from ansinh.accounts.scopes import scope_for
    from ansinh.policy import whatif
    from ansinh.policy.models import PolicyValue

    entry = PolicyValue.objects.get(state="proposed", name="poverty.income_line.rural")
    officer = User.objects.get(username="canbo")
    scope = scope_for(officer)
    result: dict[str, Any] = {}
    before, after = _timed(result, "sets", None, lambda: whatif.sets_for(entry))
    effects = _timed(
        result,
        "poverty_effects",
        profile,
        lambda: whatif.poverty_effects(scope.commune_code, before, after),
    )
    runs = [result["poverty_effects_seconds"]]
    for _ in range(2):
        started = time.perf_counter()
        whatif.poverty_effects(scope.commune_code, before, after)
        runs.append(round(time.perf_counter() - started, 2))
    result["poverty_effects_best_seconds"] = min(runs)
    _timed(result, "effect_of", None, lambda: whatif.effect_of(scope, entry))
    client = Client()
    client.force_login(User.objects.get(username="phochutich"))
    url = reverse("policy:entry", args=[entry.pk])
    response = _timed(result, "page", None, lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    result["page_kb"] = round(len(response.content) / 1024)
    result["digest"] = _digest(effects)
    result["peak_rss_mb"] = _peak_mb()
    return result


def child(phase: str, households: int, profile: Path | None) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    django.setup()
    if phase == "setup":
        started = time.perf_counter()
        result = setup(households)
        result["setup_seconds"] = round(time.perf_counter() - started, 1)
    else:
        result = child_time(profile)
    print(json.dumps(result))


def _timed_args(args: argparse.Namespace, name: str) -> list[str]:
    out = ["time"]
    if args.profile:
        out += ["--profile", str(Path(args.profile) / name)]
    return out


def run_sqlite(args: argparse.Namespace, base: dict[str, str]) -> dict[str, Any]:
    db = OUT / "whatif.sqlite3"
    kept = db.with_name(f"whatif-setup-{args.households}.sqlite3")
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = base | {"ANSINH_SQLITE_PATH": str(db)}
    result: dict[str, Any] = {}
    if args.keep_setup and kept.exists():
        shutil.copyfile(kept, db)
        result["setup"] = "kept copy"
    else:
        migrate(env)
        result |= run_child(__file__, env, "sqlite", "setup", "--households", str(args.households))
        if args.keep_setup:
            shutil.copyfile(db, kept)
    migrate(env)
    return result | run_child(__file__, env, "sqlite", *_timed_args(args, "sqlite"))


def run_postgres(args: argparse.Namespace, base: dict[str, str]) -> dict[str, Any]:
    database = PG_BENCH_DB
    kept = f"{database}_setup_{args.households}"
    env = base | {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}"}
    result: dict[str, Any] = {}
    psql(f"DROP DATABASE IF EXISTS {database}")
    if args.keep_setup and pg_exists(kept):
        psql(f"CREATE DATABASE {database} TEMPLATE {kept}")
        result["setup"] = "kept copy"
    else:
        psql(f"CREATE DATABASE {database}")
        migrate(env)
        result |= run_child(
            __file__, env, "postgresql", "setup", "--households", str(args.households)
        )
        if args.keep_setup:
            psql(f"DROP DATABASE IF EXISTS {kept}")
            psql(f"CREATE DATABASE {kept} TEMPLATE {database}")
    migrate(env)
    return result | run_child(__file__, env, "postgresql", *_timed_args(args, "postgresql"))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--keep-setup", action="store_true", help="keep the set-up data and start from it"
    )
    parser.add_argument("--src", help="the source tree to measure (default: this one's src/)")
    parser.add_argument("--profile", help="write a cProfile of poverty_effects under this folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, os.environ.get("ANSINH_BENCH_SRC", str(ROOT / "src")))
        child(args.child, args.households, Path(args.profile) if args.profile else None)
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
        print(f"== what-if of a proposed poverty value, {args.households:,} households ({name})")
        r = runner(args, base)
        results[name] = r
        if "setup_seconds" in r:
            print(f"   set-up (not timed): {r['setup_seconds']} s, {r['round_entries']:,} entries")
        print(
            f"   parameter sets {r['sets_seconds']} s; poverty_effects"
            f" {r['poverty_effects_seconds']} s (CPU {r['poverty_effects_cpu']} s; best of 3:"
            f" {r['poverty_effects_best_seconds']} s); whole effect_of {r['effect_of_seconds']} s"
            f" (CPU {r['effect_of_cpu']} s); the value's page {r['page_seconds']} s"
            f" ({r['page_kb']} KB); peak RSS {r['peak_rss_mb']} MB"
        )
        for key, d in r["digest"].items():
            print(f"   {key}: {d['total']:,} classified, {d['moved']:,} move; digest {d['sha256']}")
        slow = r["effect_of_seconds"] > TARGET_SECONDS
        print(f"   target < {TARGET_SECONDS:g} s: {'MISSED' if slow else 'met'}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "whatif.json").write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
