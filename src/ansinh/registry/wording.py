"""How a household's address and a person are written in a sentence, on a page or in a
printed document: the address without a place named twice, "ông" or "bà" from the recorded
sex (the neutral "ông/bà" when it is not known)."""

from __future__ import annotations

from typing import Any

from ansinh.core.text import join_address
from ansinh.registry.choices import Sex

__all__ = ["honorific", "household_address", "in_text"]

#: Kinds of place written in lower case inside a sentence ("Ấp Cây Cầy" -> "ấp Cây Cầy").
_KINDS = ("Ấp", "Thôn", "Xã", "Phường", "Đặc khu", "Khu phố", "Tổ", "Bản", "Buôn", "Khóm")


def in_text(name: str) -> str:
    """A place name inside a sentence: "Xã Tân Đông" -> "xã Tân Đông"."""
    if name.startswith(_KINDS):
        return name[0].lower() + name[1:]
    return name


def household_address(
    household: Any, *, commune: str = "", province: str = "", sentence: bool = False
) -> str:
    """The household's address, then its village (and ``commune``, ``province`` when given),
    each place once: "Tổ 4, Ấp Cây Cầy" in Ấp Cây Cầy is "Tổ 4, Ấp Cây Cầy, xã Tân Đông".
    ``sentence``: the kinds of place in lower case, as inside a sentence ("ấp Cây Cầy")."""
    village = household.village.name if household.village_id else ""
    places = [village, commune, province]
    if sentence:
        places = [in_text(p) for p in places]
    return join_address(household.address, *places)


def honorific(sex: str | None) -> str:
    """ "ông" for a man, "bà" for a woman, "ông/bà" when the sex is not recorded."""
    if sex == Sex.MALE:
        return "ông"
    if sex == Sex.FEMALE:
        return "bà"
    return "ông/bà"
