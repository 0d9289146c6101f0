"""Background jobs (django-tasks): the same work as the commands, safe to re-run."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from ansinh.accounts.scopes import Scope
from ansinh.insurance.services import reminders_plan
from ansinh.places.models import Commune


@task()
def plan_reminders(commune_code: int, on: str) -> int:
    """Plan one commune's reminders for ``on`` (YYYY-MM-DD); returns how many were created."""
    commune = Commune.objects.get(code=commune_code)
    return reminders_plan(
        scope=Scope.system(commune.code, "reminders task"),
        commune=commune,
        on=dt.date.fromisoformat(on),
    ).created
