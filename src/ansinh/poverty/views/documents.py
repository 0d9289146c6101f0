"""The round's documents: minutes, posting list, decision (Form 02), certificates (Form 03), the
report upward, requests (Forms 01/04) and XLSX lists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.poverty import documents, selectors
from ansinh.poverty.choices import (
    REQUEST_REASONS,
    EntryStatus,
    ListReason,
)
from ansinh.poverty.views.common import PDF, XLSX, _commune_wide, _file, _log


@scoped()
def minutes_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    m = selectors.meeting_get(scope, pk)
    content = documents.minutes_pdf(m)
    _log(request, scope, "poverty.minutes.pdf", m.entries.count(), object_id=m.pk)
    return _file(content, f"bien-ban-{m.pk}.pdf", PDF)


@scoped()
def posting_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    p = selectors.posting_get(scope, pk)
    content = documents.posting_pdf(p)
    rows = p.round.entries.filter(village=p.village).exclude(result_class="").count()
    _log(request, scope, "poverty.posting.pdf", rows, object_id=p.pk)
    return _file(content, f"niem-yet-{p.pk}.pdf", PDF)


@scoped()
def decision_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    if not rnd.decision_number:
        raise PermissionDenied
    content = documents.decision_pdf(rnd, scope.village_ids)
    lists = selectors.decided_lists(rnd, scope.village_ids)
    rows = sum(len(entries) for entries in lists.values())
    _log(request, scope, "poverty.decision.pdf", rows, object_id=rnd.pk)
    return _file(content, f"quyet-dinh-{rnd.pk}.pdf", PDF)


@scoped()
def certificate_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(scope, pk)
    if entry.status != EntryStatus.DECIDED or entry.result_class not in selectors.POOR_SET:
        raise PermissionDenied
    content = documents.certificate_pdf(entry)
    _log(request, scope, "poverty.certificate.pdf", 1, object_id=entry.pk, household=entry)
    return _file(content, f"giay-chung-nhan-{entry.pk}.pdf", PDF)


@scoped()
def report_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    _commune_wide(scope)
    data = selectors.round_report(rnd, scope, rnd.report_date or timezone.localdate())
    content = documents.report_pdf(rnd, data)
    _log(request, scope, "poverty.report.pdf", None, object_id=rnd.pk)  # counts only
    return _file(content, f"bao-cao-{rnd.pk}.pdf", PDF)


@scoped()
def request_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Form 01 (request to be reviewed) or Form 04 (request to be recognised as escaped)."""
    entry = selectors.entry_get(scope, pk)
    if entry.reason not in REQUEST_REASONS:
        raise Http404
    form = "01" if entry.reason == ListReason.REQUEST else "04"
    content = documents.request_pdf(entry)
    _log(request, scope, f"poverty.request_{form}.pdf", 1, object_id=entry.pk, household=entry)
    return _file(content, f"mau-{form}-{entry.pk}.pdf", PDF)


EXPORTS = ("entries", "poor", "near_poor", "escaped_poor", "escaped_near_poor", "rates")


@scoped()
def export(request: HttpRequest, scope: Scope, pk: int, which: str) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    if which not in EXPORTS:
        raise PermissionDenied
    if which == "rates":
        rows = selectors.rates(
            rnd.commune_id, rnd.effective_date or timezone.localdate(), scope.village_ids
        )
        data = [
            [
                r["village"].name if r["village"] else "Toàn xã",
                r["households"],
                r["poor"],
                r["near_poor"],
                round(r["rate_both"] * 100, 2),
            ]
            for r in rows
        ]
        heads_ = ["Thôn, ấp", "Tổng số hộ", "Hộ nghèo", "Hộ cận nghèo", "Tỷ lệ (%)"]
        _log(request, scope, f"poverty.export.{which}.xlsx", len(data), object_id=rnd.pk)
        return _file(documents.xlsx(which, heads_, data), f"{which}-{rnd.pk}.xlsx", XLSX)
    entries = list(selectors.entries_for(scope, rnd))
    if which != "entries":
        lists = selectors.decided_lists(rnd)
        keep = {e.pk for e in lists[which]}
        entries = [e for e in entries if e.pk in keep]
    heads = selectors.head_names([e.household_id for e in entries])
    data = [
        [
            e.household.code,
            heads.get(e.household_id, ""),
            e.village.name,
            e.get_reason_display(),
            e.get_previous_class_display(),
            e.get_status_display(),
            e.get_result_class_display() if e.result_class else e.problem,
            e.deprived_count,
            e.get_transition_display() if e.transition else "",
            e.explanation_text,
        ]
        for e in entries
    ]
    headings = [
        "Mã hộ",
        "Chủ hộ",
        "Thôn, ấp",
        "Lý do",
        "Trước rà soát",
        "Trạng thái",
        "Kết quả",
        "Số chỉ số thiếu hụt",
        "Biến động",
        "Giải thích",
    ]
    content = documents.xlsx(which, headings, data)
    _log(request, scope, f"poverty.export.{which}.xlsx", len(data), object_id=rnd.pk)
    return _file(content, f"{which}-{rnd.pk}.xlsx", XLSX)
