"""Plan a day's renewal reminders over ~5,000,000 cards, inside one database.

Usage: python bench/insurance_plan.py [--cards 5000000]
The database comes from the environment (DATABASE_URL or ANSINH_SQLITE_PATH) and must hold a
large registry (bench_registry.py builds one). Cards are added with raw bulk inserts the first
time. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from ansinh.accounts.scopes import Scope  # noqa: E402
from ansinh.insurance.models import Card, Reminder  # noqa: E402
from ansinh.insurance.services import reminders_plan  # noqa: E402
from ansinh.messaging.models import OutboxMessage  # noqa: E402
from ansinh.places.models import Commune  # noqa: E402
from ansinh.registry.models import Person  # noqa: E402

ON = dt.date(2026, 11, 20)
GROUPS = [
    ("GD", "household", 0.55),
    ("HS", "subsidised", 0.15),
    ("TE", "state", 0.08),
    ("DN", "other", 0.17),
    ("HN", "state", 0.05),
]


def fill_cards(target: int) -> float:
    """Card periods for every person until ``target`` rows exist (yearly periods)."""
    rng = random.Random(5)
    have = Card.objects.count()
    if have >= target:
        return 0.0
    started = time.perf_counter()
    persons = list(Person.objects.values_list("pk", "commune_id"))
    per_person = max(1, -(-(target - have) // len(persons)))
    cols = (
        "person_id",
        "commune_id",
        "legacy_code",
        "social_insurance_number",
        "cccd",
        "group_code",
        "payer",
        "valid_from",
        "valid_to",
        "paid_on",
        "source",
        "created_at",
        "updated_at",
    )
    # Column names are the constants above: no input reaches this statement.
    placeholders = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO insurance_card ({', '.join(cols)}) VALUES ({placeholders})"  # noqa: S608
    now = dt.datetime.now(dt.UTC)
    batch: list[tuple] = []
    made = have
    cum = []
    acc = 0.0
    for g, payer, w in GROUPS:
        acc += w
        cum.append((acc, g, payer))
    with connection.cursor() as cursor:
        for pk, commune in persons:
            roll = rng.random()
            group, payer = next((g, p) for c, g, p in cum if roll <= c + 1e-9)
            end = ON + dt.timedelta(days=rng.randrange(-400, 365))
            for k in range(per_person):
                stop = end - dt.timedelta(days=365 * k)
                start = stop - dt.timedelta(days=364)
                paid = start - dt.timedelta(days=rng.randrange(0, 20)) if group == "GD" else None
                batch.append(
                    (
                        pk,
                        commune,
                        "",
                        f"{pk % 10**10:010d}",
                        "",
                        group,
                        payer,
                        start,
                        stop,
                        paid,
                        "imported",
                        now,
                        now,
                    )
                )
                made += 1
                if made >= target:
                    break
            if len(batch) >= 20000 or made >= target:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                batch = []
            if made >= target:
                break
        if batch:
            with transaction.atomic():
                cursor.executemany(sql, batch)
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=5_000_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    fill_seconds = fill_cards(args.cards)
    commune = Commune.objects.get(code=Person.objects.values_list("commune_id", flat=True)[:1][0])
    scope = Scope.system(commune.code, "benchmark")
    Reminder.objects.filter(planned_for=ON).delete()
    OutboxMessage.objects.filter(topic="bhyt-reminder", key__contains=f":{ON.year}").delete()
    t0 = time.perf_counter()
    first = reminders_plan(commune=commune, on=ON, catch_up_days=0, scope=scope)
    plan_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = reminders_plan(commune=commune, on=ON, catch_up_days=0, scope=scope)
    rerun_seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "cards": Card.objects.count(),
                "persons": Person.objects.count(),
                "fill_seconds": round(fill_seconds, 1),
                "plan_seconds": round(plan_seconds, 2),
                "reminders_created": first.created,
                "due_households": first.due_households,
                "no_phone": first.no_phone,
                "rerun_seconds": round(rerun_seconds, 2),
                "rerun_created": again.created,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
