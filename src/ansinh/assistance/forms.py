from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.assistance.choices import (
    GuardAction,
    LineStatus,
    PaymentMethod,
    Scheme,
    StopReason,
)
from ansinh.core import forms as core_forms
from ansinh.core.forms import MAX_AMOUNT, DateField, UploadField
from ansinh.registry.choices import Bank
from ansinh.rules.allowance import GROUP_CODES, group_parameters
from ansinh.rules.parameters import default_parameters

# dd/mm/yyyy and mm/yyyy typed in text inputs, whatever the browser's language (core/forms.py)
DATE = core_forms.DateInput()
MONTH = core_forms.MonthInput()


def group_choices() -> list[tuple[str, str]]:

    from django.utils.translation import get_language

    params = default_parameters()
    values = group_parameters(timezone.localdate(), params)
    vi = (get_language() or "vi").startswith("vi")
    out = []
    for code in GROUP_CODES:
        meta = params.parameter(values[f"assistance.group.{code}"].name)
        out.append((code, meta.label_vi if vi else meta.label_en))
    return out


class MonthField(core_forms.MonthField):
    """A month from 2000-01 to 12 months ahead (a payroll for 9999-12 is refused)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(widget=MONTH, **kw)


class ApplyForm(forms.Form):
    """An application for one person: only the groups the rules engine says this person can
    belong to are offered (``open_groups``); payment by bank when the person's record has an
    account."""

    person = forms.IntegerField(
        label=_("Person (registry number)"),
        widget=forms.HiddenInput,
        min_value=1,
        max_value=10**18 - 1,
    )
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices)
    groups = forms.MultipleChoiceField(
        label=_("Groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    applied_on = DateField(label=_("Application date"), widget=DATE)
    payment_method = forms.ChoiceField(
        label=_("Payment"), choices=PaymentMethod.choices, widget=forms.RadioSelect, required=False
    )
    children = forms.IntegerField(label=_("Children raised"), min_value=0, max_value=30, initial=0)
    pension = forms.IntegerField(
        label=_("Pension or monthly benefit (đồng)"), min_value=0, max_value=MAX_AMOUNT, initial=0
    )
    documents = forms.CharField(
        label=_("Documents received"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        open_groups: Sequence[str] | None = None,
        has_account: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = group_choices()
        if open_groups is not None:
            choices = [(code, label) for code, label in choices if code in open_groups]
        self.fields["groups"].choices = choices  # type: ignore[attr-defined]
        self.fields["payment_method"].initial = (
            PaymentMethod.BANK if has_account else PaymentMethod.CASH
        )


class VerifyForm(forms.Form):
    verified_on = DateField(label=_("Verified on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False)


class DecideForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=40)
    decision_date = DateField(label=_("Signed on"), widget=DATE)
    signer = forms.CharField(label=_("Signed by (chairman)"), max_length=100)
    effective_month = MonthField(label=_("Paid from (month), if back-dated"), required=False)
    backdate_reason = forms.CharField(label=_("Reason for back-dating"), required=False)


class AdjustForm(forms.Form):
    from_month = MonthField(label=_("From month"))
    groups = forms.MultipleChoiceField(
        label=_("Groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = group_choices()  # type: ignore[attr-defined]


class NoteDateForm(forms.Form):
    on = DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Reason"), required=False)


class StopForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=StopReason.choices)
    event_date = DateField(label=_("Date of the event"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False)


class TransferForm(forms.Form):
    to = forms.CharField(label=_("New commune"), max_length=200)
    event_date = DateField(label=_("Date of the move"), widget=DATE)


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Payment"), choices=PaymentMethod.choices)
    bank = forms.ChoiceField(label=_("Bank"), choices=[("", "—"), *Bank.choices], required=False)
    account_number = forms.CharField(label=_("Account number"), required=False)
    account_holder = forms.CharField(label=_("Account holder"), required=False)


class FuneralForm(forms.Form):
    claimant_name = forms.CharField(label=_("Claimant"), max_length=100)
    claimant_relationship = forms.CharField(label=_("Relationship"), required=False)
    claimed_on = DateField(label=_("Claim date"), widget=DATE)


class GenerateForm(forms.Form):
    month = MonthField(label=_("Month"))


class ResolveForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[c for c in GuardAction.choices if c[0] != GuardAction.CLEARED]
    )
    note = forms.CharField(label=_("Note"), required=False)


class LineResolveForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (LineStatus.CARRIED, LineStatus.CARRIED.label),
            (LineStatus.CASH, LineStatus.CASH.label),
        ],
    )
    note = forms.CharField(label=_("Note"))


class BankCheckForm(forms.Form):
    """Accept the amount the bank paid on a line, or follow it up; ``seen`` is the bank's
    amount shown on the page (a line whose result changed since is refused)."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("accept", _("Accept the amount paid")), ("follow_up", _("Follow up"))],
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_AMOUNT)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ResultsForm(forms.Form):
    file = UploadField(label=_("Bank result file (CSV or XLSX)"))


class PaymentAccountForm(forms.Form):
    holder = forms.CharField(
        label=_("Account holder"),
        max_length=140,
        help_text=_("As registered with the bank, e.g. Ủy ban nhân dân xã Tân Đông."),
    )
    bank = forms.ChoiceField(label=_("Bank"), choices=Bank.choices)
    account_number = forms.CharField(label=_("Account number"), max_length=30)
    bic = forms.CharField(
        label=_("BIC/SWIFT code of the bank"),
        max_length=11,
        required=False,
        help_text=_("8 or 11 characters, if the bank asks for it."),
    )
