"""The receipt PDF read back as positioned text (pdfminer.six): boxes with their text and bounding boxes in points,
and the checks a printed ЕПД must pass — every box inside the printable area, table headings whole and apart."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams
from pdfminer.layout import LTTextBox

MM = 72 / 25.4
# A heading box may run into the next cell only by a rounding error (points).
TOLERANCE = 0.5
MONEY = re.compile(r"^−?\d{1,3}( \d{3})*,\d\d$")


@dataclass(frozen=True)
class Box:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    def overlaps(self, other: Box) -> bool:
        return (
            self.page == other.page
            and self.x0 < other.x1 - TOLERANCE
            and other.x0 < self.x1 - TOLERANCE
            and self.y0 < other.y1 - TOLERANCE
            and other.y0 < self.y1 - TOLERANCE
        )


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    boxes: list[Box]


def pages(content: bytes) -> list[Page]:
    """Each page's text boxes: text runs more than half a character apart are apart (small char margin), and a
    wrapped line of a cell is a box of its own (small line margin). No-break spaces and hyphens (a phone's) read as
    the plain ones they print."""
    found = []
    for number, layout in enumerate(
        extract_pages(io.BytesIO(content), laparams=LAParams(char_margin=0.5, line_margin=0.2)), 1
    ):
        boxes = [
            Box(number, " ".join(el.get_text().replace("\u00a0", " ").replace("\u2011", "-").split()), *el.bbox)
            for el in layout
            if isinstance(el, LTTextBox) and el.get_text().strip()
        ]
        found.append(Page(number, layout.width, layout.height, boxes))
    return found


def outside(page: Page, margin_mm: float = 10) -> list[Box]:
    """The boxes that are not inside the printable area (the page less ``margin_mm`` on each side)."""
    m = margin_mm * MM
    return [b for b in page.boxes if b.x0 < m or b.y0 < m or b.x1 > page.width - m or b.y1 > page.height - m]


def headings(page: Page, titles: list[str], first_cell: str) -> dict[str, Box]:
    """Where each table heading stands, by its text: the boxes above the row that starts with ``first_cell`` (or
    its first line, when it wraps) are grouped into cells — the wrapped lines of one cell stand over each other —
    and a cell's lines read top-down make its heading. Headings printed over each other read as one text (or as
    one cell) and are missing from the answer."""
    below = max((b for b in page.boxes if b.text and first_cell.startswith(b.text)), key=lambda b: b.y1)
    top = next(b for b in page.boxes if b.text == titles[0])
    band = sorted((b for b in page.boxes if b.y0 >= below.y1 and b.y1 <= top.y1 + 24), key=lambda b: b.x0)
    cells: list[list[Box]] = []
    for box in band:
        if cells and box.x0 < max(b.x1 for b in cells[-1]) - TOLERANCE:
            cells[-1].append(box)
        else:
            cells.append([box])
    found: dict[str, Box] = {}
    for parts in cells:
        text = " ".join(b.text for b in sorted(parts, key=lambda b: -b.y1))
        if text in titles:
            x0, y0 = min(b.x0 for b in parts), min(b.y0 for b in parts)
            found[text] = Box(page.number, text, x0, y0, max(b.x1 for b in parts), max(b.y1 for b in parts))
    return {title: found[title] for title in titles if title in found}


def column(page: Page, heading: Box, until: str) -> list[Box]:
    """The cells under a heading (centred within its width) down to the row whose first cell is ``until``."""
    end = next(b for b in page.boxes if b.text == until)
    return [
        b
        for b in page.boxes
        if b.y1 < heading.y0 and b.y0 >= end.y0 - TOLERANCE and heading.x0 <= b.center_x <= heading.x1
    ]
