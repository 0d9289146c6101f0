"""Report upward (step 5) and the chairman's decision (Form 02): results become official
statuses with their transitions; batch classification of a round."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Q
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.places.models import Commune, Village
from ansinh.poverty import signals
from ansinh.poverty.choices import (
    ROUND_STATUS_ORDER,
    EntryStatus,
    RoundKind,
    RoundStatus,
)
from ansinh.poverty.models import (
    PovertyStatusPeriod,
    ReviewRound,
    RoundHousehold,
)
from ansinh.poverty.permissions import (
    ensure_approver,
    ensure_officer,
)
from ansinh.poverty.selectors import (
    escaped_before,
    status_on,
    transition_of,
)
from ansinh.registry.models import Household

REPORT_FIELDS = ["report_number", "report_date", "report_recipient"]


# --- report up (step 5) -----------------------------------------------------------------


def default_report_recipient(commune: Commune) -> str:
    """Who receives the commune's report. Until 1 July 2025 it was the district; districts no
    longer exist, so by default the province's People's Committee (the officer may change it,
    e.g. to name the department that handles poverty reduction)."""
    from ansinh.places.choices import ProvinceType

    province = commune.province
    kind = "thành phố" if province.kind == ProvinceType.CITY else "tỉnh"
    return f"Ủy ban nhân dân {kind} {province.name}"


def can_report(rnd: ReviewRound) -> bool:
    """The results are reported once posted publicly and before the chairman's decision."""
    return ROUND_STATUS_ORDER.index(rnd.status) >= ROUND_STATUS_ORDER.index(
        RoundStatus.POSTING
    ) and rnd.status not in (RoundStatus.DECIDED, RoundStatus.CLOSED)


@transaction.atomic
def report_record(
    *,
    scope: Scope,
    rnd: ReviewRound,
    number: str,
    reported_on: dt.date | None,
    recipient: str,
) -> ReviewRound:
    """Step 5 of Decision 24/2021: the commune reports the results upward (annual review:
    preliminary before 15 November, official before 20 December; regular review: on the 5th
    of the following month). Recorded again to correct it, until the decision."""
    ensure_officer(scope, rnd.commune_id)
    rnd = ReviewRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        raise ValidationError(_("The round is decided: its report can no longer be changed."))
    if not can_report(rnd):
        raise ValidationError(_("The results are reported once the lists have been posted."))
    errors: dict[str, list[str]] = {}
    if not number.strip():
        errors["number"] = [_("Enter the number of the report.")]
    if reported_on is None:
        errors["reported_on"] = [_("Enter the date of the report.")]
    if not recipient.strip():
        errors["recipient"] = [_("Enter who receives the report.")]
    if errors:
        raise ValidationError(errors)
    with audit.tracked(scope, rnd, REPORT_FIELDS, commune_code=rnd.commune_id, note="report"):
        rnd.report_number = number.strip()[:50]
        rnd.report_date = reported_on
        rnd.report_recipient = recipient.strip()[:200]
        rnd.save(update_fields=REPORT_FIELDS)
    return rnd


# --- decision ---------------------------------------------------------------------------


@transaction.atomic
def round_decide(
    *,
    scope: Scope,
    rnd: ReviewRound,
    number: str,
    signed_on: dt.date,
    effective_date: dt.date,
) -> dict[str, int]:
    """The chairman's decision (Form 02): every household agreed by its village becomes
    official from ``effective_date``; the previous period ends the day before. An annual
    round needs its report upward first (step 5)."""
    ensure_approver(scope, rnd.commune_id)
    if rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        raise ValidationError(_("This round is decided already."))
    if not number.strip():
        raise ValidationError({"number": [_("Enter the decision number.")]})
    if rnd.kind == RoundKind.ANNUAL and not rnd.report_number:
        raise ValidationError(
            _(
                "Report the results upward before the chairman's decision (Decision "
                "24/2021/QĐ-TTg, step 5): record the report first."
            )
        )
    if rnd.report_date and signed_on < rnd.report_date:
        raise ValidationError(
            {"signed_on": [_("The decision cannot be signed before the report of the results.")]}
        )
    entries = list(
        rnd.entries.select_for_update()
        .filter(status=EntryStatus.AGREED)
        .only("pk", "round", "household", "result_class", "status", "transition")
    )
    if not entries:
        raise ValidationError(_("No household has been agreed by a village meeting yet."))
    counts = round_results_apply(
        scope=scope, entries=entries, effective_date=effective_date, basis=number.strip()
    )
    rnd.decision_number = number.strip()
    rnd.decision_signed_on = signed_on
    rnd.effective_date = effective_date
    rnd.status = RoundStatus.DECIDED
    rnd.save(update_fields=["decision_number", "decision_signed_on", "effective_date", "status"])
    signals.statuses_changed.send(
        sender=ReviewRound,
        commune_code=rnd.commune_id,
        household_ids=[e.household_id for e in entries],
        effective_date=effective_date,
    )
    audit.record(
        actor=scope,
        instance=rnd,
        action=AuditAction.EVENT,
        commune_code=rnd.commune_id,
        after={"decision": number, "effective_date": effective_date.isoformat(), **counts},
        note="decision",
    )
    return counts


def round_results_apply(
    *,
    scope: Scope,
    entries: list[RoundHousehold],
    effective_date: dt.date,
    basis: str,
) -> dict[str, int]:
    """Stored results → transitions and PovertyStatusPeriod periods (bulk; used by ``round_decide``
    and the bench). Caller holds the transaction."""
    ids = [e.household_id for e in entries]
    day_before = effective_date - dt.timedelta(days=1)
    current: dict[int, str] = {}
    escaped: set[int] = set()
    for start in range(0, len(ids), 5000):  # PostgreSQL takes at most 65,535 parameters
        current.update(status_on(ids[start : start + 5000], day_before))
        escaped |= escaped_before(ids[start : start + 5000], effective_date)
    counts: dict[str, int] = {}
    new_periods = []
    for entry in entries:
        previous = current[entry.household_id]
        entry.transition = transition_of(
            previous, entry.result_class, entry.household_id in escaped
        )
        entry.status = EntryStatus.DECIDED
        key = str(entry.transition)
        counts[key] = counts.get(key, 0) + 1
        if entry.result_class != previous:
            new_periods.append(
                PovertyStatusPeriod(
                    household_id=entry.household_id,
                    poverty_class=entry.result_class,
                    valid_from=effective_date,
                    basis=basis[:200],
                    recorded_by=scope.user,
                )
            )
    changed = [p.household_id for p in new_periods]
    for start in range(0, len(changed), 900):
        chunk = changed[start : start + 900]
        PovertyStatusPeriod.objects.filter(
            household_id__in=chunk, valid_from__lte=day_before
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=effective_date)).update(
            valid_to=day_before
        )
        PovertyStatusPeriod.objects.filter(
            household_id__in=chunk, valid_from__gte=effective_date
        ).delete()
    PovertyStatusPeriod.objects.bulk_create(new_periods, batch_size=1000)
    _update_many(entries, ["transition", "status"])
    return counts


RESULT_FIELDS = [
    "result_class",
    "flags",
    "deprived_count",
    "explanation",
    "explanation_text",
    "parameter_versions",
    "problem",
]


def round_classify(*, rnd: ReviewRound, batch: int = 10_000, explain: bool = True) -> int:
    """Recompute the stored result of every surveyed household of a round in batches (one
    call of the rules engine per batch); used when a round is closed and by the bench. A
    refused standard (e.g. 2027) is stored as the problem of every entry."""
    from ansinh.poverty.classification import classify_many, refusal_message
    from ansinh.rules.errors import MissingParameterError

    done = 0
    qs = rnd.entries.exclude(answers={}).only("pk", "round", "household", "village", "answers")
    qs = qs.order_by("pk")
    village_area = {
        v.pk: v.area_type
        for v in Village.objects.filter(commune_id=rnd.commune_id).select_related("commune")
    }
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return done
        last = chunk[-1].pk
        override = dict(
            Household.objects.filter(pk__in=[e.household_id for e in chunk])
            .exclude(area_type_override="")
            .values_list("pk", "area_type_override")
        )
        items = [
            (str(e.pk), override.get(e.household_id) or village_area[e.village_id], e.answers)
            for e in chunk
        ]
        try:
            results = classify_many(items, rnd.standard_date, explain=explain)
        except MissingParameterError as exc:
            for e in chunk:
                e.result_class, e.problem = "", refusal_message(exc)
        else:
            for e in chunk:
                res = results[str(e.pk)]
                e.result_class = res.result_class
                e.flags = res.flags
                e.deprived_count = res.deprived_count
                e.explanation = res.explanation
                e.explanation_text = res.text
                e.parameter_versions = res.versions
                e.problem = res.problem
        with transaction.atomic():
            _update_many(chunk, RESULT_FIELDS)
        done += len(chunk)


def _update_many(entries: list[RoundHousehold], fields: list[str]) -> None:
    """``UPDATE … WHERE id = ?`` for every entry in one ``executemany``: much faster than
    ``bulk_update``'s CASE expressions for wide JSON rows, on SQLite and PostgreSQL."""
    from django.db import connection

    meta = RoundHousehold._meta
    columns: list[Field[Any, Any]] = [
        c for c in (meta.get_field(f) for f in fields) if isinstance(c, Field)
    ]
    table = connection.ops.quote_name(meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(str(c.column))} = %s" for c in columns)
    rows = [
        [c.get_db_prep_save(getattr(e, c.attname), connection) for c in columns] + [e.pk]
        for e in entries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608 (quoted names)
