"""``ansinh db_optimize``: refresh the query planner's statistics.

SQLite keeps no statistics until ANALYZE runs; without them a search may walk a whole
commune's index instead of a short range. Run it weekly from cron or a systemd timer (safe at
any time; it only reads the tables). PostgreSQL's autovacuum does this by itself; the command
runs ANALYZE there too.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Refresh the database statistics used by the query planner (ANALYZE)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA optimize")
        self.stdout.write(f"ANALYZE ({connection.vendor}): {time.perf_counter() - started:.1f} s")
