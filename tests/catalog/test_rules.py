"""The catalog's rules as plain functions: amounts, quantities, days, the order's life, certificates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.catalog import rules
from portal.catalog import texts
from portal.catalog.tables import DocumentKind
from portal.catalog.tables import OrderStatus as S
from portal.core import i18n


@pytest.mark.parametrize(
    ("price_kind", "price", "quantity", "amount"),
    [
        ("fixed", "1500", "1", Decimal("1500.00")),
        ("fixed", "0", "1", Decimal("0.00")),
        ("per_unit", "120.50", "10.5", Decimal("1265.25")),
        ("per_unit", "33.33", "0.15", Decimal("5.00")),  # 4.9995 rounds half up to kopecks
        ("from", "800", "1", None),
    ],
)
def test_line_amount(price_kind, price, quantity, amount):
    assert rules.line_amount(price_kind, Decimal(price), Decimal(quantity)) == amount


def test_an_order_total_waits_for_every_quote():
    assert rules.order_total([Decimal("1.00"), Decimal("2.50")]) == Decimal("3.50")
    assert rules.order_total([Decimal("1.00"), None]) is None


@pytest.mark.parametrize(
    ("unit", "quantity", "problem"),
    [
        ("hour", "1.5", None),
        ("hour", "1.25", "not_whole"),
        ("m2", "10.55", None),
        ("m2", "10.555", "not_whole"),
        ("item", "2", None),
        ("item", "2.5", "not_whole"),
        ("item", "0", "invalid"),
        ("item", "1001", "too_large"),
    ],
)
def test_quantities(unit, quantity, problem):
    assert rules.quantity_problem("per_unit", unit, Decimal(quantity)) == problem


def test_days_from_tomorrow_within_the_horizon():
    today = date(2026, 12, 2)
    assert rules.day_problem(date(2026, 12, 2), today) == "past"
    assert rules.day_problem(date(2026, 12, 3), today) is None
    assert rules.day_problem(date(2027, 1, 1), today) is None
    assert rules.day_problem(date(2027, 1, 2), today) == "too_far"
    assert rules.is_full(2, 2) and not rules.is_full(2, 1) and not rules.is_full(0, 100)


@pytest.mark.parametrize(
    ("stored", "ticket", "shown", "cancellable"),
    [
        (S.AWAITING_PAYMENT, None, S.AWAITING_PAYMENT, True),
        (S.QUOTE_REQUESTED, None, S.QUOTE_REQUESTED, True),
        (S.ACCEPTED, "new", S.ACCEPTED, True),
        (S.ACCEPTED, "in_work", S.IN_WORK, False),
        (S.ACCEPTED, "done", S.DONE, False),
        (S.CANCELLED, "cancelled", S.CANCELLED, False),
        (S.DONE, None, S.DONE, False),
    ],
)
def test_the_order_follows_its_request_and_is_cancelled_only_before_work_starts(stored, ticket, shown, cancellable):
    assert rules.shown_status(stored, ticket) == shown
    assert rules.may_cancel(stored, ticket) is cancellable


def test_how_an_order_starts():
    assert rules.first_status("service", False, Decimal("10")) == S.AWAITING_PAYMENT
    assert rules.first_status("service", True, None) == S.QUOTE_REQUESTED
    assert rules.first_status("certificate", False, Decimal("0")) == S.ACCEPTED


def test_statements_and_the_no_debt_certificate():
    current = date(2026, 12, 1)
    assert rules.statement_problem(date(2026, 1, 1), date(2026, 12, 1), current) is None
    assert rules.statement_problem(date(2026, 5, 1), date(2026, 4, 1), current) == "order"
    assert rules.statement_problem(date(2026, 5, 1), date(2027, 1, 1), current) == "future"
    assert rules.statement_problem(date(2023, 1, 1), date(2026, 1, 1), current) == "too_long"
    assert rules.no_debt_refused(Decimal("0.01"))
    assert not rules.no_debt_refused(Decimal("0")) and not rules.no_debt_refused(Decimal("-5"))


@pytest.mark.parametrize(
    ("lang", "quantity", "unit", "shown"),
    [
        ("ru", "2.5", "hour", "2,5\u00a0ч"),
        ("en", "2.5", "hour", "2.5\u00a0h"),
        ("ru", "3", "item", "3\u00a0шт."),
        ("en", "3", "item", "3\u00a0pcs"),
        ("ru", "45.5", "m2", "45,5\u00a0м²"),
        ("en", "45.5", "m2", "45.5\u00a0m²"),
        ("ru", "1", "", "1"),
    ],
    ids=["hours ru", "hours en", "items ru", "items en", "metres ru", "metres en", "no unit"],
)
def test_an_order_line_gives_its_quantity_with_the_units_short_sign(lang, quantity, unit, shown):
    """The unit's sign needs no plural: an order of furniture assembly read «2,5 час» and "2.5 hour"; the number and
    its sign stay on one line."""
    i18n.set_locale(lang)
    try:
        assert texts.quantity_label(Decimal(quantity), unit) == shown
    finally:
        i18n.set_locale("ru")


@pytest.mark.parametrize(
    ("locale", "minutes", "shown"),
    [
        ("ru", 60, "около 1\u00a0ч"),
        ("ru", 90, "около 90\u00a0мин"),
        ("ru", 2880, "около 2\u00a0дней"),
        ("en", 60, "about 1\u00a0h"),
        ("en", 45, "about 45\u00a0min"),
        ("en", 1440, "about 1\u00a0day"),
    ],
)
def test_a_duration_keeps_its_number_and_unit_on_one_line(locale, minutes, shown):
    """A service's card read «около 1» on one line and «ч» alone on the next: a no-break space joins them."""
    from portal.core.i18n import in_locale

    with in_locale(locale):
        assert texts.duration_label(minutes) == shown


def test_an_unpaid_order_is_not_cancelled_while_its_payment_is_underway():
    assert not rules.may_cancel(S.AWAITING_PAYMENT, None, payment_underway=True)
    assert not rules.may_cancel(S.QUOTED, None, payment_underway=True)
    assert rules.may_cancel(S.AWAITING_PAYMENT, None, payment_underway=False)
    assert rules.may_cancel(S.ACCEPTED, "new", payment_underway=True)  # paid and recorded: cancelled with a refund


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("status", ["succeeded", "pending", "created", "open"])
def test_the_orders_words_name_who_pays_it_only_when_given_the_name(locale, status):
    """Whether the reader may see the payer is decided by ``payments.queries.payer_as_seen_by``; given its name, every
    state of the other's checkout says who pays (in the nominative, so no verb takes the payer's gender), and
    without it, «another member of your household»."""
    from datetime import UTC
    from datetime import datetime

    from portal.core.i18n import in_locale

    started = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    until = None if status == "created" else datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    household = {"ru": "член вашей семьи", "en": "member of your household"}[locale]
    with in_locale(locale):
        said = [texts.others_paying(status, started, until, "Иванов Иван"), texts.others_checkout("Иванов Иван")]
        unnamed = [texts.others_paying(status, started, until), texts.others_checkout()]
    for named in said:
        assert "Иванов Иван" in named and household not in named
    for words in unnamed:
        assert household in words and "Иванов Иван" not in words


@pytest.mark.parametrize(
    ("cart", "removed", "focus"),
    [([1, 2, 3], 1, 2), ([1, 2, 3], 2, 3), ([1, 2, 3], 3, 2), ([7], 7, None), ([1, 2], 9, None)],
    ids=[
        "the first line gone, the next takes the keyboard",
        "a middle line gone, the next takes it",
        "the last line gone, the one before takes it",
        "the only line gone, none does (the heading takes it)",
        "a line not in the cart, none does",
    ],
)
def test_the_line_that_takes_the_keyboard_after_a_removal(cart, removed, focus):
    assert rules.line_after_removal(cart, removed) == focus


def test_on_a_closed_account_only_the_certificate_of_no_debt_is_ordered():
    """A former owner selling the flat needs the certificate of no debt; nothing else new starts on a closed account."""
    assert rules.ordered_on_closed(DocumentKind.NO_DEBT)
    for other in (DocumentKind.NONE, DocumentKind.STATEMENT, DocumentKind.RECEIPT_COPY, DocumentKind.BY_STAFF):
        assert not rules.ordered_on_closed(other)


@pytest.mark.parametrize(
    ("query", "text", "found"),
    [
        ("розетка", "установка розетки электрика", True),  # typed as one says it, written in another case
        ("люстра", "подключение люстры", True),
        ("смеситель", "замена смесителя сантехника", True),
        ("дверь", "вскрытие двери двери и замки", True),
        ("установка розетки", "установка розетки", True),  # as written
        ("сантех", "вызов сантехника", True),  # the start of a word
        ("розетка люстра", "установка розетки", False),  # every word must be found
        ("замок", "ремонт замка", True),  # a fleeting vowel
        ("замка", "замена замок", True),
        ("окно", "мойка окна", True),  # a short word in another case
        ("звонок", "установка звонка", True),
        ("вода", "водоотведение", False),  # not every «вод…»
        ("розетка", "ремонт розлива", False),
        # A genitive plural whose vowel comes and goes: «окно», «окна», «окон» find one another.
        ("окна", "генеральная уборка с мойкой окон.", True),
        ("окно", "мойка окон", True),
        ("окон", "мойка окна", True),
        ("окон", "окно на кухне", True),
        ("окон", "ремонт оконного блока", True),  # its adjective, of windows too
        ("сосна", "лавка из сосен", True),  # Snowball cuts «сосен» to «сос»: the word itself is «сосн» less its vowel
        ("сосен", "доска из сосны", True),
        ("кресло", "перетяжка кресел", True),
        ("ведро", "вывоз ведер", True),
        # …and nothing that only looks alike.
        ("окон", "установка кондиционера", False),
        ("окон", "окраска стен", False),
        ("окно", "установка кондиционера", False),
        ("сосна", "ремонт насоса", False),
        ("вода", "вывод воздуха", False),
        # Typed letters are found at a word's start, never inside a word.
        ("окон", "замена подоконника", False),
        ("окна", "замена подоконника", False),
        ("ник", "замена подоконника", False),
        ("тех", "вызов сантехника", False),
        ("подокон", "замена подоконника", True),
        ("канал", "монтаж кабель-канала", True),  # each part of a hyphenated word starts one
        ("(окон", "мойка (окон)", True),  # typed with its punctuation, as written
    ],
)
def test_a_search_word_finds_the_service_in_another_case(query, text, found):
    assert rules.found_in(query, text) is found
