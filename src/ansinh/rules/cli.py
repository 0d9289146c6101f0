"""``ansinh rules poverty|allowance|bhyt`` — the batch commands (file format version 1).

Public interface::

    main(argv: list[str]) -> int     # called by ``ansinh.cli`` with the words after "rules"

Commands (formats in ``docs/rules.md``)::

    ansinh rules poverty --households H --members M --date YYYY-MM-DD --out R.csv
                         [--explain] [--skip-invalid] [--parameters PATH ...] [--lang vi|en]
    ansinh rules allowance --people P --month YYYY-MM --out R.csv [--province CODE]
                         [--explain] [--skip-invalid] [--parameters PATH ...] [--lang vi|en]
    ansinh rules bhyt --members N --date YYYY-MM-DD --months K --out R.csv [--parameters PATH ...]

Exit codes: 0 done (also when ``--skip-invalid`` left bad rows out); 1 bad rows and no
``--skip-invalid`` (every bad row is listed on stderr as ``file: row N: column C: problem`` and
no output is written); 2 usage error, unreadable file, missing column, or a parameter the law
has not fixed for the date (e.g. the 2027 indicator thresholds) — nothing is written.

``--parameters`` adds parameter overlay files or folders (same YAML format as the shipped
ones), e.g. a province's own standard level or values the law has since published. ``--out -``
writes to standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ansinh.core.spreadsheet import CSV_DANGER_PATTERN
from ansinh.rules import allowance, insurance, io, poverty
from ansinh.rules.dates import parse_month
from ansinh.rules.errors import InputError, MissingParameterError, ParameterError
from ansinh.rules.explain import explain_allowance, explain_poverty, render
from ansinh.rules.parameters import ParameterSet, env_overlays, load_parameters

__all__ = ["ALLOWANCE_COLUMNS", "BHYT_COLUMNS", "POVERTY_COLUMNS", "main"]

POVERTY_COLUMNS = (
    "household_code",
    "standard",
    "income_line",
    "income_per_capita",
    "b1_score",
    "deprived_count",
    "deprived",
    "class",
)
ALLOWANCE_COLUMNS = ("person_code", "scheme", "basis", "coefficient", "amount")
BHYT_COLUMNS = ("member", "rate", "monthly", "amount")


class _Usage(Exception):
    """A usage problem found after parsing (exit code 2)."""


def _date(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _month(text: str) -> dt.date:
    try:
        return parse_month(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month YYYY-MM: {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ansinh rules",
        description="Batch rules: poverty classification, monthly allowances, BHYT contributions.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", required=True, help="result CSV file ('-' = standard output)")
        p.add_argument(
            "--parameters",
            action="append",
            default=[],
            metavar="PATH",
            help="extra parameter YAML file or folder (repeatable)",
        )

    p = sub.add_parser("poverty", help="classify households under the standard of --date")
    p.add_argument("--households", required=True, type=Path)
    p.add_argument("--members", required=True, type=Path)
    p.add_argument("--date", required=True, type=_date)
    p.add_argument("--explain", action="store_true", help="add an 'explanation' column")
    p.add_argument("--skip-invalid", action="store_true", help="leave bad rows out")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    common(p)

    p = sub.add_parser("allowance", help="monthly allowance of each person for --month")
    p.add_argument("--people", required=True, type=Path)
    p.add_argument("--month", required=True, type=_month)
    p.add_argument("--province", type=int, default=None, help="province code (local level)")
    p.add_argument("--explain", action="store_true", help="add an 'explanation' column")
    p.add_argument("--skip-invalid", action="store_true", help="leave bad rows out")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    common(p)

    p = sub.add_parser("bhyt", help="household-based health-insurance contributions")
    p.add_argument("--members", required=True, type=_positive)
    p.add_argument("--date", required=True, type=_date)
    p.add_argument("--months", required=True, type=_positive)
    common(p)
    return parser


def _params(args: argparse.Namespace) -> ParameterSet:
    return load_parameters(*env_overlays(), *args.parameters)


def _neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula (a code typed ``=HYPERLINK(…)``,
    ``@SUM(1)``, ``+84…``) get a leading ``'`` (``ansinh.core.spreadsheet``); numbers and
    every other text are written as they are. Checked first, rewritten only when needed."""
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    if not text or frame.height == 0:
        return frame
    flags = frame.select(
        pl.col(c).str.contains(CSV_DANGER_PATTERN).any().alias(c) for c in text
    ).row(0, named=True)
    risky = [c for c in text if flags[c]]
    if not risky:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(CSV_DANGER_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in risky
    )


def _write(frame: pl.DataFrame, out: str) -> None:
    frame = _neutralised(frame)
    if out == "-":
        sys.stdout.write(frame.write_csv())
        sys.stdout.flush()
        return
    target = Path(out)
    if not target.parent.exists():
        raise _Usage(f"{out}: the folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        frame.write_csv(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _report(errors: Sequence[io.RowError], skip: bool, files: Sequence[str]) -> bool:
    """Print every bad row; True when the command must stop (exit 1)."""
    if not errors:
        return False
    order = {name: i for i, name in enumerate(files)}
    for error in sorted(errors, key=lambda e: (order.get(e.file, len(order)), e.row)):
        print(error, file=sys.stderr)
    rows = len({(e.file, e.row) for e in errors})
    if skip:
        print(
            f"Bỏ qua {rows} dòng không hợp lệ. / {rows} bad row(s) left out (--skip-invalid).",
            file=sys.stderr,
        )
        return False
    print(
        f"Lỗi: {rows} dòng không hợp lệ, chưa ghi kết quả (sửa các dòng trên hoặc dùng "
        f"--skip-invalid). / {rows} bad row(s): no output written (fix them or use "
        "--skip-invalid).",
        file=sys.stderr,
    )
    return True


def _poverty(args: argparse.Namespace) -> int:
    params = _params(args)
    on: dt.date = args.date
    indicators = tuple(params.value("poverty.indicators", on).value)
    h_name, m_name = str(args.households), str(args.members)
    raw_h = io.read_table(args.households, "households")
    raw_m = io.read_table(args.members, "members")
    b1 = raw_h.get_column("b1_score") if "b1_score" in raw_h.columns else None
    poverty.parameters_for(
        on,
        params,
        need_b1=b1 is not None and bool(b1.is_not_null().any()),
        need_band=b1 is None or bool(b1.is_null().any()),
    )
    households = io.parse_households(raw_h, h_name, indicators)
    members = io.parse_members(raw_m, m_name, on)
    hh, mm, linked = io.link_members(households, members, raw_h, raw_m, h_name, m_name)
    errors = [*households.errors, *members.errors, *linked]
    if _report(errors, args.skip_invalid, [h_name, m_name]):
        return 1
    result = poverty.classify(hh.drop(io.ROW), mm.drop(io.ROW), on, params, check=False)
    out = result.select(POVERTY_COLUMNS)
    if args.explain:
        sentences = [
            render(explain_poverty(row, params), args.lang) for row in result.iter_rows(named=True)
        ]
        out = out.with_columns(pl.Series("explanation", sentences, dtype=pl.String))
    _write(out, args.out)
    counts = dict(result.get_column("class").value_counts().iter_rows())
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in poverty.CLASSES)
    print(
        f"{result.height} household(s) classified on {on}: {summary} → {args.out}", file=sys.stderr
    )
    return 0


def _allowance(args: argparse.Namespace) -> int:
    params = _params(args)
    month: dt.date = args.month
    params.value("assistance.standard_level", month, args.province)
    allowance.group_parameters(month, params)
    name = str(args.people)
    raw = io.read_table(args.people, "people", month_columns=["decision_month"])
    people = io.parse_people(raw, name, month)
    if _report(people.errors, args.skip_invalid, [name]):
        return 1
    result = allowance.compute(people.rows.drop(io.ROW), month, args.province, params, check=False)
    out = result.select(ALLOWANCE_COLUMNS)
    if args.explain:
        sentences = [
            render(explain_allowance(row, params, args.province), args.lang)
            for row in result.iter_rows(named=True)
        ]
        out = out.with_columns(pl.Series("explanation", sentences, dtype=pl.String))
    _write(out, args.out)
    paid = result.filter(pl.col("scheme") != "none")
    total = int(paid.get_column("amount").sum() or 0)
    print(
        f"{result.height} person(s), {paid.height} paid in {month:%Y-%m}, total {total:,} đồng"
        f" → {args.out}",
        file=sys.stderr,
    )
    return 0


def _bhyt(args: argparse.Namespace) -> int:
    params = _params(args)
    rows = insurance.household_contributions(args.members, args.date, args.months, params)
    out = pl.DataFrame(
        {
            "member": [r.member for r in rows],
            "rate": [r.rate for r in rows],
            "monthly": [r.monthly for r in rows],
            "amount": [r.amount for r in rows],
        },
        schema={"member": pl.Int64, "rate": pl.String, "monthly": pl.Int64, "amount": pl.Int64},
    )
    _write(out, args.out)
    return 0


def main(argv: list[str]) -> int:
    """Run ``ansinh rules …``; returns the exit code (see module docs)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on usage errors, 0 for --help
        return exc.code if isinstance(exc.code, int) else 2
    commands = {"poverty": _poverty, "allowance": _allowance, "bhyt": _bhyt}
    try:
        return commands[args.command](args)
    except MissingParameterError as exc:
        print(
            "Thiếu tham số cho thời điểm này / missing parameters for this date:", file=sys.stderr
        )
        for _, _, message in exc.missing:
            print(f"  - {message}", file=sys.stderr)
        print(
            "  Add the values with their legal reference in a parameters file (--parameters), "
            "see docs/rules.md.",
            file=sys.stderr,
        )
        return 2
    except (io.FileError, ParameterError, InputError, _Usage) as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2
