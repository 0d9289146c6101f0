"""Bounded API inputs (django-ninja), shared by the API routers: pagination and ids; and the
shape of every error answer (``ErrorOut``).

django-ninja's ``LimitOffsetPagination`` accepts any ``offset``: ``?offset=10**20`` does not fit
a 64-bit integer and the database raises (HTTP 500). Here ``limit`` is 1–500 and ``offset``
0–10⁹; anything else is a 422 with the field's problem, like any other bad input. Ids in
paths, queries and bodies are ``DbId`` (1 … 2⁶³−1) for the same reason.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from ansinh.core.web import INT64_MAX

MAX_LIMIT = 500
MAX_OFFSET = 10**9

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "BoundedLimitOffsetPagination", "DbId", "ErrorOut"]

#: A database id: 1 … 2⁶³−1 (a larger number does not fit the database's integers).
DbId = Annotated[int, Field(ge=1, le=INT64_MAX)]


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``limit`` 1–500 (default 100), ``offset`` 0–10⁹."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


# An error answer (401, 403, 404, 422): what went wrong, and per field its problems
# (``__all__`` for those of no field). Made by the handlers of ``ansinh.api.api``. (A comment,
# not a docstring: a docstring would become the schema's description in the OpenAPI file.)
class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
