"""Rules of paid services and certificates: prices and amounts, days and slots, the order's life (what it shows,
who may cancel it and when), quotes, and which certificate may be issued.

Plain functions over plain data: no I/O, no clock (``today`` is an argument).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum

import snowballstemmer

from portal.catalog.tables import DocumentKind
from portal.catalog.tables import OrderStatus
from portal.catalog.tables import PriceKind
from portal.catalog.tables import ServiceKind
from portal.catalog.tables import Unit
from portal.tickets import rules as ticket_rules

KOPECK = Decimal("0.01")
MAX_PRICE = Decimal("1000000.00")
MAX_QUANTITY = Decimal("1000")
MAX_ITEMS = 10  # services in one order
HORIZON_DAYS = 30  # how far ahead a preferred day may be
MAX_STATEMENT_MONTHS = 36
MAX_COMMENT = 2000
# Time windows a resident picks from (setting CATALOG_SLOTS overrides them).
DEFAULT_SLOTS = ("09:00–12:00", "12:00–15:00", "15:00–18:00", "18:00–21:00")

S = OrderStatus


# --- search -------------------------------------------------------------------------------------------------------

# A resident types «розетка», «замок», «окно» and the catalogue says «Установка розетки», «Ремонт замка», «Мойка
# окна»: words are compared by their stems (the Snowball stemmer for Russian; an English word is left as it is
# and found as typed). Snowball keeps a fleeting vowel: «замок»/«замка» stem to «замок»/«замк», «окон»/«окна» to
# «окон»/«окн», and a genitive plural may lose more («сосен» → «сос», against «сосн»). A stem or a word of four
# letters or more ending in a consonant, «о» or «е», a consonant also stands for itself without that vowel («окн»,
# «сосн», «кресл», «замк»), so the two meet; the stems are still compared whole, so «окон» finds «окно», «окна»
# (and «оконный»), never «кондиционер» or «окраска».
_RUSSIAN = snowballstemmer.stemmer("russian")
_CONSONANT = "бвгджзклмнпрстфхцчшщ"
_FLEETING = re.compile(rf"^([а-я]+[{_CONSONANT}])[ое]([{_CONSONANT}])$")
_WORD = re.compile(r"[0-9a-zа-яё]+(?:-[0-9a-zа-яё]+)*")
FLEETING_LEAST = 4  # «вод» (вода) keeps its vowel: too short to tell a fleeting one


def _without_fleeting(word: str) -> str | None:
    """``word`` less the vowel between its last two consonants (None where it has none to lose)."""
    if len(word) < FLEETING_LEAST or not _FLEETING.match(word):
        return None
    return _FLEETING.sub(r"\1\2", word)


def stems(word: str) -> set[str]:
    """What a word is compared by: its stem (``_RUSSIAN``) less a fleeting vowel, and the word itself less one (a
    genitive plural with no ending: «сосен» → «сосн»)."""
    stemmed = _RUSSIAN.stemWord(word)
    return {_without_fleeting(stemmed) or stemmed} | ({bare} if (bare := _without_fleeting(word)) else set())


def _starts_a_word(typed: str, text: str) -> bool:
    """Whether ``text`` has a word beginning with ``typed`` (a word's start: the text's start, or after anything not a
    letter or digit, a hyphen too: «канал» starts a word of «кабель-канал»), never its middle: «окон» is not in
    «подоконник»."""
    return re.search(_WORD_START + re.escape(typed), text) is not None


_WORD_START = r"(?<![0-9a-zа-яё])"


def found_in(query: str, text: str) -> bool:
    """Whether every word of ``query`` is in ``text`` (both lower case): as typed at a word's start (the whole word,
    or its start: «сантех» finds «сантехника», «окон» never «подоконник»), or a word of the text shares a stem with
    it (``stems``; the text's words read without the punctuation around them: «окон,» is «окон»). Stems are compared
    whole, so «вода» does not find every «вод…» («водоотведение»)."""
    known = {s for t in _WORD.findall(text) for s in stems(t)}
    return all(_starts_a_word(w, text) or not stems(w).isdisjoint(known) for w in query.split())


# --- prices and amounts -----------------------------------------------------------------------------------------


def quantity_places(unit: str) -> int:
    """Digits after the comma a quantity may have: square metres to the hundredth, hours by the half, items whole."""
    return {Unit.SQUARE_METRE: 2, Unit.HOUR: 1}.get(unit, 0)


def quantity_problem(price_kind: str, unit: str, quantity: Decimal | None) -> str | None:
    """Why a quantity is not accepted («invalid», «too_large», «not_whole»), or None."""
    if price_kind != PriceKind.PER_UNIT:
        return None if quantity == 1 else "invalid"
    if quantity is None or quantity <= 0:
        return "invalid"
    if quantity > MAX_QUANTITY:
        return "too_large"
    if unit == Unit.HOUR and (quantity * 2) != (quantity * 2).to_integral_value():
        return "not_whole"
    if quantity != quantity.quantize(Decimal(1).scaleb(-quantity_places(unit))):
        return "not_whole"
    return None


def line_amount(price_kind: str, unit_price: Decimal, quantity: Decimal) -> Decimal | None:
    """What one item costs: the price, or the price × quantity rounded half up to kopecks; None for a "from"
    price, which staff quote."""
    if price_kind == PriceKind.FROM:
        return None
    if price_kind == PriceKind.PER_UNIT:
        return (unit_price * quantity).quantize(KOPECK, rounding=ROUND_HALF_UP)
    return unit_price.quantize(KOPECK)


def order_total(amounts: Iterable[Decimal | None]) -> Decimal | None:
    """The total of an order's items, or None while any item waits for its quote."""
    total = Decimal("0.00")
    for amount in amounts:
        if amount is None:
            return None
        total += amount
    return total


def quote_problem(amount: Decimal | None) -> str | None:
    """A quoted price is a positive amount within the catalogue's limit."""
    if amount is None:
        return "invalid"
    if amount <= 0:
        return "too_small"
    if amount > MAX_PRICE:
        return "too_large"
    return None


def price_problem(price_kind: str, amount: Decimal | None, unit: str) -> str | None:
    """A catalogue price: zero (free) or more, within the limit; a price per unit names its unit."""
    if amount is None or amount < 0:
        return "invalid"
    if amount > MAX_PRICE:
        return "too_large"
    if price_kind == PriceKind.PER_UNIT and unit == Unit.NONE:
        return "no_unit"
    if price_kind == PriceKind.FROM and amount == 0:
        return "invalid"
    return None


# --- days and slots ------------------------------------------------------------------------------------------------


def bookable_days(today: date, horizon: int = HORIZON_DAYS) -> list[date]:
    """The days a resident may ask for: from tomorrow, ``horizon`` days ahead."""
    return [today + timedelta(days=n) for n in range(1, horizon + 1)]


def day_problem(day: date | None, today: date, horizon: int = HORIZON_DAYS) -> str | None:
    if day is None:
        return "missing"
    if day <= today:
        return "past"
    if day > today + timedelta(days=horizon):
        return "too_far"
    return None


def line_after_removal(service_ids: Sequence[int], removed: int | None) -> int | None:
    """The cart line that takes the keyboard after ``removed`` is taken out of the cart ``service_ids``: the next
    line, or the one before where the last went; None where none is left (the cart's heading takes it then)."""
    if removed not in service_ids:
        return None
    rest = [sid for sid in service_ids if sid != removed]
    at = service_ids.index(removed)
    return rest[min(at, len(rest) - 1)] if rest else None


def is_full(slots_per_day: int, booked: int) -> bool:
    """A service takes ``slots_per_day`` orders a day (0: no limit)."""
    return slots_per_day > 0 and booked >= slots_per_day


def parse_slots(setting: str | None) -> tuple[str, ...]:
    """The time windows of the CATALOG_SLOTS setting («09:00–12:00, 12:00–15:00»), or the default ones."""
    slots = tuple(s.strip() for s in (setting or "").split(",") if s.strip())
    return slots or DEFAULT_SLOTS


# --- the order's life ------------------------------------------------------------------------------------------

T = ticket_rules.Status
FOLLOWS_TICKET: dict[str, OrderStatus] = {
    T.NEW: S.ACCEPTED,
    T.ACCEPTED: S.ACCEPTED,
    T.REOPENED: S.ACCEPTED,
    T.IN_WORK: S.IN_WORK,
    T.DONE: S.DONE,
    T.CLOSED: S.DONE,
    T.CANCELLED: S.CANCELLED,
}
ACTIVE = frozenset({S.QUOTE_REQUESTED, S.QUOTED, S.AWAITING_PAYMENT, S.ACCEPTED, S.IN_WORK})
# Stored statuses an order has before it is paid for (no request yet).
UNPAID = frozenset({S.QUOTE_REQUESTED, S.QUOTED, S.AWAITING_PAYMENT})


def shown_status(stored: str, ticket_status: str | None) -> OrderStatus:
    """What people are shown: the stored status until the order's request is open, then the request's."""
    if stored == S.CANCELLED:
        return S.CANCELLED
    if ticket_status is None:
        return OrderStatus(stored)
    return FOLLOWS_TICKET.get(ticket_status, OrderStatus(stored))


class Money(StrEnum):
    """What became of an order's money, as its payer is shown it next to the order's status."""

    NONE = "none"  # nothing paid (or free)
    PAID = "paid"
    RETURNING = "returning"  # cancelled with the money still with us: the refund job or staff return it
    RETURNED = "returned"


def money_state(stored: str, paid: bool, refunded: bool) -> Money:
    """A cancelled order's money is not «paid» until it is back with the payer: it is being returned (by the
    payment service, or by hand), then returned."""
    if refunded:
        return Money.RETURNED
    if not paid:
        return Money.NONE
    return Money.RETURNING if stored == S.CANCELLED else Money.PAID


def may_cancel(stored: str, ticket_status: str | None, *, payment_underway: bool = False) -> bool:
    """An order is cancelled before work starts: before it is paid, or while its request is not in work yet
    (the request's own rule for a resident cancelling it). An order not paid yet is not cancelled while a payment
    of it is paid (its word not applied to the order yet), being confirmed or may still be paid
    (``payment_underway``: the gateway asked first where it matters): it would stay cancelled with the money taken."""
    if stored in (S.CANCELLED, S.DONE):
        return False
    if stored in UNPAID:
        return not payment_underway
    if ticket_status is None:
        return stored == S.ACCEPTED
    return ticket_rules.resident_may_cancel(ticket_status)


def may_pay(stored: str, total: Decimal | None) -> bool:
    """The resident pays an order that has its price (fixed, or quoted and accepted by paying) and is unpaid."""
    return stored in (S.AWAITING_PAYMENT, S.QUOTED) and total is not None and total > 0


def may_quote(stored: str) -> bool:
    """Staff name (or correct) the price until the resident has paid."""
    return stored in (S.QUOTE_REQUESTED, S.QUOTED)


def may_rate(ticket_status: str | None, rating: int | None) -> bool:
    return ticket_status is not None and ticket_rules.resident_may_rate(ticket_status, rating)


def first_status(kind: str, needs_quote: bool, total: Decimal | None) -> OrderStatus:
    """How a new order starts: waiting for a quote, for payment, or (free) accepted at once."""
    if needs_quote or total is None:
        return S.QUOTE_REQUESTED
    if total > 0:
        return S.AWAITING_PAYMENT
    return S.ACCEPTED


@dataclass(frozen=True)
class Priced:
    """What an item of an order is: the service, its title (in Russian and in English, empty where staff wrote
    none) and price as ordered, and how much of it."""

    service_id: int
    title: str
    title_en: str
    price_kind: str
    unit: str
    unit_price: Decimal
    quantity: Decimal


@dataclass(frozen=True)
class Line(Priced):
    """One item as the resident asked for it, priced from the catalogue now."""

    @property
    def amount(self) -> Decimal | None:
        return line_amount(self.price_kind, self.unit_price, self.quantity)


def needs_quote(lines: Sequence[Line]) -> bool:
    return any(line.price_kind == PriceKind.FROM for line in lines)


# --- certificates ------------------------------------------------------------------------------------------------


class StatementProblem(StrEnum):
    MISSING = "missing"
    ORDER = "order"  # the first month after the last
    FUTURE = "future"
    TOO_LONG = "too_long"


def months(start: date, end: date) -> list[date]:
    """The first days of the months from ``start`` to ``end`` inclusive."""
    found: list[date] = []
    current = date(start.year, start.month, 1)
    while current <= end:
        found.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return found


def statement_problem(start: date | None, end: date | None, current: date) -> StatementProblem | None:
    """A statement covers whole months from ``start`` to ``end``, none after the current one, at most 36."""
    if start is None or end is None:
        return StatementProblem.MISSING
    if start > end:
        return StatementProblem.ORDER
    if end > current:
        return StatementProblem.FUTURE
    if len(months(start, end)) > MAX_STATEMENT_MONTHS:
        return StatementProblem.TOO_LONG
    return None


def no_debt_refused(balance: Decimal) -> bool:
    """A certificate of no debt is issued only when the ledger owes nothing (an overpayment is no debt)."""
    return balance > 0


def ordered_on_closed(document: str) -> bool:
    """On a closed account its owner orders one thing: a certificate of no debt (a former owner selling the flat needs
    it); nothing else new is started on it (``Principal.may_act_on``)."""
    return document == DocumentKind.NO_DEBT


def is_generated(document: str) -> bool:
    """Certificates the portal makes from its own data at once; the others are made by staff."""
    return document in (DocumentKind.STATEMENT, DocumentKind.NO_DEBT, DocumentKind.RECEIPT_COPY)


def kind_of(document: str) -> ServiceKind:
    return ServiceKind.SERVICE if document == DocumentKind.NONE else ServiceKind.CERTIFICATE
