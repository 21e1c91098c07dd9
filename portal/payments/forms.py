"""The input of the payments pages read into typed values through ``core.parse``, with translated errors. No I/O:
the accounts and cards a user may choose are handed in by the handler."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.billing.forms import no_such_complex
from portal.core.db import from_kopecks
from portal.core.db import to_kopecks
from portal.core.i18n import get_locale
from portal.core.i18n import gettext
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_ids
from portal.core.parse import parse_int
from portal.core.parse import parse_money
from portal.core.parse import parse_month
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.core.web import houses_read
from portal.core.web import money_error
from portal.core.web import no_such_choice
from portal.core.web import no_such_house
from portal.core.web import no_such_status
from portal.core.web import not_a_day
from portal.core.web import read_range
from portal.core.web import several
from portal.core.web import shown_days
from portal.core.web import unread_filters
from portal.core.web import unread_sum
from portal.payments import rules
from portal.payments import texts
from portal.payments.queries import STATUS_FILTERS
from portal.payments.queries import PayableAccount
from portal.payments.queries import StaffFilter
from portal.payments.tables import PaymentPurpose


def amount_text(amount: Decimal) -> str:
    """An amount as the form shows it: «3540,00» in Russian, "3540.00" in English (no group separators, so any
    keyboard can edit it; both are read back)."""
    text = f"{amount:.2f}"
    return text.replace(".", ",") if get_locale() == "ru" else text


# --- paying -----------------------------------------------------------------------------------------------------


# The balance a sheet showed, in kopecks: as far as any balance can go either way.
_SEEN_LIMIT = 10**15


@dataclass
class PayForm:
    """The pay sheet: which accounts are paid and how much for each (typed text kept for the page); ``period``:
    the billing month of the receipt the sheet was opened from (one account's sheet only), paid first. ``seen``:
    the balance of each account as the sheet showed it (its amounts were computed from it), carried by the form so
    that the checkout is not started when a payment came in meanwhile; ``outdated``: the sheet is shown again for
    that reason; ``unavailable``: the words of a payment the gateway could not open (the service's notice, not a
    mistake of the payer's)."""

    chosen: set[int] = field(default_factory=set)
    typed: dict[str, str] = field(default_factory=dict)
    items: list[tuple[PayableAccount, Decimal]] = field(default_factory=list)
    errors: FormErrors = field(default_factory=FormErrors)
    period: date | None = None
    seen: dict[int, Decimal] = field(default_factory=dict)
    outdated: bool = False
    unavailable: str = ""

    def seen_kopecks(self, account: PayableAccount) -> int:
        """The balance the page carries for ``account``: the one the payer's amounts were read against (a sheet shown
        again with an error keeps it), else the account's balance now."""
        return to_kopecks(self.seen.get(account.id, account.balance))


def receipt_period(value: object, accounts: Sequence[PayableAccount]) -> date | None:
    """The receipt's month (``2026-11``) a sheet of one account names; none for a sheet of several accounts."""
    return parse_month(value) if len(accounts) == 1 else None


def initial_pay_form(accounts: Sequence[PayableAccount], wanted: object = None, period: object = None) -> PayForm:
    """The sheet as it opens: each amount due less its payments still pending prefilled; the account asked for
    (``?account=``) chosen alone, otherwise every account with something left to pay (or the first); the receipt's
    month (``?period=``) kept."""
    typed = {str(a.id): amount_text(a.to_pay) if a.to_pay > 0 else "" for a in accounts}
    ids = [a.id for a in accounts]
    account = parse_id(wanted)
    # with nothing to pay anywhere, the first account still open (a closed one takes no advance)
    debts = {a.id for a in accounts if a.to_pay > 0} or set([a.id for a in accounts if not a.closed][:1] or ids[:1])
    return PayForm(
        chosen={account} if account is not None and account in ids else debts,
        typed=typed,
        period=receipt_period(period, accounts),
    )


def read_pay_form(data: Mapping[str, Any], accounts: Sequence[PayableAccount]) -> PayForm:
    """Fields ``pay_<id>`` (chosen; implied when the sheet shows one account), ``amount_<id>`` and ``period``."""
    form = PayForm(period=receipt_period(form_value(data, "period"), accounts))
    for account in accounts:
        name = f"amount_{account.id}"
        seen = parse_int(form_value(data, f"seen_{account.id}"), low=-_SEEN_LIMIT, high=_SEEN_LIMIT)
        if seen is not None:  # a sheet without it (opened before the field existed) is paid as typed
            form.seen[account.id] = from_kopecks(seen)
        form.typed[str(account.id)] = form_value(data, name)[:40]
        if len(accounts) > 1 and not form_value(data, f"pay_{account.id}"):
            continue
        form.chosen.add(account.id)
        amount = parse_money(form.typed[str(account.id)])
        problem = rules.amount_problem(amount)
        # on a sheet of several accounts the summary above it says which account's amount is wrong
        label = gettext("Account %(number)s", number=account.number) if len(accounts) > 1 else ""
        if problem:
            form.errors.add(name, money_error(form.typed[str(account.id)], texts.amount_error(problem)), label)
        elif amount is not None and rules.over_closed(amount, account.to_pay, closed=account.closed):
            form.errors.add(name, texts.over_closed_error(account.to_pay), label)
        else:
            assert amount is not None
            form.items.append((account, amount))
    if not form.chosen:
        form.errors.general.append(gettext("Choose at least one account to pay for."))
    return form


def pay_form_after_credit(form: PayForm, accounts: Sequence[PayableAccount], credited: Collection[int]) -> PayForm:
    """The sheet shown again because a payment came in on the ``credited`` accounts while it was open: their amounts
    as ``rules.amount_after_credit`` proposes against what is due now, the others as typed; the same accounts
    chosen but those left with nothing to pay; the balances carried are those of now."""
    typed, chosen = dict(form.typed), set(form.chosen)
    for account in accounts:
        key = str(account.id)
        if account.id in credited:
            was_due = max(Decimal("0.00"), form.seen.get(account.id, account.balance))
            amount = rules.amount_after_credit(parse_money(typed.get(key, "")), was_due, account.to_pay)
            typed[key] = amount_text(amount) if amount is not None else ""
            if amount is None:
                chosen.discard(account.id)
    return PayForm(chosen=chosen, typed=typed, period=form.period, outdated=True)


def typed_total(form: PayForm, percent: Decimal) -> Decimal:
    """What the sheet's button states: the amounts typed for the chosen accounts (those that can be paid), with
    the commission."""
    amounts = [parse_money(text) for key, text in form.typed.items() if parse_id(key) in form.chosen]
    return rules.total_with_commission((a for a in amounts if a is not None and not rules.amount_problem(a)), percent)


# --- autopay ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AutopayForm:
    card: int | None
    limit: Decimal | None
    errors: FormErrors


def read_autopay_form(data: Mapping[str, Any], account_id: int, cards: Collection[int]) -> AutopayForm:
    """Fields ``card_<account>`` and ``limit_<account>`` (one form per account on the autopay page)."""
    errors = FormErrors()
    card = parse_id(form_value(data, f"card_{account_id}"))
    if card not in cards:
        errors.add(f"card_{account_id}", gettext("Choose a saved card."))
    typed = form_value(data, f"limit_{account_id}")
    limit = parse_money(typed)
    problem = rules.amount_problem(limit)
    if problem:
        errors.add(f"limit_{account_id}", money_error(typed, texts.limit_error(problem)))
    return AutopayForm(card=card, limit=limit, errors=errors)


def name_autopay_accounts(errors: FormErrors, accounts: Sequence[PayableAccount]) -> FormErrors:
    """The summary above the autopay page names the account of each refused field, as the pay sheet's does: the page
    has a form per account, and «Введите лимит…» alone does not say whose (one account needs no name)."""
    if len(accounts) > 1:
        for account in accounts:
            for name in (f"card_{account.id}", f"limit_{account.id}"):
                if name in errors.fields:
                    errors.labels.setdefault(name, gettext("Account %(number)s", number=account.number))
    return errors


# --- staff --------------------------------------------------------------------------------------------------------


def read_staff_filter(query: Mapping[str, Any]) -> StaffFilter:
    """The staff list's filters from the query string; what cannot be read is left out (``staff_filter_problems``
    says so on the page)."""
    status = form_value(query, "status")
    purpose = form_value(query, "purpose")
    days = read_range(query, "from", "to", parse_date)
    paid = read_range(query, "paid_from", "paid_to", parse_date)
    return StaffFilter(
        status=status if status in STATUS_FILTERS else None,
        date_from=days.start,
        date_to=days.end,
        houses=tuple(parse_ids(several(query, "house"))),
        complex=parse_id(form_value(query, "complex")),
        purpose=purpose if purpose in PURPOSES else "",
        paid_from=paid.start,
        paid_to=paid.end,
        amount_min=_amount(form_value(query, "min")),
        amount_max=_amount(form_value(query, "max")),
        account=form_value(query, "account")[:20],
        channel=form_value(query, "channel")[:16],
    )


PURPOSES = tuple(p.value for p in PaymentPurpose)


def _amount(text: str) -> Decimal | None:
    amount = parse_money(text)
    return amount if amount is not None and amount >= 0 else None


def staff_filter_problems(query: Mapping[str, Any], chosen: StaffFilter) -> tuple[dict[str, str], FormErrors]:
    """The staff list's filters as typed (a date read as its date field holds it), and a message at each it could
    not read or would find nothing by, a period that ends before it starts (``core.web.unread_filters``); ``chosen``
    keeps the houses and the complex that are the user's (``core.web.among``)."""
    day = not_a_day()
    no_status = no_such_status(query)
    days = read_range(query, "from", "to", parse_date)
    paid = read_range(query, "paid_from", "paid_to", parse_date)
    typed, problems = unread_filters(
        query,
        {
            "status": (chosen.status, gettext("Payment status"), no_status),
            "house": (houses_read(query, chosen.houses), gettext("House"), no_such_house()),
            "complex": (chosen.complex, gettext("Complex"), no_such_complex()),
            "purpose": (chosen.purpose or None, gettext("Paid for"), no_such_choice(query, "purpose")),
            "paid_from": (paid.low, gettext("Paid from"), day),
            "paid_to": (paid.high, gettext("Paid to"), day),
            "from": (days.low, gettext("Created from"), day),
            "to": (days.high, gettext("Created to"), day),
            "min": (chosen.amount_min, gettext("Amount from, ₽"), unread_sum(query, "min")),
            "max": (chosen.amount_max, gettext("Amount to, ₽"), unread_sum(query, "max")),
        },
        [("from", "to"), ("paid_from", "paid_to")],
    )
    shown = {"from": days.low, "to": days.high, "paid_from": paid.low, "paid_to": paid.high}
    return typed | shown_days(typed, shown), problems


@dataclass(frozen=True)
class RefundForm:
    amount: Decimal | None
    reason: str
    typed: dict[str, str]
    errors: FormErrors


def initial_refund_form(available: Decimal) -> RefundForm:
    return RefundForm(None, "", {"amount": amount_text(available), "reason": ""}, FormErrors())


def read_refund_form(data: Mapping[str, Any], available: Decimal) -> RefundForm:
    """The refund of a payment with ``available`` left to refund (``rules.refundable``); the action asks the rule
    again under the payment's lock, where a refund someone made meanwhile counts too."""
    typed = {"amount": form_value(data, "amount")[:40], "reason": form_value(data, "reason")[:255]}
    errors = FormErrors()
    amount = parse_money(typed["amount"])
    if amount is None:
        errors.add("amount", money_error(typed["amount"], gettext("Enter the amount to refund, for example 1500,00.")))
    elif amount <= 0:  # typed, and read: not to be asked for again as if it were not there
        errors.add("amount", gettext("A refund is more than zero: enter the amount to return, for example 1500,00."))
    elif problem := rules.refund_problem(to_kopecks(amount), to_kopecks(available)):
        errors.add("amount", texts.refund_error(problem))
    if len(typed["reason"]) < 3:
        errors.add("reason", gettext("Say why the money is returned (it goes to the audit log)."))
    if not form_value(data, "confirm"):
        errors.add("confirm", gettext("Confirm that the money goes back to the payer's card."))
    return RefundForm(amount, typed["reason"], typed, errors)
