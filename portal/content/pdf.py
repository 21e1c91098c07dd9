"""A post printed for the house's boards («для инфодоски», ``core.board``): a sheet for each entrance its audience
lives in (``rules.board_pages``), with the kind (an emergency on a red band, the sheet framed in red), the title, the
text as plain paragraphs and list items (``rules.plain_blocks``), its dates, and a QR code to the post in the portal.
The post's words are its Russian ones (never its English twin): the board is read by the house's residents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from portal.content import rules
from portal.content.tables import PostKind
from portal.core import board
from portal.core.i18n import format_clock
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.settings import get_settings

DOCUMENT_LOCALE = board.DOCUMENT_LOCALE
TEXT_SIZE = board.TEXT_SIZE

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


def board_pdf(post: BoardPost, pages: Sequence[rules.BoardPage]) -> bytes:
    """The post's sheets for ``pages``, each entrance's starting on a page of its own."""
    emergency = post.kind == PostKind.EMERGENCY
    doc = board.BoardSheet(alarm=emergency)
    doc.set_title(post.title)
    doc.set_creator(get_settings().company_name)
    qr = board.qr_png(post.url)
    blocks = rules.plain_blocks(post.body)
    lead = _("More and the discussion in your personal account: %(url)s", url=post.url)
    for page in pages:
        doc.start(page.address, page.entrance)
        doc.band(BOARD_KIND.shown(post.kind), alarm=emergency)
        doc.title_text(post.title)
        for line, strong in _dates(post, get_settings().time_zone):
            doc.paragraph(line, 16, bold=strong, height=8)
        doc.ln(3)
        for block in blocks:
            if block.heading:
                doc.ln(1)
                doc.paragraph(block.text, TEXT_SIZE + 2, bold=True, height=8.5)
            elif block.marker:
                doc.paragraph(f"{block.marker} {block.text}", TEXT_SIZE, height=7.2, indent=6 + 8 * block.level)
            else:
                doc.paragraph(block.text, TEXT_SIZE, height=7.2)
            doc.ln(2)
        doc.finish(post.url, qr, lead)
    return bytes(doc.output())


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
