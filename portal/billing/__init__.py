"""Billing: services, charges, the ledger and balances, receipts (ЕПД) with their QR code, penalties (пени)."""
