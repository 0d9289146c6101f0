"""Printable Vietnamese administrative documents (PDF) with fpdf2.

Official forms start with the national motto and the issuing body, then a centred title,
tables, and signature blocks. Fonts: DejaVu Sans from Debian's ``fonts-dejavu-core`` (covers
every Vietnamese letter); ``ANSINH_PDF_FONT_DIR`` points elsewhere if needed. The Makefile
installs the package when it is missing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from ansinh.core.numbers import format_number

FONT_DIR = Path(os.environ.get("ANSINH_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FAMILY = "DejaVu"


class FontMissing(RuntimeError):
    pass


class VnDocument(FPDF):
    """An A4 or A5 document with Vietnamese fonts and the usual parts of an administrative form."""

    def __init__(self, *, landscape: bool = False, title: str = "", size: str = "A4") -> None:
        """``size``: "A4" (forms, lists) or "A5" (a leaflet handed out)."""
        # A5 as millimetres: fpdf2 warns on the name (its dimensions changed in 2.8.5)
        paper: str | tuple[float, float] = (148, 210) if size == "A5" else size
        super().__init__(orientation="L" if landscape else "P", unit="mm", format=paper)
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        oblique = FONT_DIR / "DejaVuSans-Oblique.ttf"
        if not regular.exists():
            raise FontMissing(
                f"Vietnamese font not found in {FONT_DIR}: install Debian's fonts-dejavu-core "
                "or set ANSINH_PDF_FONT_DIR."
            )
        self.add_font(FAMILY, "", str(regular))
        self.add_font(FAMILY, "B", str(bold if bold.exists() else regular))
        self.add_font(FAMILY, "I", str(oblique if oblique.exists() else regular))
        if size == "A5":
            self.set_margins(12, 10, 10)
            self.set_auto_page_break(auto=True, margin=12)
        else:
            self.set_margins(18, 15, 15)
            self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_creator("ansinh")
        self.alias_nb_pages()
        self.add_page()
        self.set_font(FAMILY, size=11)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")

    # --- parts of a form ------------------------------------------------------------

    def national_header(
        self, agency: Sequence[str], *, number: str = "", place_date: str = ""
    ) -> None:
        """Left: issuing body (and document number); right: the national motto."""
        width = (self.w - self.l_margin - self.r_margin) / 2
        top = self.get_y()
        self.set_font(FAMILY, "B", 10)
        for line in agency:
            self.cell(width, 5, line.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if number:
            self.set_font(FAMILY, "", 10)
            self.cell(width, 6, number, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        self.set_xy(self.l_margin + width, top)
        self.set_font(FAMILY, "B", 10)
        self.cell(
            width,
            5,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            align="C",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        self.cell(
            width, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT
        )
        if place_date:
            self.set_font(FAMILY, "I", 10)
            self.cell(width, 7, place_date, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(max(left_bottom, self.get_y()) + 4)

    def heading(self, text: str, subtitle: str = "") -> None:
        self.set_font(FAMILY, "B", 13)
        self.multi_cell(0, 7, text.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FAMILY, "I", 11)
            self.multi_cell(0, 6, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)
        self.set_font(FAMILY, "", 11)

    def paragraph(self, text: str, *, bold: bool = False, size: float = 11) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 11)

    def data_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        *,
        align: Sequence[str] | None = None,
        size: float = 9,
    ) -> None:
        """A bordered table; headings repeat on every page."""
        self.set_font(FAMILY, size=size)
        aligns = list(align or ["L"] * len(headings))
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(aligns),
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 240, 238)),
            line_height=self.font_size * 1.6,
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(str(text), align="C")
            for row in rows:
                line = table.row()
                for value in row:
                    line.cell(_cell(value))
        self.ln(3)
        self.set_font(FAMILY, "", 11)

    def signatures(self, blocks: Sequence[tuple[str, str]]) -> None:
        """Signature blocks side by side: (title, name) each, with room to sign."""
        if self.get_y() > self.h - 60:
            self.add_page()
        width = (self.w - self.l_margin - self.r_margin) / max(1, len(blocks))
        top = self.get_y() + 4
        bottom = top
        for index, (role, _name) in enumerate(blocks):
            self.set_xy(self.l_margin + index * width, top)
            self.set_font(FAMILY, "B", 11)
            self.multi_cell(width, 6, role.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_font(FAMILY, "I", 9)
            self.cell(width, 5, "(Ký, ghi rõ họ tên)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        for index, (_role, name) in enumerate(blocks):
            self.set_xy(self.l_margin + index * width, bottom + 20)
            self.set_font(FAMILY, "B", 11)
            self.cell(width, 6, name, align="C")
        self.set_font(FAMILY, "", 11)
        self.set_xy(self.l_margin, bottom + 30)

    def bytes(self) -> bytes:
        return bytes(self.output())


def _cell(value: object) -> str:
    """A table cell's text: a count grouped as Vietnamese write it (4.700), nothing for
    ``None``; text (amounts already formatted, codes, names) as it is."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def place_date(place: str, day: dt.date) -> str:
    """ "Tân Đông, ngày 28 tháng 11 năm 2026" """
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
