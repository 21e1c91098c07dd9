"""Certificates the portal makes from its own data, as PDF (fpdf2 with the vendored DejaVu font): a statement of
a personal account for a period (выписка из лицевого счёта) and a certificate of no debt (справка об отсутствии
задолженности). A copy of a receipt is billing's own receipt PDF.

Documents for other offices are made in Russian whatever the language of the page that ordered them.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from portal.billing import notes
from portal.billing.queries import AccountInfo
from portal.billing.queries import PayeeInfo
from portal.catalog.queries import StatementData
from portal.core import clock
from portal.core.i18n import format_area
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.pdf import A4
from portal.settings import get_settings

ENTRY_LABELS = {
    "charge": lazy("Charge"),
    "payment": lazy("Payment"),
    "penalty": lazy("Penalty"),
    "correction": lazy("Correction"),
    "refund": lazy("Payment returned"),
}


class _Document(A4):
    def __init__(self, title: str) -> None:
        super().__init__(margin=15)
        self.set_title(title)
        self.add_page()


def amount(value: Decimal) -> str:
    """An amount as the documents print it: «3 540,00» (what a reader of the statement compares)."""
    return format_number(value, 2, fixed=True)


def _head(pdf: _Document, company: PayeeInfo | None) -> None:
    pdf.set_font("Main", "B", 10)
    pdf.multi_cell(pdf.width, 5, company.name if company else get_settings().company_name)
    if company:
        pdf.set_font("Main", "", 8)
        parts = [f"ИНН {company.inn}", f"КПП {company.kpp}" if company.kpp else "", company.address, company.phone]
        pdf.multi_cell(pdf.width, 4, " · ".join(p for p in parts if p))
    pdf.ln(6)


def _facts(pdf: _Document, account: AccountInfo) -> None:
    for label, value in (
        (gettext("Personal account"), account.number),
        (gettext("Payer"), account.payer_name),
        (gettext("Address"), account.address),
        (gettext("Area"), format_area(account.area)),
    ):
        pdf.set_font("Main", "", 9)
        pdf.cell(45, 6, label)
        pdf.set_font("Main", "B", 10)
        pdf.multi_cell(pdf.width - 45, 6, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _signature(pdf: _Document, issued: datetime, number: int) -> None:
    pdf.ln(8)
    pdf.set_font("Main", "", 9)
    pdf.multi_cell(
        pdf.width,
        5,
        gettext(
            "Issued %(date)s, order No. %(number)s. The document is made by the resident portal from the "
            "company's ledger of personal accounts.",
            date=format_day(clock.local(issued)),
            number=number,
        ),
    )


def statement_pdf(data: StatementData, *, number: int, issued: datetime) -> bytes:
    """Every ledger entry of the period with its date and amount, between the balance at the start and at the end."""
    period = f"{format_day(data.start, 'LLLL y')} – {format_day(data.end, 'LLLL y')}"
    pdf = _Document(gettext("Statement of personal account %(number)s", number=data.account.number))
    _head(pdf, data.company)
    pdf.set_font("Main", "B", 14)
    pdf.multi_cell(pdf.width, 7, gettext("Statement of personal account No. %(number)s", number=data.account.number))
    pdf.set_font("Main", "", 11)
    pdf.multi_cell(pdf.width, 6, gettext("for the period: %(period)s", period=period))
    pdf.ln(3)
    _facts(pdf, data.account)

    columns = ((gettext("Date"), 24, "L"), (gettext("Operation"), 96, "L"), (gettext("Charged"), 30, "R"),
               (gettext("Paid"), 30, "R"))  # fmt: skip
    pdf.set_font("Main", "B", 9)
    pdf.set_fill_color(235, 238, 243)
    for title, w, align in columns:
        pdf.cell(w, 7, title, border=1, align=align, fill=True)
    pdf.ln()
    pdf.set_font("Main", "B", 9)
    pdf.cell(120, 6.5, gettext("Balance at the start of the period"), border=1)
    pdf.cell(60, 6.5, _balance(data.opening), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Main", "", 9)
    for entry in data.entries:
        maker = ENTRY_LABELS.get(entry.kind)
        label = maker() if maker else entry.kind
        if entry.note:
            label = f"{label}: {notes.words(entry.kind, entry.note)[0]}"
        pdf.cell(24, 6.5, clock.local(entry.occurred_at).strftime("%d.%m.%Y"), border=1)
        pdf.cell(96, 6.5, label[:70], border=1)
        pdf.cell(30, 6.5, amount(entry.amount) if entry.amount > 0 else "", border=1, align="R")
        pdf.cell(30, 6.5, amount(-entry.amount) if entry.amount < 0 else "", border=1, align="R")
        pdf.ln()
    if not data.entries:
        pdf.cell(180, 6.5, gettext("No entries in this period."), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Main", "B", 9)
    pdf.cell(120, 6.5, gettext("Total for the period"), border=1)
    pdf.cell(30, 6.5, amount(data.charged), border=1, align="R")
    pdf.cell(30, 6.5, amount(data.paid), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(120, 6.5, gettext("Balance at the end of the period"), border=1)
    pdf.cell(60, 6.5, _balance(data.closing), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    _signature(pdf, issued, number)
    return bytes(pdf.output())


def _balance(value: Decimal) -> str:
    if value > 0:
        return gettext("debt %(amount)s", amount=format_money(value))
    if value < 0:
        return gettext("overpayment %(amount)s", amount=format_money(-value))
    return gettext("no debt")


def no_debt_pdf(account: AccountInfo, company: PayeeInfo | None, balance: Decimal, *, on: date, number: int,
                issued: datetime, closing_debt: Decimal | None = None) -> bytes:  # fmt: skip
    """«Справка об отсутствии задолженности»: on ``on`` the ledger of the account owes nothing; a closed account's
    certificate says the day it closed and what it owed on that day (``closing_debt``), paid since."""
    pdf = _Document(gettext("Certificate of no debt"))
    _head(pdf, company)
    pdf.set_font("Main", "B", 14)
    pdf.multi_cell(pdf.width, 7, gettext("Certificate of no debt"), align="C")
    pdf.ln(4)
    _facts(pdf, account)
    pdf.set_font("Main", "", 11)
    text = gettext(
        "As of %(date)s there is no debt for housing and utility services on personal account No. %(number)s.",
        date=format_day(on),
        number=account.number,
    )
    if balance < 0:
        text += " " + gettext("The account has an overpayment of %(amount)s.", amount=format_money(-balance))
    if account.closed_on is not None and closing_debt is not None:  # a sold flat: its account ended that day
        day = format_day(account.closed_on)
        if closing_debt > 0:
            owed = format_money(closing_debt)
            text += " " + gettext(
                "The account closed on %(day)s; its debt on that day, %(amount)s, is paid.", day=day, amount=owed
            )
        else:
            text += " " + gettext("The account closed on %(day)s with no debt on that day.", day=day)
    pdf.multi_cell(pdf.width, 6, text)
    _signature(pdf, issued, number)
    return bytes(pdf.output())
