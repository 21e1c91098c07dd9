"""The columns a read selects into a typed row, named once: by the row's own dataclass fields.

    Ticket.select(*columns_of(Ticket, TicketRow, house_address=Ticket.house.address))

selects, in the order of ``TicketRow``'s fields, the column of ``Ticket`` each field is named after, and for a field
given as a keyword the column given (read through a join, or another column) under the field's name; a field
``<name>_id`` is the foreign key ``<name>`` of ``table`` (``house_id``: ``Ticket.house``) unless given; so
``TicketRow(**row)`` (or ``core.db.from_row``) takes the row as it comes, and a field added to the dataclass is read
without a second list.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from piccolo.columns import Column
from piccolo.columns import ForeignKey
from piccolo.querystring import QueryString
from piccolo.table import Table


def columns_of(table: type[Table], row: Any, **joined: Column | QueryString) -> list[Column | QueryString]:
    """The columns to select into the dataclass ``row`` (a class or an instance), in its fields' order. A field
    ``<name>_id`` is the foreign key ``<name>`` read under the field's name; a field that is neither a column of
    ``table``, nor such a key, nor given in ``joined`` (one filled in after the read) is left out; a keyword that
    names no field of ``row`` is ignored, so one mapping of joins serves a row and its extended row."""
    own = {column._meta.name: column for column in table._meta.columns}
    picked: list[Column | QueryString] = []
    for field in fields(row):
        if field.name in joined:
            picked.append(joined[field.name].as_alias(field.name))
        elif field.name in own:
            picked.append(own[field.name])
        elif field.name.endswith("_id") and isinstance(own.get(field.name[:-3]), ForeignKey):
            picked.append(own[field.name[:-3]].as_alias(field.name))
    return picked


def looked_up(column: Column) -> QueryString:
    """A column of the record a row refers to (``Ticket.house.address``) read by its primary key for each row
    selected, as a subquery of the select list, not by a join: a list of a page of rows with several such columns
    is planned as one table with lookups after its LIMIT, where joins made PostgreSQL weigh every order of them
    against every index of the main table on each request (the staff request list: about 4 ms of planning for
    0.4 ms of work). A row without the reference reads None, as a LEFT JOIN does. One step of reference only."""
    if len(column._meta.call_chain) != 1:
        raise ValueError(f"{column._meta.get_full_name()}: one reference only")
    key = column._meta.call_chain[0]
    outer, fk = key._meta.table._meta.tablename, key._meta.db_column_name
    target = column._meta.table
    alias = f"{outer}${fk}"  # unique in the statement even if the row refers to its own table
    pk = target._meta.primary_key._meta.db_column_name
    # Names of the tables' own definitions, no value typed by anyone.
    sql = f'(SELECT "{alias}"."{column._meta.db_column_name}" FROM "{target._meta.tablename}" AS "{alias}" WHERE '  # noqa: S608
    return QueryString(sql + f'"{alias}"."{pk}" = "{outer}"."{fk}")')
