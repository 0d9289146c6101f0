"""Search latency at scale, run inside one database (called by bench_registry.py).

Usage: python bench/registry_search.py --households N [--build]
The database comes from the environment (DATABASE_URL or ANSINH_SQLITE_PATH).
Prints one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
os.environ.setdefault("ANSINH_ALLOWED_HOSTS", "testserver,127.0.0.1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from ansinh.accounts.models import User  # noqa: E402
from ansinh.accounts.scopes import scope_for  # noqa: E402
from ansinh.core.identifiers import format_phone  # noqa: E402
from ansinh.registry.models import Person  # noqa: E402
from ansinh.registry.selectors import person_search  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def queries(rng: random.Random, n: int) -> list[str]:
    sample = (
        list(Person.objects.order_by("?")[: n * 2].values_list("full_name", "cccd", "phone"))
        if connection.vendor == "postgresql"
        else [
            Person.objects.filter(pk=rng.randrange(1, Person.objects.count()))
            .values_list("full_name", "cccd", "phone")
            .first()
            or ("Nguyễn Văn An", None, "")
            for _ in range(n * 2)
        ]
    )
    out = []
    for name, cccd, phone in sample:
        kind = rng.random()
        words = name.split()
        if kind < 0.35:
            out.append(name.lower())  # full name, typed with diacritics
        elif kind < 0.55:
            from ansinh.core.text import fold

            out.append(fold(name))  # without diacritics
        elif kind < 0.70:
            out.append(words[-1].lower())  # given name only
        elif kind < 0.80:
            out.append(" ".join(words[:2]).lower())  # family + middle: broad
        elif kind < 0.90 and cccd:
            out.append(cccd)
        elif phone:
            out.append(format_phone(phone))
        else:
            out.append(name)
        if len(out) == n:
            break
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=290_000)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    result: dict[str, object] = {"vendor": connection.vendor}
    if args.build:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("demo", households=args.households, seed=1, no_story=True, verbosity=0)
        result["build_seconds"] = round(time.perf_counter() - started, 1)
    result["persons"] = Person.objects.count()
    officer = User.objects.get(username="canbo")
    scope = scope_for(officer)
    rng = random.Random(7)
    terms = queries(rng, args.queries)
    search_ms = []
    for term in terms:
        t0 = time.perf_counter()
        qs = person_search(scope, term)
        list(qs[:25])
        if hasattr(qs, "count_upto"):
            qs.count_upto(1001)
        else:
            qs[:1001].count()
        search_ms.append((time.perf_counter() - t0) * 1000)
    client = Client()
    client.force_login(officer)
    page_ms = []
    for term in terms[: args.queries // 2]:
        t0 = time.perf_counter()
        response = client.get("/registry/households/", {"q": term})
        assert response.status_code == 200
        page_ms.append((time.perf_counter() - t0) * 1000)
    browse_ms = []
    for page in range(1, 40):
        t0 = time.perf_counter()
        response = client.get("/registry/households/", {"page": page * 37})
        assert response.status_code == 200
        browse_ms.append((time.perf_counter() - t0) * 1000)
    result.update(
        search_median_ms=round(statistics.median(search_ms), 2),
        search_p95_ms=round(percentile(search_ms, 0.95), 2),
        search_max_ms=round(max(search_ms), 2),
        slowest_terms=[t for _, t in sorted(zip(search_ms, terms, strict=True))[-3:]],
        list_page_median_ms=round(statistics.median(page_ms), 2),
        list_page_p95_ms=round(percentile(page_ms, 0.95), 2),
        browse_page_median_ms=round(statistics.median(browse_ms), 2),
        browse_page_p95_ms=round(percentile(browse_ms, 0.95), 2),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    print(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
