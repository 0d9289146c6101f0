from typing import Any

from django import template

register = template.Library()


@register.filter
def get_answer(mapping: Any, key: str) -> Any:
    """``answers.b2|get_answer:"safe_water"`` (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def get_count(counts: Any, key: str) -> int:
    """``row.moves|get_count:"new_poor"`` (0 when absent)."""
    return int(counts.get(key, 0)) if hasattr(counts, "get") else 0
