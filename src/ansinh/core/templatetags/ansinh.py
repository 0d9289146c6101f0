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
