"""The sheet hung on the board in an entrance («инфодоска»): A4 portrait in large print, read from a metre and a half
(the title in 28 pt, the text in 15 pt), headed with the house and «Подъезд N», ending with the company, its dispatch
service's phone and a QR code to the page in the portal. A post's sheet (``content.pdf``) and a meeting's notice
(``meetings.pdf``) are written on it, a page per entrance; text too long for one page goes on to the entrance's next
page, which says it continues it, rather than being cut.

Many residents (the elderly, tenants, those without the app) read the paper board: the sheet is in Russian whoever
prints it (``DOCUMENT_LOCALE``)."""

from __future__ import annotations

import io

import segno

from portal.core.i18n import gettext as _
from portal.core.pdf import A4
from portal.settings import get_settings

DOCUMENT_LOCALE = "ru"  # read by the house's residents: Russian, whatever the printer's language

TITLE_SIZE = 28  # pt
TEXT_SIZE = 15
QR_SIZE = 42  # mm
CLOSING_HEIGHT = QR_SIZE + 4  # mm: the QR code and the lines beside it
# Office printers leave 5–10 mm of a sheet's edge blank: nothing is printed nearer than EDGE to it. An emergency's
# red frame (FRAME wide) lies inside that, and its text keeps a gap within the frame.
EDGE = 12  # mm
MARGIN = 15  # mm: the text of a sheet without a frame
FRAME = 2.5  # mm: the red frame's line
ALARM_MARGIN = EDGE + FRAME + 5  # mm: the text inside the frame
RED = (178, 34, 34)
GREY = (90, 90, 90)


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG, with its quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def entrance_place(address: str, entrance: int | None) -> str:
    """«ул. Ручьевая, д. 1, Подъезд 2» (the address alone for a house with no entrance on record)."""
    return address if entrance is None else f"{address}, {_('Entrance %(n)s', n=entrance)}"


class BoardSheet(A4):
    """Sheets for the boards: ``start`` a page for an entrance, write on it, ``finish`` it with the closing lines.
    ``alarm``: every page framed in red (an emergency, seen as one from across the hall)."""

    def __init__(self, alarm: bool = False) -> None:
        super().__init__(margin=ALARM_MARGIN if alarm else MARGIN)
        self.alarm = alarm
        self.place = ""  # the house and entrance being written
        self.first_page = 0  # the page its entrance starts on: the ones after it say they continue it

    def header(self) -> None:
        if self.alarm:
            self.set_draw_color(*RED)
            self.set_line_width(FRAME)
            inset = EDGE + FRAME / 2  # the line is drawn centred on the rectangle's sides
            self.rect(inset, inset, self.w - 2 * inset, self.h - 2 * inset)
            self.set_line_width(0.2)
            self.set_draw_color(0, 0, 0)
        if self.page_no() > self.first_page and self.place:
            self.set_font("Main", "", 11)
            self.set_text_color(*GREY)
            self.multi_cell(self.width, 5, _("%(place)s — continued", place=self.place), align="L")
            self.set_text_color(0, 0, 0)
            self.ln(3)

    def paragraph(self, text: str, size: float, bold: bool = False, height: float = 0, indent: float = 0) -> None:
        """``text`` ragged right (justified lines open gaps that are hard to read from afar)."""
        self.set_font("Main", "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.width - indent, height or size * 0.48, text, align="L")

    def start(self, address: str, entrance: int | None) -> None:
        """A new page for an entrance, headed with the house's address and «Подъезд N» under it, large."""
        self.place = ""
        self.add_page()
        self.first_page = self.page_no()
        self.paragraph(address, 15, bold=True)
        if entrance is not None:
            self.paragraph(_("Entrance %(n)s", n=entrance), 22, bold=True, height=10)
        self.place = entrance_place(address, entrance)
        self.ln(2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(4)

    def band(self, text: str, alarm: bool = False) -> None:
        """What the sheet is («ОБЪЯВЛЕНИЕ»), in grey capitals; ``alarm``: white on a red band."""
        if alarm:
            self.set_fill_color(*RED)
            self.set_text_color(255, 255, 255)
            self.set_font("Main", "B", 22)
            self.multi_cell(self.width, 12, f"⚠ {text.upper()}", align="C", fill=True)
        else:
            self.set_text_color(*GREY)
            self.paragraph(text.upper(), 16, bold=True, height=8)
        self.set_text_color(0, 0, 0)
        self.ln(3)

    def title_text(self, text: str, size: float = TITLE_SIZE) -> None:
        self.paragraph(text, size, bold=True, height=size * 0.45)
        self.ln(3)

    def finish(self, url: str, qr: bytes, lead: str) -> None:
        """The company, its dispatch service's phone and the QR code to ``url``, with ``lead`` («Подробнее … в
        личном кабинете: <url>») beside it, at the foot of the entrance's last page (on a page of their own where
        the text leaves no room for them)."""
        settings = get_settings()
        bottom = self.h - self.b_margin
        if self.get_y() + CLOSING_HEIGHT > bottom:
            self.add_page()
        top = bottom - CLOSING_HEIGHT
        self.line(self.l_margin, top, self.w - self.r_margin, top)
        self.image(io.BytesIO(qr), x=self.l_margin, y=top + 3, w=QR_SIZE, h=QR_SIZE)
        left = self.l_margin + QR_SIZE + 5
        width = self.w - self.r_margin - left
        self.set_y(top + 4)
        lines = [
            (lead, "", 12, 5.5, 2),
            (settings.company_name, "B", 13, 6, 1),
            (_("Dispatch service, round the clock: %(phone)s", phone=settings.emergency_phone), "B", 15, 7, 0),
        ]
        for text, style, size, height, after in lines:  # each beside the code, never under it
            self.set_font("Main", style, size)
            self.set_x(left)
            self.multi_cell(width, height, text, align="L")
            self.ln(after)
