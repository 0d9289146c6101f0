"""Pages of the poverty review. Reads through scoped selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.audit import record_export
from ansinh.core.web import date_param, form_action, int_param, post_action
from ansinh.places import selectors as places
from ansinh.poverty import documents, selectors, services
from ansinh.poverty.choices import (
    REQUEST_REASONS,
    ROUND_STATUS_ORDER,
    EntryStatus,
    ListReason,
    MemberStatus,
    PovertyClass,
    RoundStatus,
)
from ansinh.poverty.classification import MEMBER_FIELDS, household_fields
from ansinh.poverty.forms import (
    CommitteeForm,
    ComplaintForm,
    DecisionForm,
    HouseholdAddForm,
    MeetingForm,
    ReportForm,
    RoundForm,
)
from ansinh.poverty.models import RoundHousehold
from ansinh.registry import display
from ansinh.registry import selectors as registry
from ansinh.rules.poverty import DISABILITIES, HOUSE_TYPES, QUALIFICATIONS, WORK_STATUSES

# the member facts pre-filled from the registry: present before anything is surveyed
REGISTRY_FIELDS = ("date_of_birth", "sex")
ANSWER_LABELS = {
    "durable": gettext_lazy("Durable house"),
    "semi_durable": gettext_lazy("Semi-durable house"),
    "less_durable": gettext_lazy("Less durable house"),
    "makeshift": gettext_lazy("Makeshift house"),
    "wage_contract": gettext_lazy("Wage work with a contract"),
    "wage_no_contract": gettext_lazy("Wage work without a contract"),
    "self_employed": gettext_lazy("Self-employed (farming, trade …)"),
    "unemployed": gettext_lazy("Unemployed, looking for work"),
    "not_working": gettext_lazy("Not working (child, student, retired, ill)"),
    "none": gettext_lazy("None"),
    "primary": gettext_lazy("Primary school"),
    "lower_secondary": gettext_lazy("Lower secondary school"),
    "upper_secondary": gettext_lazy("Upper secondary school"),
    "vocational": gettext_lazy("Vocational training"),
    "college_or_higher": gettext_lazy("College or higher"),
    "mild": gettext_lazy("Mild disability"),
    "severe": gettext_lazy("Severe disability"),
    "extremely_severe": gettext_lazy("Extremely severe disability"),
}
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _log(
    request: HttpRequest,
    scope: Scope,
    what: str,
    rows: int | None,
    *,
    object_id: int,
    household: RoundHousehold | None = None,
) -> None:
    """A file of personal data handed out: one entry in the audit log (who, what, rows)."""
    record_export(
        actor=scope,
        what=what,
        rows=rows,
        commune_code=scope.commune_code,
        household_id=household.household_id if household is not None else None,
        object_id=object_id,
    )


def _file(content: bytes, name: str, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@scoped()
def rounds(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and not scope.can_edit:
        raise PermissionDenied
    if done := form_action(
        request,
        form,
        lambda: services.round_open(
            scope=scope, commune=places.commune_get(scope.commune_code), **form.cleaned_data
        ),
    ):
        messages.success(request, _("Round opened."))
        return redirect("poverty:round", done.value.pk)
    today = timezone.localdate()
    return render(
        request,
        "poverty/rounds.html",
        {
            "rounds": selectors.rounds_for(scope),
            "form": form,
            "rates": selectors.rates(scope.commune_code, today, scope.village_ids),
            "today": today,
        },
    )


@scoped()
def round_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    entries = selectors.entries_for(scope, rnd)
    village = request.GET.get("village", "")
    village_id = int_param(village)
    if village_id is not None:
        entries = entries.filter(village_id=village_id)
    status = request.GET.get("status", "")
    if status in EntryStatus.values:
        entries = entries.filter(status=status)
    rows = list(entries)
    heads = selectors.head_names([e.household_id for e in rows])
    for e in rows:
        e.head_name = heads.get(e.household_id, "")  # type: ignore[attr-defined]
    counts = selectors.status_counts(rnd, scope)
    return render(
        request,
        "poverty/round.html",
        {
            "round": rnd,
            "rows": rows,
            "counts": [(label, counts.get(value, 0)) for value, label in EntryStatus.choices],
            "statuses": EntryStatus.choices,
            "villages": registry.villages_for(scope),
            "village": village,
            "status": status,
            "today": timezone.localdate(),
            "illustrative": selectors.round_uses_illustrative(rnd),
            "committee_form": CommitteeForm(scope=scope),
            "committee": rnd.committee.select_related("user").prefetch_related("villages"),
            "meetings": rnd.meetings.select_related("village"),
            "postings": rnd.postings.select_related("village"),
            "next_statuses": [
                s
                for s in (RoundStatus.SURVEYING, RoundStatus.MEETINGS, RoundStatus.POSTING)
                if ROUND_STATUS_ORDER.index(s) > ROUND_STATUS_ORDER.index(rnd.status)
            ],
            "check": selectors.committee_check(rnd, scope) if scope.can_approve else None,
        },
    )


@scoped(need="can_approve")
def household_add(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Put a household on the list. The officer types the household code (GET): the page then
    shows the household's living members, each with its status for the request's member table
    (Form 01/04); htmx swaps that part in as the code is typed, a plain GET does the same."""
    rnd = selectors.round_get(scope, pk)
    if rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        raise PermissionDenied
    if request.method == "POST":
        form = HouseholdAddForm(request.POST, scope=scope)
        if done := form_action(
            request,
            form,
            lambda: services.household_add(
                scope=scope,
                rnd=rnd,
                household=form.cleaned_data["household"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                request_date=form.cleaned_data.get("request_date"),
                members=form.member_statuses(),
            ),
        ):
            messages.success(request, _("Household added to the list."))
            return redirect("poverty:survey", done.value.pk)
    else:
        code = request.GET.get("household_code", "").strip()
        form = HouseholdAddForm(
            initial={"household_code": code, "request_date": timezone.localdate()}, scope=scope
        )
    context = {
        "round": rnd,
        "form": form,
        "code": form["household_code"].value() or "",
        "head_name": selectors.head_names([form.household.pk]).get(form.household.pk, "")
        if form.household
        else "",
    }
    if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
        return render(request, "poverty/_household_request.html", context)
    return render(request, "poverty/household_add.html", context)


@scoped(need="can_edit")
@require_POST
def committee(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    form = CommitteeForm(request.POST, scope=scope)
    if form.is_valid():
        if post_action(
            request, lambda: services.committee_set(scope=scope, rnd=rnd, **form.cleaned_data)
        ):
            messages.success(request, _("Committee member saved."))
    else:
        messages.error(request, _("Choose a user and a role."))
    return redirect("poverty:round", rnd.pk)


@scoped(need="can_edit")
@require_POST
def round_advance(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    try:
        services.round_advance(scope=scope, rnd=rnd, status=request.POST["status"])
    except (ValidationError, KeyError, ValueError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("poverty:round", rnd.pk)


# --- survey -----------------------------------------------------------------------------


def _survey_context(request: HttpRequest, scope: Scope, entry: RoundHousehold) -> dict[str, Any]:
    answers = entry.answers or services.survey_prefill(entry)
    members = []
    for key, m in (answers.get("members") or {}).items():
        registry_values = (answers.get("registry") or {}).get(key, {})
        members.append(
            {
                "key": key,
                "m": m,
                "registry": registry_values,
                # the pre-filled values as people read them ("Nữ", "02/03/1950")
                "registry_display": {
                    f: display.FORMATTERS[f](v) if f in display.FORMATTERS else v
                    for f, v in registry_values.items()
                },
                "notes": {
                    f: (answers.get("notes") or {}).get(f"{key}.{f}", "")
                    for f in ("date_of_birth", "sex")
                },
            }
        )
    is_request = entry.reason in REQUEST_REASONS
    fields = household_fields(entry.round.standard_date)
    # what the server holds already, so each section can say "saved" before anything is typed
    stored = entry.answers or {}
    saved_sections = {s: bool(stored.get(s)) for s in ("a", "b1", "b2")}
    for mem in members:
        held = (stored.get("members") or {}).get(mem["key"]) or {}
        mem["saved"] = any(
            held.get(f) is not None for f in MEMBER_FIELDS if f not in REGISTRY_FIELDS
        )
    return {
        "entry": entry,
        "answers": answers,
        "members": members,
        "can_survey": services.can_survey(scope, entry),
        "can_approve": services.can_approve(scope, entry),
        "house_types": [(c, ANSWER_LABELS[c]) for c in HOUSE_TYPES],
        "work_statuses": [(c, ANSWER_LABELS[c]) for c in WORK_STATUSES],
        "qualifications": [(c, ANSWER_LABELS[c]) for c in QUALIFICATIONS],
        "disabilities": [(c, ANSWER_LABELS[c]) for c in DISABILITIES],
        "yes_no_fields": [f for f in fields if f not in ("house_type", "floor_area_m2")],
        "class_label": dict(PovertyClass.choices).get(entry.result_class, ""),
        "can_certificate": entry.status == EntryStatus.DECIDED
        and entry.result_class in selectors.POOR_SET,
        "is_request": is_request,
        "request_members": selectors.request_members(entry) if is_request else [],
        "saved_sections": saved_sections,
        "member_statuses": dict(MemberStatus.choices),
        "member_yes_no": [
            ("health_insurance", _("Has a valid health-insurance card")),
            ("studying", _("Studying now")),
            ("malnourished", _("Stunted or underweight (children)")),
            ("monthly_allowance", _("Receives a monthly social allowance")),
        ],
    }


@scoped()
def survey(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """One household per screen; each section is saved on its own (htmx)."""
    entry = selectors.entry_get(scope, pk)
    if request.method == "POST":
        section = request.POST.get("section", "")
        error = ""
        try:
            entry = services.survey_save(
                scope=scope, entry=entry, section=section, data=request.POST
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        context = _survey_context(request, scope, entry)
        context["error"] = error
        context["saved_section"] = "" if error else section
        if request.htmx:  # type: ignore[attr-defined]
            response = render(request, "poverty/_result.html", context)
            if error:
                response.status_code = 422
            return response
        if error:
            messages.error(request, error)
        return redirect("poverty:survey", entry.pk)
    context = _survey_context(request, scope, entry)
    context["survey_texts"] = _survey_texts()
    return render(request, "poverty/survey.html", context)


def _survey_texts() -> dict[str, str]:
    """What survey.js says, translated here (the script itself holds no text)."""
    return {
        # the short state shown next to each section's title
        "chip_saved": _("Saved"),
        "chip_empty": _("No answers yet"),
        "chip_dirty": _("Not saved"),
        "chip_sending": _("Saving…"),
        "chip_pending": _("Waiting to be sent"),
        "chip_failed": _("Save failed"),
        # the longer line under the section's save button
        "saved": _("Saved."),
        "dirty": _("Changes not saved yet: press Save to send them."),
        "restored": _("Not saved: restored from what was typed on this phone."),
        "offline": _("Save failed – will retry when the network is back"),
        "kept": _("Not saved yet: kept on this phone, sent again when online."),
        "server": _("Save failed: server error (%(code)s). Kept on this phone, retried shortly."),
        "auth": _("Your session has expired. The answers are kept on this phone."),
        "sign_in": _("Sign in again (new tab)"),
        "invalid": _("Not saved: correct the answers and save again."),
        # the bar at the top of the page
        "count": _("%(n)s section(s) waiting to be sent"),
        "send_now": _("Send now"),
    }


@scoped(need="can_approve")
@require_POST
def approve(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(scope, pk)
    if post_action(request, lambda: services.survey_approve(scope=scope, entry=entry)):
        messages.success(request, _("Survey approved."))
    nxt = request.POST.get("next", "")
    return redirect(nxt) if nxt.startswith("/") else redirect("poverty:survey", entry.pk)


# --- meeting, posting, complaints -------------------------------------------------------


@scoped()
def meeting(request: HttpRequest, scope: Scope, pk: int, village_pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    village = registry.village_get(scope, village_pk)
    entries = list(
        selectors.entries_for(scope, rnd).filter(village=village, status=EntryStatus.APPROVED)
    )
    heads = selectors.head_names([e.household_id for e in entries])
    for e in entries:
        e.head_name = heads.get(e.household_id, "")  # type: ignore[attr-defined]
    form = MeetingForm(request.POST or None, entries=entries)
    if done := form_action(
        request,
        form,
        lambda: services.meeting_record(
            scope=scope,
            rnd=rnd,
            village=village,
            held_on=form.cleaned_data["held_on"],
            attendees=form.cleaned_data["attendees"],
            chair=form.cleaned_data["chair"],
            secretary=form.cleaned_data["secretary"],
            agreements=form.agreements(),
        ),
    ):
        back = done.value.entries.filter(status=EntryStatus.RESURVEY).count()
        messages.success(request, _("Meeting recorded."))
        if back:
            messages.warning(
                request,
                _("%(n)s household(s) had less than 50%% agreement and go back to survey.")
                % {"n": back},
            )
        return redirect("poverty:round", rnd.pk)
    return render(
        request,
        "poverty/meeting.html",
        {"round": rnd, "village": village, "entries": entries, "form": form},
    )


@scoped()
def minutes_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    m = selectors.meeting_get(scope, pk)
    content = documents.minutes_pdf(m)
    _log(request, scope, "poverty.minutes.pdf", m.entries.count(), object_id=m.pk)
    return _file(content, f"bien-ban-{m.pk}.pdf", PDF)


@scoped(need="can_edit")
@require_POST
def posting(request: HttpRequest, scope: Scope, pk: int, village_pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    village = registry.village_get(scope, village_pk)
    day = date_param(request.POST.get("posted_on")) or timezone.localdate()
    p = services.posting_record(scope=scope, rnd=rnd, village=village, posted_on=day)
    return redirect("poverty:posting_pdf", p.pk)


@scoped()
def posting_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    p = selectors.posting_get(scope, pk)
    content = documents.posting_pdf(p)
    rows = p.round.entries.filter(village=p.village).exclude(result_class="").count()
    _log(request, scope, "poverty.posting.pdf", rows, object_id=p.pk)
    return _file(content, f"niem-yet-{p.pk}.pdf", PDF)


@scoped(need="can_edit")
def complaint(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(scope, pk)
    form = ComplaintForm(request.POST or None)
    if form_action(
        request,
        form,
        lambda: services.complaint_record(scope=scope, entry=entry, **form.cleaned_data),
    ):
        messages.success(request, _("Complaint recorded."))
        return redirect("poverty:survey", entry.pk)
    return render(
        request,
        "poverty/complaint.html",
        {"entry": entry, "form": form, "complaints": entry.complaints.all()},
    )


# --- decision, certificates, report -----------------------------------------------------


@scoped(need="can_approve")
def decide(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    form = DecisionForm(request.POST or None)
    if form_action(
        request, form, lambda: services.round_decide(scope=scope, rnd=rnd, **form.cleaned_data)
    ):
        messages.success(request, _("Decision recorded: the results are now official."))
        return redirect("poverty:report", rnd.pk)
    return render(
        request,
        "poverty/decide.html",
        {"round": rnd, "form": form, "check": selectors.committee_check(rnd, scope)},
    )


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
def report(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    data = selectors.round_report(rnd, scope, timezone.localdate())
    return render(
        request,
        "poverty/report.html",
        {"round": rnd, "moves": data["moves"], "rates": data["rows"], "on": data["on"]},
    )


def _commune_wide(scope: Scope) -> None:
    """The report upward is a document of the whole commune: not for village heads."""
    if scope.village_ids is not None:
        raise PermissionDenied


@scoped()
def report_up(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Step 5: the commune reports the results upward before the chairman's decision."""
    rnd = selectors.round_get(scope, pk)
    _commune_wide(scope)
    initial = {
        "number": rnd.report_number,
        "reported_on": rnd.report_date or timezone.localdate(),
        "recipient": rnd.report_recipient or services.default_report_recipient(rnd.commune),
    }
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and not scope.can_edit:
        raise PermissionDenied
    if form_action(
        request,
        form,
        lambda: services.report_record(
            scope=scope,
            rnd=rnd,
            number=form.cleaned_data["number"],
            reported_on=form.cleaned_data["reported_on"],
            recipient=form.cleaned_data["recipient"],
        ),
    ):
        messages.success(request, _("Report recorded."))
        return redirect("poverty:round", rnd.pk)
    data = selectors.round_report(rnd, scope, rnd.report_date or timezone.localdate())
    return render(
        request,
        "poverty/report_up.html",
        {
            "round": rnd,
            "form": form,
            "can_record": scope.can_edit and services.can_report(rnd),
            "data": data,
            "today": timezone.localdate(),
        },
    )


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
