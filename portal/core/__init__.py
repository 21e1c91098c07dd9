"""Shared machinery of the portal: database, web, i18n, security, audit, outbox. No business rules."""
