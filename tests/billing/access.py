"""Who may call each billing route (read by the route × role matrix test)."""

ACCESS: dict[str, str] = {
    "GET /accounts/{account_id:int}": "resident",
    "GET /accounts/{account_id:int}/charges/{charge_id:int}": "resident",
    "GET /accounts/{account_id:int}/receipts/{period:str}": "resident",
    "GET /accounts/{account_id:int}/receipts/{period:str}/pdf": "resident",
    "GET /staff/billing": "staff:accountant,manager",
    "GET /staff/billing/debtors": "staff:accountant,manager",
    "GET /staff/billing/debtors.csv": "staff:accountant,manager",
    "GET /staff/billing/debtors.xlsx": "staff:accountant,manager",
    "GET /staff/billing/accounts/{account_id:int}": "staff:accountant,manager",
    "POST /staff/billing/accounts/{account_id:int}/reissue": "staff:accountant,manager",
    "GET /staff/billing/receipts": "staff:accountant,manager",
    "POST /staff/billing/receipts": "staff:accountant,manager",
    "GET /staff/billing/import": "staff:accountant,manager",
    "POST /staff/billing/import": "staff:accountant,manager",
    "GET /staff/billing/import/{token:str}": "staff:accountant,manager",
    "POST /staff/billing/import/apply": "staff:accountant,manager",
    "GET /staff/billing/key-rates": "staff:accountant",
    "POST /staff/billing/key-rates": "staff:accountant",
}
