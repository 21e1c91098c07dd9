"""A paged list is read page first, and counted only when the page does not tell its total itself."""

from __future__ import annotations

from typing import Any

import pytest

from portal.accounts.tables import User
from portal.core.paged import read_page
from portal.core.pagination import PageRequest
from tests.querylog import captured


@pytest.mark.parametrize(
    ("made", "number", "size", "statements", "shown"),
    [
        (0, 1, 10, 1, 0),  # nothing: the empty first page says so
        (3, 1, 10, 1, 3),  # a short list: its one page is all of it
        (10, 1, 10, 2, 10),  # a full page: there may be more, so they are counted
        (13, 2, 10, 1, 3),  # the last page, short: ten before it and its own
        (13, 3, 10, 2, 0),  # past the end: counted, for the pager to send the reader back
    ],
)
async def test_a_page_is_counted_only_when_it_does_not_tell_the_total(
    db: Any, made: int, number: int, size: int, statements: int, shown: int
) -> None:
    for n in range(made):
        await User(email=f"paged-{n}@example.ru", full_name=f"Житель {n}", password_hash="x").save()
    where = User.email.like("paged-%")
    with captured(db) as seen:
        rows, total = await read_page(User, [User.id, User.email], where, PageRequest(number, size), newest=(User.id,))
    assert (total, len(rows)) == (made, shown)
    assert len(seen) == statements, [str(q) for q in seen]
    newest_first = [f"paged-{n}@example.ru" for n in reversed(range(made))]
    assert [r["email"] for r in rows] == newest_first[(number - 1) * size : number * size]
