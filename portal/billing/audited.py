"""The audit log's words for what billing writes (``core.audit.describe``): charges, receipts, balances, penalty
rules, payees and bank registries; a payee's fields are named as its form names them. A billing month reads as the
month, an amount (recorded in kopecks) as money, a row of the table of moratoria and caps as that table writes it."""

from datetime import date
from decimal import Decimal
from typing import Any

from portal.billing.forms import rule_kind_label
from portal.core import audit
from portal.core.audit import describe
from portal.core.i18n import format_day
from portal.core.i18n import format_percent
from portal.core.i18n import gettext
from portal.core.i18n import lazy


def penalty_period(value: Any) -> str:
    """A row of the table of moratoria and caps, recorded as its fields, as the table's page writes it:
    «28.02.2022 – 31.07.2022: Ставка установлена 9,5 %, ПП РФ № 474 от 26.03.2022»."""
    said = (
        f"{format_day(date.fromisoformat(value['valid_from']), 'short')} – "
        f"{format_day(date.fromisoformat(value['valid_to']), 'short')}: {rule_kind_label(value['kind'])}"
    )
    if value.get("rate"):
        said += " " + format_percent(Decimal(value["rate"]), fixed=False)
    if value.get("debts_before"):
        month = format_day(date.fromisoformat(value["debts_before"][:10]), "LLLL y")
        said += " " + gettext("(debts of months before %(month)s)", month=month)
    return f"{said}, {value['source']}" if value.get("source") else said


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
    values={
        "period": audit.month,
        "valid_from": audit.when,
        "amount_kopecks": audit.kopecks,
        "rate": audit.number,
        "before": penalty_period,
        "after": penalty_period,
    },
)
