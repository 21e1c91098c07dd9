"""The portal's printed documents: an A4 page in millimetres with the vendored DejaVu fonts (Cyrillic, №, ²) as
«Main», regular and bold."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos
from fpdf.enums import YPos

from portal.settings import ROOT

FONT_DIR = ROOT / "static" / "vendor" / "fonts"


class A4(FPDF):
    """A portrait A4 document with the same ``margin`` (mm) on every side and at the page break.

    A ``multi_cell`` is a paragraph: unless told otherwise, what follows it starts on the next line at the left
    margin. fpdf2 leaves the position at the cell's right edge, so a second paragraph of the full width would be
    written beyond the right edge of the page, out of sight."""

    def __init__(self, margin: float) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("Main", "", str(FONT_DIR / "DejaVuSans.ttf"))
        bold = FONT_DIR / "DejaVuSans-Bold.ttf"
        self.add_font("Main", "B", str(bold if bold.exists() else FONT_DIR / "DejaVuSans.ttf"))
        self.set_auto_page_break(auto=True, margin=margin)
        self.set_margins(margin, margin, margin)

    @property
    def width(self) -> float:
        """The width between the margins."""
        return self.w - self.l_margin - self.r_margin

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("new_x", XPos.LMARGIN)
        kwargs.setdefault("new_y", YPos.NEXT)
        return super().multi_cell(*args, **kwargs)
