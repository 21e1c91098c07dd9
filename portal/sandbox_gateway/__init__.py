"""A small Stripe-like payment service of our own (GATEWAY.md subset), for development, the demo and the tests.

It runs as its own process (``python -m portal.sandbox_gateway``) with its own SQLite file and never touches the
portal's tables. The portal talks to it over real HTTP exactly as it would talk to the real gateway.
"""
