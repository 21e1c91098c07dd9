"""A post printed for the house's boards («для инфодоски»): A4 portrait, a page for each entrance its audience lives
in (``rules.board_pages``), read from a metre and a half — the title in 28 pt, the text in 15 pt — and continued on
the entrance's next page rather than cut. Each page is headed with the house and its entrance and ends with the
company, its dispatch service's phone and a QR code to the post in the portal.

Made in Russian whoever prints it (``DOCUMENT_LOCALE``): the board is read by the house's residents, and the post's
words are the Russian ones (never its English twin)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import segno

from portal.content import rules
from portal.content.tables import PostKind
from portal.core.i18n import format_clock
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.pdf import A4
from portal.settings import get_settings

DOCUMENT_LOCALE = "ru"  # the board is read by the house's residents: Russian, whatever the printer's language

TITLE_SIZE = 28  # pt: read from 1.5 m
TEXT_SIZE = 15
QR_SIZE = 42  # mm
RED = (178, 34, 34)
GREY = (90, 90, 90)

# The kind as the paper names it, in full.
BOARD_KIND = Labels(
    {
        PostKind.NEWS: lazy("News"),
        PostKind.NOTICE: lazy("Notice"),
        PostKind.EMERGENCY: lazy("Emergency notice"),
        PostKind.EVENT: lazy("Event"),
    }
)


@dataclass(frozen=True)
class BoardPost:
    """What a board's page says of a post, as its route reads it (an outage notice's words said from its outage)."""

    kind: str
    title: str
    body: str
    url: str  # the post's page in the portal, for the QR code
    published: datetime | None = None
    ends_at: datetime | None = None
    event_starts_at: datetime | None = None
    event_ends_at: datetime | None = None
    event_place: str = ""


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG, with its quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


class _Board(A4):
    def __init__(self, emergency: bool) -> None:
        super().__init__(margin=15)
        self.emergency = emergency
        self.head = ""  # the house and entrance of the page being written
        self.first_page = 0  # the page its entrance starts on: the ones after it say they continue it

    def header(self) -> None:
        if self.emergency:  # the whole sheet framed in red: seen as an emergency from across the hall
            self.set_draw_color(*RED)
            self.set_line_width(2.5)
            self.rect(6, 6, self.w - 12, self.h - 12)
            self.set_line_width(0.2)
            self.set_draw_color(0, 0, 0)
        if self.page_no() > self.first_page and self.head:
            self.set_font("Main", "", 11)
            self.set_text_color(*GREY)
            self.multi_cell(self.width, 5, _("%(place)s — continued", place=self.head), align="L")
            self.set_text_color(0, 0, 0)
            self.ln(3)

    def paragraph(self, text: str, size: float, bold: bool = False, height: float = 0, indent: float = 0) -> None:
        self.set_font("Main", "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.width - indent, height or size * 0.48, text, align="L")  # ragged right: no gaps


def board_pdf(post: BoardPost, pages: Sequence[rules.BoardPage]) -> bytes:
    """The post's sheets for ``pages``, each entrance's starting on a page of its own."""
    settings = get_settings()
    doc = _Board(emergency=post.kind == PostKind.EMERGENCY)
    doc.set_title(post.title)
    doc.set_creator(settings.company_name)
    qr = qr_png(post.url)
    blocks = rules.plain_blocks(post.body)
    for page in pages:
        doc.head = ""
        doc.add_page()
        doc.first_page = doc.page_no()
        place = page.address if page.entrance is None else f"{page.address}, {_('Entrance %(n)s', n=page.entrance)}"
        _sheet(doc, post, page, blocks, qr)
        doc.head = place
    return bytes(doc.output())


def _sheet(doc: _Board, post: BoardPost, page: rules.BoardPage, blocks: list[rules.Block], qr: bytes) -> None:
    settings = get_settings()
    doc.paragraph(page.address, 15, bold=True)
    if page.entrance is not None:
        doc.paragraph(_("Entrance %(n)s", n=page.entrance), 22, bold=True, height=10)
    doc.head = page.address if page.entrance is None else f"{page.address}, {_('Entrance %(n)s', n=page.entrance)}"
    doc.ln(2)
    doc.line(doc.l_margin, doc.get_y(), doc.w - doc.r_margin, doc.get_y())
    doc.ln(4)
    kind = BOARD_KIND.shown(post.kind).upper()
    if post.kind == PostKind.EMERGENCY:
        doc.set_fill_color(*RED)
        doc.set_text_color(255, 255, 255)
        doc.set_font("Main", "B", 22)
        doc.multi_cell(doc.width, 12, f"⚠ {kind}", align="C", fill=True)
        doc.set_text_color(0, 0, 0)
    else:
        doc.set_text_color(*GREY)
        doc.paragraph(kind, 16, bold=True, height=8)
        doc.set_text_color(0, 0, 0)
    doc.ln(3)
    doc.paragraph(post.title, TITLE_SIZE, bold=True, height=12.5)
    doc.ln(3)
    for line, strong in _dates(post, settings.time_zone):
        doc.paragraph(line, 16, bold=strong, height=8)
    doc.ln(3)
    for block in blocks:
        if block.heading:
            doc.ln(1)
            doc.paragraph(block.text, TEXT_SIZE + 2, bold=True, height=8.5)
        elif block.marker:
            indent = 6 + 8 * block.level
            doc.paragraph(f"{block.marker} {block.text}", TEXT_SIZE, height=7.2, indent=indent)
        else:
            doc.paragraph(block.text, TEXT_SIZE, height=7.2)
        doc.ln(2)
    _closing(doc, post.url, qr)


def _dates(post: BoardPost, zone: str) -> list[tuple[str, bool]]:
    """The post's dates as the sheet says them (each with whether it is bold): an event's time and place, an
    emergency's end, another post's end of force; the day it was published."""
    lines: list[tuple[str, bool]] = []
    if post.kind == PostKind.EVENT and post.event_starts_at:
        start, end = post.event_starts_at, post.event_ends_at
        same_day = end is not None and format_day(start, tz=zone) == format_day(end, tz=zone)
        shown = format_moment(start, zone)
        if end is not None:
            shown += f"–{format_clock(end, zone)}" if same_day else f" – {format_moment(end, zone)}"
        lines.append((_("When: %(when)s", when=shown), True))
        if post.event_place:
            lines.append((_("Where: %(place)s", place=post.event_place), True))
    elif post.ends_at and post.kind == PostKind.EMERGENCY:
        lines.append((_("Until: %(when)s", when=format_moment(post.ends_at, zone)), True))
    elif post.ends_at:
        lines.append((_("In force until %(when)s", when=format_moment(post.ends_at, zone)), False))
    if post.published:
        lines.append((_("Published %(day)s", day=format_day(post.published, tz=zone)), False))
    return lines


CLOSING_HEIGHT = QR_SIZE + 4  # mm: the QR code and the lines beside it


def _closing(doc: _Board, url: str, qr: bytes) -> None:
    """The company, its dispatch service's phone and the QR code to the post, at the foot of the entrance's last
    page (on a page of their own where the text leaves no room for them)."""
    settings = get_settings()
    bottom = doc.h - doc.b_margin
    if doc.get_y() + CLOSING_HEIGHT > bottom:
        doc.add_page()
    top = bottom - CLOSING_HEIGHT
    doc.set_y(top)
    doc.line(doc.l_margin, top, doc.w - doc.r_margin, top)
    doc.image(io.BytesIO(qr), x=doc.l_margin, y=top + 3, w=QR_SIZE, h=QR_SIZE)
    left = doc.l_margin + QR_SIZE + 5
    width = doc.w - doc.r_margin - left
    doc.set_y(top + 4)
    lines = [
        (_("More and the discussion in your personal account: %(url)s", url=url), "", 12, 5.5, 2),
        (settings.company_name, "B", 13, 6, 1),
        (_("Dispatch service, round the clock: %(phone)s", phone=settings.emergency_phone), "B", 15, 7, 0),
    ]
    for text, style, size, height, after in lines:  # each beside the code, never under it
        doc.set_font("Main", style, size)
        doc.set_x(left)
        doc.multi_cell(width, height, text, align="L")
        doc.ln(after)
