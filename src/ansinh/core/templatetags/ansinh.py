from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

from ansinh.core.identifiers import format_phone, identifier_text, mask_identifier
from ansinh.core.money import format_vnd

register = template.Library()


@register.simple_tag(takes_context=True)
def identifier(
    context: template.Context, value: str | None, scope: Any, field: str, reveal: str = ""
) -> SafeString | str:
    """``{% identifier p.cccd scope "cccd" reveal_url %}``: the number in full for roles
    that work with it (``scope.sees_full_identifiers``), otherwise masked with a small
    "Show" button that POSTs ``field`` to ``reveal_url`` (a scoped view that logs it)."""
    if not value:
        return "—"
    if scope is not None and getattr(scope, "sees_full_identifiers", False):
        return format_html('<span class="identifier">{}</span>', identifier_text(value, field))
    hidden = mask_identifier(value, field)
    if not reveal or scope is None:
        return format_html('<span class="identifier">{}</span>', hidden)
    request = context.get("request")
    token = get_token(request) if request is not None else ""
    return format_html(
        '<span class="identifier">{hidden} '
        '<form method="post" action="{url}" hx-post="{url}" hx-target="closest .identifier" '
        'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input type="hidden" name="field" value="{field}">'
        '<button class="link reveal" type="submit" title="{title}">{label}</button>'
        "</form></span>",
        hidden=hidden,
        url=reveal,
        token=token,
        field=field,
        title=pgettext("identifier", "Show the full number (the viewing is logged)"),
        label=pgettext("identifier", "Show"),
    )


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
