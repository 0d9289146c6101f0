from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.core.forms import UploadField
from ansinh.core.web import max_upload_mb
from ansinh.imports.kinds import ImportKind


class UploadForm(forms.Form):
    file = UploadField(
        label=_("The file (Excel .xlsx, .xls, .ods or CSV)"),
        help_text=_("At most %(mb)s MB. Title rows above the header are fine.")
        % {"mb": max_upload_mb()},
    )


class MappingForm(forms.Form):
    """One choice per field of the list: which column of the file holds it."""

    def __init__(
        self,
        *args: Any,
        kind: ImportKind,
        headers: list[str],
        initial_map: dict[str, int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        from ansinh.imports.table import column_letter

        choices = [("", _("— not in the file —"))] + [
            (str(i), f"{column_letter(i)}: {h}" if h else column_letter(i))
            for i, h in enumerate(headers)
        ]
        for column in kind.columns:
            initial = initial_map.get(column.key)
            self.fields[column.key] = forms.ChoiceField(
                label=str(column.label),
                choices=choices,
                required=False,
                initial="" if initial is None else str(initial),
            )

    def mapping(self) -> dict[str, int | None]:
        return {
            key: int(value) if value not in ("", None) else None
            for key, value in self.cleaned_data.items()
        }


class CommitForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Import the good rows and leave out the rows with problems"), required=False
    )
    confirm_matches = forms.BooleanField(
        label=_("I have checked the matches by name and date of birth listed above"),
        required=False,
    )
