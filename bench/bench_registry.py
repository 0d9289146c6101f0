"""Registry benchmarks (issue 2).

1. Build the demo commune at 100,000 households on SQLite: wall time and peak memory.
2. Search at ~1,000,000 persons on SQLite and on PostgreSQL: median and p95 of the search
   query (target p95 < 50 ms) and of the list page (target p95 < 200 ms).

Run: .venv/bin/python bench/bench_registry.py [--households-search 290000] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import json
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
PG_BENCH_DB = "ansinh_bench"


def build_demo(households: int) -> dict[str, float]:
    db = OUT / f"demo-{households}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = child_env(ANSINH_SQLITE_PATH=str(db))
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [ANSINH, "demo", "--households", str(households), "--seed", "1", "--no-story"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "households": households,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(max(peak, before) / 1024, 1),
    }


def search(env: dict[str, str], households: int, build: bool) -> dict[str, object]:
    cmd = [PYTHON, str(ROOT / "bench" / "registry_search.py"), "--households", str(households)]
    if build:
        cmd.append("--build")
    done = subprocess.run(cmd, env=env, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"search benchmark failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households-demo", type=int, default=100_000)
    parser.add_argument("--households-search", type=int, default=290_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="reuse the search databases")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    print(f"== demo build, {args.households_demo:,} households (SQLite)")
    demo = build_demo(args.households_demo)
    print(f"   {demo['seconds']} s, peak RSS {demo['peak_rss_mb']} MB")

    results = {}
    sqlite_db = OUT / "search.sqlite3"
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
    runs = [("sqlite", child_env(ANSINH_SQLITE_PATH=str(sqlite_db)))]
    if not args.skip_postgres:
        pg = (
            fresh_postgres(PG_BENCH_DB)
            if not args.reuse
            else child_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}")
        )
        if pg is None:
            print("   PostgreSQL not reachable: skipped")
        else:
            runs.append(("postgresql", pg))
    for name, env in runs:
        print(f"== search, ~{args.households_search:,} households ({name})")
        r = search(env, args.households_search, build=not args.reuse)
        results[name] = r
        print(f"   {r['persons']:,} persons (built in {r.get('build_seconds', '-')} s)")
        print(
            f"   search query: median {r['search_median_ms']} ms, p95 {r['search_p95_ms']} ms"
            f" (target < 50), max {r['search_max_ms']} ms {r['slowest_terms']}"
        )
        print(
            f"   list page:    median {r['list_page_median_ms']} ms,"
            f" p95 {r['list_page_p95_ms']} ms (target < 200)"
        )
        print(
            f"   browse page:  median {r['browse_page_median_ms']} ms,"
            f" p95 {r['browse_page_p95_ms']} ms"
        )
    (OUT / "registry.json").write_text(json.dumps({"demo": demo, "search": results}, indent=2))


if __name__ == "__main__":
    main()
