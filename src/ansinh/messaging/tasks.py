"""django-tasks jobs: the same dispatcher as ``ansinh messages dispatch``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from ansinh.messaging.dispatch import dispatch


@task()
def dispatch_outbox(limit: int | None = None) -> dict[str, Any]:
    """Send what is due now (quiet hours, pacing and retries apply); returns the report."""
    return dispatch(limit=limit).as_dict()
