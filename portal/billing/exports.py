"""The debtors list as a table for the exports (written by ``core.exports``: in the reader's language, safe to open
in a spreadsheet)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal.core.exports import Code
from portal.core.exports import Count
from portal.core.exports import Money
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
