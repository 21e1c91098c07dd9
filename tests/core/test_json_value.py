"""A JSON column read alike on both engines (``core.db.json_value``): SQLite hands over its text, PostgreSQL the
object; the outbox's context, an audit event's changes and a post's delivery are read through it."""

from __future__ import annotations

import pytest

from portal.core import outbox
from portal.core.db import json_value
from portal.core.tables import OutboxMessage


@pytest.mark.parametrize(
    ("stored", "read"),
    [('{"post": 7}', {"post": 7}), ({"post": 7}, {"post": 7}), ("", {}), (None, {}), ("[1, 2]", [1, 2])],
)
def test_a_json_column_is_its_object_whichever_engine_read_it(stored, read):
    assert json_value(stored) == read


async def test_a_stored_context_is_read_as_written_on_each_engine(db):
    await OutboxMessage.insert(
        OutboxMessage(channel="inapp", recipient="1", template="t", context={"link": "/x", "locale": "en"})
    )
    row = await OutboxMessage.select(OutboxMessage.context).first()
    assert json_value(row["context"]) == {"link": "/x", "locale": "en"}
    assert not outbox.expired(row["context"], None)  # a context without an expiry never expires
