"""Form fields with the bounds every input needs (shared by the apps' forms).

A date outside 1900–2100 (``0001-01-01``, ``9999-12-31``) makes date arithmetic overflow
further on; a month far in the future would make a payroll of thousands of months. These
fields refuse such input with a message, as the form's other errors.

Dates are typed ``dd/mm/yyyy`` and months ``mm/yyyy`` in a text input, whatever the
browser's language: the browser's own date picker shows and reads dates in the browser's
language (an English Chrome, common on commune computers, writes 09/05/1962 for 5 September).
``yyyy-mm-dd`` is accepted too (links, old bookmarks, scripts); a two-digit year is refused.

Public interface::

    DateField(lo=MIN_DATE, hi=MAX_DATE, **kw)       # dd/mm/yyyy (or yyyy-mm-dd) in lo..hi
    MonthField(**kw)                                # mm/yyyy (or yyyy-mm), 2000-01 .. 12 months
                                                    # from today
    UploadField(**kw)                               # FileField with the upload size limit
    PhoneField(**kw)                                # a Vietnamese phone, cleaned to +84…
    DateInput(attrs=None)                           # a text input for dd/mm/yyyy
    MonthInput(attrs=None)                          # a text input for mm/yyyy
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
from django.utils.translation import gettext_lazy

from ansinh.core.identifiers import IdentifierError, format_phone, normalize_phone
from ansinh.core.periods import (
    MIN_MONTH,
    DateTextError,
    check_month_in_range,
    latest_month,
    read_date,
    read_month,
)
from ansinh.core.web import MAX_DATE, MIN_DATE, apply_errors, check_upload_size

#: The largest amount of money a form accepts (đồng).
MAX_AMOUNT = 10**12

__all__ = [
    "MAX_AMOUNT",
    "DateField",
    "DateInput",
    "MonthField",
    "MonthInput",
    "PhoneField",
    "UploadField",
    "apply_errors",
]


#: What a date input lets through (the server reads the same, and says what is wrong): dd/mm/yyyy
#: with "/", "." or "-" (a phone's number pad may have no "/"), 8 digits ddmmyyyy, yyyy-mm-dd.
DATE_PATTERN = r"[0-9]{1,2}[\/.\-][0-9]{1,2}[\/.\-][0-9]{4}|[0-9]{8}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
MONTH_PATTERN = r"[0-9]{1,2}[\/.\-][0-9]{4}|[0-9]{6}|[0-9]{4}-[0-9]{1,2}"


class DateInput(forms.DateInput):
    """A text input for ``dd/mm/yyyy`` (number pad on phones), not the browser's date picker,
    which follows the browser's language."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "inputmode": "numeric",
            "placeholder": "dd/mm/yyyy",
            "pattern": DATE_PATTERN,
            "maxlength": "10",
            "autocomplete": "off",
            "title": gettext_lazy("Day/month/year, e.g. 05/09/1962"),
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class MonthInput(forms.DateInput):
    """A text input for ``mm/yyyy``."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "inputmode": "numeric",
            "placeholder": "mm/yyyy",
            "pattern": MONTH_PATTERN,
            "maxlength": "7",
            "autocomplete": "off",
            "title": gettext_lazy("Month/year, e.g. 11/2026"),
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%m/%Y")


def _unreadable(exc: DateTextError, *, month: bool) -> ValidationError:
    """The message for a date or month that cannot be read, by what is wrong with it."""
    if exc.code == "two_digit_year":
        message = (
            _("Write the year with four digits, e.g. 11/2026.")
            if month
            else _("Write the year with four digits, e.g. 05/09/1962.")
        )
    elif exc.code == "calendar":
        message = (
            _("There is no month %(value)s: months go from 01 to 12.")
            if month
            else _("There is no day %(value)s in the calendar: check the day and the month.")
        ) % {"value": exc.text}
    else:
        message = (
            _("Enter the month as mm/yyyy, e.g. 11/2026.")
            if month
            else _("Enter the date as dd/mm/yyyy, e.g. 05/09/1962.")
        )
    return ValidationError(message, code=f"{'month' if month else 'date'}_{exc.code}")


class DateField(forms.DateField):
    """A date typed ``dd/mm/yyyy`` (or ``yyyy-mm-dd``) in ``lo..hi`` (default 1900-01-01 ..
    2100-12-31)."""

    widget = DateInput

    def __init__(self, *, lo: dt.date = MIN_DATE, hi: dt.date = MAX_DATE, **kwargs: Any) -> None:
        self.lo, self.hi = lo, hi
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return read_date(str(value))
        except DateTextError as exc:
            raise _unreadable(exc, month=False) from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not (self.lo <= value <= self.hi):
            raise ValidationError(
                _("Enter a date between %(lo)s and %(hi)s.")
                % {"lo": f"{self.lo:%d/%m/%Y}", "hi": f"{self.hi:%d/%m/%Y}"},
                code="date_out_of_range",
            )


class MonthField(forms.DateField):
    """A month typed ``mm/yyyy`` (or ``yyyy-mm``; a whole date is taken as its month), its first
    day, from 2000-01 to 12 months after the current month."""

    widget = MonthInput

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)
        try:
            return read_month(str(value))
        except DateTextError as exc:
            raise _unreadable(exc, month=True) from None

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


class PhoneField(forms.CharField):
    """A Vietnamese phone number, checked as it is typed (the same check as the services:
    ``normalize_phone``), so its error is under the field on the first submit; cleaned to
    its stored form "+84912345678" ("" when empty); a stored value is shown "0912 345 678"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        attrs = {"inputmode": "tel", "autocomplete": "tel", "placeholder": "0912 345 678"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value))
        if not text:
            return ""
        try:
            return normalize_phone(text)
        except IdentifierError as exc:
            raise ValidationError(_(exc.message) % dict(exc.params), code=exc.part) from exc

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("+84"):
            return format_phone(value)
        return value
