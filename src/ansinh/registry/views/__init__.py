"""The registry's pages, by group: the start page (home), the audit log and its export
(audit), households (list, detail, register, edit, head, split), persons (add, edit, death,
move, reveal, field check) and village heads' proposals (a new household, list, one proposal,
decision).
"""

from ansinh.registry.views.audit import audit_log, audit_log_export
from ansinh.registry.views.home import home
from ansinh.registry.views.households import (
    household_change_head,
    household_create,
    household_detail,
    household_edit,
    household_export,
    household_list,
    household_reveal,
    household_split,
)
from ansinh.registry.views.persons import (
    person_create,
    person_death,
    person_edit,
    person_move_out,
    person_reveal,
    validate_person_field,
)
from ansinh.registry.views.proposals import (
    proposal_decide,
    proposal_detail,
    proposal_household,
    proposal_list,
)

__all__ = [
    "audit_log",
    "audit_log_export",
    "home",
    "household_change_head",
    "household_create",
    "household_detail",
    "household_edit",
    "household_export",
    "household_list",
    "household_reveal",
    "household_split",
    "person_create",
    "person_death",
    "person_edit",
    "person_move_out",
    "person_reveal",
    "proposal_decide",
    "proposal_detail",
    "proposal_household",
    "proposal_list",
    "validate_person_field",
]
