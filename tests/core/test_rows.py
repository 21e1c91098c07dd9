"""A typed row's columns are named once, by its dataclass."""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.rows import columns_of
from portal.tickets.tables import Outage


@dataclass(frozen=True)
class _Row:
    id: int
    house_address: str
    service: str
    tickets: int = 0  # filled in after the read: no column


def test_a_row_selects_its_own_columns_and_its_joins_under_the_fields_names_in_order():
    columns = columns_of(Outage, _Row, house_address=Outage.house.address, riser_code=Outage.riser.code)
    assert [c._meta.name for c in columns] == ["id", "address", "service"]
    assert [c._alias for c in columns] == [None, "house_address", None]
    assert columns[0] is Outage.id
