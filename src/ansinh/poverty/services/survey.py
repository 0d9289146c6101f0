"""The survey (forms A, B1, B2 and members), one section at a time, classified by the rules
engine on every save; approval by someone who did not survey."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.forms import DateField
from ansinh.poverty.choices import (
    EntryStatus,
    RoundStatus,
)
from ansinh.poverty.classification import MEMBER_FIELDS, classify_answers
from ansinh.poverty.models import (
    ReviewRound,
    RoundHousehold,
)
from ansinh.poverty.permissions import (
    can_survey,
    ensure_approver,
    user_id,
)
from ansinh.registry.choices import LifeStatus

ENTRY_RESULT_FIELDS = ["status", "answers", "result_class", "deprived_count", "problem"]


# --- survey -----------------------------------------------------------------------------


def survey_prefill(entry: RoundHousehold) -> dict[str, Any]:
    """Answers pre-filled from the registry: living members with birth date and sex. Every
    other fact (health insurance included) starts unknown."""
    members: dict[str, Any] = {}
    registry: dict[str, Any] = {}
    for p in entry.household.members.filter(life_status=LifeStatus.LIVING).order_by(
        "date_of_birth"
    ):
        key = str(p.pk)
        registry[key] = {"date_of_birth": p.date_of_birth.isoformat(), "sex": p.sex}
        members[key] = {
            "full_name": p.full_name,
            **registry[key],
            **{f: None for f in MEMBER_FIELDS if f not in registry[key]},
        }
    return {"a": {}, "b1": {}, "b2": {}, "members": members, "registry": registry, "notes": {}}


def _clean(value: Any) -> Any:
    if value in ("", "unknown"):
        return None
    if value in ("yes", "true", "on", True):
        return True
    if value in ("no", "false", False):
        return False
    return value


def _number(value: Any, cast: type, field: str, errors: dict[str, list[str]]) -> Any:
    if value in (None, ""):
        return None
    try:
        number = cast(str(value).replace(".", "").replace(",", "") if cast is int else value)
    except (TypeError, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if number != number or number < 0 or number > 10**12:  # NaN, negative, absurd
        errors[field] = [_("Enter a number of zero or more.")]
        return None
    return number


def _section(entry: RoundHousehold, section: str, data: Mapping[str, Any]) -> dict[str, Any]:
    answers = dict(entry.answers or survey_prefill(entry))
    errors: dict[str, list[str]] = {}
    if section == "a":
        answers["a"] = {
            "screened_out": _clean(data.get("screened_out")),
            "note": str(data.get("note", ""))[:300],
        }
    elif section == "b1":
        route = data.get("route") or None
        answers["b1"] = {
            "route": route,
            "income_per_capita": _number(
                data.get("income_per_capita"), int, "income_per_capita", errors
            ),
            "b1_score": _number(data.get("b1_score"), int, "b1_score", errors),
        }
    elif section == "b2":
        b2 = {
            k: _clean(data.get(k))
            for k in (
                "house_type",
                "safe_water",
                "hygienic_latrine",
                "internet",
                "info_assets",
                "waste_treatment",
            )
        }
        b2["floor_area_m2"] = _number(data.get("floor_area_m2"), float, "floor_area_m2", errors)
        answers["b2"] = b2
    elif section.startswith("member:"):
        key = section.split(":", 1)[1]
        members = dict(answers.get("members") or {})
        if key not in members:
            raise ValidationError(_("This person is not a member of the household."))
        member = dict(members[key])
        for f in MEMBER_FIELDS:
            if f in data:
                member[f] = _clean(data.get(f))
        if member.get("date_of_birth"):
            # typed dd/mm/yyyy (yyyy-mm-dd from a page kept open since), read and bounded as
            # every date of a form; kept as yyyy-mm-dd, as the registry's value it is compared to
            try:
                born = DateField(required=False).clean(member["date_of_birth"])
                member["date_of_birth"] = born.isoformat()
            except ValidationError as exc:
                errors["date_of_birth"] = list(exc.messages)
        registry = (answers.get("registry") or {}).get(key, {})
        notes = dict(answers.get("notes") or {})
        for f, value in registry.items():
            if member.get(f) != value:
                note = str(data.get(f"note_{f}", "") or notes.get(f"{key}.{f}", "")).strip()
                if not note:
                    errors[f"note_{f}"] = [_("Say why the registry value is corrected.")]
                notes[f"{key}.{f}"] = note
            else:
                notes.pop(f"{key}.{f}", None)
        members[key] = member
        answers["members"] = members
        answers["notes"] = notes
    else:
        raise ValidationError(_("Unknown section."))
    if errors:
        raise ValidationError(errors)
    return answers


def _apply_result(entry: RoundHousehold) -> None:
    hh = entry.household
    res = classify_answers(hh.code, hh.area_type, entry.answers, entry.round.standard_date)
    entry.result_class = res.result_class
    entry.flags = res.flags
    entry.deprived_count = res.deprived_count
    entry.explanation = res.explanation
    entry.explanation_text = res.text
    entry.parameter_versions = res.versions
    entry.problem = res.problem or (("Còn thiếu: " + "; ".join(res.missing)) if res.missing else "")


@transaction.atomic
def survey_save(
    *, scope: Scope, entry: RoundHousehold, section: str, data: Mapping[str, Any]
) -> RoundHousehold:
    """Save one section of the survey and recompute the class from the rules engine."""
    entry = (
        RoundHousehold.objects.select_for_update()
        .select_related("round", "household__village")
        .get(pk=entry.pk)
    )
    if not can_survey(scope, entry):
        raise PermissionDenied(_("You cannot survey this household."))
    with audit.tracked(
        scope,
        entry,
        ENTRY_RESULT_FIELDS,
        note=f"section {section}",
        commune_code=entry.round.commune_id,
        household_id=entry.household_id,
    ):
        entry.answers = _section(entry, section, data)
        _apply_result(entry)
        if scope.user is not None and scope.user.pk not in entry.surveyors:
            entry.surveyors = [*entry.surveyors, scope.user.pk]
        entry.surveyed_by = scope.user
        entry.surveyed_at = timezone.now()
        entry.status = EntryStatus.SURVEYED
        entry.approved_by = None
        entry.approved_at = None
        entry.save()
        if entry.round.status == RoundStatus.OPEN:
            ReviewRound.objects.filter(pk=entry.round_id).update(status=RoundStatus.SURVEYING)
    return entry


@transaction.atomic
def survey_approve(*, scope: Scope, entry: RoundHousehold) -> RoundHousehold:
    """The officer or a committee member checks a complete survey (not their own)."""
    entry = RoundHousehold.objects.select_for_update().select_related("round").get(pk=entry.pk)
    ensure_approver(scope, entry.round.commune_id)
    if user_id(scope) in entry.surveyors:
        raise PermissionDenied(_("You cannot approve a survey you took part in."))
    if entry.status != EntryStatus.SURVEYED or not entry.result_class:
        raise ValidationError(_("Only a complete survey with a result can be approved."))
    with audit.tracked(
        scope,
        entry,
        ["status"],
        commune_code=entry.round.commune_id,
        household_id=entry.household_id,
    ):
        entry.status = EntryStatus.APPROVED
        entry.approved_by = scope.user
        entry.approved_at = timezone.now()
        entry.save(update_fields=["status", "approved_by", "approved_at"])
    return entry
