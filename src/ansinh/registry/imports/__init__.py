"""The households list: one row per person, as officers keep it in Excel.

Members belong together by the household code, or, without one, by the rows under each
"Chủ hộ" (a code, village or address typed only on the head's row — often a merged cell —
holds for the rows under it). Every person is checked as the forms check them
(:func:`ansinh.registry.validation.clean_person`: the CCCD against the date of birth and sex,
phones, names).

A re-imported or corrected file updates what it matches: a person by CCCD, a household by
its code (and its members by name and date of birth inside it); a household found only by
its head's name and date of birth is a *match to confirm* — applied only when the officer
confirms, otherwise left out with the reason. An empty cell never erases what is recorded.

New households and persons are written in bulk (a 100,000-person workbook in well under a
minute), each with its audit entry; changes go through the registry's services
(:func:`household_update`, :func:`person_update`), so they are audited and signalled like an
edit on the form.
"""

from ansinh.registry.imports.columns import COLUMNS, aliases_of
from ansinh.registry.imports.households import HouseholdsImport

__all__ = ["COLUMNS", "HouseholdsImport", "aliases_of"]
