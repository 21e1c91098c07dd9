"""One page of a long list read from a table, newest first, with the count the pager needs.

    rows, total = await read_page(Order, columns, where, page)
    return Page([OrderRow(**r) for r in rows], total, page.number, page.size)

Newest first is by ``created_at``, then ``id`` (rows made in the same instant keep a stable order); a table without
a creation time passes ``newest=(Table.id,)``. No rows are read when the count is nought.

``newest_batches`` reads every row of such a list in that same order (an export of the list: the file lists its rows as
the screen does), a batch at a time, each batch after the last row of the one before (no offset to count through).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Sequence
from typing import Any

from piccolo.table import Table

from portal.core.pagination import PageRequest


async def read_page(
    table: type[Table],
    columns: Sequence[Any],
    where: Any,
    page: PageRequest,
    newest: Sequence[Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The rows of ``page`` among those ``where`` finds in ``table`` (``columns`` of each), newest first, and how
    many there are in all."""
    total = await table.count().where(where)
    if not total:
        return [], 0
    query = table.select(*columns).where(where)
    for column in newest or (table._meta.get_column_by_name("created_at"), table._meta.primary_key):
        query = query.order_by(column, ascending=False)
    return await query.offset(page.offset).limit(page.size), total


async def newest_batches(
    table: type[Table],
    columns: Sequence[Any],
    where: Any,
    limit: int,
    batch: int = 1000,
    newest: tuple[Any, Any] | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """At most ``limit`` rows ``where`` finds in ``table``, newest first as ``read_page`` orders a page (by
    ``created_at``, then ``id``; or by the two columns of ``newest``, a moment and a unique key, as the page passed
    them), in batches of at most ``batch`` rows. ``columns`` must hold both under their own names."""
    created, key = newest or (table._meta.get_column_by_name("created_at"), table._meta.primary_key)
    last: dict[str, Any] | None = None
    left = limit
    while left > 0:
        query = table.select(*columns).where(where)
        if last is not None:
            moment, number = last[created._meta.name], last[key._meta.name]
            query = query.where((created < moment) | ((created == moment) & (key < number)))
        rows = await query.order_by(created, ascending=False).order_by(key, ascending=False).limit(min(batch, left))
        if rows:
            yield rows
        if len(rows) < min(batch, left):
            return
        left -= len(rows)
        last = rows[-1]
