"""The debtors list and the payments received as tables for the exports (written by ``core.exports``: in the
reader's language, safe to open in a spreadsheet)."""

from __future__ import annotations

from collections.abc import AsyncIterable
from collections.abc import AsyncIterator
from collections.abc import Sequence
from typing import Any

from portal.billing.channels import Received
from portal.billing.channels import channel_label
from portal.core import csv_stream
from portal.core.exports import Code
from portal.core.exports import Count
from portal.core.exports import Money
from portal.core.exports import Month
from portal.core.exports import Workbook
from portal.core.i18n import gettext as _


def debtor_table(rows: Sequence[Any]) -> list[list[Any]]:
    header = [
        _("Account"),
        _("Payer"),
        _("Address"),
        _("Entrance"),
        _("Debt, ₽"),
        _("Overdue, ₽"),
        _("Charged this month, ₽"),
        _("Months overdue"),
    ]
    body = [
        [Code(r.number), r.payer_name, r.address, r.entrance or "", Money.of(r.debt), Money.of(r.overdue),
         Money.of(r.charged), Count.of(r.months)]
        for r in rows
    ]  # fmt: skip
    return [header, *body]


def received_header() -> list[str]:
    return [_("Credited"), _("Month"), _("Account"), _("Address"), _("Channel"), _("Amount, ₽")]


def received_cells(r: Received) -> list[Any]:
    """A payment received as the list shows it (its month too: the file may span several)."""
    channel = channel_label(r.channel) if r.channel else _("not known")
    return [r.occurred_at, Month.of(r.period), Code(r.account_number), r.address, channel, Money.of(r.amount)]


def received_csv(rows: AsyncIterable[Received]) -> AsyncIterator[bytes]:
    """The payments received as a CSV streamed a chunk at a time (``core.csv_stream``)."""
    return csv_stream.csv_chunks(received_header(), (received_cells(r) async for r in rows))


async def received_xlsx(rows: AsyncIterable[Received]) -> bytes:
    """The same columns as an XLSX, written a batch at a time on a worker thread (``core.exports.Workbook``)."""
    book = await Workbook.opened()
    sheet = book.sheet(_("Payments received"))
    sheet.append(received_header())
    await sheet.extend(received_cells(r) async for r in rows)
    return await book.written()
