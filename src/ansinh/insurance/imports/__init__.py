"""Health-insurance cards from the social-insurance agency's list (XLSX, XLS, ODS or CSV),
on the shared import framework (kind ``cards``).

One row per card period: the person (CCCD, social-insurance number, the 15-character card
code, or the household code and name, or the name and date of birth), the group printed on
the card, valid from and to, and the day it was paid. Vietnamese headers ("Mã số BHXH",
"Mã thẻ", "Giá trị sử dụng từ ngày" …) and the English ones of earlier files (``cccd``,
``social_insurance_number``, ``legacy_code``, ``group_code``, ``valid_from``, ``valid_to``,
``paid_on``) are both recognised.

A person is found by CCCD, else by a number on an earlier card of the commune, else by the
household code and name, else by name and date of birth (a match the officer confirms). A
period already recorded (same person, same first day) is unchanged, or updated when the file
corrects it (an empty cell never erases), so re-importing the same file changes nothing.
Every bad row is listed with its sheet row and column; nothing is written unless every row
is good, or the officer skips the bad ones.

:func:`cards_import` runs the framework's steps at once for the card page
(``insurance:card_import``) and the command ``ansinh cards import``.

The package: ``columns`` (the columns, :class:`CardRow`, the card group), ``cards`` (the
kind), ``matching`` (the person and the recorded card period), ``at_once`` (:func:`cards_import`).
"""

from ansinh.insurance.imports.at_once import ImportReport, cards_import
from ansinh.insurance.imports.cards import CardsImport
from ansinh.insurance.imports.columns import COLUMNS, group_code

__all__ = ["COLUMNS", "CardsImport", "ImportReport", "cards_import", "group_code"]
