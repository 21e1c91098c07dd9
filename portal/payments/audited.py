"""The audit log's words for what the payments write (``core.audit.describe``)."""

from portal.core.audit import describe
from portal.core.i18n import lazy

describe(
    actions={
        "payment.reconcile": lazy("Payments checked with the payment service"),
        "payment.refund": lazy("Payment refunded"),
    },
    fields={
        "fixed": lazy("Payments updated"),
        "refund_id": lazy("Refund id"),
        "amount": lazy("Amount to refund, ₽"),
        "reason": lazy("Reason"),
        "status": lazy("Payment status"),
    },
    entities={"payment": lazy("Payment")},
)
