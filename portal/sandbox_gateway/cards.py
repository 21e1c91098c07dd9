"""Stripe's test cards and test PaymentMethods, and what each one does (GATEWAY.md §5)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestCard:
    number: str
    behaviour: str  # ok, decline, auth_setup, auth_always, attach_then_fail
    brand: str = "visa"
    decline_code: str | None = None
    attachable: bool = True


CARDS: dict[str, TestCard] = {
    "4242424242424242": TestCard("4242424242424242", "ok"),
    "5555555555554444": TestCard("5555555555554444", "ok", brand="mastercard"),
    "2200000000000004": TestCard("2200000000000004", "ok", brand="mir"),
    "4000000000000002": TestCard("4000000000000002", "decline", decline_code="generic_decline", attachable=False),
    "4000000000009995": TestCard("4000000000009995", "decline", decline_code="insufficient_funds", attachable=False),
    "4000002500003155": TestCard("4000002500003155", "auth_setup"),
    "4000002760003184": TestCard("4000002760003184", "auth_always"),
    "4000000000000341": TestCard("4000000000000341", "attach_then_fail", decline_code="generic_decline"),
}

TEST_PAYMENT_METHODS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_authenticationRequiredOnSetup": "4000002500003155",
    "pm_card_authenticationRequired": "4000002760003184",
    "pm_card_chargeCustomerFail": "4000000000000341",
}

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "authentication_required": "Your card was declined. This transaction requires authentication.",
}


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] < "2721":
        return "mastercard"
    if number[:4] in {"2200", "2201", "2202", "2203", "2204"}:
        return "mir"
    return "unknown"


def card_for(number: str) -> TestCard | None:
    """The behaviour of a card number typed on the hosted page (None: not a valid number)."""
    number = "".join(ch for ch in number if ch.isdigit())
    if number in CARDS:
        return CARDS[number]
    if 12 <= len(number) <= 19 and luhn_ok(number):
        return TestCard(number, "ok", brand=brand_of(number))
    return None
