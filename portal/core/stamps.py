"""Columns that many tables keep the same way, as Piccolo column mixins: ``class Meeting(Stamped, Table)``,
``class TicketAttachment(PhotoColumns, Table)``.

A mixin's columns are copied into each table that uses it (Piccolo), so the schema is what the table would have
with the columns written out; the migrations name them as before."""

from __future__ import annotations

from piccolo.columns import Integer
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow


class Created:
    """When the row was written."""

    created_at = Timestamptz(default=TimestamptzNow())


class Stamped(Created):
    """When the row was written and when it last changed."""

    updated_at = Timestamptz(default=TimestamptzNow())


class PhotoColumns:
    """A photo kept by ``core.storage``: its key, type, bytes and pixels (``StoredFile.columns()`` fills them)."""

    file_key = Varchar(length=128, unique=True)
    content_type = Varchar(length=64, default="image/jpeg")
    size = Integer(default=0)
    width = Integer(default=0)
    height = Integer(default=0)
