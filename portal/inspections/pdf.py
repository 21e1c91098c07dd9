"""The act of a round (акт осмотра общего имущества, ПП № 491 п. 13–14) as a PDF (fpdf2 with the vendored font):
the house, the day, the kind, who walked it, each point's result, and the remarks with the numbers of the requests
they filed, and an appendix with the remarks' photos (фотофиксация). Made in the reader's language, as the round's
page is."""

from __future__ import annotations

import logging

from portal.core import clock
from portal.core import storage
from portal.core.i18n import format_day
from portal.core.i18n import gettext
from portal.core.pdf import A4
from portal.inspections.queries import AnswerRow
from portal.inspections.queries import PhotoRow
from portal.inspections.queries import Point
from portal.inspections.queries import RoundRow
from portal.inspections.rules import KIND_LABELS
from portal.inspections.rules import PLACE_LABELS
from portal.inspections.rules import Verdict
from portal.settings import get_settings

log = logging.getLogger(__name__)


def result(answer: AnswerRow | None) -> str:
    """A point's result as the act states it."""
    if answer is None:
        return gettext("Not inspected")
    if answer.verdict == Verdict.OK:
        return gettext("In order")
    if answer.ticket_number is not None:
        return gettext("Remark, request No. %(number)s", number=answer.ticket_number)
    if answer.no_request:
        return gettext("Remark, fixed on the spot")
    return gettext("Remark")


def act_pdf(round_: RoundRow, points: list[Point], answers: dict[int, AnswerRow], entrances: dict[int, int]) -> bytes:
    pdf = A4(margin=15)
    pdf.set_title(gettext("Inspection report of the common property"))
    pdf.add_page()
    pdf.set_font("Main", "B", 10)
    pdf.multi_cell(pdf.width, 5, get_settings().company_name)
    pdf.ln(4)
    pdf.set_font("Main", "B", 14)
    pdf.multi_cell(pdf.width, 7, gettext("Inspection report of the common property"), align="C")
    pdf.ln(3)
    day = clock.local(round_.completed_at or round_.started_at)
    for label, value in (
        (gettext("House"), round_.address),
        (gettext("Date"), format_day(day.date())),
        (gettext("Kind of inspection"), KIND_LABELS.shown(round_.kind)),
        (gettext("Inspected by"), round_.completed_name or round_.started_name),
    ):
        pdf.set_font("Main", "", 9)
        pdf.cell(45, 6, label)
        pdf.set_font("Main", "B", 10)
        pdf.multi_cell(pdf.width - 45, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = [[gettext("No."), gettext("Point"), gettext("Result"), gettext("Remark")]]
    for number, point in enumerate(points, 1):
        answer = answers.get(point.id)
        remark = f"{_where(answer, entrances)}{answer.comment}" if answer and answer.verdict == Verdict.REMARK else ""
        rows.append([str(number), f"{PLACE_LABELS.shown(point.place)}: {point.title}", result(answer), remark])
    pdf.set_font("Main", "", 8)
    with pdf.table(col_widths=(8, 72, 45, 55), line_height=4.2, first_row_as_headings=True, text_align="LEFT") as t:
        for row in rows:
            t.row(row)
    pdf.ln(10)
    pdf.set_font("Main", "", 9)
    pdf.multi_cell(pdf.width, 5, gettext("Signature: ____________________  %(name)s", name=round_.completed_name))
    _photos(pdf, points, answers, entrances)
    return bytes(pdf.output())


# The appendix's photos: three abreast, none taller than a third of the page; each read at the width a print needs.
PHOTOS_ABREAST, PHOTO_GAP, PHOTO_MAX_HEIGHT, PHOTO_PIXELS = 3, 4.0, 80.0, 800


def _photos(pdf: A4, points: list[Point], answers: dict[int, AnswerRow], entrances: dict[int, int]) -> None:
    """The appendix: each remark with photos under its number in the act's table, caption and photos together.
    Blocking (reads the files): the act is written on a worker thread."""
    shown = [
        (number, point, answer)
        for number, point in enumerate(points, 1)
        if (answer := answers.get(point.id)) and answer.verdict == Verdict.REMARK and answer.photos
    ]
    if not shown:
        return
    pdf.add_page()
    pdf.set_font("Main", "B", 12)
    pdf.multi_cell(pdf.width, 6, gettext("Appendix: photos of the remarks"))
    pdf.ln(2)
    side = (pdf.width - PHOTO_GAP * (PHOTOS_ABREAST - 1)) / PHOTOS_ABREAST
    for number, point, answer in shown:
        rows = [answer.photos[i : i + PHOTOS_ABREAST] for i in range(0, len(answer.photos), PHOTOS_ABREAST)]
        first_height = max(_height(photo, side) for photo in rows[0])
        if pdf.get_y() + 12 + first_height > pdf.page_break_trigger:  # the caption never apart from its photos
            pdf.add_page()
        pdf.set_font("Main", "B", 9)
        caption = f"{number}. {PLACE_LABELS.shown(point.place)}: {point.title}"
        pdf.multi_cell(pdf.width, 5, caption)
        pdf.set_font("Main", "", 9)
        pdf.multi_cell(pdf.width, 5, f"{_where(answer, entrances)}{answer.comment}")
        pdf.ln(1)
        for row in rows:
            height = max(_height(photo, side) for photo in row)
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
            top = pdf.get_y()
            for column, photo in enumerate(row):
                _photo(pdf, photo, pdf.l_margin + column * (side + PHOTO_GAP), top, side)
            pdf.set_y(top + height + PHOTO_GAP)
        pdf.ln(2)


def _height(photo: PhotoRow, side: float) -> float:
    """The height (mm) ``photo`` takes at ``side`` mm wide, at most ``PHOTO_MAX_HEIGHT`` (a tall one narrower)."""
    return min(PHOTO_MAX_HEIGHT, side * photo.height / max(photo.width, 1))


def _photo(pdf: A4, photo: PhotoRow, x: float, y: float, side: float) -> None:
    height = _height(photo, side)
    width = height * photo.width / max(photo.height, 1)
    try:
        path = storage.path_of(storage.narrow(photo.file_key, PHOTO_PIXELS))
        pdf.image(str(path), x=x + (side - width) / 2, y=y, w=width, h=height)  # a tall one in its column's middle
    except Exception:  # gone from storage, or not a picture: the act is still made, and says a photo was taken
        log.warning("the act cannot show photo %s", photo.id, exc_info=True)
        pdf.set_xy(x, y)
        pdf.set_font("Main", "", 8)
        pdf.multi_cell(side, 4, gettext("The photo cannot be shown: its file is missing or damaged."), new_x="LEFT")


def _where(answer: AnswerRow, entrances: dict[int, int]) -> str:
    parts = []
    if answer.entrance_id in entrances:
        parts.append(gettext("entrance %(number)s", number=entrances[answer.entrance_id]))
    if answer.floor is not None:
        parts.append(gettext("floor %(number)s", number=answer.floor))
    return f"{', '.join(parts)}: " if parts else ""
