"""The audit log's words for what the payments write (``core.audit.describe``): a payment's status reads as the
payment pages say it, an amount as money."""

from portal.core import audit
from portal.core.audit import describe
from portal.core.i18n import lazy
from portal.payments import texts

describe(
    actions={
        "payment.reconcile": lazy("Payments checked with the payment service"),
        "payment.refund_asked": lazy("Refund asked for"),
        "payment.refund": lazy("Payment refunded"),
        "autopay.on": lazy("Autopay turned on or changed by the resident"),
        "autopay.off": lazy("Autopay turned off by the resident"),
        "card.save": lazy("Card saved by the resident"),
        "card.remove": lazy("Saved card removed by the resident"),
    },
    fields={
        "fixed": lazy("Payments and refunds updated"),
        "payments": lazy("Payments updated"),
        "refunds": lazy("Refunds updated"),
        "checked": lazy("Payments and refunds checked"),
        "refund_id": lazy("Refund id"),
        "amount": lazy("Amount"),
        "reason": lazy("Reason"),
        "status": lazy("Payment status"),
        "limit": lazy("Monthly limit"),
        "autopay_off": lazy("Accounts whose autopay it switched off"),
        "card": lazy("Card"),
    },
    entities={"payment": lazy("Payment"), "card": lazy("Saved card")},
    values={"amount": audit.money, "status": texts.status_label, "limit": audit.kopecks},
)
