"""Reads of imports, always inside the reader's commune."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from ansinh.accounts.scopes import Scope
from ansinh.imports.models import ImportJob


def import_jobs(scope: Scope) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(commune_id=scope.commune_code).select_related("created_by")


def import_job_get(scope: Scope, pk: int) -> ImportJob:
    """A job of the reader's commune, else 404 (another commune's job does not exist here)."""
    job = import_jobs(scope).select_related("commune").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
