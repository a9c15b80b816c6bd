"""Printable PDFs (issue slips, quotes, invoices, statements, monthly reports) with fpdf2.

Chinese and Korean need a CJK font: the Debian package fonts-noto-cjk (CI installs it), or any
TrueType/OpenType file named by AFTERSALES_PDF_FONT (and AFTERSALES_PDF_FONT_BOLD). Without one
a PDF is refused with a clear error instead of printing empty boxes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF

from aftersales.domain.errors import DomainError

NOTO = Path("/usr/share/fonts/opentype/noto")
# Index of Simplified Chinese in the Noto CJK collections (JP, KR, SC, TC, HK); every face
# carries all ideographs and Hangul, only glyph shapes differ.
_SC = 2


def _font_files() -> tuple[tuple[str, int], tuple[str, int]]:
    regular = os.environ.get("AFTERSALES_PDF_FONT")
    if regular:
        bold = os.environ.get("AFTERSALES_PDF_FONT_BOLD", regular)
        return (regular, 0), (bold, 0)
    reg_path, bold_path = NOTO / "NotoSansCJK-Regular.ttc", NOTO / "NotoSansCJK-Bold.ttc"
    if reg_path.exists():
        bold_file = bold_path if bold_path.exists() else reg_path
        return (str(reg_path), _SC), (str(bold_file), _SC)
    raise DomainError(
        "pdf_font_missing",
        "PDF needs a CJK font: install fonts-noto-cjk or set AFTERSALES_PDF_FONT.",
        status=503,
    )


class Document(FPDF):
    """An A4 page with the CJK font as "cjk" (regular and bold) and a page-number footer."""

    def __init__(self, title: str, **kw: Any) -> None:
        super().__init__(format="A4", **kw)
        (reg, ri), (bold, bi) = _font_files()
        self.add_font("cjk", fname=reg, collection_font_number=ri)
        self.add_font("cjk", style="B", fname=bold, collection_font_number=bi)
        self.set_title(title)
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()
        self.set_font("cjk", style="B", size=15)
        self.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font("cjk", size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.cell(0, 8, f"{self.page_no()}/{{nb}}", align="C")

    def pairs(self, items: Sequence[tuple[str, Any]]) -> None:
        """Label: value lines (order number, customer, dates…)."""
        for label, value in items:
            self.set_font("cjk", style="B", size=10)
            self.cell(40, 6, str(label))
            self.set_font("cjk", size=10)
            self.multi_cell(0, 6, "" if value is None else str(value), new_x="LMARGIN")

    def grid(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[int] | None = None,
    ) -> None:
        """A bordered table; headings bold and repeated on each page."""
        self.ln(2)
        with self.table(col_widths=tuple(widths) if widths else None, text_align="LEFT") as t:
            head = t.row()
            for h in headers:
                head.cell(str(h))
            for r in rows:
                line = t.row()
                for v in r:
                    line.cell("" if v is None else str(v))

    def bytes(self) -> bytes:
        return bytes(self.output())
