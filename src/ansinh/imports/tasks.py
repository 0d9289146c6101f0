"""The long steps of an import as background tasks (django-tasks): with the database backend
and ``ansinh db_worker`` they run beside the web server and the page shows their progress;
with the default immediate backend they run in the request."""

from __future__ import annotations

from django_tasks import task

from ansinh.imports import services


@task()
def run_check(job_id: int) -> None:
    services.run_check(job_id)


@task()
def run_commit(job_id: int) -> None:
    services.run_commit(job_id)
