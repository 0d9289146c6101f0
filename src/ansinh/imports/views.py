"""The import pages: choose a list → upload → the columns recognised (adjustable) → the
check (every problem with its row, column and value) → import all, or all but the bad rows
→ the result, with the rows not imported as a workbook to fix and import again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.web import form_action, page_of, post_action
from ansinh.imports import kinds, selectors, services, values
from ansinh.imports.choices import RUNNING, JobState
from ansinh.imports.forms import CommitForm, MappingForm, UploadForm
from ansinh.imports.kinds import ImportKind
from ansinh.imports.models import ImportJob
from ansinh.imports.table import column_letter
from ansinh.places import selectors as places

SAMPLE_ROWS = 5


@scoped(need="can_edit")
def index(request: HttpRequest, scope: Scope) -> HttpResponse:
    jobs = page_of(request, selectors.import_jobs(scope))
    return render(request, "imports/index.html", {"kinds": kinds.kinds(), "jobs": jobs})


def _kind(name: str) -> ImportKind:
    kind = kinds.get(name)
    if kind is None:
        raise Http404
    return kind


@scoped(need="can_edit")
def upload(request: HttpRequest, scope: Scope, kind: str) -> HttpResponse:
    chosen = _kind(kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if done := form_action(
        request,
        form,
        lambda: services.import_upload(
            scope=scope,
            kind_name=chosen.name,
            commune=places.commune_get(scope.commune_code),
            source=form.cleaned_data["file"],
            filename=form.cleaned_data["file"].name,
        ),
    ):
        return redirect("imports:job", pk=done.value.pk)
    return render(request, "imports/upload.html", {"kind": chosen, "form": form})


def _job_context(job: ImportJob, kind: ImportKind) -> dict[str, Any]:
    labels = {c.key: c.label for c in kind.columns}
    letters = {k: column_letter(int(i)) for k, i in job.mapping.items()}
    problems = [
        {
            "row": p.row,
            "column": labels.get(p.column, ""),
            "letter": letters.get(p.column, ""),
            "value": p.value,
            "message": services.render(p.message, p.params),
        }
        for p in services.problems_of(job)
    ]
    notes = [
        {"row": row, "message": services.render(message, params)}
        for row, message, params in job.notes
    ]
    return {
        "job": job,
        "kind": kind,
        "problems": problems,
        "notes": notes,
        "mapped": [
            (
                c,
                letters.get(c.key),
                job.headers[int(job.mapping[c.key])] if c.key in job.mapping else "",
            )
            for c in kind.columns
        ],
        "has_refused": services.refused_path(job).exists(),
        "running": job.state in RUNNING,
        "progress": services.progress_of(job) if job.state in RUNNING else {},
    }


@scoped(need="can_edit")
def job(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    found = selectors.import_job_get(scope, pk)
    kind = services.kind_of(found)
    context = _job_context(found, kind)
    if found.state in {JobState.UPLOADED, JobState.FAILED} or request.GET.get("columns"):
        context["mapping_form"] = MappingForm(
            kind=kind, headers=found.headers, initial_map=found.mapping
        )
        context["sample"] = _sample(found)
    if found.state == JobState.CHECKED:
        context["commit_form"] = CommitForm()
    return render(request, "imports/job.html", context)


def _sample(job: ImportJob) -> dict[str, Any]:
    """The header and the first rows under it, to check the columns against."""
    try:
        table = services._table(services.kind_of(job), services.stored_path(job))
    except Exception:  # the sample is a help; a file gone or unreadable shows none
        return {}
    return {
        "letters": [column_letter(i) for i in range(len(job.headers))],
        "headers": job.headers,
        "rows": [
            (number, [values.text(v) for v in cells])
            for number, cells in table.data()[:SAMPLE_ROWS]
        ],
    }


@scoped(need="can_edit")
def job_progress(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """The progress fragment the job page polls while a step runs (htmx); once the step is
    over it tells htmx to reload the page."""
    found = selectors.import_job_get(scope, pk)
    context = _job_context(found, services.kind_of(found))
    response = render(request, "imports/_progress.html", context)
    if not context["running"]:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@scoped(need="can_edit")
def job_columns(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    found = selectors.import_job_get(scope, pk)
    kind = services.kind_of(found)
    form = MappingForm(request.POST, kind=kind, headers=found.headers, initial_map=found.mapping)

    def run() -> ImportJob:
        mapped = services.import_map(scope=scope, job=found, mapping=form.mapping())
        return services.import_check(scope=scope, job=mapped)

    if form_action(request, form, run):
        return redirect("imports:job", pk=found.pk)
    context = _job_context(found, kind)
    context.update(mapping_form=form, sample=_sample(found))
    return render(request, "imports/job.html", context, status=200)


@require_POST
@scoped(need="can_edit")
def job_commit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    found = selectors.import_job_get(scope, pk)
    form = CommitForm(request.POST)
    if form.is_valid() and post_action(
        request,
        lambda: services.import_commit(
            scope=scope,
            job=found,
            skip_invalid=form.cleaned_data["skip_invalid"],
            confirm_matches=form.cleaned_data["confirm_matches"],
        ),
    ):
        found.refresh_from_db()
        if found.state == JobState.DONE:
            messages.success(request, _("The list was imported."))
    return redirect("imports:job", pk=found.pk)


@require_POST
@scoped(need="can_edit")
def job_cancel(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    found = selectors.import_job_get(scope, pk)
    if post_action(request, lambda: services.import_cancel(scope=scope, job=found)):
        messages.success(request, _("The import was cancelled and its file deleted."))
    return redirect("imports:index")


@scoped(need="can_edit")
def job_refused(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    found = selectors.import_job_get(scope, pk)
    path = services.refused_path(found)
    if not path.exists():
        raise Http404
    audit.record_export(
        actor=scope,
        what="imports.refused_rows",
        commune_code=scope.commune_code,
        rows=found.problems_total,
        object_id=found.pk,
    )
    name = f"khong-nhap-{found.pk}.xlsx"
    response = HttpResponse(
        path.read_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
