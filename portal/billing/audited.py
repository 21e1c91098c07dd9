"""The audit log's words for what billing writes (``core.audit.describe``): charges, receipts, balances, penalty
rules, payees and bank registries; a payee's fields are named as its form names them. A billing month reads as the
month, an amount (recorded in kopecks) as money."""

from portal.core import audit
from portal.core.audit import describe
from portal.core.i18n import lazy

describe(
    actions={
        "billing.charges.import": lazy("Charges imported"),
        "billing.receipts.issue": lazy("Receipts issued"),
        "billing.receipt.reissue": lazy("Receipt issued again"),
        "billing.book.opening": lazy("Opening balances loaded"),
        "billing.book.export": lazy("Billing system's balances loaded"),
        "billing.penalty_rule.set": lazy("Penalty rule saved"),
        "billing.penalty_rule.remove": lazy("Penalty rule removed"),
        "billing.key_rate.set": lazy("Key rate set"),
        "billing.payee.update": lazy("Payee's requisites changed"),
        "billing.registry.import": lazy("Bank registry loaded"),
        "billing.registry.assign": lazy("Registry payment put on an account"),
        "billing.registry.return": lazy("Registry payment returned"),
    },
    fields={
        "period": lazy("Billing month"),
        "issued": lazy("Receipts issued"),
        "skipped": lazy("Accounts without charges"),
        "rows": lazy("Rows"),
        "file": lazy("File"),
        "corrections": lazy("Corrections"),
        "before": lazy("Before"),
        "after": lazy("After"),
        "valid_from": lazy("In force from"),
        "rate": lazy("Annual rate"),
        "source": lazy("Decision"),
        "name": lazy("Name"),
        "inn": lazy("INN"),
        "kpp": lazy("KPP"),
        "bic": lazy("BIC"),
        "settlement_account": lazy("Settlement account"),
        "corresp_account": lazy("Correspondent account"),
        "bank_name": lazy("Bank"),
        "address": lazy("Address"),
        "phone": lazy("Phones"),
        "email": lazy("E-mail"),
        "site": lazy("Website"),
        "dispatch_phones": lazy("Emergency dispatch service"),
        "credited": lazy("Credited"),
        "queued": lazy("Left to assign"),
        "account": lazy("Personal account"),
        "amount_kopecks": lazy("Amount"),
        "was": lazy("Account in the registry"),
        "reason": lazy("Reason"),
    },
    entities={
        "import_batch": lazy("Charges import"),
        "book_balance": lazy("Balances"),
        "penalty_rule": lazy("Penalty rule"),
        "key_rate": lazy("Key rate"),
        "payee": lazy("Payee"),
        "payment_registry": lazy("Bank registry"),
        "registry_payment": lazy("Registry payment"),
    },
    values={"period": audit.month, "valid_from": audit.when, "amount_kopecks": audit.kopecks},
)
