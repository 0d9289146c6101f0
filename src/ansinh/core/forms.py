"""Form fields with the bounds every input needs (shared by the apps' forms).

A date outside 1900–2100 (``0001-01-01``, ``9999-12-31``) makes date arithmetic overflow
further on; a month far in the future would make a payroll of thousands of months. These
fields refuse such input with a message, as the form's other errors.

Public interface::

    DateField(lo=MIN_DATE, hi=MAX_DATE, **kw)       # YYYY-MM-DD in lo..hi
    MonthField(**kw)                                # YYYY-MM, 2000-01 .. 12 months from today
    UploadField(**kw)                               # FileField with the upload size limit
    DateInput(**kw)                                 # the browser's date picker
    MAX_AMOUNT                                      # the largest amount of money (đồng)
    apply_errors(form, error)                       # re-exported from ansinh.core.web
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.periods import MIN_MONTH, check_month_in_range, latest_month
from ansinh.core.web import MAX_DATE, MIN_DATE, apply_errors, check_upload_size

#: The largest amount of money a form accepts (đồng).
MAX_AMOUNT = 10**12

__all__ = ["MAX_AMOUNT", "DateField", "DateInput", "MonthField", "UploadField", "apply_errors"]


class DateField(forms.DateField):
    """A date in ``lo..hi`` (default 1900-01-01 .. 2100-12-31)."""

    def __init__(self, *, lo: dt.date = MIN_DATE, hi: dt.date = MAX_DATE, **kwargs: Any) -> None:
        self.lo, self.hi = lo, hi
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not (self.lo <= value <= self.hi):
            raise ValidationError(
                _("Enter a date between %(lo)s and %(hi)s.")
                % {"lo": f"{self.lo:%d/%m/%Y}", "hi": f"{self.hi:%d/%m/%Y}"},
                code="date_out_of_range",
            )


class MonthField(forms.DateField):
    """A month ``YYYY-MM`` (``YYYY-MM-DD`` accepted, taken as its month) from 2000-01 to 12
    months after the current month."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if not value:
            return
        today = timezone.localdate()
        try:
            check_month_in_range(value, today)
        except ValueError:
            raise ValidationError(
                _("Choose a month from %(lo)s to %(hi)s.")
                % {"lo": f"{MIN_MONTH:%m/%Y}", "hi": f"{latest_month(today):%m/%Y}"},
                code="month_out_of_range",
            ) from None


class UploadField(forms.FileField):
    """A file of at most ``ANSINH_MAX_UPLOAD_MB`` MB (default 20)."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            check_upload_size(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
