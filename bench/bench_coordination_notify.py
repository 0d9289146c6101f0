"""Coordination messages benchmark (issue 14): notifying 1,000 people at once, on SQLite and
on PostgreSQL. Times the queueing only (the outbox rows, in the change's transaction; the
dispatcher sends them later): a task assigned to 1,000 people, a comment on it (1,000
"answered", a few with no number or who chose no messages), an announcement to 1,000
recipients and the reminder to those who have not read it. Target: each under 5 s.

Set-up (not timed): the demo commune (a small registry, the demo users: the set-up of
``bench_coordination.py``, imported) and 1,000 committee members with mobile numbers (every
20th without one, every 25th has chosen no messages).

Run: .venv/bin/python bench/bench_coordination_notify.py [--people 1000] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from bench_coordination import OUT, bench_commune, databases, start_django
from benchlib import migrate, run_child

ROOT = Path(__file__).resolve().parent.parent
PG_BENCH_DB = "ansinh_bench_coord_notify"
#: The registry under the crowd: small, the bench times the messages.
HOUSEHOLDS = 50
TARGET_S = 5.0


def _setup(people: int) -> dict[str, Any]:
    from ansinh.accounts.choices import Role
    from ansinh.accounts.models import User
    from ansinh.coordination.choices import NotifyChoice
    from ansinh.coordination.models import NotifySetting

    reg, password = bench_commune(HOUSEHOLDS)
    users = [
        User(
            username=f"uyvien{n:04d}",
            full_name=f"Ủy viên {n:04d}",
            commune=reg.commune,
            role=Role.COMMITTEE,
            phone="" if n % 20 == 0 else f"0912{n:06d}",
            password=password,
        )
        for n in range(people)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    made = list(User.objects.filter(username__startswith="uyvien").order_by("username"))
    NotifySetting.objects.bulk_create(
        [NotifySetting(user=u, choice=NotifyChoice.NONE) for u in made[1::25]]
    )
    return {"people": len(made), "commune": reg.commune.code, "village": reg.villages[0].pk}


def _timed(run: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = run()
    return value, round(time.perf_counter() - started, 3)


def _queue_time(run: Any) -> tuple[Any, float, float]:
    """``run()``'s result, its whole time and the time spent queueing messages in it."""
    from ansinh.coordination import notify

    spent = [0.0]
    original = notify.queue

    def timed_queue(**kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    notify.queue = timed_queue
    try:
        value, total = _timed(run)
    finally:
        notify.queue = original
    return value, total, round(spent[0], 3)


def child(people: int) -> None:
    start_django()
    from django.db import connection

    from ansinh.accounts.models import User
    from ansinh.accounts.scopes import scope_for
    from ansinh.coordination import services
    from ansinh.coordination.models import Recipient
    from ansinh.messaging.models import OutboxMessage
    from ansinh.places.models import Village

    result: dict[str, Any] = {"vendor": connection.vendor, **_setup(people)}
    officer = scope_for(User.objects.get(username="canbo"))
    crowd = list(User.objects.filter(username__startswith="uyvien"))
    item = services.item_report(
        scope=officer,
        kind="task",
        topic="other",
        title="Rà soát danh sách hộ cận nghèo năm 2027",
        village=Village.objects.get(pk=result["village"]),
    )

    def count() -> int:
        return OutboxMessage.objects.count()

    before = count()
    _, total, queued = _queue_time(
        lambda: services.item_assign(scope=officer, item=item, users=crowd)
    )
    result["assign"] = {"seconds": total, "queue_seconds": queued, "messages": count() - before}
    before = count()
    _, total, queued = _queue_time(
        lambda: services.comment_add(scope=officer, item=item, text="Hạn chót thứ Sáu.")
    )
    result["comment"] = {"seconds": total, "queue_seconds": queued, "messages": count() - before}
    before = count()
    announcement, total, queued = _queue_time(
        lambda: services.item_report(
            scope=officer,
            kind="announcement",
            topic="other",
            audience="committee",
            title="Họp Ban Chỉ đạo sáng thứ Hai",
        )
    )
    result["announce"] = {
        "seconds": total,
        "queue_seconds": queued,
        "messages": count() - before,
        "recipients": Recipient.objects.filter(item=announcement).count(),
    }
    before = count()
    _, total, queued = _queue_time(
        lambda: services.announcement_remind(scope=officer, item=announcement)
    )
    result["remind"] = {"seconds": total, "queue_seconds": queued, "messages": count() - before}
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT / "src"))
        child(args.people)
        return 0
    runs = databases("coordination_notify", PG_BENCH_DB, skip_postgres=args.skip_postgres)
    results = {}
    failed = False
    for name, env in runs:
        print(f"== coordination messages, {args.people:,} people ({name})")
        migrate(env)
        r = run_child(__file__, env, name, "--people", str(args.people))
        results[name] = r
        for key, label in (
            ("assign", "assigning a task"),
            ("comment", "a comment (answered)"),
            ("announce", "an announcement"),
            ("remind", "the reminder"),
        ):
            s = r[key]
            print(
                f"   {label}: {s['messages']:,} messages queued in {s['queue_seconds']} s "
                f"(the whole change {s['seconds']} s)"
            )
            if s["queue_seconds"] > TARGET_S:
                print(f"   !! {key}: queueing over the {TARGET_S} s target")
                failed = True
        print(f"   peak RSS {r['peak_rss_mb']} MB")
    (OUT / "coordination_notify.json").write_text(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
