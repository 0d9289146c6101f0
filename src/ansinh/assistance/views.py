"""Allowance pages: cases (list, detail, apply, actions, decision PDF), payrolls (list,
detail with guard items, maker-checker, exports, bank results), reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.choices import Role
from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.assistance import exports, forms, reconcile, selectors, services
from ansinh.assistance import payroll as pr
from ansinh.assistance.choices import (
    CaseStatus,
    GuardAction,
    LineStatus,
    PaymentMethod,
    Scheme,
)
from ansinh.assistance.documents import decision_pdf
from ansinh.assistance.models import Case
from ansinh.core.audit import record_export
from ansinh.core.reveal import reveal_response
from ansinh.core.web import (
    PROBLEMS_SHOWN,
    form_action,
    int_param,
    page_of,
    post_action,
    problems_download,
)
from ansinh.registry import selectors as registry
from ansinh.registry.choices import Bank


@scoped()
def case_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    g = request.GET
    status = g.get("status", CaseStatus.ACTIVE) if "status" in g else CaseStatus.ACTIVE
    filters = {
        "status": status,
        "group": g.get("group", ""),
        "village_id": int_param(g.get("village")),
        "scheme": g.get("scheme", ""),
        "q": g.get("q", ""),
    }
    qs = selectors.case_list(scope, **filters)  # type: ignore[arg-type]
    page = page_of(request, qs)
    villages = registry.villages_for(scope)
    return render(
        request,
        "assistance/case_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": CaseStatus.choices,
            "groups": forms.group_choices(),
            "villages": villages,
            "schemes": Scheme.choices,
            "can_edit": scope.can_edit,
        },
    )


ACTIONS: dict[str, tuple[type, Callable[..., Any]]] = {}


def _action(name: str, form: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        ACTIONS[name] = (form, fn)
        return fn

    return register


@_action("verify", forms.VerifyForm)
def _verify(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_verify(
        scope=scope, case=case, verified_on=d["verified_on"], note=d["note"]
    )


@_action("decide", forms.DecideForm)
def _decide(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_decide(
        scope=scope,
        case=case,
        decision_number=d["decision_number"],
        decision_date=d["decision_date"],
        signer=d["signer"],
        effective_month=d["effective_month"],
        backdate_reason=d["backdate_reason"],
    )


@_action("adjust", forms.AdjustForm)
def _adjust(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_adjust(
        scope=scope,
        case=case,
        from_month=d["from_month"],
        groups=d["groups"] or None,
        note=d["note"],
    )


@_action("suspend", forms.NoteDateForm)
def _suspend(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_suspend(scope=scope, case=case, on=d["on"], note=d["note"])


@_action("resume", forms.NoteDateForm)
def _resume(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_resume(scope=scope, case=case, on=d["on"], note=d["note"])


@_action("stop", forms.StopForm)
def _stop(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_stop(
        scope=scope, case=case, reason=d["reason"], event_date=d["event_date"], note=d["note"]
    )


@_action("transfer", forms.TransferForm)
def _transfer(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_transfer(scope=scope, case=case, to=d["to"], event_date=d["event_date"])


@_action("payment", forms.PaymentForm)
def _payment(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_payment_set(
        scope=scope,
        case=case,
        method=d["method"],
        bank=d["bank"],
        account_number=d["account_number"],
        account_holder=d["account_holder"],
    )


@_action("funeral", forms.FuneralForm)
def _funeral(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.funeral_claim_record(
        scope=scope,
        case=case,
        claimant_name=d["claimant_name"],
        claimant_relationship=d["claimant_relationship"],
        claimed_on=d["claimed_on"],
    )


@scoped()
def case_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    case = selectors.case_get(scope, pk)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not scope.can_edit:
            raise PermissionDenied
        name = request.POST.get("action", "")
        if name not in ACTIONS:
            raise Http404
        form_class, fn = ACTIONS[name]
        form = form_class(request.POST, prefix=name)
        if form_action(request, form, lambda: fn(scope, case, form.cleaned_data)):
            messages.success(request, _("Saved."))
            return redirect("assistance:case_detail", pk=case.pk)
        bound[name] = form
    today = timezone.localdate()
    initial = {
        "verify": {"verified_on": today},
        "decide": {"decision_date": today},
        "adjust": {"from_month": today.replace(day=1)},
        "suspend": {"on": today},
        "resume": {"on": today},
        "stop": {"event_date": today},
        "transfer": {"event_date": today},
        "payment": {
            "method": case.payment_method,
            "bank": case.bank,
            "account_number": case.bank_account_number,
            "account_holder": case.bank_account_holder,
        },
        "funeral": {"claimed_on": today},
    }
    action_forms = {
        name: bound.get(name) or form_class(prefix=name, initial=initial.get(name))
        for name, (form_class, _fn) in ACTIONS.items()
    }
    history = selectors.case_history(scope, case)
    return render(
        request,
        "assistance/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor"),
            "forms": action_forms,
            "can_edit": scope.can_edit,
            "audit": history[:50],
            "lines": selectors.person_history(scope, case.person_id)[:60],
            "guard": selectors.case_guard_items(scope, case)[:20],
            "funeral": getattr(case.person, "funeral_claim", None),
        },
    )


@scoped(need="can_edit")
def case_apply(request: HttpRequest, scope: Scope) -> HttpResponse:
    person_id = int_param(request.GET.get("person") or request.POST.get("person"))
    person = registry.person_get(scope, person_id) if person_id else None
    form = forms.ApplyForm(
        request.POST or None, initial={"person": person_id, "applied_on": timezone.localdate()}
    )

    def apply() -> Case:
        assert person is not None
        d = form.cleaned_data
        return services.case_apply(
            scope=scope,
            person=person,
            scheme=d["scheme"],
            groups=d["groups"],
            applied_on=d["applied_on"],
            documents=d["documents"],
            children=d["children"],
            pension=d["pension"],
        )

    if person is not None and (done := form_action(request, form, apply)):
        messages.success(request, _("Application recorded."))
        return redirect("assistance:case_detail", pk=done.value.pk)
    found = []
    q = request.GET.get("q", "").strip()
    if q and person is None:
        from ansinh.core.text import fold

        found = list(
            registry.persons_for(scope)
            .filter(folded_name__contains=fold(q), life_status="living")
            .select_related("village")[:30]
        )
    return render(
        request,
        "assistance/case_apply.html",
        {"form": form, "person": person, "found": found, "q": q},
    )


@scoped()
def case_decision_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    case = selectors.case_get(scope, pk)
    if not case.decision_number:
        raise Http404
    response = HttpResponse(decision_pdf(case), content_type="application/pdf")
    record_export(
        actor=scope,
        what="assistance.case_decision.pdf",
        rows=1,
        commune_code=scope.commune_code,
        household_id=case.household_id,
        object_id=case.pk,
    )
    response["Content-Disposition"] = f'inline; filename="quyet-dinh-{case.pk}.pdf"'
    return response


@require_POST
@scoped()
def case_reveal(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """The case's bank account number in full, for a role that sees it masked; logged.
    A case outside the scope is a 404."""
    case = selectors.case_get(scope, pk)
    if request.POST.get("field", "") != "bank_account_number":
        raise Http404
    return reveal_response(
        request,
        actor=scope,
        instance=case,
        field="bank_account_number",
        commune_code=case.commune_id,
        household_id=case.household_id,
        back_url=reverse("assistance:case_detail", args=[case.pk]),
    )


# --- payrolls ------------------------------------------------------------------------------


def _no_village_heads(scope: Scope) -> None:
    if scope.role == Role.VILLAGE_HEAD:
        raise PermissionDenied


@scoped()
def payroll_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = forms.GenerateForm(
        request.POST or None, initial={"month": timezone.localdate().replace(day=1)}
    )
    if request.method == "POST" and not scope.can_edit:
        raise PermissionDenied
    if done := form_action(
        request,
        form,
        lambda: pr.payroll_generate(
            scope=scope, commune_code=scope.commune_code, month=form.cleaned_data["month"]
        ),
    ):
        return redirect("assistance:payroll_detail", pk=done.value.pk)
    payrolls = selectors.payrolls_for(scope).select_related("prepared_by", "approved_by")
    return render(
        request,
        "assistance/payroll_list.html",
        {"payrolls": payrolls, "form": form, "can_edit": scope.can_edit},
    )


def _payroll_step(request: HttpRequest, scope: Scope, payroll: Any, step: str) -> Any:
    """Run one step of the payroll page and say what happened; returns the bank results of
    an import (shown on the page), else None."""
    if step == "approve":
        pr.payroll_approve(scope=scope, payroll=payroll)
        messages.success(request, _("Payroll approved: the payment files can now be made."))
        return None
    if not scope.can_edit:
        raise PermissionDenied
    if step == "regenerate":
        payroll = pr.payroll_generate(
            scope=scope, commune_code=payroll.commune_id, month=payroll.month
        )
        blocking = selectors.blocking_count(payroll)
        messages.success(
            request,
            _("Checked again: %(n)s payments, %(b)s blocking checks to resolve.")
            % {"n": payroll.lines.count(), "b": blocking},
        )
    elif step == "prepare":
        pr.payroll_prepare(scope=scope, payroll=payroll)
        messages.success(request, _("Checked again and sent for approval."))
    elif step == "close":
        pr.payroll_close(scope=scope, payroll=payroll)
        messages.success(request, _("Payroll closed."))
    elif step == "cash_paid":
        refs = list(request.POST.getlist("reference")) or list(
            selectors.cash_pending_references(payroll)
        )
        n = pr.cash_paid_confirm(scope=scope, payroll=payroll, references=refs)
        messages.success(request, _("%(n)s cash payments marked paid.") % {"n": n})
    elif step == "results":
        upload = forms.ResultsForm(request.POST, request.FILES)
        if not upload.is_valid():
            if upload.has_error("file", code="file_too_large"):  # "Tệp quá lớn (tối đa 20 MB)"
                raise ValidationError(list(upload.errors["file"]))
            raise ValidationError(_("Choose the bank's result file (CSV or XLSX)."))
        f = upload.cleaned_data["file"]
        result = reconcile.results_import(
            scope=scope, payroll=payroll, data=f.read(), filename=f.name
        )
        messages.success(
            request,
            _("Bank results imported: %(p)s paid, %(f)s failed, %(e)s rows with a problem.")
            % {"p": result.paid, "f": result.failed, "e": len(result.exceptions)},
        )
        return result
    else:
        raise Http404
    return None


@scoped()
def payroll_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    payroll = selectors.payroll_get(scope, pk)
    result = None
    if request.method == "POST":
        step = request.POST.get("step", "")
        done = post_action(request, lambda: _payroll_step(request, scope, payroll, step))
        if done and done.value is None:
            return redirect("assistance:payroll_detail", pk=payroll.pk)
        result = done.value if done else None
        payroll.refresh_from_db()
    exceptions_url = ""
    if result is not None and len(result.exceptions) > PROBLEMS_SHOWN:
        exceptions_url = problems_download(
            request,
            what="assistance.bank_results",
            commune_code=scope.commune_code,
            headings=[_("Row"), _("Reference"), _("Problem")],
            rows=[[e["row"], e["reference"], e["problem"]] for e in result.exceptions],
        )
    lines = selectors.payroll_lines(scope, payroll)
    status = request.GET.get("status", "")
    if status:
        lines = lines.filter(status=status)
    page = page_of(request, lines, per_page=100)
    items = list(selectors.guard_items(scope, payroll))
    for item in items:
        item.actions = pr.actions_for(item.rule, payroll)  # type: ignore[attr-defined]
    return render(
        request,
        "assistance/payroll_detail.html",
        {
            "payroll": payroll,
            "page": page,
            "summary": selectors.payroll_summary(scope, payroll),
            "items": items,
            "can_edit": scope.can_edit,
            "can_approve": scope.role == Role.COMMITTEE,
            "result": result,
            "exceptions_shown": result.exceptions[:PROBLEMS_SHOWN] if result else [],
            "exceptions_url": exceptions_url,
            "resolve_form": forms.ResolveForm(),
            "line_form": forms.LineResolveForm(),
            "results_form": forms.ResultsForm(),
            "status": status,
            "line_statuses": LineStatus.choices,
            "banks": [(b, dict(Bank.choices).get(b, b)) for b in exports.banks_of(payroll)],
            "blocking": sum(1 for i in items if i.blocking and not i.resolved_at),
            "recovery": selectors.recovery_lines(scope, payroll),
        },
    )


@require_POST
@scoped(need="can_edit")
def guard_item_resolve(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    item = selectors.guard_item_get(scope, pk)
    form = forms.ResolveForm(request.POST)
    payroll = selectors.payrolls_for(scope).filter(month=item.month).first()
    if form.is_valid():
        if post_action(
            request,
            lambda: pr.guard_resolve(
                scope=scope,
                item=item,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            ),
        ):
            messages.success(
                request,
                _("%(person)s: %(action)s.")
                % {
                    "person": item.case.person.full_name,
                    "action": GuardAction(form.cleaned_data["action"]).label,
                },
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    if payroll:
        return redirect("assistance:payroll_detail", pk=payroll.pk)
    return redirect("assistance:payroll_list")


@require_POST
@scoped(need="can_edit")
def line_resolve(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    line = selectors.line_get(scope, pk)
    form = forms.LineResolveForm(request.POST)
    if form.is_valid():
        if post_action(
            request,
            lambda: pr.line_failed_resolve(
                scope=scope,
                line=line,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            ),
        ):
            messages.success(
                request,
                _("Payment %(ref)s: %(status)s.")
                % {"ref": line.reference, "status": LineStatus(form.cleaned_data["action"]).label},
            )
    else:
        messages.error(request, _("Add a note."))
    return redirect("assistance:payroll_detail", pk=line.payroll_id)


@scoped(need="can_edit")
def payroll_export(request: HttpRequest, scope: Scope, pk: int, fmt: str) -> HttpResponse:
    """A payment file. The officer makes it (it is the act of paying): the last check runs
    first (``payroll_export_begin``: fresh guard, no blocking item, valid accounts)."""
    payroll = selectors.payroll_get(scope, pk)
    if fmt not in ("csv", "xlsx", "xml", "cash"):
        raise Http404
    bank = request.GET.get("bank") or None
    if bank is not None and bank not in Bank.values:
        raise Http404
    account = selectors.paying_account(scope)
    if fmt == "xml" and account is None:
        messages.error(request, _("Enter the commune's paying account first."))
        return redirect("assistance:payment_account")
    method = PaymentMethod.CASH if fmt == "cash" else PaymentMethod.BANK
    if not post_action(
        request,
        lambda: pr.payroll_export_begin(scope=scope, payroll=payroll, method=method, bank=bank),
    ):
        return redirect("assistance:payroll_detail", pk=payroll.pk)
    commune = selectors.commune_of(scope)
    stem = f"chi-tra-{payroll.month:%Y-%m}" + (f"-{bank}" if bank else "")
    if fmt == "csv":
        body, ctype, name = (
            exports.bank_csv(payroll, bank),
            "text/csv; charset=utf-8",
            stem + ".csv",
        )
    elif fmt == "xlsx":
        body = exports.bank_xlsx(payroll, bank)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = stem + ".xlsx"
    elif fmt == "xml":
        assert account is not None
        try:
            body = exports.pain001(
                payroll,
                debtor_name=account.holder,
                debtor_account=account.account_number,
                debtor_bank_bic=account.bic,
                debtor_bank=str(account.get_bank_display()),
                bank=bank,
            )
        except exports.InvalidPaymentFile as exc:
            messages.error(request, _("The payment file is not valid: %(e)s") % {"e": exc})
            return redirect("assistance:payroll_detail", pk=payroll.pk)
        ctype, name = "application/xml", stem + "-pain001.xml"
    else:
        body = exports.cash_pdf(payroll, commune_name=commune.name, place=commune.name)
        ctype, name = "application/pdf", f"tien-mat-{payroll.month:%Y-%m}.pdf"
    rows = pr.payroll_file_lines(payroll, method=method, bank=bank).count()
    record_export(
        actor=scope,
        what=f"assistance.payroll.{fmt}",
        rows=rows,
        commune_code=scope.commune_code,
        object_id=payroll.pk,
        note=f"{payroll.month:%Y-%m}" + (f" {bank}" if bank else ""),
    )
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@scoped()
def payment_account(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The commune's paying account (debtor of the bank files): the officer keeps it."""
    _no_village_heads(scope)
    account = selectors.paying_account(scope)
    initial = (
        {
            "holder": account.holder,
            "bank": account.bank,
            "account_number": account.account_number,
            "bic": account.bic,
        }
        if account
        else {}
    )
    form = forms.PaymentAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and not scope.can_edit:
        raise PermissionDenied
    if form_action(
        request,
        form,
        lambda: services.payment_account_set(
            scope=scope, commune_code=scope.commune_code, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Saved."))
        return redirect("assistance:payroll_list")
    return render(
        request,
        "assistance/payment_account.html",
        {"form": form, "account": account, "can_edit": scope.can_edit},
    )


@scoped()
def reports(request: HttpRequest, scope: Scope) -> HttpResponse:
    on = timezone.localdate()
    data = selectors.report(scope, on)
    labels = dict(forms.group_choices()) | {"social_pension": _("Social pension")}
    rows = [(labels.get(code, code), n, data["bands"].get(code, [])) for code, n in data["groups"]]
    return render(request, "assistance/reports.html", {"data": data, "rows": rows, "on": on})


__all__ = ["dt"]
