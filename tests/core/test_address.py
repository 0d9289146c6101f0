"""Addresses printed and shown without a place written twice, "ông"/"bà" from the sex, and
lists that say when they show only their first rows."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from ansinh.core.text import join_address
from ansinh.core.web import first_of
from ansinh.registry.wording import honorific, in_text


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Tổ 4, Ấp Cây Cầy", "Ấp Cây Cầy", "xã Tân Đông"), "Tổ 4, Ấp Cây Cầy, xã Tân Đông"),
        (("Tổ 4, Ấp Cây Cầy, Ấp Cây Cầy",), "Tổ 4, Ấp Cây Cầy"),  # typed twice
        (("Tổ 4, ap cay cay", "Ấp Cây Cầy"), "Tổ 4, ap cay cay"),  # without diacritics
        (("Tổ 4, Cây Cầy", "ấp Cây Cầy"), "Tổ 4, Cây Cầy"),  # without the kind of place
        (("Số 12 ấp Cây Cầy", "Ấp Cây Cầy"), "Số 12 ấp Cây Cầy"),  # at the end of a part
        (("", "Ấp Tân Đông", "Xã Tân Đông"), "Ấp Tân Đông, Xã Tân Đông"),  # ấp ≠ xã
        (("Tổ 4", "Ấp Tân", "xã Tân Đông"), "Tổ 4, Ấp Tân, xã Tân Đông"),  # a prefix is not it
        (("Số 4, Tổ 4", "Ấp 4"), "Số 4, Tổ 4, Ấp 4"),  # numbers are not names
        ((None, " ,  ", "Ấp Bến Cừ"), "Ấp Bến Cừ"),
    ],
)
def test_join_address_names_each_place_once(parts, expected):
    assert join_address(*parts) == expected


def test_honorific_from_the_recorded_sex():
    assert (honorific("male"), honorific("female")) == ("ông", "bà")
    assert honorific("") == honorific(None) == "ông/bà"  # not recorded: neutral


def test_place_inside_a_sentence():
    assert in_text("Xã Tân Đông") == "xã Tân Đông"
    assert in_text("Ấp Cây Cầy") == "ấp Cây Cầy"
    assert in_text("Tân Đông") == "Tân Đông"


def test_first_of_counts_only_when_capped():
    assert (first_of([1, 2, 3], 5).items, first_of([1, 2, 3], 5).total) == ([1, 2, 3], 3)
    rows = first_of(list(range(134)), 20)
    assert (len(rows), rows.total, rows.capped, rows[0]) == (20, 134, True, 0)
    assert not first_of([], 20)


def test_a_capped_list_says_so():
    html = render_to_string("core/_first_of.html", {"shown": 20, "total": 134})
    assert "Hiển thị 20 trong số 134" in html or "Showing 20 of 134" in html
    assert render_to_string("core/_first_of.html", {"shown": 20, "total": 20}).strip() == ""
