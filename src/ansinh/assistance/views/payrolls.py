"""Monthly payrolls: the list, one payroll with its steps and guard, resolving a check or a line,
the payment files, the commune's paying account and the reports.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.choices import Role
from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.assistance import exports, forms, reconcile, selectors, services
from ansinh.assistance import payroll as pr
from ansinh.assistance.choices import (
    GuardAction,
    LineStatus,
    PaymentMethod,
)
from ansinh.core.audit import record_export
from ansinh.core.money import format_vnd
from ansinh.core.periods import next_month
from ansinh.core.web import (
    PROBLEMS_SHOWN,
    form_action,
    page_of,
    post_action,
    problems_download,
)
from ansinh.registry.choices import Bank


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
        summary = selectors.payroll_summary(scope, payroll)
        messages.success(
            request,
            _("Checked again and sent for approval: %(n)s payments, %(total)s.")
            % {"n": summary["count"], "total": format_vnd(summary["total"], lang=_lang())},
        )
    elif step == "close":
        pr.payroll_close(scope=scope, payroll=payroll)
        messages.success(request, _("Payroll closed."))
    elif step == "cash_paid":
        refs = list(request.POST.getlist("reference")) or list(
            selectors.cash_pending_references(payroll)
        )
        n = pr.cash_paid_confirm(scope=scope, payroll=payroll, references=refs)
        if n:
            messages.success(request, _("%(n)s cash payments marked paid.") % {"n": n})
        else:
            messages.warning(request, _("No cash payment was waiting to be marked paid."))
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
        said = _("Bank results imported: %(p)s paid, %(f)s failed, %(e)s rows with a problem.") % {
            "p": result.paid,
            "f": result.failed,
            "e": len(result.exceptions),
        }
        if result.to_check:
            said += " " + ngettext(
                "%(n)s payment paid with another amount is listed under "
                "“Bank results to check”: accept the amount or follow it up.",
                "%(n)s payments paid with another amount are listed under "
                "“Bank results to check”: accept the amount or follow them up.",
                result.to_check,
            ) % {"n": result.to_check}
        (messages.warning if result.exceptions else messages.success)(request, said)
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
            "bank_checks": selectors.bank_checks(scope, payroll),
        },
    )


def _say_guard(request: HttpRequest, done: pr.GuardResolution) -> None:
    """What resolving a guard item did, naming the person and the payments it changed."""
    item, lang = done.item, _lang()
    said = [
        _("%(person)s: %(action)s.")
        % {"person": item.case.person.full_name, "action": GuardAction(item.action).label}
    ]
    month = f"{item.month:%m/%Y}"
    if done.removed:
        said.append(
            ngettext(
                "%(n)s payment (%(amount)s) taken out of the payroll of %(month)s.",
                "%(n)s payments (%(amount)s) taken out of the payroll of %(month)s.",
                done.removed,
            )
            % {
                "n": done.removed,
                "amount": format_vnd(done.removed_amount, lang=lang),
                "month": month,
            }
        )
    if done.recomputed:
        said.append(
            ngettext(
                "%(n)s payment of %(month)s recomputed: %(amount)s a month.",
                "%(n)s payments of %(month)s recomputed: %(amount)s a month.",
                done.recomputed,
            )
            % {"n": done.recomputed, "amount": format_vnd(done.amount, lang=lang), "month": month}
        )
    if done.to_cash:
        said.append(
            ngettext(
                "%(n)s payment switched to cash.", "%(n)s payments switched to cash.", done.to_cash
            )
            % {"n": done.to_cash}
        )
    if done.released:
        said.append(
            ngettext(
                "%(n)s held payment can be paid again.",
                "%(n)s held payments can be paid again.",
                done.released,
            )
            % {"n": done.released}
        )
    if done.lines_changed or item.action == GuardAction.CONFIRMED:
        messages.success(request, " ".join(said))
        return
    said.append(
        _("No payment in the payroll of %(month)s changed.") % {"month": month}
        if done.payroll is not None
        else _("There is no payroll for %(month)s yet.") % {"month": month}
    )
    messages.warning(request, " ".join(said))


@require_POST
@scoped(need="can_edit")
def guard_item_resolve(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    item = selectors.guard_item_get(scope, pk)
    form = forms.ResolveForm(request.POST)
    payroll = selectors.payrolls_for(scope).filter(month=item.month).first()
    if form.is_valid():
        done = post_action(
            request,
            lambda: pr.guard_resolve(
                scope=scope,
                item=item,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            ),
        )
        if done:
            _say_guard(request, done.value)
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
        action = form.cleaned_data["action"]
        if post_action(
            request,
            lambda: pr.line_failed_resolve(
                scope=scope, line=line, action=action, note=form.cleaned_data["note"]
            ),
        ):
            said = {
                "ref": line.reference,
                "person": line.case.person.full_name,
                "amount": format_vnd(line.amount, lang=_lang()),
                "month": f"{next_month(line.payroll.month):%m/%Y}",
            }
            if action == LineStatus.CARRIED:
                text = _(
                    "Payment %(ref)s of %(person)s (%(amount)s) failed: carried over to the "
                    "payroll of %(month)s."
                )
            else:
                text = _(
                    "Payment %(ref)s of %(person)s (%(amount)s) failed: recorded as paid in cash."
                )
            messages.success(request, text % said)
    else:
        messages.error(request, _("Add a note."))
    return redirect("assistance:payroll_detail", pk=line.payroll_id)


@require_POST
@scoped(need="can_edit")
def line_bank_check(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Accept the amount the bank paid on a line, or mark it for follow-up with the bank."""
    line = selectors.line_get(scope, pk)
    form = forms.BankCheckForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("assistance:payroll_detail", pk=line.payroll_id)
    d = form.cleaned_data
    accept = d["action"] == "accept"
    done = post_action(
        request,
        lambda: (
            services.line_bank_amount_accept(
                scope=scope, line=line, seen_amount=d["seen"], note=d["note"]
            )
            if accept
            else services.line_bank_follow_up(
                scope=scope, line=line, seen_amount=d["seen"], note=d["note"]
            )
        ),
    )
    if done:
        said = {
            "ref": line.reference,
            "person": line.case.person.full_name,
            "paid": format_vnd(line.bank_amount, lang=_lang()),
            "due": format_vnd(line.amount, lang=_lang()),
        }
        if not done.value.changed:
            messages.warning(
                request,
                (
                    _("Payment %(ref)s of %(person)s: the amount paid was already accepted.")
                    if accept
                    else _("Payment %(ref)s of %(person)s: already being followed up.")
                )
                % said,
            )
        elif accept:
            line = done.value.line
            rest = {**said, "rest": format_vnd(abs(line.paid_amount - line.amount), lang=_lang())}
            if line.paid_amount > line.amount:
                text = _(
                    "Payment %(ref)s of %(person)s marked paid: %(paid)s paid by the bank "
                    "(%(due)s due). The %(rest)s paid too much is listed to recover."
                )
            elif line.paid_amount < line.amount:
                text = _(
                    "Payment %(ref)s of %(person)s marked paid: %(paid)s paid by the bank "
                    "(%(due)s due). The rest, %(rest)s, is paid in the next payroll generated."
                )
            else:
                text = _(
                    "Payment %(ref)s of %(person)s marked paid: %(paid)s paid by the bank "
                    "(%(due)s due)."
                )
            messages.success(request, text % rest)
        else:
            messages.success(
                request,
                _(
                    "Payment %(ref)s of %(person)s marked for follow-up with the bank: it stays "
                    "to pay until the bank's result is corrected or the amount is accepted."
                )
                % said,
            )
    return redirect("assistance:payroll_detail", pk=line.payroll_id)


def _lang() -> str:
    return "vi" if (get_language() or "vi").startswith("vi") else "en"


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
