"""``make bench``: run every benchmark in bench/ in turn and print their figures.

Each benchmark is its own script (so memory figures are per benchmark). Pass names to run a
subset: ``python bench/run_all.py rules registry``. Large databases are kept under var/bench
and reused by later runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_BENCH = "postgres://postgres@127.0.0.1:5432/ansinh_bench"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(extra)
    return env


def insurance() -> int:
    """5M cards on the registry benchmark databases (built by the registry benchmark)."""
    status = 0
    runs = [("sqlite", _env(ANSINH_SQLITE_PATH=str(ROOT / "var/bench/search.sqlite3")))]
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
        runs.append(("postgresql", _env(DATABASE_URL=PG_BENCH)))
    for name, env in runs:
        print(f"== BHYT reminders plan over 5,000,000 cards ({name})", flush=True)
        done = subprocess.run(
            [PY, str(ROOT / "bench/insurance_plan.py")], env=env, capture_output=True, text=True
        )
        if done.returncode:
            print(done.stderr[-2000:])
            status = 1
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"   {r['cards']:,} cards, {r['persons']:,} persons (cards added in "
            f"{r['fill_seconds']} s)\n   plan: {r['plan_seconds']} s for {r['due_households']:,} "
            f"due households, {r['reminders_created']:,} reminders (target < 5 s); re-run "
            f"{r['rerun_seconds']} s, {r['rerun_created']} new; peak RSS {r['peak_rss_mb']} MB"
        )
    return status


BENCHES = {
    "rules": [PY, str(ROOT / "bench/bench_rules.py")],
    "registry": [PY, str(ROOT / "bench/bench_registry.py")],
    "messaging": [PY, str(ROOT / "bench/bench_messaging.py")],
    "insurance": insurance,
    # the BHYT follow-up list, its workbook and printed lists on a 10,000-household commune
    "insurance_followup": [PY, str(ROOT / "bench/insurance_followup.py")],
    "poverty": [PY, str(ROOT / "bench/bench_poverty.py")],
    "assistance": [PY, str(ROOT / "bench/bench_assistance.py")],
    "whatif": [PY, str(ROOT / "bench/bench_whatif.py")],
    "imports": [PY, str(ROOT / "bench/bench_imports.py")],
    "coordination": [PY, str(ROOT / "bench/bench_coordination.py")],
    # queueing the messages of a change that concerns 1,000 people (target: under 5 s)
    "coordination_notify": [PY, str(ROOT / "bench/bench_coordination_notify.py")],
    # gunicorn vs runserver under 50 signed-in clients, on the registry databases.
    "serve": [PY, str(ROOT / "bench/bench_serve.py")],
}


def main(names: list[str]) -> int:
    failed = []
    for name in names or list(BENCHES):
        target = BENCHES[name]
        started = time.perf_counter()
        if callable(target):
            code = target()
        elif not Path(target[1]).exists():
            print(f"== {name}: no benchmark script yet")
            continue
        else:
            code = subprocess.run(target, check=False).returncode
        took = time.perf_counter() - started
        print(f"-- {name}: {'ok' if code == 0 else 'FAILED'} ({took:.0f} s)\n")
        if code:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
