"""Visits to the client centre (запись в клиентский центр): a resident books a time at their complex's client centre
(the complex's administrator) for keys, documents, personal data, charges or remarks about the flat instead of
phoning the call centre; the centre's staff keep the day's schedule and mark who came."""
