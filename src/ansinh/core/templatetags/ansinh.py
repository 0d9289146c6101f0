import datetime as dt
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext

from ansinh.core.identifiers import format_phone, identifier_text, mask_identifier
from ansinh.core.money import format_vnd
from ansinh.core.numbers import format_percent
from ansinh.core.text import join_address

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
def address(household: Any) -> str:
    """``{{ household|address }}``: the household's address and its village, each place
    written once ("Tổ 4, Ấp Cây Cầy", not "Tổ 4, Ấp Cây Cầy · Ấp Cây Cầy")."""
    village = getattr(getattr(household, "village", None), "name", "")
    return join_address(getattr(household, "address", ""), village)


@register.filter
def vnd(value: int | None) -> str:
    return format_vnd(value)


@register.filter
def percent(rate: float | None, digits: int = 1) -> str:
    """0.8775 -> "87,8%" in Vietnamese, "87.8%" in English: the one rounding of
    :func:`ansinh.core.numbers.format_percent`, for a headline and its chart alike."""
    return format_percent(rate, int(digits), lang=get_language() or "vi")


@register.filter
def day(value: dt.date | str | None) -> str:
    """A date (or an ISO ``yyyy-mm-dd`` text, as JSON answers keep it) as ``dd/mm/yyyy``, the
    way a date input shows it; anything else unchanged, ``None`` as ""."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        return f"{value:%d/%m/%Y}"
    try:
        return f"{dt.date.fromisoformat(value):%d/%m/%Y}"
    except ValueError:
        return value


@register.simple_tag
def date_input(name: str, value: dt.date | str | None, element_id: str = "") -> SafeString:
    """``{% date_input "date" day element_id="date" %}``: the project's dd/mm/yyyy text input
    (:class:`ansinh.core.forms.DateInput`) for a form written by hand (a filter's GET form)."""
    from ansinh.core.forms import DateInput

    return DateInput().render(name, value, attrs={"id": element_id} if element_id else None)
