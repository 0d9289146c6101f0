"""Labels of the insurance codes a page shows (a card group), never the code."""

from __future__ import annotations

from django import template

from ansinh.insurance.choices import GroupCode

register = template.Library()


@register.filter
def card_group(code: str | None) -> str:
    """ "HN" -> "HN – poor household"; an unknown code as it is."""
    if not code:
        return ""
    return str(GroupCode(code).label) if code in GroupCode.values else code
