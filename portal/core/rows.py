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
from piccolo.table import Table


def columns_of(table: type[Table], row: Any, **joined: Column) -> list[Column]:
    """The columns to select into the dataclass ``row`` (a class or an instance), in its fields' order. A field
    ``<name>_id`` is the foreign key ``<name>`` read under the field's name; a field that is neither a column of
    ``table``, nor such a key, nor given in ``joined`` (one filled in after the read) is left out; a keyword that
    names no field of ``row`` is ignored, so one mapping of joins serves a row and its extended row."""
    own = {column._meta.name: column for column in table._meta.columns}
    picked: list[Column] = []
    for field in fields(row):
        if field.name in joined:
            picked.append(joined[field.name].as_alias(field.name))
        elif field.name in own:
            picked.append(own[field.name])
        elif field.name.endswith("_id") and isinstance(own.get(field.name[:-3]), ForeignKey):
            picked.append(own[field.name[:-3]].as_alias(field.name))
    return picked
