from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ansinh.core.forms import DateField, DateInput, UploadField
from ansinh.core.numbers import format_number
from ansinh.insurance.choices import GroupCode
from ansinh.registry.models import Person


class CardForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person"))
    group_code = forms.ChoiceField(label=_("Group"), choices=GroupCode.choices)
    social_insurance_number = forms.CharField(
        label=_("Social insurance number"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    legacy_code = forms.CharField(
        label=_("Card code (15 characters)"), max_length=20, required=False
    )
    valid_from = DateField(label=_("Valid from"), widget=DateInput())
    valid_to = DateField(label=_("Valid to"), widget=DateInput())
    paid_on = DateField(label=_("Paid on"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members  # type: ignore[attr-defined]


class StageForm(forms.Form):
    sms_template = forms.CharField(
        label=_("SMS text (without diacritics, one SMS)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    zalo_template = forms.CharField(
        label=_("Zalo text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)


class PercentField(forms.DecimalField):
    """A percentage with at most one decimal, typed and shown as an officer writes it: "90"
    (never "90.0"), "87,5" with the Vietnamese decimal comma ("87.5" in English); "87,5",
    "87.5" and "87,5 %" are all read as 87.5."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "90"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(min_value=0, max_value=100, max_digits=4, decimal_places=1, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip().replace(",", ".")
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            digits = 0 if Decimal(value) == Decimal(value).to_integral_value() else 1
            lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
            return format_number(value, digits, lang=lang)
        return value  # what was typed stays as typed


class TargetForm(forms.Form):
    coverage_target_percent = PercentField(label=_("Coverage target (%)"), required=False)
    expiring_days = forms.IntegerField(
        label=_("Expiring within (days)"), min_value=1, max_value=120
    )


class CardImportForm(forms.Form):
    file = UploadField(
        label=_("Card list from the social-insurance agency (CSV or XLSX)"),
        help_text=_(
            "Columns: cccd or social_insurance_number or legacy_code, group_code, valid_from, "
            "valid_to, paid_on (optional)."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the good rows even if some rows are wrong"), required=False
    )
