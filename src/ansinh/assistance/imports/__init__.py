"""The commune's current allowance recipients: one row per person, with the decision that
granted the allowance, becomes a decided case (kind ``allowances``).

Each row names the person (CCCD, else household code and name, else name and date of birth —
a match the officer confirms; the person must be in the registry: import the households
first), the beneficiary group as officers write it (the wording of Decree 20/2021 Art. 5,
its usual short forms — "NKT nặng", "Trẻ em mồ côi", "NCT từ đủ 80 tuổi" —, "Khoản 6 Điều 5",
or the social pension), the decision's number and date, the month it is paid from, the
amount in đồng, how it is paid ("Tiền mặt", "Chuyển khoản", "Bưu điện", a bank's name), the
bank, the account number and its holder.

The file's amount is what was decided, and it is what is recorded. Beside it the rules engine
computes the amount for that person and group in the decision's month
(:mod:`ansinh.assistance.entitlement`): every difference is a note on the preview, and a
policy value the engine lacks makes only the rows it concerns say so.

A case already recorded for the same person and scheme (the same group, or the same
decision) is unchanged, or updated with what the file corrects; so importing the same file
again changes nothing. Cases are written by :func:`case_import` and :func:`case_import_update`
(the shape of :mod:`ansinh.assistance.services`: the caller's scope, one transaction, a dated
case event, every change audited with the file's name).

The package: ``columns`` (the columns, :class:`Recipient`), ``cells`` (reading the group,
the payment, the month), ``allowances`` (the kind), ``matching`` (the recorded cases),
``engine`` (the rules engine's amount beside the file's), ``writes`` (the services).
"""

from ansinh.assistance.imports.allowances import AllowancesImport
from ansinh.assistance.imports.cells import bank_of, group_label, group_of, payment_of
from ansinh.assistance.imports.columns import COLUMNS, Recipient
from ansinh.assistance.imports.writes import case_import, case_import_update

__all__ = [
    "COLUMNS",
    "AllowancesImport",
    "Recipient",
    "bank_of",
    "case_import",
    "case_import_update",
    "group_label",
    "group_of",
    "payment_of",
]
