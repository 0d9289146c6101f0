from django import template

from ansinh.core.identifiers import format_phone
from ansinh.core.money import format_vnd

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    return format_phone(value)


@register.filter
def vnd(value: int | None) -> str:
    return format_vnd(value)


@register.filter
def percent(rate: float | None, digits: int = 1) -> str:
    """0.8734 -> "87,3 %" in Vietnamese, "87.3 %" in English."""
    if rate is None:
        return "—"
    from django.utils.formats import number_format

    return f"{number_format(rate * 100, decimal_pos=digits)} %"
