"""Background jobs (django-tasks): the same work as the commands, safe to re-run."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from ansinh.coordination.digest import digest_send


@task()
def send_digest(commune_code: int, on: str) -> int:
    """Queue one commune's digest of overdue items for ``on`` (YYYY-MM-DD); returns how many
    messages were queued."""
    return digest_send(commune_code=commune_code, today=dt.date.fromisoformat(on)).queued
