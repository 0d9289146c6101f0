"""What a cell of an allowance list says, as officers write it: the beneficiary group
(:func:`group_of` — the wording of Decree 20/2021 Art. 5, its short forms, its clause, or the
social pension) and its label in the reader's language (:func:`group_label`), how it is paid
(:func:`payment_of`, :func:`bank_of`), and the month it is paid from (:func:`month_of`). Each
raises :class:`ansinh.imports.values.CellError` with the reason a cell cannot be read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import get_language, gettext_noop

from ansinh.assistance.choices import PaymentMethod, Scheme
from ansinh.assistance.imports.columns import PENSION
from ansinh.core.periods import first_of_month
from ansinh.imports import values
from ansinh.registry.choices import Bank
from ansinh.rules.allowance import GROUP_CODES
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import default_parameters

# --------------------------------------------------------------------------- the group

#: Decree 20 Art. 5: clause (and point) → group code ("Khoản 5 Điều 5 điểm c", "5.5.c").
_ARTICLE = {
    "1": "child_no_support",
    "2": "student_no_support",
    "3": "child_hiv_poor",
    "4": "single_parent",
    "5a": "elderly_poor_no_supporter",
    "5b": "elderly_difficult_area",
    "5c": "elderly_80_no_pension",
    "5d": "elderly_community_care",
    "7": "child_under3_difficult_area",
    "8": "hiv_poor",
}
_SHORT = {
    "ktn": "disability_severe",
    "nktn": "disability_severe",
    "kt nang": "disability_severe",
    "nkt nang": "disability_severe",
    "ktdbn": "disability_extreme",
    "nktdbn": "disability_extreme",
    "kt dbn": "disability_extreme",
    "nkt dbn": "disability_extreme",
    "kt dac biet nang": "disability_extreme",
    "nkt dac biet nang": "disability_extreme",
    "htxh": PENSION,
    "huu tri xa hoi": PENSION,
    "tro cap huu tri xa hoi": PENSION,
    "social pension": PENSION,
}


def _article(raw: str) -> str | None:
    """ "khoan 6 dieu 5", "dieu 5 khoan 5 diem c", "k5 d5 c", "5.5.c" → a group (or "6")."""
    match = re.fullmatch(r"5 (\d)(?: ([a-d]))?", raw) or re.fullmatch(
        r"(?:khoan|k) ?(\d)(?: (?:diem )?([a-d]))? (?:dieu|d) ?5(?: (?:diem )?([a-d]))?", raw
    )
    if match is None:
        match = re.fullmatch(
            r"(?:dieu|d) ?5 (?:khoan|k) ?(\d)(?: (?:diem )?([a-d]))?(?: (?:diem )?([a-d]))?", raw
        )
    if match is None:
        return None
    clause = match.group(1)
    point = next((g for g in match.groups()[1:] if g), "")
    if clause == "6":
        return "6"
    return _ARTICLE.get(clause + point) or _ARTICLE.get(clause)


def group_of(value: Any) -> tuple[str, str]:
    """(scheme, Decree 20 group code — "" for the social pension) of a group as written."""
    raw = values.key(value)
    if not raw:
        raise values.CellError(gettext_noop("The beneficiary group is empty."))
    labels = _group_labels()
    found = _SHORT.get(raw) or labels.get(raw)
    if found is None and raw.replace(" ", "_") in GROUP_CODES:
        found = raw.replace(" ", "_")
    if found is None:
        found = _article(raw)
    if found is None:
        found = _by_words(raw)
    if found == "6":
        raise values.CellError(
            gettext_noop(
                "“%(value)s”: say whether the disability is severe (nặng) or extremely "
                "severe (đặc biệt nặng)."
            ),
            value=values.text(value)[:60],
        )
    if found is None:
        raise values.CellError(
            gettext_noop(
                "“%(value)s” is not a group of Decree 20/2021: write it as the decree does "
                "(e.g. Người khuyết tật nặng, Trẻ em dưới 16 tuổi không có nguồn nuôi dưỡng, "
                "Người cao tuổi từ đủ 80 tuổi), its clause (Khoản 6 Điều 5) or Hưu trí xã hội."
            ),
            value=values.text(value)[:60],
        )
    if found == PENSION:
        return Scheme.SOCIAL_PENSION.value, ""
    return Scheme.SOCIAL_ASSISTANCE.value, found


def _by_words(raw: str) -> str | None:
    words = set(raw.split())
    if "huu tri" in raw:
        return PENSION
    if "khuyet tat" in raw or words & {"nkt", "kt"}:
        if "dac biet nang" in raw or "dbn" in words:
            return "disability_extreme"
        if "nang" in words:
            return "disability_severe"
        return "6"
    if "hiv" in words:
        return "child_hiv_poor" if "tre" in words or "tre em" in raw else "hiv_poor"
    if "don than" in raw:
        return "single_parent"
    if "duoi 3 tuoi" in raw:
        return "child_under3_difficult_area"
    if ("16" in words and "22" in words) or "di hoc" in raw:
        return "student_no_support"
    if "tre em" in raw or "mo coi" in raw or "tre" in words:
        return "child_no_support"
    if "cong dong" in raw:
        return "elderly_community_care"
    if "75" in words:
        return "elderly_difficult_area"
    if "80" in words:
        return "elderly_80_no_pension"
    if ("cao tuoi" in raw or "nct" in words) and "ngheo" in words:
        return "elderly_poor_no_supporter"
    return None


def _group_labels() -> dict[str, str]:
    """The groups' labels of the rules' parameters (Vietnamese and English), folded."""
    params = default_parameters()
    out: dict[str, str] = {}
    for code in GROUP_CODES:
        try:
            meta = params.parameter(f"assistance.group.{code}")
        except RulesError:  # pragma: no cover - the shipped parameters name every group
            continue
        out[values.key(meta.label_vi)] = code
        out[values.key(meta.label_en)] = code
    return out


def group_label(scheme: str, group: str) -> str:
    """The group (or the social pension) in the reader's language."""
    if scheme == Scheme.SOCIAL_PENSION:
        return str(Scheme.SOCIAL_PENSION.label)
    try:
        meta = default_parameters().parameter(f"assistance.group.{group}")
    except RulesError:  # pragma: no cover
        return group
    return meta.label_vi if in_vietnamese() else meta.label_en


def in_vietnamese() -> bool:
    return (get_language() or "vi").startswith("vi")


# --------------------------------------------------------------------------- payment

_BANKS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("lien viet", "lienvietpostbank", "lpbank", "lpb"), Bank.LIENVIETPOSTBANK),
    (("agribank", "nong nghiep", "nhno", "agri"), Bank.AGRIBANK),
    (("vbsp", "nhcsxh", "nhcs", "chinh sach xa hoi", "chinh sach"), Bank.VBSP),
    (("vietcombank", "vcb", "ngoai thuong"), Bank.VIETCOMBANK),
    (("vietinbank", "viettinbank", "cong thuong", "ctg"), Bank.VIETINBANK),
    (("bidv", "dau tu va phat trien"), Bank.BIDV),
    (("sacombank", "sai gon thuong tin", "stb"), Bank.SACOMBANK),
)
_CASH = ("tien mat", "truc tiep", "buu dien", "tai xa", "tai nha", "cash", "tm")
_TRANSFER = ("chuyen khoan", "ngan hang", "tai khoan", "atm", "bank", "ck", "the")


def _has(raw: str, needles: tuple[str, ...]) -> bool:
    padded = f" {raw} "
    return any(f" {n} " in padded for n in needles)


def bank_of(value: Any) -> str:
    """A bank by its name or short name; another bank is "other" ("" when empty)."""
    raw = values.key(value)
    if not raw:
        return ""
    for needles, code in _BANKS:
        if _has(raw, needles):
            return str(code)
    return str(Bank.OTHER)


def payment_of(method: Any, bank: Any, *, has_account: bool) -> tuple[str, str]:
    """(method, bank) from the method cell ("Tiền mặt", "Chuyển khoản", "Qua bưu điện", a
    bank's name) and the bank cell. An empty method is a transfer when an account is given."""
    raw = values.key(method)
    named = bank_of(bank)
    if not raw:
        return (str(PaymentMethod.BANK), named) if has_account else (str(PaymentMethod.CASH), "")
    in_method = bank_of(method)
    if in_method and in_method != Bank.OTHER:
        return str(PaymentMethod.BANK), named or in_method
    if _has(raw, _CASH):
        return str(PaymentMethod.CASH), ""
    if _has(raw, _TRANSFER):
        return str(PaymentMethod.BANK), named
    raise values.CellError(
        gettext_noop("“%(value)s”: write Tiền mặt, Chuyển khoản, or the name of the bank."),
        value=values.text(method)[:40],
    )


def month_of(value: Any) -> dt.date:
    """A month as written: 01/2026, 1/2026, "tháng 1/2026", "T1/2026", a date."""
    if isinstance(value, str):
        value = re.sub(r"(?i)^\s*(từ\s+)?(tháng|th|t)\s*\.?\s*(?=\d)", "", value)
    return first_of_month(values.date(value)[0])
