"""Words of the payments domain shown to people (pages and messages alike): status names, reasons a card was
declined, what is wrong with an amount. Translated when called, so each reader gets their own language."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from portal.core.i18n import format_moment
from portal.core.i18n import format_money
from portal.core.i18n import gettext
from portal.core.i18n import pgettext
from portal.payments.rules import GATEWAY_UNAVAILABLE
from portal.payments.rules import MAX_AMOUNT
from portal.payments.rules import MIN_AMOUNT
from portal.payments.rules import AmountProblem
from portal.payments.rules import RefundProblem
from portal.payments.rules import RefundState
from portal.payments.tables import PaymentKind
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import PaymentStatus
from portal.payments.tables import RefundStatus
from portal.settings import get_settings

if TYPE_CHECKING:
    from portal.payments.actions import Reconciled
    from portal.payments.queries import Pending

S = PaymentStatus

# The badge of each status (templates/components badge()): the tint says the same as the word.
STATUS_BADGES: dict[str, str] = {
    S.CREATED: "new",
    S.OPEN: "work",
    S.PENDING: "work",
    S.SUCCEEDED: "done",
    S.FAILED: "danger",
    S.CANCELED: "neutral",
    S.EXPIRED: "neutral",
    S.REFUNDED: "neutral",
    S.PARTIALLY_REFUNDED: "work",
}


def status_label(status: str, failure_code: str = "") -> str:
    """A payment's status in words; one the payment service never opened (it was away) is «Не начат», not
    «Отклонён»: no bank declined anything."""
    if never_opened(status, failure_code):
        return pgettext("payment status", "Not started")
    labels = {
        S.CREATED: pgettext("payment status", "Created"),
        S.OPEN: pgettext("payment status", "Not completed"),
        S.PENDING: pgettext("payment status", "Processing"),
        S.SUCCEEDED: pgettext("payment status", "Paid"),
        S.FAILED: pgettext("payment status", "Declined"),
        S.CANCELED: pgettext("payment status", "Cancelled"),
        S.EXPIRED: pgettext("payment status", "Expired"),
        S.REFUNDED: pgettext("payment status", "Refunded"),
        S.PARTIALLY_REFUNDED: pgettext("payment status", "Partly refunded"),
    }
    return labels.get(status, status)


def never_opened(status: str, failure_code: str = "") -> bool:
    """Failed before the payment service opened its page: it did not answer (``rules.GATEWAY_UNAVAILABLE``)."""
    return status == S.FAILED and failure_code == GATEWAY_UNAVAILABLE


def payer_status_label(status: str, failure_code: str = "") -> str:
    """A payment's status as its payer reads it. A checkout closed unpaid without the payer's doing (its time ran
    out) is «Не завершён», as it was while open: they left the gateway's page without paying (one a new payment
    replaced is not in their history: ``Payment.replaced_by``). «Срок истёк» is the staff's word; «Отменён» only
    what the payer cancelled."""
    return status_label(S.OPEN if status == S.EXPIRED else status, failure_code)


def kind_label(kind: str) -> str:
    """How a payment was made, in the staff exports («на портале», «автоплатёж»), not its stored code."""
    labels = {
        PaymentKind.CHECKOUT: pgettext("payment kind", "on the portal"),
        PaymentKind.AUTOPAY: pgettext("payment kind", "autopay"),
    }
    return labels.get(kind, kind)


def refund_status_label(status: str) -> str:
    """A refund's status on the payment's staff page («Выполнен»), not its stored code."""
    labels = {
        RefundStatus.PENDING: pgettext("refund status", "Processing"),
        RefundStatus.SUCCEEDED: pgettext("refund status", "Done"),
        RefundStatus.FAILED: pgettext("refund status", "Failed"),
        RefundStatus.CANCELED: pgettext("refund status", "Cancelled"),
    }
    return labels.get(status, status)


def paid_label() -> str:
    """The list's filter of the payments that reached the company, refunded since or not (the dashboard's figures
    count them so)."""
    return gettext("Succeeded, refunded ones included")


def purpose_label(purpose: str) -> str:
    """What a payment paid for, as the staff list's filter names it."""
    labels = {
        PaymentPurpose.UTILITIES: gettext("Housing and utilities"),
        PaymentPurpose.ORDER: gettext("Paid services"),
    }
    return labels.get(purpose, purpose)


def refund_pending_label() -> str:
    """The mark of a payment with a refund the payment service is still working on, and the list's filter of them."""
    return gettext("Refund pending")


def status_badge(status: str, failure_code: str = "") -> str:
    return "neutral" if never_opened(status, failure_code) else STATUS_BADGES.get(status, "neutral")


def decline_text(code: str | None, fallback: str = "") -> str:
    """A plain-language reason for a failed payment."""
    texts = {
        "generic_decline": gettext("The bank declined the card."),
        "card_declined": gettext("The bank declined the card."),
        "insufficient_funds": gettext("There is not enough money on the card."),
        "authentication_required": gettext(
            "The bank asks you to confirm this payment yourself. Please pay on the portal."
        ),
        "payment_intent_authentication_failure": gettext("The payment was not confirmed with the bank."),
        "gateway_unavailable": gettext("The payment service is not available right now. Please try again later."),
        "expired_card": gettext("The card has expired."),
    }
    return texts.get(code or "", fallback or gettext("The payment did not go through."))


def unavailable() -> str:
    return gettext("The payment service is not available right now. Please try again later.")


def not_started() -> str:
    """The pay sheet's «Оплатить» when the gateway could not open the payment."""
    return gettext(
        "The payment service is not available right now. Nothing was charged. Please try again in a few minutes."
    )


def pending_note(pending: Pending) -> str:
    """Why the pay sheet offers less than is due: «1 000,00 ₽ уже в обработке: оплата совладельца от …»."""
    amount, since = format_money(pending.total), format_moment(pending.since, get_settings().time_zone)
    if pending.by_others:
        return gettext(
            "%(amount)s is already being processed: a co-owner's payment of %(since)s.", amount=amount, since=since
        )
    return gettext("%(amount)s is already being processed: your payment of %(since)s.", amount=amount, since=since)


def amount_error(problem: AmountProblem) -> str:
    return {
        AmountProblem.INVALID: gettext("Enter the amount in rubles, for example 1500 or 1500,50."),
        AmountProblem.TOO_SMALL: gettext("The smallest payment is %(amount)s.", amount=format_money(MIN_AMOUNT)),
        AmountProblem.TOO_LARGE: gettext(
            "The largest payment at once is %(amount)s. Split it into several payments.",
            amount=format_money(MAX_AMOUNT),
        ),
    }[problem]


def over_closed_error(left: Decimal) -> str:
    """Why more than is left to pay is refused on a closed account."""
    if left <= 0:
        return gettext("The account is closed and nothing is left to pay on it.")
    return gettext(
        "The account is closed: pay at most what is left of its debt, %(amount)s.", amount=format_money(left)
    )


def limit_error(problem: AmountProblem) -> str:
    """Why an autopay limit is refused: a limit is not a payment, so not «the smallest payment» nor «split it into
    several payments» (which autopay cannot do)."""
    return {
        AmountProblem.INVALID: gettext("Enter the limit in rubles, for example 5000 or 5000,50."),
        AmountProblem.TOO_SMALL: gettext("The limit cannot be less than %(amount)s.", amount=format_money(MIN_AMOUNT)),
        AmountProblem.TOO_LARGE: gettext(
            "The limit cannot be more than %(amount)s: autopay takes at most that much at once.",
            amount=format_money(MAX_AMOUNT),
        ),
    }[problem]


def no_gateway_refund() -> str:
    return gettext(
        "This payment has no reference at the payment service, so the portal cannot return it to the card. "
        "Return the money by bank transfer and enter a correction in the account's ledger."
    )


def refund_done(state: RefundState) -> str:
    """What an accountant is told once a refund is asked for: made, waiting for the payment service, or not
    answered (held as pending and asked again, so it is not to be made a second time)."""
    if state == RefundState.REFUNDED:
        return gettext("The refund is made and entered in the account's ledger.")
    if state == RefundState.UNANSWERED:
        return gettext(
            "The payment service did not answer. The refund is pending and its amount is held: the portal asks the "
            "service again and enters the refund in the account's ledger once the service confirms it. Do not make "
            "it again."
        )
    return gettext(
        "The payment service is processing the refund; it is entered in the account's ledger once the service "
        "confirms it."
    )


def refund_error(problem: RefundProblem | str, message: str = "") -> str:
    return {
        RefundProblem.TOO_LARGE: gettext("That is more than what is left to refund."),
        RefundProblem.NOTHING_LEFT: gettext("This payment has nothing left to refund."),
        RefundProblem.NOT_PAID: gettext("Only a paid payment can be refunded."),
        RefundProblem.NO_GATEWAY: no_gateway_refund(),
        RefundProblem.INVALID: gettext("Enter the amount to refund, for example 1500,00."),
    }.get(problem, gettext("The payment service refused the refund: %(reason)s", reason=message))  # type: ignore[call-overload]


def reconciled(done: Reconciled) -> str:
    """What an accountant's «Сверить» did: how many payments and refunds it asked the payment service about and
    what changed; when its few seconds ran out first, that the scheduled reconciliation, started now, checks the
    rest."""
    said = gettext(
        "Payments and refunds checked with the payment service: %(checked)s. Payments updated: %(payments)s, "
        "refunds: %(refunds)s.",
        checked=done.checked,
        payments=done.payments,
        refunds=done.refunds,
    )
    if done.finished:
        return said
    rest = gettext(
        "The rest is checked by the scheduled reconciliation, started now: the list shows its results in a few minutes."
    )
    return f"{said} {rest}"
