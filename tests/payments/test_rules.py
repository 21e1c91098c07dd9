"""The payments rules as tables: who may pay, what the gateway's state means, which moves a payment may make,
when an unfinished checkout stops being continuable, when autopay runs (GATEWAY.md §3, §4; DOMAIN.md)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.payments import rules
from portal.payments.rules import BatchState
from portal.payments.rules import Outcome
from portal.payments.tables import AutopayResult
from portal.payments.tables import PaymentKind
from portal.payments.tables import PaymentStatus as S

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("role", "rights", "expected"),
    [
        ("owner", [], True),
        ("owner", None, True),
        ("tenant", ["view", "pay"], True),
        ("family", ["pay"], True),
        ("family", ["view", "meters"], False),
        ("tenant", None, False),
    ],
)
def test_the_owner_and_those_given_the_right_may_pay(role, rights, expected):
    assert rules.may_pay(role, rights) is expected


async def test_the_principal_grants_the_right_to_pay_by_the_same_rule(db, make_user, make_account):
    from portal.accounts.principal import load_principal_for

    place = await make_account()
    family = await make_user(accounts={place.account: "family"}, rights=("view",))
    payer = await make_user(accounts={place.account: "family"}, rights=("view", "pay"))
    owner = await make_user(accounts={place.account: "owner"}, rights=())
    assert not (await load_principal_for(family)).may_on_account(place.account, "pay")
    assert (await load_principal_for(payer)).may_on_account(place.account, "pay")
    assert (await load_principal_for(owner)).may_on_account(place.account, "pay")


@pytest.mark.parametrize(
    ("session", "paid", "intent", "code", "cancelled", "expected"),
    [
        ("open", "unpaid", None, None, False, S.OPEN),  # the payer has not paid yet
        ("open", "unpaid", "requires_payment_method", None, False, S.OPEN),
        ("open", "unpaid", "requires_payment_method", "generic_decline", False, S.FAILED),
        ("open", "unpaid", "requires_action", None, False, S.PENDING),  # 3-D Secure under way
        ("open", "unpaid", "processing", None, False, S.PENDING),
        ("complete", "paid", "succeeded", None, False, S.SUCCEEDED),
        ("complete", "paid", None, None, False, S.SUCCEEDED),
        ("open", "unpaid", "succeeded", None, False, S.SUCCEEDED),  # the intent is the truth
        ("expired", "unpaid", None, None, False, S.EXPIRED),  # left on the gateway's page until it closed
        ("expired", "unpaid", None, None, True, S.CANCELED),  # closed because the payer cancelled
        ("expired", "unpaid", "requires_payment_method", "insufficient_funds", False, S.FAILED),
        # a card declined, then the payer cancelled the page the gateway kept open for another card
        ("expired", "unpaid", "requires_payment_method", "generic_decline", True, S.CANCELED),
        ("open", "unpaid", "canceled", None, False, S.CANCELED),
    ],
)
def test_a_checkout_is_judged_by_its_session_and_intent_as_they_are_now(
    session, paid, intent, code, cancelled, expected
):
    assert rules.session_outcome(session, paid, intent, code, cancelled_by_payer=cancelled).status == expected


def test_a_decline_keeps_its_code_and_message():
    assert rules.session_outcome("open", "unpaid", "requires_payment_method", "card_declined", "No.") == Outcome(
        S.FAILED, "card_declined", "No."
    )
    assert rules.intent_outcome("requires_payment_method", "authentication_required").status == S.FAILED
    assert rules.intent_outcome("processing").status == S.PENDING
    assert rules.intent_outcome("succeeded").status == S.SUCCEEDED


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (S.CREATED, S.OPEN, True),
        (S.OPEN, S.PENDING, True),  # the payer came back from the gateway's success page
        (S.PENDING, S.OPEN, True),  # ...but the gateway says the page is still open
        (S.OPEN, S.EXPIRED, True),
        (S.OPEN, S.SUCCEEDED, True),
        (S.FAILED, S.SUCCEEDED, True),  # declined, then paid with another card on the same page
        (S.EXPIRED, S.SUCCEEDED, True),
        (S.EXPIRED, S.OPEN, False),  # a closed checkout never reopens
        (S.CANCELED, S.EXPIRED, False),
        (S.EXPIRED, S.CANCELED, False),
        (S.FAILED, S.OPEN, False),
        (S.FAILED, S.CANCELED, True),  # a declined card's checkout the payer then cancelled
        (S.CANCELED, S.FAILED, False),  # ...stays cancelled when the decline's late webhook comes
        (S.SUCCEEDED, S.FAILED, False),  # money received stays received
        (S.SUCCEEDED, S.PENDING, False),
        (S.REFUNDED, S.SUCCEEDED, False),
        (S.PENDING, S.PENDING, False),
    ],
)
def test_which_moves_a_payment_may_make(current, new, allowed):
    assert rules.may_become(current, new) is allowed


@pytest.mark.parametrize(
    ("status", "expires", "shown", "continuable"),
    [
        (S.OPEN, NOW + timedelta(minutes=1), S.OPEN, True),
        (S.OPEN, NOW, S.EXPIRED, False),  # its time is up even before the gateway's word arrives
        (S.OPEN, NOW - timedelta(hours=1), S.EXPIRED, False),
        (S.FAILED, NOW + timedelta(minutes=30), S.FAILED, True),  # another card on the same page
        (S.FAILED, NOW - timedelta(minutes=1), S.FAILED, False),
        (S.PENDING, NOW + timedelta(minutes=30), S.PENDING, False),
        (S.SUCCEEDED, NOW + timedelta(minutes=30), S.SUCCEEDED, False),
        (S.OPEN, None, S.OPEN, False),
    ],
)
def test_an_unfinished_checkout_can_be_continued_until_it_expires(status, expires, shown, continuable):
    assert rules.shown_status(status, expires, NOW) == shown
    assert rules.may_continue(status, expires, NOW) is continuable


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ([S.SUCCEEDED, S.SUCCEEDED], BatchState.PAID),
        ([S.PARTIALLY_REFUNDED], BatchState.PAID),
        ([S.PENDING], BatchState.PENDING),
        ([S.CREATED], BatchState.PENDING),
        ([S.OPEN, S.OPEN], BatchState.OPEN),
        ([S.FAILED], BatchState.FAILED),
        ([S.EXPIRED], BatchState.EXPIRED),
        ([S.CANCELED], BatchState.CANCELED),
    ],
)
def test_the_page_of_a_checkout_says_one_thing(statuses, state):
    assert rules.batch_state(statuses) == state


@pytest.mark.parametrize(
    ("status", "kind", "age", "expires_in", "check"),
    [
        (S.OPEN, PaymentKind.CHECKOUT, timedelta(minutes=70), timedelta(minutes=-10), True),  # expired unheard
        (S.OPEN, PaymentKind.CHECKOUT, timedelta(minutes=10), timedelta(minutes=50), False),  # the payer may be paying
        (S.PENDING, PaymentKind.CHECKOUT, timedelta(minutes=6), timedelta(minutes=54), True),  # awaiting too long
        (S.PENDING, PaymentKind.CHECKOUT, timedelta(minutes=1), timedelta(minutes=59), False),
        (S.PENDING, PaymentKind.AUTOPAY, timedelta(minutes=6), None, True),
        (S.CREATED, PaymentKind.CHECKOUT, timedelta(minutes=6), timedelta(minutes=54), True),
        (S.SUCCEEDED, PaymentKind.CHECKOUT, timedelta(days=1), None, False),
        (S.EXPIRED, PaymentKind.CHECKOUT, timedelta(days=1), None, False),
    ],
)
def test_reconciliation_asks_about_every_payment_left_without_a_final_word(status, kind, age, expires_in, check):
    expires = NOW + expires_in if expires_in is not None else None
    assert rules.needs_check(status, kind, NOW - age, expires, NOW) is check


@pytest.mark.parametrize(
    ("today", "last", "day", "due"),
    [
        (date(2026, 12, 3), "2026-11", 1, True),
        (date(2026, 12, 3), "2026-12", 1, False),  # once a month
        (date(2026, 12, 3), "", 5, False),  # before the receipt day
        (date(2026, 12, 5), "", 5, True),
        (date(2026, 12, 28), "2026-11", 5, True),  # the first run after the day
    ],
)
def test_autopay_runs_once_a_month_from_the_receipt_day(today, last, day, due):
    assert rules.autopay_due(today, last, day) is due


@pytest.mark.parametrize(
    ("status", "due"),
    [
        (AutopayResult.WAITING, True),  # its own checkout still open: looked at again
        (AutopayResult.WAITING_CO_OWNER, True),
        (AutopayResult.NOTHING_DUE, False),
        (AutopayResult.PAID_BY_CO_OWNER, False),
        (AutopayResult.SUCCEEDED, False),
        (AutopayResult.RUNNING, False),  # another run is deciding it
        (AutopayResult.PENDING, False),  # its own charge: reconciliation asks about it
    ],
)
def test_a_month_waiting_for_payments_still_pending_is_looked_at_again(status, due):
    assert rules.autopay_due(date(2026, 12, 3), "2026-12", 1, status) is due


@pytest.mark.parametrize(
    ("due", "limit", "expected"),
    [
        (Decimal("3540.00"), Decimal("5000"), (Decimal("3540.00"), AutopayResult.NONE)),
        (Decimal("3540.00"), Decimal("3000"), (None, AutopayResult.OVER_LIMIT)),
        (Decimal("0.50"), Decimal("3000"), (None, AutopayResult.NOTHING_DUE)),
        (Decimal("-120.00"), Decimal("3000"), (None, AutopayResult.NOTHING_DUE)),
    ],
)
def test_autopay_charges_the_whole_amount_due_within_the_limit(due, limit, expected):
    assert rules.autopay_amount(due, limit) == expected


D = Decimal
WAITING, WAITING_CO_OWNER = AutopayResult.WAITING, AutopayResult.WAITING_CO_OWNER


@pytest.mark.parametrize(
    ("due", "pending", "by_others", "waited", "expected"),
    [
        # A debt covered only by payments still pending is not paid: the month waits for them.
        (D("3540.00"), D("3540.00"), False, "", (None, WAITING)),
        (D("3540.00"), D("3539.50"), False, "", (None, WAITING)),  # less than a ruble left
        (D("3540.00"), D("3540.00"), True, "", (None, WAITING_CO_OWNER)),
        (D("3540.00"), D("3540.00"), True, WAITING, (None, WAITING_CO_OWNER)),
        # Part of it pending: the month waits too (the rest charged now would close it, and a part left unpaid
        # would wait for next month); once that part is paid, what is still due is charged.
        (D("3540.00"), D("3000.00"), False, "", (None, WAITING)),
        (D("3540.00"), D("1.00"), True, "", (None, WAITING_CO_OWNER)),
        (D("540.00"), D("0.00"), False, WAITING, (D("540.00"), AutopayResult.NONE)),
        # They were paid: the month is done, as paid by the co-owner it waited for.
        (D("0.00"), D("0.00"), False, WAITING, (None, AutopayResult.NOTHING_DUE)),
        (D("0.00"), D("0.00"), False, WAITING_CO_OWNER, (None, AutopayResult.PAID_BY_CO_OWNER)),
        (D("0.00"), D("0.00"), False, "", (None, AutopayResult.NOTHING_DUE)),  # paid before the day
        # They closed unpaid (no longer pending): what is due is charged, within the limit.
        (D("3540.00"), D("0.00"), False, WAITING, (D("3540.00"), AutopayResult.NONE)),
        (D("3540.00"), D("0.00"), True, WAITING_CO_OWNER, (D("3540.00"), AutopayResult.NONE)),
        (D("9000.00"), D("0.00"), False, WAITING, (None, AutopayResult.OVER_LIMIT)),
    ],
)
def test_autopay_waits_for_payments_still_pending_rather_than_calling_the_month_done(
    due, pending, by_others, waited, expected
):
    assert rules.autopay_amount(due, D("5000"), pending, by_others=by_others, waited=waited) == expected


@pytest.mark.parametrize(
    ("state", "kind", "earlier", "has", "offered"),
    [
        (BatchState.PAID, PaymentKind.CHECKOUT, 0, False, True),
        (BatchState.PAID, PaymentKind.CHECKOUT, 1, False, False),  # only after the first card payment
        (BatchState.PAID, PaymentKind.CHECKOUT, 0, True, False),
        (BatchState.PAID, PaymentKind.AUTOPAY, 0, False, False),
        (BatchState.PENDING, PaymentKind.CHECKOUT, 0, False, False),
    ],
)
def test_autopay_is_offered_after_the_first_card_payment(state, kind, earlier, has, offered):
    assert rules.offers_autopay(state, kind, earlier, has) is offered


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (None, rules.AmountProblem.INVALID),
        (Decimal("0.99"), rules.AmountProblem.TOO_SMALL),
        (Decimal("1.00"), None),
        (Decimal("500000.00"), None),
        (Decimal("500000.01"), rules.AmountProblem.TOO_LARGE),
    ],
)
def test_amounts_within_the_limits(amount, problem):
    assert rules.amount_problem(amount) == problem


def test_the_total_includes_the_commission_of_each_amount():
    assert rules.total_with_commission([Decimal("100.00"), Decimal("0.50")], Decimal("1.5")) == Decimal("102.01")
    assert rules.total_with_commission([Decimal("3540.00")], Decimal("0")) == Decimal("3540.00")


@pytest.mark.parametrize(
    ("requested", "available", "problem"),
    [
        (100, 0, rules.RefundProblem.NOTHING_LEFT),
        (0, 100, rules.RefundProblem.INVALID),
        (101, 100, rules.RefundProblem.TOO_LARGE),
        (100, 100, None),
    ],
)
def test_a_refund_within_what_is_left(requested, available, problem):
    assert rules.refund_problem(requested, available) == problem


@pytest.mark.parametrize(
    ("amount", "refunded", "pending", "status", "left"),
    [
        (10000, 0, 0, S.SUCCEEDED, 10000),
        (10000, 3000, 0, S.PARTIALLY_REFUNDED, 7000),
        (10000, 0, 4000, S.SUCCEEDED, 6000),  # a refund still at the payment service holds its amount
        (10000, 3000, 4000, S.PARTIALLY_REFUNDED, 3000),  # made and pending together
        (10000, 0, 10000, S.SUCCEEDED, 0),  # the whole of it pending: nothing more
        (10000, 6000, 6000, S.PARTIALLY_REFUNDED, 0),  # never below nothing
        (10000, 10000, 0, S.REFUNDED, 0),
        (10000, 0, 0, S.PENDING, 0),  # not paid (yet)
        (10000, 0, 0, S.FAILED, 0),
    ],
)
def test_what_may_still_be_refunded_is_the_amount_less_the_refunds_made_and_pending(
    amount, refunded, pending, status, left
):
    """A failed or cancelled refund is not counted by its caller (``queries.pending_refunds`` sums the pending
    ones only): its amount is free again."""
    assert rules.refundable(amount, refunded, pending, status) == left


def test_only_a_checkout_closed_unpaid_lets_another_of_the_same_debt_be_opened():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    just_now, long_ago = now - timedelta(seconds=5), now - timedelta(hours=2)
    for status in ("open", "pending", "succeeded", "partially_refunded", "refunded"):
        assert rules.keeps_another_out(status, long_ago, now), status
    for status in ("failed", "canceled", "expired"):
        assert not rules.keeps_another_out(status, just_now, now), status
    assert rules.keeps_another_out("created", just_now, now)  # another request is opening it this moment
    assert not rules.keeps_another_out("created", long_ago, now)  # its creation never finished


def test_only_a_checkout_paid_being_confirmed_or_being_created_is_beyond_closing():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    just_now, long_ago = now - timedelta(seconds=5), now - timedelta(hours=2)
    for status in ("pending", "succeeded", "partially_refunded", "refunded"):
        assert rules.beyond_closing(status, long_ago, now), status
    for status in ("open", "failed", "canceled", "expired"):  # open ones are closed at the gateway first
        assert not rules.beyond_closing(status, just_now, now), status
    assert rules.beyond_closing("created", just_now, now) and not rules.beyond_closing("created", long_ago, now)


def test_a_sheet_is_stale_for_the_accounts_whose_balance_fell_since_it_was_shown():
    seen = {1: Decimal("3540.00"), 2: Decimal("1200.50"), 3: Decimal("0.00")}
    now = {1: Decimal("2540.00"), 2: Decimal("1500.50"), 3: Decimal("-100.00")}
    assert rules.credited_since(seen, now) == [1, 3]  # a new charge (2) leaves its amount payable as it was


D = Decimal


@pytest.mark.parametrize(
    ("typed", "was_due", "due", "expected"),
    [
        (D("3540.00"), D("3540.00"), D("2540.00"), D("2540.00")),
        (D("3540.00"), D("3540.00"), D("0.00"), None),
        (D("1000.00"), D("3540.00"), D("2540.00"), D("1000.00")),
        (D("3000.00"), D("3540.00"), D("2540.00"), D("2540.00")),
        (D("500.00"), D("0.00"), D("0.00"), D("500.00")),
        (None, D("3540.00"), D("2540.00"), D("2540.00")),
    ],
    ids=[
        "the amount due as shown becomes the amount due now",
        "nothing is proposed when nothing is due",
        "a part of the debt typed is kept while it is within the debt",
        "a part beyond what is due now is not",
        "an advance where nothing was due is kept",
        "an unreadable amount is replaced",
    ],
)
def test_a_sheet_shown_again_after_a_payment_keeps_what_was_typed_while_it_makes_sense(typed, was_due, due, expected):
    assert rules.amount_after_credit(typed, was_due, due) == expected


@pytest.mark.parametrize(
    ("error_type", "code", "decline_code", "param", "gone"),
    [
        # The card can never be charged again: autopay turns itself off and says why.
        ("card_error", "card_declined", "expired_card", None, True),
        ("card_error", "expired_card", None, None, True),
        ("card_error", "card_declined", "lost_card", None, True),
        ("card_error", "card_declined", "stolen_card", None, True),
        ("card_error", "card_declined", "do_not_try_again", None, True),
        # Detached from the payer at the gateway, or gone from it.
        ("invalid_request_error", None, None, "payment_method", True),
        ("invalid_request_error", "resource_missing", None, "payment_method", True),
        # Not the card: a month's failed charge, and next month's is tried as usual.
        ("card_error", "card_declined", "insufficient_funds", None, False),
        ("card_error", "card_declined", "generic_decline", None, False),
        ("card_error", "authentication_required", "authentication_required", None, False),
        ("invalid_request_error", "resource_missing", None, "customer", False),
        ("invalid_request_error", None, None, "amount", False),
    ],
)
def test_autopay_stops_only_when_the_gateway_says_the_card_is_gone(error_type, code, decline_code, param, gone):
    assert rules.card_gone(error_type, code, decline_code, param) is gone
