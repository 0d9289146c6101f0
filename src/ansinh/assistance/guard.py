"""The eligibility guard: every reason not to pay a case as is in a month.

One function per rule over a polars frame of the month's payable cases; the findings are
stored as :class:`GuardItem` rows (one per case, month and rule: running again adds nothing).
Messages are Vietnamese sentences, like the rules engine's explanations.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from ansinh.assistance.choices import (
    CaseStatus,
    GuardAction,
    GuardOrigin,
    GuardRule,
    LineKind,
    LineStatus,
    PaymentMethod,
    Scheme,
)
from ansinh.assistance.entitlement import RULES_STATUS
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.core.money import format_vnd
from ansinh.poverty.selectors import status_in_commune
from ansinh.registry.choices import LifeStatus
from ansinh.rules.allowance import compute

ACCOUNT_NUMBER = re.compile(r"^\d{6,19}$")
_HOUSEHOLD_VI = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo", "other": "không nghèo/cận nghèo"}
_LIFE_VI = {LifeStatus.DECEASED: "đã chết", LifeStatus.MOVED_AWAY: "đã chuyển đi"}


def payable_cases(commune_code: int, month: dt.date) -> Q:
    """Cases that are paid for ``month``: started, and active or stopped/transferred from a
    later month."""
    return (
        Q(commune_id=commune_code, effective_month__lte=month)
        & (
            Q(status=CaseStatus.ACTIVE)
            | Q(status__in=[CaseStatus.STOPPED, CaseStatus.TRANSFERRED], end_month__gt=month)
        )
        & (Q(end_month__isnull=True) | Q(end_month__gt=month))
    )


# The guard reads every payable case of the month. At a million cases, turning each row into a
# tuple of 16 Python values (and dates and JSON parsed per row by the driver) was most of its
# time; instead the database joins each row into ONE text line of unit-separated fields and
# polars splits the lines into typed columns in bulk. The fields are ids, codes, digits and
# dates (no free text), and the unit separator (U+001F) cannot be typed into a form.
_SEP = "\x1f"
_FIELDS = {
    "id": ("id", pl.Int64),
    "person_id": ("person_id", pl.Int64),
    "household_id": ("household_id", pl.Int64),
    "scheme": ("scheme", pl.String),
    "groups": ("groups", pl.String),
    "children": ("children", pl.Int64),
    "pension": ("pension", pl.Int64),
    "amount": ("amount", pl.Int64),
    "household_status": ("household_status", pl.String),
    "payment_method": ("payment_method", pl.String),
    "bank": ("bank", pl.String),
    "bank_account_number": ("bank_account_number", pl.String),
    "date_of_birth": ("person__date_of_birth", pl.String),
    "life_status": ("person__life_status", pl.String),
    "status_date": ("person__status_date", pl.String),
    "status": ("status", pl.String),
}
RAW_SCHEMA = {name: dtype for name, (_field, dtype) in _FIELDS.items()}
SCHEMA = RAW_SCHEMA | {"date_of_birth": pl.Date, "status_date": pl.Date}


def load_frame(commune_code: int, month: dt.date, chunk: int = 100_000) -> pl.DataFrame:
    """The month's payable cases as columns (``groups`` joined with ``;``).

    The ORM writes the query (one definition of who is payable: :func:`payable_cases`); each
    row arrives as one text line and polars parses the lines, a chunk at a time."""
    aliases = {f"f{i}": Cast(field, TextField()) for i, (field, _t) in enumerate(_FIELDS.values())}
    qs = (
        Case.objects.filter(payable_cases(commune_code, month))
        .annotate(**aliases)
        .values_list(*aliases)
        .order_by()
    )
    inner, inner_params = qs.query.sql_with_params()
    quote = connection.ops.quote_name
    joined = " || %s || ".join(f"COALESCE(t.{quote(a)}, '')" for a in aliases)
    sql = f"SELECT {joined} FROM ({inner}) t"  # noqa: S608 - aliases are ours, values params
    params = [_SEP] * (len(aliases) - 1) + list(inner_params)
    frames = []
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk):
            text = "\n".join(row[0] for row in batch).encode()
            frames.append(
                pl.read_csv(
                    io.BytesIO(text),
                    has_header=False,
                    separator=_SEP,
                    quote_char=None,
                    new_columns=list(RAW_SCHEMA),
                    schema_overrides=RAW_SCHEMA,
                )
            )
    raw = pl.concat(frames) if frames else pl.DataFrame(schema=RAW_SCHEMA)
    return raw.with_columns(
        pl.col("groups").fill_null("").str.replace_all(r'[\[\]"\s]', "").str.replace_all(",", ";"),
        pl.col("bank").fill_null(""),
        pl.col("bank_account_number").fill_null(""),
        pl.col("household_status").fill_null(""),
        pl.col("date_of_birth").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        pl.col("status_date").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
    )


def with_household_status(frame: pl.DataFrame, commune_code: int, month: dt.date) -> pl.DataFrame:
    """Add ``household_now``: the official status on ``month`` as the rules engine reads it
    (poor, near_poor or other), joined from the commune's recorded statuses (read in one
    query; most households have none)."""
    known = {
        household: status
        for household, status in status_in_commune(commune_code, month).items()
        if status in RULES_STATUS
    }
    statuses = pl.DataFrame(
        {"household_id": list(known), "household_now": list(known.values())},
        schema={"household_id": pl.Int64, "household_now": pl.String},
    )
    return frame.join(statuses, on="household_id", how="left").with_columns(
        pl.col("household_now").fill_null("other")
    )


@dataclass(frozen=True)
class Finding:
    case_id: int
    rule: str
    blocking: bool
    message: str


def rule_person_gone(frame: pl.DataFrame, month: dt.date) -> Iterator[Finding]:
    gone = frame.filter(
        (pl.col("life_status") != LifeStatus.LIVING) & (pl.col("status") == CaseStatus.ACTIVE)
    )
    for r in gone.select("id", "life_status", "status_date").iter_rows(named=True):
        when = r["status_date"]
        before = when is not None and when < month
        yield Finding(
            r["id"],
            GuardRule.PERSON_GONE,
            True,
            f"Người hưởng {_LIFE_VI.get(r['life_status'], r['life_status'])} ngày "
            f"{when:%d/%m/%Y}: "
            + (
                "không chi trả, dừng trợ cấp."
                if before
                else "chi trả tháng này, dừng trợ cấp từ tháng sau."
            ),
        )


def rule_two_cases(frame: pl.DataFrame, month: dt.date) -> Iterator[Finding]:
    dup = frame.filter(pl.len().over("person_id") > 1)
    if dup.is_empty():
        return
    # keep the higher; on a tie keep the Decree 20 allowance (as the rules engine does)
    ranked = dup.with_columns(
        (pl.col("scheme") == Scheme.SOCIAL_ASSISTANCE).cast(pl.Int8).alias("_sa")
    ).sort(["person_id", "amount", "_sa", "id"], descending=[False, True, True, False])
    keep = ranked.group_by("person_id", maintain_order=True).first()
    kept = dict(zip(keep["person_id"], keep["amount"], strict=True))
    kept_ids = set(keep["id"])
    for r in ranked.iter_rows(named=True):
        if r["id"] in kept_ids:
            continue
        yield Finding(
            r["id"],
            GuardRule.TWO_CASES,
            True,
            f"Người này đang có 2 hồ sơ trợ cấp: chỉ hưởng một mức cao nhất "
            f"({format_vnd(kept[r['person_id']])}); dừng hồ sơ {format_vnd(r['amount'])}.",
        )


def rule_amount_changed(
    frame: pl.DataFrame, month: dt.date, province: int | None
) -> Iterator[Finding]:
    living = frame.filter(pl.col("life_status") == LifeStatus.LIVING)
    if living.is_empty():
        return
    pension = pl.col("scheme") == Scheme.SOCIAL_PENSION
    people = living.select(
        pl.col("id").cast(pl.String).alias("person_code"),
        "date_of_birth",
        pl.lit("male").alias("sex"),
        pl.col("household_now").alias("household"),
        pl.when(pension).then(pl.lit("")).otherwise(pl.col("groups")).alias("groups"),
        "children",
        "pension",
        pension.alias("social_pension_request"),
        pl.lit(month).alias("decision_month"),
    )
    result = compute(people, month, province).with_columns(
        pl.col("person_code").cast(pl.Int64).alias("key")
    )
    joined = living.select("id", "amount", "scheme").join(
        result.select(
            "key",
            pl.col("amount").alias("new"),
            pl.col("scheme").alias("new_scheme"),
            "coefficient",
        ),
        left_on="id",
        right_on="key",
    )
    changed = joined.filter(
        (pl.col("new") != pl.col("amount")) | (pl.col("new_scheme") != pl.col("scheme"))
    )
    for r in changed.iter_rows(named=True):
        new = r["new"] if r["new_scheme"] == r["scheme"] else 0
        yield Finding(
            r["id"],
            GuardRule.AMOUNT_CHANGED,
            True,
            f"Mức hưởng tháng {month:%m/%Y} theo quy định là {format_vnd(new)}"
            + (f" (hệ số {r['coefficient'].replace('.', ',')})" if r["coefficient"] else "")
            + f", khác mức đang chi {format_vnd(r['amount'])}: điều chỉnh trước khi chi.",
        )


def rule_household_status(frame: pl.DataFrame, month: dt.date) -> Iterator[Finding]:
    current = frame.select(
        "id",
        "household_status",
        pl.col("household_now").alias("now"),
    ).filter((pl.col("household_status") != "") & (pl.col("household_status") != pl.col("now")))
    for r in current.iter_rows(named=True):
        yield Finding(
            r["id"],
            GuardRule.HOUSEHOLD_STATUS,
            True,
            f"Rà soát hộ nghèo: hộ chuyển từ {_HOUSEHOLD_VI.get(r['household_status'])} "
            f"sang {_HOUSEHOLD_VI.get(r['now'])}; kiểm tra lại điều kiện hưởng.",
        )


def rule_bank_account(frame: pl.DataFrame, month: dt.date) -> Iterator[Finding]:
    bank = frame.filter(pl.col("payment_method") == PaymentMethod.BANK)
    bad = bank.filter(
        (pl.col("bank").fill_null("") == "")
        | ~pl.col("bank_account_number").fill_null("").str.contains(ACCOUNT_NUMBER.pattern)
    )
    for r in bad.select("id", "bank_account_number").iter_rows(named=True):
        yield Finding(
            r["id"],
            GuardRule.BANK_ACCOUNT,
            True,
            "Chi trả qua ngân hàng nhưng thiếu hoặc sai số tài khoản (6–19 chữ số): "
            "bổ sung tài khoản hoặc chuyển sang chi tiền mặt.",
        )


def rule_shared_account(frame: pl.DataFrame, month: dt.date) -> Iterator[Finding]:
    bank = frame.filter(
        (pl.col("payment_method") == PaymentMethod.BANK)
        & (pl.col("bank_account_number").fill_null("") != "")
    )
    shared = bank.filter(
        pl.col("household_id").n_unique().over(["bank", "bank_account_number"]) > 1
    )
    for r in shared.select("id", "bank_account_number").iter_rows(named=True):
        yield Finding(
            r["id"],
            GuardRule.SHARED_ACCOUNT,
            True,
            f"Số tài khoản …{r['bank_account_number'][-3:]} cũng nhận trợ cấp cho người "
            "thuộc hộ khác: xác minh chủ tài khoản.",
        )


FAILED_STATUSES = [LineStatus.FAILED, LineStatus.CARRIED, LineStatus.CASH]


def rule_bank_failed(frame: pl.DataFrame, month: dt.date, commune_code: int) -> Iterator[Finding]:
    """The previous payroll's bank payment to this case failed and the account is unchanged:
    paying it again the same way would fail again (or reach the wrong person)."""
    previous = (
        Payroll.objects.filter(commune_id=commune_code, month__lt=month).order_by("-month").first()
    )
    if previous is None:
        return
    failed = {
        case_id: (account, reason)
        for case_id, account, reason in PayrollLine.objects.filter(
            payroll=previous, method=PaymentMethod.BANK, status__in=FAILED_STATUSES
        ).values_list("case_id", "account_number", "result_reason")
    }
    if not failed:
        return
    bank = frame.filter(
        (pl.col("payment_method") == PaymentMethod.BANK) & pl.col("id").is_in(list(failed))
    )
    for r in bank.select("id", "bank_account_number").iter_rows(named=True):
        account, reason = failed[r["id"]]
        if account != (r["bank_account_number"] or ""):
            continue  # the account has been corrected since
        yield Finding(
            r["id"],
            GuardRule.BANK_FAILED,
            True,
            f"Chi trả tháng {previous.month:%m/%Y} vào tài khoản …{account[-3:]} không thành "
            f"công ({reason or 'không rõ lý do'}): kiểm tra, sửa số tài khoản hoặc chuyển "
            "sang chi tiền mặt.",
        )


def rule_ended_arrears(commune_code: int, month: dt.date) -> Iterator[Finding]:
    """Arrears on this month's payroll for a case that has ended (stopped or transferred):
    money still owed for months before the end, paid only once the officer has checked who
    receives it (the heirs when the recipient has died)."""
    lines = (
        PayrollLine.objects.filter(
            payroll__commune_id=commune_code,
            payroll__month=month,
            kind=LineKind.ARREARS,
            case__end_month__lte=month,
        )
        .values_list("case_id", "case__end_month", "amount", "month")
        .order_by("case_id", "month")
    )
    owed: dict[int, list[Any]] = {}
    for case_id, end, amount, paid_for in lines:
        item = owed.setdefault(case_id, [end, 0, []])
        item[1] += amount
        item[2].append(f"{paid_for:%m/%Y}")
    for case_id, (end, total, months) in owed.items():
        yield Finding(
            case_id,
            GuardRule.ENDED_ARREARS,
            True,
            f"Hồ sơ đã dừng từ tháng {end:%m/%Y} nhưng còn {len(months)} tháng chưa chi "
            f"({', '.join(months)}; {format_vnd(total)}): xác định người nhận (người thừa kế "
            "nếu người hưởng đã chết) rồi chi, hoặc ghi rõ là không còn được hưởng.",
        )


def guard_findings(commune_code: int, month: dt.date) -> list[Finding]:
    from ansinh.places.models import Commune

    findings: list[Finding] = list(rule_ended_arrears(commune_code, month))
    frame = load_frame(commune_code, month)
    if frame.is_empty():
        return findings
    province = Commune.objects.values_list("province_id", flat=True).get(code=commune_code)
    frame = with_household_status(frame, commune_code, month)
    findings += rule_person_gone(frame, month)
    findings += rule_two_cases(frame, month)
    findings += rule_amount_changed(frame, month, province)
    findings += rule_household_status(frame, month)
    findings += rule_bank_account(frame, month)
    findings += rule_shared_account(frame, month)
    findings += rule_bank_failed(frame, month, commune_code)
    return findings


def guard_run(*, commune_code: int, month: dt.date) -> int:
    """Store this month's findings; items a guard run raised that are no longer found are
    closed as "no longer applies" (items raised by an event stay until resolved). Returns the
    number of unresolved blocking items.

    Atomic: a crash leaves the previous findings and the payroll's ``guarded_version`` as
    they were, so a payroll whose guard failed can be neither prepared, approved nor
    exported. The version is read *before* the data: a change committed while the guard runs
    leaves the payroll stale."""
    with transaction.atomic():
        payroll = Payroll.objects.filter(commune_id=commune_code, month=month).first()
        version = payroll.inputs_version if payroll else None
        findings = guard_findings(commune_code, month)
        GuardItem.objects.bulk_create(
            [
                GuardItem(
                    case_id=f.case_id,
                    commune_id=commune_code,
                    month=month,
                    rule=f.rule,
                    blocking=f.blocking,
                    message=f.message[:400],
                )
                for f in findings
            ],
            ignore_conflicts=True,
            batch_size=5000,
        )
        found = {(f.case_id, f.rule) for f in findings}
        stale = [
            pk
            for pk, case_id, rule in GuardItem.objects.filter(
                commune_id=commune_code,
                month=month,
                resolved_at__isnull=True,
                origin=GuardOrigin.GUARD,
            ).values_list("id", "case_id", "rule")
            if (case_id, rule) not in found
        ]
        if stale:
            GuardItem.objects.filter(id__in=stale).update(
                resolved_at=timezone.now(), action=GuardAction.CLEARED
            )
        if payroll is not None:
            Payroll.objects.filter(pk=payroll.pk).update(
                guarded_version=version, guarded_at=timezone.now()
            )
        return blocking_count(commune_code, month)


def blocking_count(commune_code: int, month: dt.date) -> int:
    return GuardItem.objects.filter(
        commune_id=commune_code, month=month, blocking=True, resolved_at__isnull=True
    ).count()
