"""Shared helpers for the web layer: the POST step of forms and buttons, pagination, request
parameters read safely, bounded ids in URLs, upload limits and the messages of unreadable
uploads.

Bad input is a clear message or "not found", never an HTTP 500. A number typed in a query
string (``?village=99999999999999999999``) does not fit the database's 64-bit integers
(SQLite raises ``OverflowError``, PostgreSQL a ``DataError``); a date such as ``0001-01-01``
makes date arithmetic overflow. Views therefore read parameters with :func:`int_param` and
:func:`date_param`, and URLs take ids with the ``<id:pk>`` converter (1–18 digits), so a huge
id is a 404 before any view runs.

Every page that changes something runs a service from a form and reports what it refused in
the same way: :func:`form_action` on a form page, which is drawn again with the errors on the
form, and :func:`post_action` for a button, whose view redirects whatever happens and shows
the refusal as error messages::

    form = SplitForm(request.POST or None, …)
    if done := form_action(
        request,
        form,
        lambda: services.household_split(scope=scope, household=household, **form.cleaned_data),
    ):
        messages.success(request, _("New household %(code)s was created.") % …)
        return redirect("registry:household_detail", pk=done.value.pk)
    return render(request, "registry/simple_form.html", {"form": form, …})

    if post_action(request, lambda: services.survey_approve(scope=scope, entry=entry)):
        messages.success(request, _("Survey approved."))
    return redirect("poverty:survey", entry.pk)

The view keeps what differs (the message, where to go, a permission to check first); the
helpers keep what is the same (a POST with valid forms, the ``ValidationError`` caught and
shown). ``PermissionDenied`` and every other error pass through (403, 500). The helpers open
no transaction: each service is atomic itself (and a durable one could not run inside
another), so a refused call has written nothing.

Public interface::

    Done(value)                      # a service call that succeeded (true even if value is None)
    form_action(request, form, run, *, also=()) -> Done | None
    post_action(request, run) -> Done | None
    apply_errors(form, error, prefix="", *, formsets=())   # a ValidationError onto a form
    error_messages(request, error)   # each message of a ValidationError as an error message
    page_of(request, items, *, per_page=None, cap=None) -> Page    # ?page= of items
    CappedPaginator(items, per_page, *, cap)   # counts at most cap + 1 rows
    CountedPaginator(items, per_page, *, count)   # told the count (kept per change)
    first_of(items, limit) -> FirstOf   # the first rows a page shows, and how many in all
    INT64_MAX, MIN_DATE, MAX_DATE
    int_param(value, *, lo=1, hi=INT64_MAX) -> int | None
    date_param(value, *, lo=MIN_DATE, hi=MAX_DATE) -> date | None   # dd/mm/yyyy or ISO
    datetime_param(value, *, lo=MIN_DATE, hi=MAX_DATE) -> datetime | None
    IdConverter                      # registered as "id" by CoreConfig.ready()
    max_upload_mb() -> int, max_upload_bytes() -> int, check_upload_size(upload)
    LimitedTemporaryFileUploadHandler   # in FILE_UPLOAD_HANDLERS: stops writing at the limit
    upload_error(exc) -> str         # the translated message of a SpreadsheetError
    PROBLEMS_SHOWN                   # problems listed on a page (the rest: as a download)
    problems_download(request, *, what, headings, rows, commune_code) -> str   # its URL
    problems_file(request, token) -> (path, meta) | None                    # for the view

An import's full problem list (thousands of rows from a crafted 1.5 kB workbook would make a
page of hundreds of MB) is written once as an XLSX file under ``VAR_DIR/problems/`` named by a
random token; the token is kept in the user's own session, so only that signed-in user can
download it (``core:problems``), and files older than a day are removed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.paginator import Page, Paginator
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ansinh.core.periods import DateTextError, read_date
from ansinh.core.spreadsheet import SpreadsheetError, xlsx_bytes

__all__ = [
    "INT64_MAX",
    "MAX_DATE",
    "MIN_DATE",
    "PROBLEMS_SHOWN",
    "CappedPaginator",
    "CountedPaginator",
    "Done",
    "FirstOf",
    "IdConverter",
    "LimitedTemporaryFileUploadHandler",
    "apply_errors",
    "check_upload_size",
    "date_param",
    "datetime_param",
    "error_messages",
    "first_of",
    "form_action",
    "int_param",
    "max_upload_bytes",
    "max_upload_mb",
    "page_of",
    "post_action",
    "problems_download",
    "problems_file",
    "upload_error",
]

INT64_MAX = 2**63 - 1
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
#: Problems of an import listed on the page; the full list is offered as an XLSX file.
PROBLEMS_SHOWN = 200


def int_param(value: Any, *, lo: int = 1, hi: int = INT64_MAX) -> int | None:
    """``value`` (a query or form parameter) as an int in ``lo..hi``, else ``None``.

    Only plain decimal digits (an optional leading minus when ``lo`` < 0) are accepted: no
    spaces, no ``+``, no underscores, no "١٢" digits of other scripts, at most 19 characters.
    """
    if value is None:
        return None
    text = str(value).strip()
    digits = text.removeprefix("-")
    if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if lo <= number <= hi else None


def date_param(value: Any, *, lo: dt.date = MIN_DATE, hi: dt.date = MAX_DATE) -> dt.date | None:
    """``value`` as a date in ``lo..hi``, else ``None``: ``dd/mm/yyyy`` as the date inputs send
    it, or ``yyyy-mm-dd`` (links, old bookmarks) — :func:`ansinh.core.periods.read_date`."""
    if value is None:
        return None
    try:
        day = read_date(str(value)[:40])
    except DateTextError:
        return None
    return day if lo <= day <= hi else None


def datetime_param(
    value: Any, *, lo: dt.date = MIN_DATE, hi: dt.date = MAX_DATE
) -> dt.datetime | None:
    """``value`` as an ISO 8601 date-time (``Z`` accepted) whose date is in ``lo..hi``."""
    if not isinstance(value, str) or not value or len(value) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if lo <= moment.date() <= hi else None


class IdConverter:
    """``<id:pk>``: a database id of 1 to 18 digits (always fits a 64-bit integer)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(int(value))


# --------------------------------------------------------------------------- forms and buttons

T = TypeVar("T")


@dataclass(frozen=True)
class Done(Generic[T]):
    """A service call that succeeded, with what it returned. Always true (``value`` may be
    ``None``), so ``if done := form_action(…):`` reads as "if it was done"."""

    value: T


def form_action(
    request: HttpRequest,
    form: BaseForm,
    run: Callable[[], T],
    *,
    also: Sequence[BaseForm | BaseFormSet] = (),  # type: ignore[type-arg]
) -> Done[T] | None:
    """The POST step of a form page. On a POST whose ``form`` (and the forms and formsets in
    ``also``) are valid, ``run()`` calls the service and its result comes back as ``Done``:
    the view says so and redirects. A ``ValidationError`` from the service goes on ``form``
    (see :func:`apply_errors`; a formset of ``also`` gets its members' errors) and the answer
    is ``None``, as for a GET or an invalid form: the view draws the page again."""
    if request.method != "POST":
        return None
    valid = [f.is_valid() for f in (form, *also)]  # every form, so each shows its errors
    if not all(valid):
        return None
    try:
        return Done(run())
    except ValidationError as exc:
        formsets = [f for f in also if isinstance(f, BaseFormSet)]
        apply_errors(form, exc, formsets=formsets)
        return None


def post_action(request: HttpRequest, run: Callable[[], T]) -> Done[T] | None:
    """The POST of a button (or of a small form) whose view redirects whatever happens:
    ``run()`` calls the service; each message of a ``ValidationError`` it raises is shown as
    an error message on the next page and the answer is ``None``; else ``Done``."""
    try:
        return Done(run())
    except ValidationError as exc:
        error_messages(request, exc)
        return None


def error_messages(request: HttpRequest, error: ValidationError) -> None:
    """Each message of ``error`` as an error message on the next page."""
    for message in error.messages:
        messages.error(request, message)


def apply_errors(
    form: BaseForm,
    error: ValidationError,
    prefix: str = "",
    *,
    formsets: Sequence[BaseFormSet] = (),  # type: ignore[type-arg]
) -> None:
    """Put a service's errors on the form: a field's errors on that field (after removing
    ``prefix`` from the key), the others (unknown keys, an error without fields) above the
    form. A key ``<formset prefix>-<i>-<field>`` of one of ``formsets`` goes on that formset's
    ``i``-th form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, texts in error.message_dict.items():
        target, field = _error_target(form, name, prefix, formsets)
        for text in texts:
            target.add_error(field if field in target.fields else None, text)


def _error_target(
    form: BaseForm,
    name: str,
    prefix: str,
    formsets: Sequence[BaseFormSet],  # type: ignore[type-arg]
) -> tuple[BaseForm, str]:
    for formset in formsets:
        head = f"{formset.prefix}-"
        index, _dash, field = name.removeprefix(head).partition("-")
        if name.startswith(head) and index.isdigit() and int(index) < len(formset.forms):
            return formset.forms[int(index)], field
    return form, name[len(prefix) :] if prefix and name.startswith(prefix) else name


# --------------------------------------------------------------------------- pagination


@runtime_checkable
class CountsUpTo(Protocol):
    """Results that can count cheaply up to a limit (``registry.selectors.NameResults``)."""

    def count_upto(self, limit: int) -> int: ...


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most ``cap`` + 1 rows: a broad search stays fast, and the page can say
    "more than ``cap``" (``paginator.count > cap``)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        results: Any = self.object_list
        if isinstance(results, CountsUpTo):
            return results.count_upto(self.cap + 1)
        return int(results[: self.cap + 1].count())


@dataclass(frozen=True)
class FirstOf(Generic[T]):
    """The first rows of a list that a page shows (the latest changes, the checks of a
    case …) and how many there are in all, so that the page says when it shows only some:
    ``{% include "core/_first_of.html" with shown=rows|length total=rows.total %}``
    ("Hiển thị 50 trong số 134.")."""

    items: list[T]
    total: int

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    @property
    def capped(self) -> bool:
        return self.total > len(self.items)


def first_of(items: Any, limit: int) -> FirstOf[Any]:
    """The first ``limit`` of ``items`` (a queryset or a sequence) and their number in all:
    counted (one query more) only when there are ``limit`` rows or more."""
    shown = list(items[:limit])
    if len(shown) < limit:
        return FirstOf(shown, len(shown))
    total = len(items) if isinstance(items, Sequence) else int(items.count())
    return FirstOf(shown, total)


class CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told how many rows there are (a count kept per change of the commune's
    data, ``core/figures``): counting a commune's 290,000 households took 0.1 s a page."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


def page_of(
    request: HttpRequest,
    items: Any,
    *,
    per_page: int | None = None,
    cap: int | None = None,
    count: int | None = None,
) -> Page:  # type: ignore[type-arg]
    """The page ``?page=`` of ``items``, ``per_page`` rows a page (``ANSINH_PAGE_SIZE`` unless
    given). A missing, bad or too large page number gives the first or the last page. With
    ``cap``, the count stops after ``cap`` + 1 rows (:class:`CappedPaginator`); with
    ``count``, it is not counted again (:class:`CountedPaginator`)."""
    size = per_page or settings.ANSINH_PAGE_SIZE
    paginator: Paginator = (  # type: ignore[type-arg]
        CountedPaginator(items, size, count=count)
        if count is not None
        else Paginator(items, size)
        if cap is None
        else CappedPaginator(items, size, cap=cap)
    )
    return paginator.get_page(request.GET.get("page"))


# --------------------------------------------------------------------------- uploads


def max_upload_mb() -> int:
    """The largest upload in MB (``ANSINH_MAX_UPLOAD_MB``, default 20)."""
    return int(getattr(settings, "ANSINH_MAX_UPLOAD_MB", 20))


def max_upload_bytes() -> int:
    return max_upload_mb() * 1024 * 1024


def check_upload_size(upload: Any) -> None:
    """Raise a ``ValidationError`` ("Tệp quá lớn (tối đa 20 MB)") for a too large upload."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_upload_bytes():
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": max_upload_mb()},
            code="file_too_large",
        )


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file upload handler that stops writing a file to disk once it is
    over the upload limit: the file keeps its real ``size`` (so the form says "Tệp quá lớn")
    but a 10 GB upload never fills the disk."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > max_upload_bytes():
            return None  # counted by the parser (the file's size), not written
        return super().receive_data_chunk(raw_data, start)


def upload_error(exc: SpreadsheetError) -> str:
    """The message a person reads for an uploaded file that cannot be read."""
    messages = {
        "not_xlsx": _("The file is not an Excel workbook (.xlsx) or a CSV file."),
        "too_large": _("The workbook is too large once unpacked (more than %(mb)s MB)."),
        "damaged": _("The workbook is damaged and cannot be read."),
        "csv": _("The CSV file is malformed near row %(row)s (a value too long or not closed?)."),
        "too_many_rows": _("The file has more than %(rows)s rows: split it."),
        "not_utf8": _("The CSV file is not UTF-8 text: save it as “CSV UTF-8”."),
    }
    message = messages.get(exc.code, messages["damaged"])
    try:
        return message % exc.params if "%(" in message else message
    except (KeyError, TypeError, ValueError):
        return messages["damaged"]


# --------------------------------------------------------------------------- problem lists

_SESSION_KEY = "ansinh_problem_files"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_KEEP_SECONDS = 24 * 3600


def _problems_dir() -> Path:
    folder = Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "problems"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def problems_download(
    request: Any,
    *,
    what: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[Any]],
    commune_code: int | None,
) -> str:
    """Write the full problem list as an XLSX file and return the URL that downloads it
    (for this user's session only)."""
    from django.urls import reverse

    folder = _problems_dir()
    now = time.time()
    for old in folder.glob("*.xlsx"):  # tidy: nothing is kept for more than a day
        try:
            if now - old.stat().st_mtime > _KEEP_SECONDS:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(24)
    rows = list(rows)
    (folder / f"{token}.xlsx").write_bytes(xlsx_bytes(what, headings, rows))
    files = dict(request.session.get(_SESSION_KEY) or {})
    files = dict(list(files.items())[-19:])  # the last 20 lists are enough
    files[token] = {"what": what, "rows": len(rows), "commune_code": commune_code}
    request.session[_SESSION_KEY] = files
    return reverse("core:problems", kwargs={"token": token})


def problems_file(request: Any, token: str) -> tuple[Path, dict[str, Any]] | None:
    """The stored problem list ``token`` of this session, or ``None``."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    meta = (request.session.get(_SESSION_KEY) or {}).get(token)
    path = _problems_dir() / f"{token}.xlsx"
    if meta is None or not path.is_file():
        return None
    return path, meta
