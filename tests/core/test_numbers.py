"""Numbers the Vietnamese way everywhere (issue 15, item 3): counts grouped (4.700) on every page
and in every PDF, one rounding for a headline and its chart (87,8%, never 87,7% above a chart
saying 87,8), and no id or page number grouped inside a link or a field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from ansinh.core.numbers import format_number, format_percent, rounded
from ansinh.core.pdf import _cell
from ansinh.core.templatetags.ansinh import day, percent
from ansinh.insurance.views import _chart

SRC = Path(__file__).resolve().parents[2] / "src" / "ansinh"


@pytest.mark.parametrize(
    ("value", "digits", "vi", "en"),
    [
        (4700, 0, "4.700", "4,700"),
        (1818, 0, "1.818", "1,818"),
        (999, 0, "999", "999"),
        (0, 0, "0", "0"),
        (-1_234_567, 0, "-1.234.567", "-1,234,567"),
        (10**12, 0, "1.000.000.000.000", "1,000,000,000,000"),
        (87.75, 1, "87,8", "87.8"),  # half away from zero, as written
        (87.74, 1, "87,7", "87.7"),
        (2.345, 2, "2,35", "2.35"),  # the float 2.345 is 2.34499…: read as written
        (-87.75, 1, "-87,8", "-87.8"),
        (-0.04, 1, "0,0", "0.0"),  # no "-0,0"
        (1234.5, 1, "1.234,5", "1,234.5"),
        (Decimal("0.5"), 0, "1", "1"),
    ],
)
def test_format_number(value, digits, vi, en):
    assert format_number(value, digits) == vi
    assert format_number(value, digits, lang="en") == en


def test_format_number_of_nothing_and_of_a_yes_no():
    assert format_number(None) == "—"
    with pytest.raises(TypeError):
        format_number(True)
    assert rounded(0.125, 2) == Decimal("0.13")


@pytest.mark.parametrize(
    ("rate", "digits", "vi", "en"),
    [
        (0.8775, 1, "87,8%", "87.8%"),  # Django's number_format cuts this to 87,7
        (0.877, 1, "87,7%", "87.7%"),
        (1, 1, "100,0%", "100.0%"),
        (0.02345, 2, "2,35%", "2.35%"),
        (0.5, 0, "50%", "50%"),
        (12.345, 0, "1.235%", "1,235%"),
    ],
)
def test_format_percent(rate, digits, vi, en):
    assert format_percent(rate, digits) == vi
    assert format_percent(rate, digits, lang="en") == en
    assert format_percent(rate, digits, unit=False) == vi.removesuffix("%")
    assert format_percent(None) == "—"


def test_the_percent_filter_follows_the_language():
    with translation.override("vi"):
        assert percent(0.8775) == "87,8%"
        assert percent(0.8775, 0) == "88%"
    with translation.override("en"):
        assert percent(0.8775) == "87.8%"
    assert percent(None) == "—"


def test_a_headline_and_its_chart_round_alike():
    """BHYT coverage: the headline said "87,7%" above a chart point labelled "87,8"."""
    rate = 0.8775
    chart = _chart([(dt.date(2026, 10, 31), 0.85), (dt.date(2026, 11, 30), rate)], 0.9)
    template = Template(
        "{% load ansinh %}<b>{{ rate|percent }}</b>{% include 'insurance/_chart.html' %}"
    )
    with translation.override("vi"):
        html = template.render(Context({"rate": rate, "chart": chart}))
    assert "<b>87,8%</b>" in html
    assert ">87,8</text>" in html  # the point's label
    assert "11/2026: 87,8%</title>" in html  # and its tooltip
    assert "87,7" not in html
    assert ">85,0</text>" in html


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("vi", "4.700 hộ · 16.480 người · 2,5"), ("en", "4,700 hộ · 16,480 người · 2.5")],
)
def test_every_count_in_a_template_is_grouped(lang, shown):
    """``USE_THOUSAND_SEPARATOR``: a plain ``{{ n }}`` is grouped, in a sentence as well."""
    template = Template(
        "{% load i18n %}{% blocktranslate with n=n %}{{ n }} hộ{% endblocktranslate %}"
        " · {{ people }} người · {{ share }}"
    )
    with translation.override(lang):
        assert template.render(Context({"n": 4700, "people": 16480, "share": 2.5})) == shown


def test_an_id_in_a_link_is_not_grouped():
    template = Template(
        '{% load l10n %}<a href="?village={{ v|unlocalize }}&page={{ p|unlocalize }}">{{ n }}</a>'
    )
    with translation.override("vi"):
        html = template.render(Context({"v": 12345, "p": 1001, "n": 12345}))
    assert html == '<a href="?village=12345&page=1001">12.345</a>'


def test_pdf_table_cells_group_counts():
    assert _cell(4700) == "4.700"
    assert _cell(None) == ""
    assert _cell(True) == "True"
    assert _cell("1.500.000") == "1.500.000"
    assert _cell("TD-0001") == "TD-0001"


def test_the_day_filter():
    assert day(dt.date(1962, 9, 5)) == "05/09/1962"
    assert day("1962-09-05") == "05/09/1962"  # as JSON answers keep a date
    assert day("") == ""
    assert day(None) == ""
    assert day("không rõ") == "không rõ"


# --- the templates -----------------------------------------------------------------------------

_VAR = re.compile(r"\{\{\s*(?P<expr>[^}]*?)\s*\}\}")
_LOCALIZE_OFF = re.compile(r"\{%\s*localize off\s*%\}.*?\{%\s*endlocalize\s*%\}", re.DOTALL)
#: An id is never a quantity: never grouped, in a link or in the text ("#1234").
_ID = re.compile(r"(^|\.)(pk|id|[a-z_]+_id)$")
#: Inside an attribute (a link, a field's value, a data- attribute): page numbers and counts too.
_IN_ATTRIBUTE = re.compile(
    r"(^|\.)(pk|id|[a-z_]+_id|[a-z_]*page_number|number|year|[a-z_]*amount|[a-z_]*total)$"
)
#: Filters that write the number without grouping.
_PLAIN = {"unlocalize", "stringformat", "urlencode", "date", "slugify", "iriencode"}


def _in_attribute(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside a quoted attribute value of an HTML tag."""
    lt, gt = text.rfind("<", 0, pos), text.rfind(">", 0, pos)
    if lt <= gt:
        return False
    before = re.sub(r"\{[{%].*?[}%]\}", "", text[lt:pos])
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1


def _in_number_input(text: str, pos: int) -> bool:
    tag = text[text.rfind("<", 0, pos) : text.find(">", pos)]
    return 'type="number"' in tag


def grouped_in_templates(root: Path) -> list[str]:
    """``{{ x.pk }}``, ``href="?page={{ page.next_page_number }}"``, ``<input type="number"
    value="{{ n }}">`` … written without ``|unlocalize``: each would show "1.234"."""
    found = []
    for path in sorted(root.rglob("templates/**/*.html")):
        text = _LOCALIZE_OFF.sub(lambda m: " " * len(m.group(0)), path.read_text())
        for match in _VAR.finditer(text):
            name, *filters = (p.strip() for p in match.group("expr").split("|"))
            if {f.split(":")[0] for f in filters} & _PLAIN:
                continue
            attribute = _in_attribute(text, match.start())
            if (
                _ID.search(name)
                or (attribute and _IN_ATTRIBUTE.search(name))
                or (attribute and _in_number_input(text, match.start()))
            ):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(root)}:{line}: {match.group(0)}")
    return found


def test_no_id_or_page_number_is_grouped_in_a_template():
    found = grouped_in_templates(SRC)
    assert not found, "write these with |unlocalize ({% load l10n %}):\n" + "\n".join(found)


def test_the_template_check_finds_what_it_looks_for(tmp_path):
    folder = tmp_path / "app" / "templates" / "app"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text(
        '{% load l10n %}<a href="?page={{ page.next_page_number }}">{{ n }}</a>\n'
        '<option value="{{ v.id }}">{{ v.name }}</option><b>#{{ case.pk }}</b>\n'
        '<input type="number" value="{{ income|default_if_none:\'\' }}">\n'
        '<a href="?page={{ page.number|unlocalize }}&v={{ v.pk|stringformat:"s" }}">ok</a>\n'
        '{% localize off %}<svg><circle cx="{{ p.x }}" data-id="{{ p.id }}"/></svg>'
        "{% endlocalize %}"
    )
    found = grouped_in_templates(tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == [
        "{{ page.next_page_number }}",
        "{{ v.id }}",
        "{{ case.pk }}",
        "{{ income|default_if_none:'' }}",
    ]
