"""The receipt (ЕПД) as a PDF: fpdf2 with the DejaVu font (Cyrillic, ₽, №), the QR code of each payee's section.

No system package is needed: the font is copied into ``static/vendor/fonts`` by ``npm run vendor``.
"""

from __future__ import annotations

import io
from decimal import Decimal

from fpdf import FPDF

from portal.billing import qr
from portal.billing.queries import AccountInfo, ReceiptView
from portal.core.i18n import format_day, format_money, format_number
from portal.core.i18n import gettext as _
from portal.settings import ROOT, get_settings

FONT_DIR = ROOT / "static" / "vendor" / "fonts"


def _num(value: Decimal, digits: int = 2) -> str:
    return format_number(value, digits)


class _Receipt(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("Main", "", str(FONT_DIR / "DejaVuSans.ttf"))
        bold = FONT_DIR / "DejaVuSans-Bold.ttf"
        self.add_font("Main", "B", str(bold if bold.exists() else FONT_DIR / "DejaVuSans.ttf"))
        self.set_auto_page_break(auto=True, margin=12)
        self.set_margins(12, 12, 12)


def receipt_pdf(info: AccountInfo, view: ReceiptView, access_code: str = "") -> bytes:
    """One A4 page (more if the charges are long) with everything the ЕПД must show (ПП № 354 п. 69)."""
    receipt, period, company = view.receipt, view.period, view.company
    lines, payments, penalty_items = view.lines, view.payments, view.penalty_items
    pdf = _Receipt()
    pdf.set_title(_("Receipt for %(month)s", month=format_day(period, "LLLL y")))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("Main", "B", 13)
    pdf.multi_cell(
        width, 6, _("Payment document for housing and utilities for %(month)s", month=format_day(period, "LLLL y"))
    )
    pdf.set_font("Main", "", 8.5)
    pdf.multi_cell(
        width,
        4,
        " · ".join(
            [
                company.name if company else get_settings().company_name,
                _("INN %(inn)s", inn=company.inn if company else ""),
                *((company.address, company.phone, company.email, company.site) if company else ()),
            ]
        ),
    )
    pdf.ln(2)

    pdf.set_font("Main", "", 10)
    for label, value in (
        (_("Payer"), receipt.payer_name),
        (_("Address"), receipt.address),
        (_("Personal account"), info.number),
        (_("Area"), f"{_num(info.area)} м²"),
    ):
        pdf.set_font("Main", "", 9)
        pdf.cell(40, 5, label)
        pdf.set_font("Main", "B", 10)
        pdf.cell(width - 40, 5, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    # Charges by service
    cols = (
        (_("Service"), 62, "L"),
        (_("Unit"), 14, "C"),
        (_("Volume"), 20, "R"),
        (_("Tariff, ₽"), 20, "R"),
        (_("Charged, ₽"), 22, "R"),
        (_("Recalc., ₽"), 22, "R"),
        (_("Total, ₽"), width - 160, "R"),
    )
    pdf.set_font("Main", "B", 8)
    pdf.set_fill_color(235, 238, 243)
    for title, w, align in cols:
        pdf.cell(w, 6, title, border=1, align=align, fill=True)
    pdf.ln()
    pdf.set_font("Main", "", 8)
    for line in lines:
        values = (
            line.service,
            line.unit,
            _num(line.volume, 3),
            _num(line.tariff),
            _num(line.amount),
            _num(line.recalculation) if line.recalculation else "—",
            _num(line.total),
        )
        for (_title, w, align), value in zip(cols, values, strict=True):
            pdf.cell(w, 5.5, str(value), border=1, align=align)
        pdf.ln()
    reasons = [line for line in lines if line.recalculation and line.reason]
    if reasons:
        pdf.set_font("Main", "", 7.5)
        for line in reasons:
            pdf.multi_cell(
                width, 4, _("Recalculation: %(service)s — %(reason)s", service=line.service, reason=line.reason)
            )
    pdf.ln(2)

    # Summary
    pdf.set_font("Main", "", 10)
    summary = (
        (_("Debt at the start of the month (− overpayment)"), receipt.opening),
        (_("Charged for the month"), receipt.charged),
        (_("Paid in the month"), receipt.paid),
        (_("Penalties"), receipt.penalties),
    )
    for label, value in summary:
        pdf.cell(width - 45, 5.5, label)
        pdf.cell(45, 5.5, format_money(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Main", "B", 12)
    pdf.cell(width - 45, 7, _("Total to pay by %(date)s", date=format_day(receipt.due_date)))
    pdf.cell(45, 7, format_money(receipt.to_pay), align="R", new_x="LMARGIN", new_y="NEXT")
    if payments:
        pdf.set_font("Main", "", 8)
        paid = "; ".join(f"{format_day(p.occurred_at, 'short')} {format_money(-p.amount)}" for p in payments)
        pdf.multi_cell(width, 4, _("Payments received: %(list)s", list=paid))
    if penalty_items:
        pdf.set_font("Main", "", 8)
        for item in penalty_items:
            pdf.multi_cell(
                width,
                4,
                _(
                    "Penalty on the debt for %(month)s (due %(due)s): %(amount)s",
                    month=format_day(item.debt_period, "LLLL y"),
                    due=format_day(item.due_date, "short"),
                    amount=format_money(item.amount),
                ),
            )
    pdf.ln(3)

    # One section per payee, with its QR code
    for section in view.sections:
        payee = section.payee
        top = pdf.get_y()
        if top > pdf.h - 60:
            pdf.add_page()
            top = pdf.get_y()
        pdf.set_draw_color(139, 149, 165)
        pdf.rect(pdf.l_margin, top, width, 46)
        if section.payload:
            image = io.BytesIO(qr.png_bytes(section.payload, scale=5))
            pdf.image(image, x=pdf.l_margin + 2, y=top + 2, w=42, h=42)
        pdf.set_xy(pdf.l_margin + 48, top + 3)
        pdf.set_font("Main", "B", 10)
        pdf.multi_cell(width - 50, 5, payee.name)
        pdf.set_x(pdf.l_margin + 48)
        pdf.set_font("Main", "", 8)
        fields = section.fields
        details = "\n".join(
            [
                _("INN %(inn)s, KPP %(kpp)s", inn=payee.inn, kpp=payee.kpp),
                _("Bank: %(bank)s, BIC %(bic)s", bank=payee.bank_name, bic=payee.bic),
                _(
                    "Account %(account)s, corr. account %(corr)s",
                    account=payee.settlement_account,
                    corr=payee.corresp_account,
                ),
                fields.get("Purpose", ""),
            ]
        )
        pdf.multi_cell(width - 50, 4, details)
        pdf.set_x(pdf.l_margin + 48)
        pdf.set_font("Main", "B", 11)
        pdf.cell(width - 50, 7, _("To pay: %(amount)s", amount=format_money(section.total)))
        pdf.set_y(top + 48)
    if access_code:
        pdf.set_font("Main", "", 8)
        pdf.multi_cell(
            width,
            4,
            _("Access code for registering this account in the resident portal: %(code)s", code=access_code),
        )
    return bytes(pdf.output())
