"""``{% load coordination %}``: a thread's text with its mentions, and durations in hours as a
person reads them."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ansinh.coordination.mentions import spans

register = template.Library()


@register.filter
def with_mentions(text: str | None, known: set[str] | None) -> SafeString:
    """The text escaped, line breaks kept, ``@name`` of a mentioned user in bold."""
    parts: list[str] = []
    for piece, is_mention in spans(text or "", known or set()):
        if is_mention:
            parts.append(format_html('<b class="mention">{}</b>', piece))
        else:
            parts.append(escape(piece).replace("\n", "<br>"))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


@register.filter
def duration(hours: float | None) -> str:
    """``2.5`` → "2,5 giờ"; under an hour in minutes, from two days in days; None → "—"."""
    if hours is None:
        return "—"
    if round(hours * 60) < 60:
        return _("%(n)s min") % {"n": max(1, round(hours * 60))}
    if hours < 48:
        return _("%(n)s h") % {"n": number_format(round(hours, 1), 1)}
    return _("%(n)s days") % {"n": number_format(round(hours / 24, 1), 1)}
