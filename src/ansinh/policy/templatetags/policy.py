"""Showing a parameter value and a class of the what-if in Vietnamese."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from ansinh.core.money import format_vnd
from ansinh.poverty.choices import PovertyClass

register = template.Library()


@register.filter
def policy_value(value: Any) -> str:
    """``2.200.000`` · ``min_m2_per_person: 8`` · ``poor, near_poor`` (no raw dictionaries)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(policy_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {policy_value(v)}" for k, v in value.items())
    return str(value)


@register.filter
def result_class(code: str) -> str:
    if not code:
        return _("not classified")
    try:
        return str(PovertyClass(code).label)
    except ValueError:
        return code


@register.filter
def dong(value: int | None) -> str:
    return "—" if value is None else format_vnd(value)


@register.filter
def param_label(name: str) -> str:
    """The parameter's Vietnamese label (its code when ansinh has no such parameter)."""
    from ansinh.rules.errors import RulesError
    from ansinh.rules.parameters import default_parameters

    try:
        return default_parameters().parameter(name).label_vi
    except RulesError:
        return name
