"""The form of a policy value: its fields follow the shape of the parameter's earlier values
(a number, one field per key, or the value written as YAML for lists of bands)."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ansinh.core.forms import MAX_AMOUNT, DateField, DateInput, UploadField
from ansinh.policy.choices import ValueStatus
from ansinh.rules.parameters import Parameter

VALUE_PREFIX = "value__"


def _template(parameter: Parameter) -> Any:
    return next((e.value for e in reversed(parameter.entries) if e.missing is None), None)


def _scalar_field(label: str, example: Any) -> forms.Field:
    if isinstance(example, bool):
        return forms.TypedChoiceField(
            label=label,
            choices=[("true", _("Yes")), ("false", _("No"))],
            coerce=lambda v: v == "true",
        )
    if isinstance(example, int):
        return forms.IntegerField(label=label, min_value=0, max_value=MAX_AMOUNT)
    if isinstance(example, float):
        return forms.FloatField(label=label, min_value=0, max_value=1e9)
    if isinstance(example, list) and all(isinstance(x, str) for x in example):
        return forms.CharField(
            label=label, max_length=500, help_text=_("Codes separated by commas.")
        )
    return forms.CharField(label=label, max_length=500)


def _simple(value: Any) -> bool:
    return isinstance(value, bool | int | float | str) or (
        isinstance(value, list) and all(isinstance(x, str) for x in value)
    )


class PolicyValueForm(forms.Form):
    valid_from = DateField(label=_("Valid from"), widget=DateInput())
    document_vi = forms.CharField(
        label=_("Legal document"),
        max_length=200,
        help_text=_("Type and number, e.g. Nghị định 351/2025/NĐ-CP."),
    )
    document_date = DateField(label=_("Date of the document"), required=False, widget=DateInput())
    article_vi = forms.CharField(
        label=_("Article"), max_length=200, required=False, help_text=_("e.g. Điều 3 khoản 2")
    )
    document = forms.CharField(label=_("Document (English)"), max_length=200, required=False)
    article = forms.CharField(label=_("Article (English)"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ValueStatus.choices)
    province = forms.TypedChoiceField(
        label=_("Applies to"), coerce=int, empty_value=None, required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_pdf = UploadField(label=_("Text of the document (PDF)"), required=False)

    def __init__(self, *args: Any, parameter: Parameter, province: int | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.parameter = parameter
        self.template = _template(parameter)
        choices: list[tuple[str, str]] = [("", str(_("National value")))]
        if province is not None and parameter.province_override != "none":
            choices.append((str(province), str(_("This province's own value"))))
        else:
            del self.fields["province"]
        if "province" in self.fields:
            self.fields["province"].choices = choices  # type: ignore[attr-defined]
        template = self.template
        if isinstance(template, dict) and all(_simple(v) for v in template.values()):
            for key, example in template.items():
                field = _scalar_field(key, example)
                field.initial = ", ".join(example) if isinstance(example, list) else example
                self.fields[VALUE_PREFIX + key] = field
            self.value_mode = "fields"
        elif template is None or _simple(template):
            label = parameter.label_vi[:1].upper() + parameter.label_vi[1:]
            field = _scalar_field(label, template if template is not None else 0)
            field.initial = template
            self.fields[VALUE_PREFIX] = field
            self.value_mode = "scalar"
        else:
            self.fields["value_yaml"] = forms.CharField(
                label=_("Value"),
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 12, "class": "mono"}),
                initial=yaml.safe_dump(template, allow_unicode=True, sort_keys=False),
                help_text=_("Written as the earlier value is; change what the new text changes."),
            )
            self.value_mode = "yaml"

    def value_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n.startswith(VALUE_PREFIX) or n == "value_yaml"]

    def reference_fields(self) -> list[forms.BoundField]:
        return [
            self[n] for n in self.fields if not (n.startswith(VALUE_PREFIX) or n == "value_yaml")
        ]

    def value(self) -> Any:
        data = self.cleaned_data
        if self.value_mode == "yaml":
            try:
                return yaml.safe_load(data["value_yaml"])
            except yaml.YAMLError as exc:
                raise ValidationError({"value_yaml": str(exc).splitlines()[0]}) from exc
        if self.value_mode == "scalar":
            return self._coerce(self.template, data[VALUE_PREFIX])
        return {k: self._coerce(ex, data[VALUE_PREFIX + k]) for k, ex in self.template.items()}

    @staticmethod
    def _coerce(example: Any, value: Any) -> Any:
        if isinstance(example, list):
            return [p.strip() for p in str(value).split(",") if p.strip()]
        return value

    def clean_text_pdf(self) -> Any:
        upload = self.cleaned_data.get("text_pdf")
        if upload and not upload.name.lower().endswith(".pdf"):
            raise ValidationError(_("Attach the text as a PDF file."))
        return upload


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = UploadField(label=_("Parameter file (YAML)"))
