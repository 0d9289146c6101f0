"""Messaging benchmark (issue 6): dispatch 100,000 outbox rows through the outbox-only
channel, on SQLite and on PostgreSQL.

Each database is fresh (SQLite under var/bench/, PostgreSQL database ``ansinh_bench_msg``
created with psql). The rows are queued with ``messages_enqueue_bulk`` (timed too), then
``dispatch`` runs inside the send window until the outbox is empty: every row is claimed,
written as sent-to-outbox and gets its attempt row, as in production.

Run: .venv/bin/python bench/bench_messaging.py [--rows 100000] [--batch 1000] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchlib import child_env, fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
ANSINH = str(Path(PYTHON).parent / "ansinh")
PG_BENCH_DB = "ansinh_bench_msg"


def child(rows: int, batch: int) -> None:
    """Runs inside Django (a fresh, migrated database)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    django.setup()
    from django.utils import timezone

    from ansinh.messaging.choices import Channel, MessageState
    from ansinh.messaging.config import ChannelConfig
    from ansinh.messaging.dispatch import dispatch
    from ansinh.messaging.models import MessageAttempt, OutboxMessage
    from ansinh.messaging.services import messages_enqueue_bulk

    text = (
        "Nhac gia han the BHYT: the cua ho ong NGUYEN VAN AN het han ngay 31/12/2026. "
        "Lien he UBND xa."
    )
    data = [
        {
            "key": f"bhyt:{i}:2026-12-31:d30",
            "to": f"09{i % 100_000_000:08d}",
            "channel": Channel.SMS,
            "sms_text": text,
            "topic": "bhyt-reminder",
            "commune_code": 25522,
        }
        for i in range(rows)
    ]
    started = time.perf_counter()
    created = sum(messages_enqueue_bulk(data[i : i + 10_000]) for i in range(0, rows, 10_000))
    enqueue_s = time.perf_counter() - started
    assert created == rows, created

    tomorrow = timezone.now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() + dt.timedelta(1)
    now = dt.datetime.combine(tomorrow, dt.time(9, 0), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    config = ChannelConfig(batch_size=batch)  # outbox-only: SMS channel "outbox"
    started = time.perf_counter()
    runs = sent = 0
    while True:
        report = dispatch(now=now, channel_config=config)
        runs += 1
        sent += report.sent
        if report.claimed == 0:
            break
    dispatch_s = time.perf_counter() - started
    assert sent == rows, sent
    assert OutboxMessage.objects.filter(state=MessageState.SENT).count() == rows
    assert MessageAttempt.objects.count() == rows
    print(
        json.dumps(
            {
                "rows": rows,
                "batch": batch,
                "enqueue_seconds": round(enqueue_s, 2),
                "enqueue_rows_per_s": round(rows / enqueue_s),
                "dispatch_seconds": round(dispatch_s, 2),
                "dispatch_rows_per_s": round(rows / dispatch_s),
                "runs": runs,
            }
        )
    )


def run(name: str, env: dict[str, str], rows: int, batch: int) -> dict[str, object]:
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True)
    done = subprocess.run(
        [PYTHON, __file__, "--child", "--rows", str(rows), "--batch", str(batch)],
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
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT / "src"))
        child(args.rows, args.batch)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "messaging.sqlite3"
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
        print(f"== dispatch {args.rows:,} outbox rows, outbox-only channel ({name})")
        r = run(name, env, args.rows, args.batch)
        results[name] = r
        print(
            f"   queue (messages_enqueue_bulk): {r['enqueue_seconds']} s,"
            f" {r['enqueue_rows_per_s']:,} rows/s"
        )
        print(
            f"   dispatch: {r['dispatch_seconds']} s wall, {r['dispatch_rows_per_s']:,} rows/s"
            f" (batches of {r['batch']}, {r['runs']} runs)"
        )
    (OUT / "messaging.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
