"""Payments (оплата ЖКУ): online payment through the gateway's checkout page, its webhooks, reconciliation,
refunds by accountants, saved cards and autopay (автоплатёж)."""
