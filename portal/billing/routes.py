"""Routes of the billing domain."""

ROUTES: list = []
