"""Routes of the accounts domain."""

ROUTES: list = []
