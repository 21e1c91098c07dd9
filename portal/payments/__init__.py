"""Payments: online payment through the gateway, webhooks, refunds, reconciliation, autopay."""
