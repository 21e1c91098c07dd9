"""The receipt (ЕПД) as a PDF (``core.pdf``: fpdf2 with the DejaVu font), the QR code of each payee's section.

Layout of an A4 page (mm, margins 12): the title across the page; under it the payer (left) and the executor
(right) side by side; the charges as a table whose headings wrap inside their own cells; the month's summary; one
boxed section per payee with its QR code. Every block is laid out with an explicit width, so nothing runs past
the right margin, and money prints with two decimals everywhere (35,10 ₽ per m², never 35,1).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

from fpdf import FontFace
from fpdf.enums import XPos
from fpdf.enums import YPos

from portal.billing import qr
from portal.billing.forms import unit_label
from portal.billing.notes import words as note_words
from portal.billing.queries import AccountInfo
from portal.billing.queries import ChargeLine
from portal.billing.queries import Entry
from portal.billing.queries import ReceiptView
from portal.billing.tables import EntryKind
from portal.core.i18n import format_area
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import format_phone
from portal.core.i18n import gettext as _
from portal.core.pdf import A4
from portal.settings import get_settings

MARGIN = 12.0
GAP = 6.0  # between the payer's and the executor's columns
HEADING_FILL = (235, 238, 243)
BORDER = (139, 149, 165)


def money(value: Decimal) -> str:
    """An amount or a tariff in a table cell: always two decimals (35,10), no currency sign, a true minus (U+2212,
    written by ``format_number``)."""
    return format_number(value, 2, fixed=True)


def _volume(value: Decimal) -> str:
    return format_number(value, 3)


class _Receipt(A4):
    def __init__(self) -> None:
        super().__init__(margin=MARGIN)
        self.set_draw_color(*BORDER)

    def block(self, x: float, w: float, h: float, text: str, size: float, bold: bool = False) -> None:
        """Text wrapped to ``w`` mm from ``x``, leaving the cursor under it at the same ``x``."""
        self.set_x(x)
        self.set_font("Main", "B" if bold else "", size)
        self.multi_cell(w, h, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)


PHONE = re.compile(r"\+?\d[\d ()-]{4,}\d")


def _whole_phones(text: str) -> str:
    """Each phone number of ``text`` (a list of them, as the company writes it) with no-break spaces and hyphens, so a
    line never ends in the middle of one."""
    return PHONE.sub(lambda found: format_phone(found.group()), text)


def receipt_pdf(info: AccountInfo, view: ReceiptView, access_code: str = "") -> bytes:
    """One A4 page (more if the charges are long) with everything the ЕПД must show (ПП № 354 п. 69)."""
    pdf = _Receipt()
    pdf.set_title(_("Receipt for %(month)s", month=format_day(view.period, "LLLL y")))
    pdf.add_page()
    _title(pdf, view)
    _parties(pdf, info, view)
    _charges(pdf, view)
    _summary(pdf, view)
    _sections(pdf, view)
    if access_code:
        pdf.block(
            pdf.l_margin,
            pdf.width,
            4,
            _("Access code for registering this account in the resident portal: %(code)s", code=access_code),
            8,
        )
    return bytes(pdf.output())


def _title(pdf: _Receipt, view: ReceiptView) -> None:
    text = _("Payment document for housing and utilities for %(month)s", month=format_day(view.period, "LLLL y"))
    pdf.block(pdf.l_margin, pdf.width, 6, text, 12, bold=True)
    pdf.ln(2)


def _parties(pdf: _Receipt, info: AccountInfo, view: ReceiptView) -> None:
    """The payer on the left, the executor (the company) on the right; the cursor ends under the taller one."""
    receipt, company = view.receipt, view.company
    top = pdf.get_y()
    right_w = 80.0
    left_w = pdf.width - right_w - GAP
    label_w = 30.0
    for label, value in (
        (_("Payer"), receipt.payer_name),
        (_("Address"), receipt.address),
        (_("Personal account"), info.number),
        (_("Area"), format_area(info.area)),
        (_("Billing month"), format_day(view.period, "LLLL y")),
    ):
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.set_font("Main", "", 8)
        pdf.cell(label_w, 4.5, label)
        pdf.block(pdf.l_margin + label_w, left_w - label_w, 4.5, str(value), 9, bold=True)
    left_end = pdf.get_y()

    x = pdf.l_margin + left_w + GAP
    pdf.set_xy(x, top)
    pdf.block(x, right_w, 4, _("Executor"), 7)
    pdf.block(x, right_w, 4.2, company.name if company else get_settings().company_name, 8.5, bold=True)
    if company:
        lines = [
            _("INN %(inn)s, KPP %(kpp)s", inn=company.inn, kpp=company.kpp),
            company.address,
            _("Phone: %(phone)s", phone=_whole_phones(company.phone)) if company.phone else "",
            _("E-mail: %(email)s", email=company.email) if company.email else "",
            _("Website: %(site)s", site=company.site) if company.site else "",
        ]
        pdf.block(x, right_w, 3.6, "\n".join(line for line in lines if line), 7.5)
    phones = _whole_phones(view.dispatch_phones)
    pdf.block(x, right_w, 3.8, _("Emergency dispatch service: %(phones)s", phones=phones), 7.5, bold=True)
    pdf.set_xy(pdf.l_margin, max(left_end, pdf.get_y()) + 3)


def _columns(pdf: _Receipt, view: ReceiptView) -> list[tuple[str, float, str]]:
    """The table's columns: those of ПП № 354 п. 69 that apply to this receipt; the service takes the rest."""
    columns: list[tuple[str, float, str]] = [
        (_("Unit"), 10, "CENTER"),
        (_("Volume"), 14, "RIGHT"),
    ]
    if view.shows("volume_common"):
        columns.append((_("Volume for common needs"), 14, "RIGHT"))
    columns += [(_("Tariff, ₽"), 15, "RIGHT"), (_("Charged, ₽"), 18, "RIGHT")]
    if view.shows("coefficient_amount"):
        columns.append((_("Coeff., ₽"), 15, "RIGHT"))
    columns.append((_("Recalc., ₽"), 19, "RIGHT"))
    if view.shows("benefit"):
        columns.append((_("Benefits, subsidies, ₽"), 17, "RIGHT"))
    columns.append((_("Total, ₽"), 18, "RIGHT"))
    return [(_("Service"), pdf.width - sum(w for _t, w, _a in columns), "LEFT"), *columns]


def _cells(line: ChargeLine, view: ReceiptView) -> list[str]:
    cells = [line.service, unit_label(line.unit), _volume(line.volume)]
    if view.shows("volume_common"):
        cells.append(_volume(line.volume_common) if line.volume_common else "—")
    cells += [money(line.tariff), money(line.by_tariff)]
    if view.shows("coefficient_amount"):
        cells.append(money(line.coefficient_amount) if line.coefficient_amount else "—")
    cells.append(money(line.recalculation) if line.recalculation else "—")
    if view.shows("benefit"):
        cells.append(money(-line.benefit) if line.benefit else "—")
    cells.append(money(line.total))
    return cells


def _totals(view: ReceiptView) -> list[str]:
    """The total row's figures, from the «charged» column on."""
    cells = [money(view.sum_of("by_tariff"))]
    if view.shows("coefficient_amount"):
        cells.append(money(view.sum_of("coefficient_amount")))
    cells.append(money(view.sum_of("recalculation")))
    if view.shows("benefit"):
        cells.append(money(-view.sum_of("benefit")))
    cells.append(money(view.sum_of("amount") + view.sum_of("recalculation")))
    return cells


def _charges(pdf: _Receipt, view: ReceiptView) -> None:
    """The charges by service; a heading that does not fit its column wraps inside its own cell."""
    columns = _columns(pdf, view)
    pdf.set_font("Main", "", 7)
    headings = FontFace(emphasis="BOLD", size_pt=6.5, fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=[w for _t, w, _a in columns],
        width=pdf.width,
        align="LEFT",
        line_height=3.5,
        headings_style=headings,
        text_align=[a for _t, _w, a in columns],
        padding=(0.8, 1.2),
    ) as table:
        heading = table.row()
        for title, _w, align in columns:
            heading.cell(title, align=align)
        for line in view.lines:
            row = table.row()
            for value in _cells(line, view):
                row.cell(value)
        totals = _totals(view)
        total = table.row()
        total.cell(_("Total"), colspan=len(columns) - len(totals), style=FontFace(emphasis="BOLD"))
        for value in totals[:-1]:
            total.cell(value)
        total.cell(totals[-1], style=FontFace(emphasis="BOLD"))
    notes = [
        _(
            "Increasing coefficient: %(service)s — × %(coefficient)s (%(amount)s)",
            service=line.service,
            coefficient=format_number(line.coefficient, 2),
            amount=format_money(line.coefficient_amount),
        )
        for line in view.lines
        if line.coefficient_amount
    ]
    notes += [
        _(
            "Recalculation: %(service)s — %(reason)s (%(amount)s)",
            service=line.service,
            reason=line.reason,
            amount=format_money(line.recalculation),
        )
        for line in view.lines
        if line.recalculation and line.reason
    ]
    if notes:
        pdf.ln(1)
        for text in notes:
            pdf.block(pdf.l_margin, pdf.width, 3.6, text, 7.5)
    pdf.ln(2)


def _received(entry: Entry) -> str:
    """A payment of the month, «05.11.2026 3 341,23 ₽», or a refund, «21.11.2026 возврат оплаты 1 000,00 ₽»."""
    refund = f"{_('Refund of a payment').lower()} " if entry.kind == EntryKind.REFUND else ""
    return f"{format_day(entry.occurred_at, 'short')} {refund}{format_money(abs(entry.amount))}"


def _corrected(entry: Entry) -> str:
    """A correction of the month with its reason, «31.10.2026 сальдо на начало … по данным биллинга 1 000,00 ₽»."""
    reason = f"{note_words(entry.kind, entry.note)[0]} " if entry.note else ""
    return f"{format_day(entry.occurred_at, 'short')} {reason}{format_money(entry.amount)}"


def _summary(pdf: _Receipt, view: ReceiptView) -> None:
    receipt = view.receipt
    amount_w = 45.0
    opening = (
        _("Debt at the start of the month") if receipt.opening >= 0 else _("Overpayment at the start of the month")
    )
    # A correction moves the balance (less debt with a minus) without being a charge of the services.
    corrections = [(_("Balance correction"), receipt.corrections)] if receipt.corrections else []
    for label, value in (
        (opening, abs(receipt.opening)),
        (_("Charged for the month"), receipt.charged),
        *corrections,
        (_("Paid in the month"), receipt.paid)
        if receipt.paid >= 0
        else (_("Refunded in the month, less payments"), -receipt.paid),
        (_("Penalties"), receipt.penalties),
    ):
        pdf.set_font("Main", "", 9.5)
        pdf.cell(pdf.width - amount_w, 5, label)
        pdf.cell(amount_w, 5, format_money(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Main", "B", 11.5)
    if receipt.overpaid:
        total, amount = _("Overpayment at the end of the month"), receipt.overpaid
    else:
        total, amount = _("Total to pay by %(date)s", date=format_day(receipt.due_date)), receipt.to_pay
    pdf.cell(pdf.width - amount_w, 7, total)
    pdf.cell(amount_w, 7, format_money(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if receipt.corrections and view.corrections:
        said = "; ".join(_corrected(c) for c in view.corrections)
        pdf.block(pdf.l_margin, pdf.width, 4, _("Balance corrections: %(list)s", list=said), 8)
    if view.payments:
        paid = "; ".join(_received(p) for p in view.payments)
        pdf.block(pdf.l_margin, pdf.width, 4, _("Payments received: %(list)s", list=paid), 8)
    for item in view.penalty_items:
        text = _(
            "Penalty on the debt for %(month)s (due %(due)s): %(amount)s",
            month=format_day(item.debt_period, "LLLL y"),
            due=format_day(item.due_date, "short"),
            amount=format_money(item.amount),
        )
        pdf.block(pdf.l_margin, pdf.width, 4, text, 8)
    pdf.ln(3)


SECTION_HEIGHT = 46.0
QR_SIZE = 42.0


def _sections(pdf: _Receipt, view: ReceiptView) -> None:
    """One box per payee: its QR code on the left, its requisites and amount on the right."""
    for section in view.sections:
        payee = section.payee
        if pdf.get_y() + SECTION_HEIGHT > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        pdf.rect(pdf.l_margin, top, pdf.width, SECTION_HEIGHT)
        if section.payload:
            image = io.BytesIO(qr.png_bytes(section.payload, scale=5))
            pdf.image(image, x=pdf.l_margin + 2, y=top + 2, w=QR_SIZE, h=QR_SIZE)
        x = pdf.l_margin + QR_SIZE + 6
        w = pdf.width - QR_SIZE - 8
        pdf.set_y(top + 3)
        pdf.block(x, w, 5, payee.name, 10, bold=True)
        details = [
            _("INN %(inn)s, KPP %(kpp)s", inn=payee.inn, kpp=payee.kpp),
            _("Bank: %(bank)s, BIC %(bic)s", bank=payee.bank_name, bic=payee.bic),
            _(
                "Account %(account)s, corr. account %(corr)s",
                account=payee.settlement_account,
                corr=payee.corresp_account,
            ),
            section.fields.get("Purpose", ""),
        ]
        pdf.block(x, w, 4, "\n".join(details), 8)
        pdf.set_x(x)
        pdf.set_font("Main", "B", 11)
        pdf.cell(
            w,
            7,
            _("To pay: %(amount)s", amount=format_money(section.total)) if section.total > 0 else _("Nothing to pay"),
        )
        pdf.set_xy(pdf.l_margin, top + SECTION_HEIGHT + 2)
