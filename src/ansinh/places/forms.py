from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.places.choices import AreaType, VillageKind


class VillageForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Ấp Tân Đông"}),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=VillageKind.choices, initial=VillageKind.AP)
    code = forms.CharField(
        label=_("Short code"),
        max_length=8,
        help_text=_("Letters or digits used in household codes, e.g. TD for ấp Tân Đông."),
    )
    area_type_override = forms.ChoiceField(
        label=_("Area type"),
        choices=[("", _("Same as the commune")), *list(AreaType.choices)],
        required=False,
    )
