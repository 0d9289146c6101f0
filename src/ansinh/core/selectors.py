"""Helpers every app's selectors share."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_or_404(qs: QuerySet[M], pk: Any) -> M:
    """One row of an already scoped queryset, or 404: an object outside the scope and an id
    that does not exist answer the same, so nothing reveals that it exists elsewhere."""
    try:
        return qs.get(pk=pk)
    except ObjectDoesNotExist as exc:  # the model's DoesNotExist
        raise Http404 from exc
