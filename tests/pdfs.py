"""What the tests of printed documents read in a PDF besides its text: where each piece of text is placed."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader


def text_off_the_page(content: bytes, *, edge: float = 0.9) -> list[str]:
    """The pieces of text that begin in the last tenth of their page's width or beyond it: a paragraph written
    there runs off the page (pypdf still extracts it, so the document's text alone does not show it)."""
    found: list[str] = []
    for page in PdfReader(io.BytesIO(content)).pages:
        width = float(page.mediabox.width)

        def visit(text: str, cm: Any, tm: Any, *_: Any, width: float = width) -> None:
            x = float(tm[4]) * float(cm[0]) + float(cm[4])
            if text.strip() and x > width * edge:
                found.append(text.strip())

        page.extract_text(visitor_text=visit)
    return found


def text_heights(content: bytes) -> dict[str, float]:
    """Each piece of text of the first page by its height above the page's foot, in mm (the last one placed of the
    same text): the distance between two rows of a table is the height of the upper one."""
    found: dict[str, float] = {}

    def visit(text: str, cm: Any, tm: Any, *_: Any) -> None:
        if text.strip():
            found[text.strip()] = (float(tm[5]) * float(cm[3]) + float(cm[5])) * 25.4 / 72

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    return found
