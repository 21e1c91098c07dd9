"""The columns a read selects into a typed row, named once: by the row's own dataclass fields.

    Ticket.select(*columns_of(Ticket, TicketRow, house_address=Ticket.house.address))

selects, in the order of ``TicketRow``'s fields, the column of ``Ticket`` each field is named after, and for a field
given as a keyword the column given (read through a join, or another column) under the field's name; a field
``<name>_id`` is the foreign key ``<name>`` of ``table`` (``house_id``: ``Ticket.house``) unless given; so
``TicketRow(**row)`` (or ``core.db.from_row``) takes the row as it comes, and a field added to the dataclass is read
without a second list.

``built_once`` keeps what a function that builds such columns returns, so a request does not build them again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import fields
from typing import Any
from typing import ParamSpec
from typing import TypeVar
from typing import cast

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
            picked.append(_named(joined[field.name], field.name))
        elif field.name in own:
            picked.append(own[field.name])
        elif field.name.endswith("_id") and isinstance(own.get(field.name[:-3]), ForeignKey):
            picked.append(own[field.name[:-3]].as_alias(field.name))
    return picked


def _named(selected: Column | QueryString, name: str) -> Column | QueryString:
    """``selected`` under ``name`` without changing it: ``Column.as_alias`` gives a copy, but ``QueryString.as_alias``
    renames the string itself, which a kept one (``built_once``) read under another name elsewhere must not be."""
    if isinstance(selected, QueryString):
        return QueryString("{}", selected, alias=name)
    return selected.as_alias(name)


P = ParamSpec("P")
T = TypeVar("T")
_PLAIN = (str, int, bool, type(None))
_MUTABLE = (list, dict, set)


def built_once(build: Callable[P, T]) -> Callable[P, T]:
    """``build`` run once for each set of its arguments, and what it returned kept for the life of the process: for
    the functions that build the columns of a select. A join's column (``Charge.service.payee.id``) costs Piccolo a
    copy of every column of every table on its way (``ForeignKey.__getattribute__``) and an alias a copy more: an
    account's address and the lines of a receipt took about 2 ms a call, 12 % of the receipt page's CPU.

    Kept columns are safe to share because no query changes the columns it is given (Piccolo 1.x, read in its source):
    ``select``, ``where``, ``order_by``, ``group_by`` and ``output(as_list=...)`` keep them in lists of their own;
    the SQL, the joins (``_meta.call_chain``, ``table_alias``) and the names of the row's keys are read from them,
    never written; ``Column.as_alias`` and a further join (``kept.premise.house``) return copies, and ``Where`` and
    ``QueryString`` only refer to them. Two things do change what they are given, so keep neither: a select itself
    (its ``.where`` and ``.order_by`` add to it; keep its columns, not the query), and ``QueryString.as_alias``,
    which renames the string in place (``columns_of`` wraps a string instead; call ``as_alias`` on a kept string only
    inside the builder, once).

    The arguments are the key, so only classes (a table, a row's dataclass) and plain values (str, int, bool, None)
    are taken: Piccolo
    hashes a column by its name and its ``==`` answers a ``Where``, which is true, so a cache keyed by
    ``Balance.account`` would answer what it kept for ``Charge.account``. What is kept must not change (a tuple, a
    ``MappingProxyType``, a column): a list or a dict is refused, as one caller could change what the next request
    reads. Nothing of a request (today, a user, a filter) may be in it: such parts are built per call, beside it."""
    kept: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(build)
    def once(*args: Any) -> Any:
        for arg in args:  # before the lookup: a column in the key would compare true to another column
            if not isinstance(arg, (*_PLAIN, type)):
                raise TypeError(f"{build.__qualname__}: built once for a class or a plain value, not {arg!r}")
        if args not in kept:
            built = build(*args)
            if isinstance(built, _MUTABLE):
                raise TypeError(f"{build.__qualname__}: keep a tuple or a mapping proxy, not a {type(built).__name__}")
            kept[args] = built
        return kept[args]

    return cast(Callable[P, T], once)


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
