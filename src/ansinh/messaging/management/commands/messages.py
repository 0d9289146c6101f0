"""``ansinh messages dispatch [--loop --interval S] [--limit N]``.

Safe from cron (e.g. every minute: ``* * * * * cd /srv/ansinh && .venv/bin/ansinh messages
dispatch``), as a loop (``--loop --interval 30`` under systemd), or both at once: runs share
the work through row claims and respect the same pace limits. ``messages status`` prints the
outbox by state.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from ansinh.messaging.dispatch import dispatch
from ansinh.messaging.models import OutboxMessage


class Command(BaseCommand):
    help = "Messaging: send what is due from the outbox (dispatch), or show the outbox (status)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("dispatch", help="send the messages that are due")
        run.add_argument("--limit", type=int, default=None, help="at most N messages a run")
        run.add_argument("--loop", action="store_true", help="keep running")
        run.add_argument("--interval", type=float, default=30.0, help="seconds between runs")
        run.add_argument("--json", action="store_true", help="print the report as JSON")
        sub.add_parser("status", help="count outbox messages by state")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            rows = OutboxMessage.objects.values("state").annotate(n=Count("id")).order_by("state")
            for row in rows:
                self.stdout.write(f"{row['state']:<10} {row['n']}")
            return
        while True:
            report = dispatch(limit=options["limit"])
            if options["json"]:
                self.stdout.write(json.dumps(report.as_dict()))
            elif not report.in_window:
                opens = f"{report.next_window:%Y-%m-%d %H:%M}" if report.next_window else "?"
                self.stdout.write(f"outside the send window: nothing sent (opens {opens})")
            else:
                paced = ", ".join(f"{k}: {v}" for k, v in report.paced.items())
                self.stdout.write(
                    f"claimed {report.claimed}, sent {report.sent} "
                    f"(outbox only {report.outbox_only}), failed {report.failed}, "
                    f"retry later {report.retried}, SMS fallback {report.fallbacks}, "
                    f"refused {report.suppressed}, expired {report.expired}, "
                    f"unknown {report.unknown}" + (f"; paced: {paced}" if paced else "")
                )
            if not options["loop"]:
                return
            time.sleep(options["interval"])
