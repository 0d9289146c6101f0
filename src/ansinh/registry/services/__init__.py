"""Writes to the registry. Views, forms, the API and commands call these, never ``.save()``.

Every service is atomic, takes the caller's ``Scope`` (checked by
``ansinh.accounts.permissions``), validates with
``ansinh.registry.validation`` and leaves audit entries.
"""

from ansinh.registry.checks import CccdTakenElsewhere, PossibleDuplicate
from ansinh.registry.services.common import HOUSEHOLD_FIELDS, PERSON_FIELDS
from ansinh.registry.services.households import (
    household_change_head,
    household_close,
    household_register,
    household_split,
    household_update,
)
from ansinh.registry.services.persons import (
    person_add,
    person_move_out,
    person_record_death,
    person_update,
)
from ansinh.registry.services.proposals import (
    proposal_apply,
    proposal_reject,
    proposal_submit,
    proposal_submit_household,
)

__all__ = [
    "HOUSEHOLD_FIELDS",
    "PERSON_FIELDS",
    "CccdTakenElsewhere",
    "PossibleDuplicate",
    "household_change_head",
    "household_close",
    "household_register",
    "household_split",
    "household_update",
    "person_add",
    "person_move_out",
    "person_record_death",
    "person_update",
    "proposal_apply",
    "proposal_reject",
    "proposal_submit",
    "proposal_submit_household",
]
