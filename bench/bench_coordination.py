"""Coordination board benchmark (issue 14): a commune's board of 10,000 items and 50,000
comments (a year of a busy commune, ten times the demo's pace), on SQLite and on PostgreSQL.
Reports the median and p95 of the board page (the officer's default view, filters, deep pages;
the village head's view) and of an item's page (its thread, buttons and assignees), through
Django's test client as a signed-in officer. Target: p95 under 200 ms.

Set-up (not timed): the demo registry (2,000 households, the demo users), then items,
assignments, comments and mentions inserted in bulk, spread over the last 365 days across
the ten ấp, topics and statuses (about a quarter still open, some overdue).

Run: .venv/bin/python bench/bench_coordination.py [--items 10000] [--comments 50000]
     [--households 2000] [--skip-postgres]

The set-up of the registry and the child's Django are shared with
``bench_coordination_notify.py`` (:func:`bench_commune`, :func:`start_django`,
:func:`databases`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchlib import child_env, fresh_postgres, migrate, run_child

if TYPE_CHECKING:
    from ansinh.demo.builder import DemoResult

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PG_BENCH_DB = "ansinh_bench_coord"
TARGET_MS = 200


def bench_commune(households: int) -> tuple[DemoResult, str]:
    """The set-up both coordination benches share: the demo registry of ``households``
    households with the demo users (seed 14), every user of the commune signing in with the
    password "bench". Returns the registry (``build_registry``'s result) and the password's
    hash, for the users a bench adds. Inside a Django process (``start_django``)."""
    from django.contrib.auth.hashers import make_password

    from ansinh.accounts.models import User
    from ansinh.demo.builder import build_registry

    reg = build_registry(households=households, seed=14, chunk=2000)
    password = make_password("bench")
    User.objects.filter(commune=reg.commune).update(password=password)
    return reg, password


def start_django() -> None:
    """The child process's Django, on the database its environment names."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    os.environ.setdefault("ANSINH_ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django

    django.setup()


def databases(
    stem: str, pg_database: str, *, skip_postgres: bool
) -> list[tuple[str, dict[str, str]]]:
    """The runs of a bench: a fresh SQLite file ``var/bench/<stem>.sqlite3``, then a fresh
    PostgreSQL database ``pg_database`` unless skipped or not reachable; each a child
    environment."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"{stem}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    runs = [("sqlite", child_env(ANSINH_SQLITE_PATH=str(db), ANSINH_VAR_DIR=str(OUT / "var")))]
    if not skip_postgres:
        pg = fresh_postgres(pg_database)
        if pg is None:
            print("   PostgreSQL not reachable: skipped")
        else:
            pg["ANSINH_VAR_DIR"] = str(OUT / "var")
            runs.append(("postgresql", pg))
    return runs


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _setup(items: int, comments: int, household_count: int) -> dict[str, Any]:
    from django.utils import timezone

    from ansinh.accounts.models import User
    from ansinh.coordination.choices import OPEN_STATUSES, ItemKind, ItemStatus, Topic
    from ansinh.coordination.models import Assignment, Comment, Item, Mention

    rng = random.Random(14)
    started = time.perf_counter()
    reg, _password = bench_commune(household_count)
    users = {u.username: u for u in User.objects.filter(commune=reg.commune)}
    workers = [users["canbo"], users["phochutich"]]
    households: dict[int, list[int]] = {}
    for pk, village_id in reg.commune.households.values_list("pk", "village_id"):
        households.setdefault(village_id, []).append(pk)
    villages = [v.pk for v in reg.villages]
    now = timezone.now()
    kinds = [ItemKind.PROBLEM] * 6 + [ItemKind.TASK] * 2 + [ItemKind.QUESTION] * 2
    rows = []
    for n in range(items):
        created = now - dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        announcement = n % 50 == 0
        village = None if announcement else rng.choice(villages)
        status = rng.choices(list(ItemStatus.values), weights=[8, 6, 10, 20, 56])[0]
        if announcement:
            status = rng.choice([ItemStatus.NEW, ItemStatus.CLOSED])
        responded = created + dt.timedelta(hours=rng.expovariate(1 / 18))
        resolved = responded + dt.timedelta(hours=rng.expovariate(1 / 70))
        is_open = status in OPEN_STATUSES
        rows.append(
            Item(
                commune=reg.commune,
                village_id=village,
                household_id=(
                    rng.choice(households[village]) if village and rng.random() < 0.5 else None
                ),
                kind=ItemKind.ANNOUNCEMENT if announcement else rng.choice(kinds),
                topic=rng.choice(list(Topic.values)),
                priority=rng.choices([1, 2, 3, 4], weights=[10, 60, 22, 8])[0],
                status=status,
                audience="everyone" if announcement else "",
                title=f"Việc số {n}: hộ cần hỗ trợ sửa nhà sau mưa giông",
                body="Trưởng ấp báo: mái nhà bị tốc, gia đình có người cao tuổi. " * 3,
                due_date=(created + dt.timedelta(days=rng.randrange(3, 30))).date()
                if rng.random() < 0.4
                else None,
                reported_by=rng.choice(list(users.values())),
                created_at=created,
                last_activity_at=min(now, resolved if not is_open else responded),
                first_response_at=responded if rng.random() < 0.9 else None,
                resolved_at=None if is_open else resolved,
                closed_at=resolved if status == ItemStatus.CLOSED else None,
                outcome="" if is_open else "Đã hỗ trợ, gia đình ổn định.",
            )
        )
    Item.objects.bulk_create(rows, batch_size=2000)
    item_rows = list(Item.objects.filter(commune=reg.commune).values_list("pk", "created_at"))
    Assignment.objects.bulk_create(
        (
            Assignment(item_id=pk, user=rng.choice(workers), assigned_at=created)
            for pk, created in item_rows
            if rng.random() < 0.6
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    # comments: most items a few, some long threads
    weights = [rng.paretovariate(1.5) for _ in item_rows]
    picks = rng.choices(item_rows, weights=weights, k=comments)
    people = list(users.values())
    Comment.objects.bulk_create(
        (
            Comment(
                item_id=pk,
                author=rng.choice(people),
                text=f"Cập nhật {i}: đã liên hệ gia đình, @canbo xem giúp.",
                created_at=created + dt.timedelta(hours=1 + i % 300),
            )
            for i, (pk, created) in enumerate(picks)
        ),
        batch_size=5000,
    )
    counts: dict[int, int] = {}
    for pk, _created in picks:
        counts[pk] = counts.get(pk, 0) + 1
    for pk, n in counts.items():  # the denormalised count the board shows
        Item.objects.filter(pk=pk).update(comment_count=n)
    Mention.objects.bulk_create(
        (
            Mention(item_id=c.item_id, comment=c, user=users["canbo"])
            for c in Comment.objects.order_by("?")[:2000]
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    return {
        "items": Item.objects.count(),
        "comments": Comment.objects.count(),
        "longest_thread": max(counts.values()),
        "setup_seconds": round(time.perf_counter() - started, 1),
    }


def _time(client: Any, url: str, runs: list[float]) -> None:
    t0 = time.perf_counter()
    response = client.get(url)
    runs.append((time.perf_counter() - t0) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")


def _summary(runs: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(runs), 1),
        "p95_ms": round(percentile(runs, 0.95), 1),
        "max_ms": round(max(runs), 1),
        "n": len(runs),
    }


def child(items: int, comments: int, households: int) -> None:
    start_django()
    from django.db import connection
    from django.test import Client

    from ansinh.accounts.models import User
    from ansinh.coordination.models import Item
    from ansinh.places.models import Village

    result: dict[str, Any] = {"vendor": connection.vendor, **_setup(items, comments, households)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(7)
    officer = User.objects.get(username="canbo")
    client = Client()
    client.force_login(officer)
    villages = list(
        Village.objects.filter(commune_id=officer.commune_id or 0).values_list("pk", flat=True)
    )
    board_urls = ["/coordination/"] * 20
    board_urls += [f"/coordination/?village={rng.choice(villages)}" for _ in range(20)]
    board_urls += [f"/coordination/?status=all&page={rng.randrange(1, 400)}" for _ in range(20)]
    board_urls += ["/coordination/?overdue=1", "/coordination/?assignee=me"] * 10
    board_urls += [f"/coordination/?topic=bhyt&kind=task&status=done&page={n}" for n in (1, 2, 3)]
    for url in board_urls[:5]:  # warm up
        client.get(url)
    board_ms: list[float] = []
    for url in board_urls:
        _time(client, url, board_ms)
    ids = list(Item.objects.values_list("pk", flat=True))
    longest = list(Item.objects.order_by("-comment_count").values_list("pk", flat=True)[:10])
    item_ms: list[float] = []
    for pk in rng.sample(ids, 90) + longest:
        _time(client, f"/coordination/items/{pk}/", item_ms)
    head = Client()
    head.force_login(User.objects.get(username="truongap1"))
    head_ms: list[float] = []
    for n in range(30):
        _time(head, f"/coordination/?page={1 + n % 5}", head_ms)
    figures_ms: list[float] = []
    for _ in range(10):
        _time(client, "/coordination/figures/?days=365", figures_ms)
    result.update(
        board=_summary(board_ms),
        item=_summary(item_ms),
        village_head_board=_summary(head_ms),
        figures_page=_summary(figures_ms),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    print(json.dumps(result, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT / "src"))
        child(args.items, args.comments, args.households)
        return 0
    runs = databases("coordination", PG_BENCH_DB, skip_postgres=args.skip_postgres)
    results = {}
    failed = False
    for name, env in runs:
        print(f"== coordination board, {args.items:,} items, {args.comments:,} comments ({name})")
        migrate(env)
        r = run_child(
            __file__,
            env,
            name,
            "--items",
            str(args.items),
            "--comments",
            str(args.comments),
            "--households",
            str(args.households),
        )
        results[name] = r
        print(
            f"   {r['items']:,} items, {r['comments']:,} comments (longest thread "
            f"{r['longest_thread']}), set up in {r['setup_seconds']} s"
        )
        for key, label in (
            ("board", "board page"),
            ("village_head_board", "board page (village head)"),
            ("item", "item page"),
            ("figures_page", "figures page (365 days)"),
        ):
            s = r[key]
            print(
                f"   {label}: median {s['median_ms']} ms, p95 {s['p95_ms']} ms, max "
                f"{s['max_ms']} ms ({s['n']} requests)"
            )
        for key in ("board", "item", "village_head_board"):
            if r[key]["p95_ms"] > TARGET_MS:
                print(f"   !! {key}: p95 over the {TARGET_MS} ms target")
                failed = True
        print(f"   peak RSS {r['peak_rss_mb']} MB")
    (OUT / "coordination.json").write_text(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
