"""Who may do what in a review round: the commune's rounds only; the officer everywhere,
village heads and assigned surveyors in their villages; nobody approves a survey they saved.
The decision itself is ``ansinh.accounts.permissions``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.poverty.choices import (
    CommitteeRole,
    EntryStatus,
    RoundStatus,
)
from ansinh.poverty.models import (
    CommitteeMember,
    ReviewRound,
    RoundHousehold,
)


def in_commune(scope: Scope, commune_code: int) -> Scope:
    if scope.commune_code != commune_code:
        raise PermissionDenied(_("This round belongs to another commune."))
    return scope


def ensure_officer(scope: Scope, commune_code: int) -> None:
    require(scope, commune_code, can="edit", message=_("Only the commune officer can do this."))


def ensure_approver(scope: Scope, commune_code: int) -> None:
    require(scope, commune_code, can="approve", message=_("Your role cannot approve results."))


def user_id(scope: Scope) -> int | None:
    return scope.user.pk if scope.user is not None else None


def survey_villages(scope: Scope, rnd: ReviewRound) -> frozenset[int] | None:
    """Villages whose households ``scope`` may survey in ``rnd`` (None = all, empty = none):
    the officer everywhere; village heads their villages; committee members assigned as
    surveyors or village heads the villages of their assignment."""
    scope = in_commune(scope, rnd.commune_id)
    if scope.can_edit:
        return None
    allowed: set[int] = set(scope.village_ids or ()) if scope.can_propose else set()
    assigned = CommitteeMember.objects.filter(
        round=rnd, user=scope.user, role__in=[CommitteeRole.SURVEYOR, CommitteeRole.VILLAGE_HEAD]
    )
    for member in assigned:
        ids = set(member.villages.values_list("id", flat=True))
        if scope.village_ids is not None:
            ids &= set(scope.village_ids)
        allowed |= ids
    return frozenset(allowed)


def can_survey(scope: Scope, entry: RoundHousehold) -> bool:
    if entry.round.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        return False
    if entry.status in (EntryStatus.AGREED, EntryStatus.DECIDED):
        return False
    allowed = survey_villages(scope, entry.round)
    return allowed is None or entry.village_id in allowed


def can_approve(scope: Scope, entry: RoundHousehold) -> bool:
    """Officer or committee, never someone who saved this survey."""
    scope = in_commune(scope, entry.round.commune_id)
    return (
        scope.can_approve
        and user_id(scope) not in entry.surveyors
        and entry.status == EntryStatus.SURVEYED
        and bool(entry.result_class)
    )
