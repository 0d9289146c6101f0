"""Checks a registry write runs before it saves: a personal ID registered elsewhere (named only
when the caller may see that person; otherwise refused and logged), the same name and birth
date already in the commune (a warning to confirm), the same ID twice in one form."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.identifiers import mask
from ansinh.core.models import AuditAction
from ansinh.places.models import Village
from ansinh.registry.models import Person
from ansinh.registry.validation import PersonData


class PossibleDuplicate(ValidationError):
    """Same folded name and date of birth already in the commune: the officer must confirm."""

    def __init__(self, matches: Sequence[Person], field: str = "full_name"):
        self.matches = list(matches)
        names = "; ".join(
            _("%(name)s, born %(dob)s, household %(code)s")
            % {"name": p.full_name, "dob": f"{p.date_of_birth:%d/%m/%Y}", "code": p.household.code}
            for p in self.matches
        )
        super().__init__(
            {
                field: [
                    _(
                        "A person with the same name and date of birth is already registered "
                        "(%(names)s). Tick “This is a different person” to save anyway."
                    )
                    % {"names": names}
                ]
            },
        )


class CccdTakenElsewhere(ValidationError):
    """The personal ID belongs to someone the actor may not see (another commune, or a
    village outside the actor's scope): refused without naming them, and logged.

    The refusal rolls the service's transaction back, so the audit entry is written by the
    outermost registry service once its transaction has unwound (:func:`_logs_refusals`)."""

    def __init__(
        self, *, cccd: str, scope: Scope, village: Village, field: str = "cccd", who: str = ""
    ):
        self.cccd, self.scope, self.village, self.field = cccd, scope, village, field
        self.logged = False
        message = _("This personal ID is already registered elsewhere.")
        if who:  # the member it is about, when the message is shown away from the member
            message = for_member(who, message)
        super().__init__({field: [message]})

    def keyed(self, field: str, who: str = "") -> CccdTakenElsewhere:
        """The same refusal under another form key (a member of a household form), or
        naming the member (``who``)."""
        return CccdTakenElsewhere(
            cccd=self.cccd, scope=self.scope, village=self.village, field=field, who=who
        )

    def log(self) -> None:
        """One EVENT entry in the commune where it was typed, on the village: the number
        masked, nothing of the other person (neither name nor id)."""
        if self.logged:
            return
        self.logged = True
        audit.record(
            actor=self.scope,
            instance=self.village,
            action=AuditAction.EVENT,
            note=_("A personal ID already registered elsewhere was refused (%(cccd)s).")
            % {"cccd": mask(self.cccd)},
            commune_code=self.village.commune_id,
        )


def for_member(name: str, message: str) -> str:
    """A member's error shown away from the member's fields (a proposal being applied)."""
    return _("%(name)s: %(message)s") % {"name": name, "message": message}


_service_depth: ContextVar[int] = ContextVar("registry_service_depth", default=0)
_F = TypeVar("_F", bound=Callable[..., Any])


def _logs_refusals(fn: _F) -> _F:
    """Put outside ``@transaction.atomic``: the outermost registry service logs a refused
    personal ID after its own transaction was rolled back (a nested service cannot: the
    outer one's rollback would take the entry with it)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = _service_depth.get()
        token = _service_depth.set(depth + 1)
        try:
            return fn(*args, **kwargs)
        except CccdTakenElsewhere as exc:
            if depth == 0:
                exc.log()
            raise
        finally:
            _service_depth.reset(token)

    return wrapper  # type: ignore[return-value]


# --- checks ---------------------------------------------------------------------------


def _check_cccd_free(
    cccd: str, *, scope: Scope, village: Village, exclude_id: int | None = None
) -> None:
    """Refuse a personal ID that is already registered. The other person is named only
    when they are in the same commune and in the actor's scope (the officer needs to know
    which household to look at); otherwise the refusal says "elsewhere" and is logged."""
    if not cccd:
        return
    other = Person.objects.select_related("household", "village").filter(cccd=cccd)
    if exclude_id:
        other = other.exclude(pk=exclude_id)
    found = other.first()
    if found is None:
        return
    visible = found.commune_id == village.commune_id and (scope.allows_village(found.village_id))
    if not visible:
        raise CccdTakenElsewhere(cccd=cccd, scope=scope, village=village)
    raise ValidationError(
        {
            "cccd": [
                _(
                    "This personal ID is already registered to %(name)s, household "
                    "%(code)s (%(village)s)."
                )
                % {
                    "name": found.full_name,
                    "code": found.household.code,
                    "village": found.village.name,
                }
            ]
        }
    )


def _check_duplicate_name(
    commune_code: int, fields: dict[str, Any], *, exclude_id: int | None, confirmed: bool
) -> None:
    if confirmed:
        return
    qs = Person.objects.select_related("household").filter(
        commune_id=commune_code,
        folded_name=fields["folded_name"],
        date_of_birth=fields["date_of_birth"],
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    matches = list(qs[:5])
    if matches:
        raise PossibleDuplicate(matches)


def _check_batch_unique(people: Sequence[PersonData]) -> None:
    seen: dict[str, int] = {}
    for index, person in enumerate(people):
        if person.cccd and person.cccd in seen:
            raise ValidationError(
                {
                    f"members-{index}-cccd": [
                        _("The same personal ID is entered twice in this household.")
                    ]
                }
            )
        if person.cccd:
            seen[person.cccd] = index
