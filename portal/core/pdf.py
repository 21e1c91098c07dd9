"""The portal's printed documents: an A4 page in millimetres with the vendored DejaVu fonts (Cyrillic, №, ²) as
«Main», regular and bold."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos
from fpdf.enums import YPos

from portal.settings import ROOT

FONT_DIR = ROOT / "static" / "vendor" / "fonts"
# Writing a document takes a second or two of CPU (a meeting's protocol, a receipt): a process writes at most this
# many at once.
PDF_WORKERS = 2
_writing = threading.BoundedSemaphore(PDF_WORKERS)


async def written(make: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
    """``make(*args, **kwargs)`` (a document's bytes) on a worker thread, in the caller's language. Written on the
    event loop, one resident's protocol held every other request of the process, a page as much as ``/healthz``,
    until it was done."""

    def write() -> bytes:
        with _writing:  # waits in the worker thread, never on the event loop
            return make(*args, **kwargs)

    return await asyncio.to_thread(write)


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
