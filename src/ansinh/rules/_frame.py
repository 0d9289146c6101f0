"""Small helpers shared by the rule modules (not part of the public interface)."""

from __future__ import annotations

import polars as pl


def problems(frame: pl.DataFrame, key: str, checks: list[tuple[str, pl.Expr]]) -> list[str]:
    """One message per failing check, naming up to five offending keys and the count.

    The checks are evaluated together in one pass; details are gathered only for the few that
    fail. Each check expression must be a boolean without nulls (True = bad row).
    """
    if not checks or frame.height == 0:
        return []
    failing = frame.select([expr.any().alias(f"_{i}") for i, (_, expr) in enumerate(checks)]).row(0)
    out = []
    for (what, expr), bad in zip(checks, failing, strict=True):
        if not bad:
            continue
        keys = frame.filter(expr).get_column(key)
        shown = ", ".join(str(c) for c in keys.head(5).to_list())
        more = f" and {keys.len() - 5} more" if keys.len() > 5 else ""
        out.append(f"{what}: {shown}{more}")
    return out


def round_half_up_div(numerator: pl.Expr, divisor: int) -> pl.Expr:
    """Integer division rounding halves up (for non-negative amounts): whole đồng."""
    return (numerator + divisor // 2) // divisor
