"""Imports (issue 13): a 100,000-person household workbook, as officers keep them (title rows,
codes only on the head's row, dates typed in several ways, CCCDs typed as numbers), checked
and imported with ``ansinh import households`` in a fresh process: wall time and peak memory
(target under 60 s and under 500 MB), then the same file again (everything unchanged).

Run: .venv/bin/python bench/bench_imports.py [--persons 100000] [--skip-postgres] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from benchlib import child_env, fresh_postgres, migrate

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
ANSINH = str(Path(sys.executable).parent / "ansinh")
COMMUNE = 25522  # Xã Tân Đông, Tây Ninh
PG_DB = "ansinh_bench_imports"
#: ``ansinh ARGS`` in this process, printing its own peak memory (kB) last on stderr.
PEAK = (
    "import resource, sys\n"
    "from ansinh.cli import main\n"
    "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
    "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _villages(env: dict[str, str]) -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'ansinh.config.settings'); django.setup()\n"
        "from ansinh.demo.names import VILLAGES\n"
        "from ansinh.places.models import Village\n"
        f"for name, code, _ in VILLAGES: Village.objects.get_or_create(commune_id={COMMUNE}, "
        "code=code, defaults={'name': name, 'kind': 'ap'})\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def _workbook(persons: int) -> Path:
    path = OUT / f"households-{persons}.xlsx"
    if not path.exists():
        code = (
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'ansinh.config.settings'); django.setup()\n"
            "from pathlib import Path\n"
            "from ansinh.demo.names import VILLAGES\n"
            "from ansinh.demo.workbooks import write_household_workbook\n"
            f"write_household_workbook(Path({str(path)!r}), persons={persons}, "
            "villages=[(n, c) for n, c, _ in VILLAGES], bad=0)\n"
        )
        subprocess.run([sys.executable, "-c", code], env=child_env(), check=True)
    return path


def _run(env: dict[str, str], path: Path, *extra: str) -> dict[str, object]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PEAK,
            "import",
            "households",
            str(path),
            "--commune",
            str(COMMUNE),
            *extra,
        ],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    seconds = round(time.perf_counter() - started, 1)
    peak = int(done.stderr.rsplit("PEAK ", 1)[-1].split()[0]) if "PEAK " in done.stderr else 0
    if done.returncode != 0:
        print(done.stdout, done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"import failed ({done.returncode})")
    return {
        "seconds": seconds,
        "peak_rss_mb": round(peak / 1024),
        "summary": done.stdout.strip(),
    }


def bench(env: dict[str, str], path: Path) -> dict[str, object]:
    migrate(env)
    _villages(env)
    first = _run(env, path)
    again = _run(env, path)
    return {"first": first, "again": again}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = _workbook(args.persons)
    size = path.stat().st_size // 1024
    print(f"== import of a {args.persons:,}-person household workbook ({size:,} kB)")
    results: dict[str, object] = {}
    db = OUT / "imports.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    runs = []
    if not args.skip_sqlite:
        runs.append(
            ("sqlite", child_env(ANSINH_SQLITE_PATH=str(db), ANSINH_VAR_DIR=str(OUT / "var")))
        )
    if not args.skip_postgres:
        pg = fresh_postgres(PG_DB)
        if pg is not None:
            pg["ANSINH_VAR_DIR"] = str(OUT / "var")
            runs.append(("postgresql", pg))
    for name, env in runs:
        result = bench(env, path)
        results[name] = result
        for label in ("first", "again"):
            r = result[label]  # type: ignore[index]
            print(f"   {name} {label}: {r['seconds']} s, peak RSS {r['peak_rss_mb']} MB")
            print(f"      {r['summary']}")
    (OUT / "imports.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print("   target: under 60 s and under 500 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
