"""The audit log page's reads: its filters (a GET form) and the scoped, filtered entries.

Only the officer and the auditor read the log (``Scope.can_see_audit_log``), and only their
own commune's entries. The filters: the record type, a person or a household (an id, a
household code, a CCCD or phone, a name without accents, or text of the record's name), who
acted (a user or the system), the action, and a range of days (Vietnam's days).

Public interface::

    AuditFilterForm(scope, data)          # bound to request.GET
    entries(scope, form) -> QuerySet[AuditEntry]
    query_string(form) -> str             # the filters typed (pager, export link, its note)
    EXPORT_LIMIT
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.core import forms as core_forms
from ansinh.core.audit_vocabulary import record_type_label
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.core.text import prefix_upper_bound
from ansinh.core.web import int_param
from ansinh.registry import selectors

#: The export holds at most this many entries (the newest); the page says so.
EXPORT_LIMIT = 10_000
#: A search names at most this many persons or households.
MATCHES = 50
SYSTEM = "system"
_PERSON, _HOUSEHOLD = "registry.person", "registry.household"
FILTERS = ("q", "type", "user", "action", "date_from", "date_to")


def record_types(scope: Scope) -> list[tuple[str, str]]:
    """The record types of the commune's log, by their names."""
    labels = selectors.audit_log(scope).order_by().values_list("model_label", flat=True).distinct()
    return sorted(((label, record_type_label(label)) for label in labels), key=lambda c: c[1])


def users(scope: Scope) -> list[tuple[str, str]]:
    """The accounts of the commune, by name, and the system."""
    accounts = User.objects.filter(commune_id=scope.commune_code).only(
        "pk", "full_name", "username"
    )
    named = sorted(((str(u.pk), str(u)) for u in accounts), key=lambda c: c[1])
    return [(SYSTEM, str(_("The system (commands, scheduled jobs)"))), *named]


class AuditFilterForm(forms.Form):
    """The filters of the audit log page, read from its query string; a value that cannot be
    read is said on its field and that filter is left out, the others still apply."""

    q = forms.CharField(
        label=_("Person or household"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(
            attrs={"placeholder": _("Name, household code, CCCD, phone or id")}
        ),
    )
    type = forms.ChoiceField(label=_("Record type"), required=False)
    user = forms.ChoiceField(label=_("Done by"), required=False)
    action = forms.ChoiceField(
        label=_("Kind of change"),
        required=False,
        choices=[("", _("Any kind")), *AuditAction.choices],
    )
    date_from = core_forms.DateField(label=_("From (day)"), required=False)
    date_to = core_forms.DateField(label=_("To (day)"), required=False)

    def __init__(self, scope: Scope, data: Any) -> None:
        super().__init__({k: data.get(k, "") for k in FILTERS})
        type_field: Any = self.fields["type"]
        type_field.choices = [("", _("Every record type")), *record_types(scope)]
        user_field: Any = self.fields["user"]
        user_field.choices = [("", _("Anyone")), *users(scope)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The last day comes before the first day."))
        return data

    def value(self, name: str) -> Any:
        """A filter's value, or None when it is empty or could not be read."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _records(scope: Scope, text: str) -> Q:
    """Entries about a person or a household: its id, a household code (prefix), the persons a
    CCCD, phone or name finds (their records and those named after them), and the text typed
    inside a record's name."""
    found = Q(object_repr__icontains=text)
    number = int_param(text)
    if number is not None:
        found |= Q(household_id=number) | Q(model_label__in=(_PERSON, _HOUSEHOLD), object_id=number)
    query = selectors.parse_query(text)
    if query.kind == "code":
        codes = selectors.households_for(scope).filter(
            code__gte=query.value, code__lt=prefix_upper_bound(query.value)
        )
        ids = list(codes.values_list("pk", flat=True)[:MATCHES])
        found |= Q(household_id__in=ids)
    elif query.kind != "empty":
        persons = list(selectors.person_search(scope, text)[:MATCHES])
        found |= Q(model_label=_PERSON, object_id__in=[p.pk for p in persons])
        for name in {p.full_name for p in persons}:
            found |= Q(object_repr__startswith=f"{name} – ")
    return found


def entries(scope: Scope, form: AuditFilterForm) -> QuerySet[AuditEntry]:
    """The commune's entries that the filters keep, newest first (404 for a role that does
    not read the log)."""
    qs = selectors.audit_log(scope)
    if record_type := form.value("type"):
        qs = qs.filter(model_label=record_type)
    if text := form.value("q"):
        qs = qs.filter(_records(scope, str(text).strip()))
    if who := form.value("user"):
        qs = qs.filter(actor__isnull=True) if who == SYSTEM else qs.filter(actor_id=int(who))
    if action := form.value("action"):
        qs = qs.filter(action=action)
    if start := form.value("date_from"):
        qs = qs.filter(at__gte=_day_start(start))
    if end := form.value("date_to"):
        qs = qs.filter(at__lt=_day_start(end + dt.timedelta(days=1)))
    return qs


def query_string(form: AuditFilterForm) -> str:
    """The filters as typed (for the pager and the export link)."""
    return urlencode({k: form.data[k] for k in FILTERS if form.data.get(k)})
