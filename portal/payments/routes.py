"""Routes of the payments domain."""

ROUTES: list = []
