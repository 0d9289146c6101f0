"""Form B1 income-proxy score ("điểm A") from a point table that is DATA, not code.

The item-by-item point table of Phiếu B1 (Circular 07/2021/TT-BLĐTBXH) is not in the policy
note ([missing]). ansinh therefore ships **no** table: a province imports the official one as a
file, and tests use a small table under ``tests/rules/fixtures`` marked as a test fixture.

Table format — CSV (UTF-8, ``#`` starts a comment line) or an XLSX sheet ``b1_points``:

=========  ==============================================================================
column     meaning
=========  ==============================================================================
period     years the row applies to: ``2022-2025`` (inclusive) or a single year ``2026``
region     ``rural`` or ``urban``
item       question code on the form (text)
answer     answer code (text)
points     whole number of points (may be negative)
=========  ==============================================================================

Public interface::

    load_table(path) -> B1Table
    score(answers, households, table, on) -> pl.DataFrame   # household_code, b1_score

``answers`` is long: one row per (``household_code``, ``item``, ``answer``); ``households`` gives
``household_code`` and ``area``. Each household must answer every item of the table for its
region exactly once, with an answer the table knows; otherwise :class:`InputError` names the
households and items. The score is the sum of the points (vectorised join + group sum). The
result's ``b1_score`` column feeds :func:`ansinh.rules.poverty.classify` (B1 route).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ansinh.rules.errors import InputError, MissingParameterError
from ansinh.rules.io import FileError, read_table

__all__ = ["B1Table", "load_table", "score"]

_COLUMNS = ("period", "region", "item", "answer", "points")
_PERIOD_RE = r"^\d{4}(-\d{4})?$"


@dataclass(frozen=True)
class B1Table:
    """A validated point table: columns year_from, year_to, region, item, answer, points."""

    rows: pl.DataFrame
    source: str

    def for_date(self, on: dt.date) -> pl.DataFrame:
        """Rows in force in the year of ``on`` (refuses when none is loaded)."""
        rows = self.rows.filter((pl.col("year_from") <= on.year) & (pl.col("year_to") >= on.year))
        if rows.height == 0:
            raise MissingParameterError(
                [("b1.points", on.isoformat(), f"no B1 point table is loaded for {on.year}")]
            )
        return rows.select("region", "item", "answer", "points")


def load_table(path: Path | str) -> B1Table:
    """Read and validate a B1 point table (CSV or XLSX sheet ``b1_points``)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raw = read_table(path, "b1_points").drop("_row")
    else:
        if not path.is_file():
            raise FileError(f"{path}: file not found")
        try:
            raw = pl.read_csv(path, infer_schema=False, comment_prefix="#")
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise FileError(f"{path}: cannot read the B1 table: {exc}") from exc
        raw = raw.rename({c: c.strip().lower() for c in raw.columns}).select(
            pl.all().str.strip_chars()
        )
    missing = [c for c in _COLUMNS if c not in raw.columns]
    if missing:
        raise FileError(f"{path}: B1 table needs column(s) {', '.join(missing)}")
    rows = raw.select(
        pl.col("period"),
        pl.col("region").str.to_lowercase(),
        pl.col("item"),
        pl.col("answer"),
        pl.col("points"),
        pl.col("points").str.to_integer(strict=False).alias("_points"),
    ).with_row_index("_line", offset=1)
    bad = rows.filter(
        ~pl.col("period").str.contains(_PERIOD_RE).fill_null(False)
        | ~pl.col("region").is_in(["rural", "urban"]).fill_null(False)
        | pl.col("item").is_null()
        | pl.col("answer").is_null()
        | pl.col("_points").is_null()
    )
    if bad.height:
        lines = ", ".join(str(x) for x in bad.get_column("_line").head(10).to_list())
        raise FileError(
            f"{path}: bad B1 table data row(s) {lines} (counted after the header and comment "
            "lines): check period (YYYY or YYYY-YYYY), region (rural/urban), item, answer, points"
        )
    years = pl.col("period").str.split("-")
    table = rows.select(
        years.list.first().cast(pl.Int32).alias("year_from"),
        years.list.last().cast(pl.Int32).alias("year_to"),
        "region",
        "item",
        "answer",
        pl.col("_points").alias("points"),
    )
    dup = table.filter(
        pl.struct("year_from", "year_to", "region", "item", "answer").is_duplicated()
    )
    if dup.height:
        raise FileError(f"{path}: the same (period, region, item, answer) appears twice")
    return B1Table(table, str(path))


def score(
    answers: pl.DataFrame, households: pl.DataFrame, table: B1Table, on: dt.date
) -> pl.DataFrame:
    """Score A per household: the sum of the points of its answers (see module docs)."""
    points = table.for_date(on)
    area = households.select("household_code", pl.col("area").cast(pl.String).alias("region"))
    given = answers.select(
        pl.col("household_code"), pl.col("item").cast(pl.String), pl.col("answer").cast(pl.String)
    ).join(area, on="household_code", how="left")
    unknown_household = given.filter(pl.col("region").is_null())
    if unknown_household.height:
        codes = unknown_household.get_column("household_code").unique().head(5).to_list()
        raise InputError(f"B1 answers for unknown households: {', '.join(map(str, codes))}")
    scored = given.join(points, on=["region", "item", "answer"], how="left")
    unknown = scored.filter(pl.col("points").is_null())
    if unknown.height:
        shown = "; ".join(
            f"{h}: {i}={a}"
            for h, i, a in unknown.select("household_code", "item", "answer").head(5).iter_rows()
        )
        raise InputError(f"B1 answers not in the point table: {shown}")
    expected = area.join(points.select("region", "item").unique(), on="region", how="inner")
    counts = given.group_by("household_code", "item").len()
    check = expected.join(counts, on=["household_code", "item"], how="left")
    wrong = check.filter(pl.col("len").is_null() | (pl.col("len") != 1))
    if wrong.height:
        shown = "; ".join(
            f"{h}: {i} ({'no answer' if n is None else f'{n} answers'})"
            for h, i, n in wrong.select("household_code", "item", "len").head(5).iter_rows()
        )
        raise InputError(f"every B1 item needs exactly one answer: {shown}")
    totals = scored.group_by("household_code").agg(pl.col("points").sum().alias("b1_score"))
    return (
        area.select("household_code")
        .join(totals, on="household_code", how="left", maintain_order="left")
        .with_columns(pl.col("b1_score").cast(pl.Int64))
    )
