"""A faster ``ForeignKey.__getattribute__`` for Piccolo (same behaviour, without ``dir()`` on every access).

Piccolo's ``ForeignKey.__getattribute__`` runs ``name not in dir(self)`` for every attribute whose name does
not start with an underscore (``column.copy``, ``column.value_type`` …), to resolve lazy table references.
``dir()`` builds and sorts the list of every attribute, so query building spent most of its time there: a
third of a resident page's CPU. The check only matters while a lazy reference has no proxy columns yet, so
this version asks that cheap question first and ``dir()`` only then; the rest is Piccolo's code unchanged.
Installed once by ``portal.core.db``; ``tests/core/test_piccolo_fast.py`` checks joins through foreign keys.
"""

from __future__ import annotations

import contextlib
from typing import Any

import piccolo
from piccolo.columns.base import Column
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.reference import LazyTableReference

PICCOLO_VERSIONS = ("1.",)  # the code below follows Piccolo 1.x's ForeignKey.__getattribute__


def _getattribute(self: ForeignKey, name: str) -> Any:
    get = object.__getattribute__
    if name[:1] != "_":
        try:
            meta = get(self, "_foreign_key_meta")
        except AttributeError:
            pass
        else:
            if meta.proxy_columns == [] and isinstance(meta.references, LazyTableReference) and name not in dir(self):
                get(self, "set_proxy_columns")()

    value = get(self, name)
    if name[:1] == "_":
        return value

    foreignkey_class = get(self, "__class__")
    if isinstance(value, foreignkey_class):  # a foreign key reached through this one: a join
        new_column = value.copy()
        new_column._meta.call_chain.append(self)
        if len(new_column._meta.call_chain) >= 10:
            raise Exception("Call chain too long!")
        foreign_key_meta = get(new_column, "_foreign_key_meta")
        for proxy_column in foreign_key_meta.proxy_columns:
            with contextlib.suppress(Exception):  # Piccolo's own code ignores it too
                delattr(new_column, proxy_column._meta.name)
        foreign_key_meta.proxy_columns = []
        for column in value._foreign_key_meta.resolved_references._meta.columns:
            _column = column.copy()
            _column._meta.call_chain = list(new_column._meta.call_chain)
            setattr(new_column, _column._meta.name, _column)
            foreign_key_meta.proxy_columns.append(_column)
        return new_column
    if issubclass(type(value), Column):
        new_column = value.copy()
        column_meta = get(self, "_meta")
        new_column._meta.call_chain = column_meta.call_chain.copy()
        new_column._meta.call_chain.append(self)
        return new_column
    return value


def install() -> None:
    """Replace Piccolo's method (once; only on the Piccolo versions this was written for)."""
    if ForeignKey.__getattribute__ is _getattribute:
        return
    if not piccolo.__VERSION__.startswith(PICCOLO_VERSIONS):
        return
    ForeignKey.__getattribute__ = _getattribute  # type: ignore[method-assign]
