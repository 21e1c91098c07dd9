"""Routes of the tickets domain."""

ROUTES: list = []
