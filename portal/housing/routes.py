"""Routes of the housing domain."""

ROUTES: list = []
