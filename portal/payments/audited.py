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
    },
    fields={
        "fixed": lazy("Payments updated"),
        "refund_id": lazy("Refund id"),
        "amount": lazy("Amount"),
        "reason": lazy("Reason"),
        "status": lazy("Payment status"),
    },
    entities={"payment": lazy("Payment")},
    values={"amount": audit.money, "status": texts.status_label},
)
