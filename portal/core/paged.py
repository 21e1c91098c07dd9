"""One page of a long list read from a table, newest first, with the count the pager needs.

    rows, total = await read_page(Order, columns, where, page)
    return Page([OrderRow(**r) for r in rows], total, page.number, page.size)

Newest first is by ``created_at``, then ``id`` (rows made in the same instant keep a stable order); a table without
a creation time passes ``newest=(Table.id,)``. No rows are read when the count is nought.
"""

from __future__ import annotations

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
