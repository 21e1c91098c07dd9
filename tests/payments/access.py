"""Who may call each route of payments (read by the route × role matrix test)."""

VIEW = "staff:accountant,manager,operator"
EXPORT = "staff:accountant,manager"
ACCOUNTANT = "staff:accountant"

ACCESS: dict[str, str] = {
    "GET /pay": "resident",
    "POST /pay": "resident",
    "GET /pay/return": "resident",
    "GET /pay/cancel": "resident",
    "GET /payments": "resident",
    "GET /payments/{payment_id:int}": "resident",
    "GET /payments/{payment_id:int}/continue": "resident",
    "POST /payments/{payment_id:int}/continue": "resident",
    "POST /payments/{payment_id:int}/cancel": "resident",
    "POST /payments/webhook": "public",
    "GET /autopay": "resident",
    "POST /autopay/cards": "resident",
    "GET /autopay/cards/return": "resident",
    "POST /autopay/cards/{card_id:int}/remove": "resident",
    "POST /autopay/{account_id:int}": "resident",
    "POST /autopay/{account_id:int}/off": "resident",
    "GET /staff/payments": VIEW,
    "GET /staff/payments/export.csv": EXPORT,
    "GET /staff/payments/export.xlsx": EXPORT,
    "POST /staff/payments/reconcile": ACCOUNTANT,
    "GET /staff/payments/{payment_id:int}": VIEW,
    "GET /staff/payments/{payment_id:int}/refund": ACCOUNTANT,
    "POST /staff/payments/{payment_id:int}/refund": ACCOUNTANT,
}
