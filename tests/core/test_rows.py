"""A typed result is made from its row by field name (``from_row``) and its columns are named by its fields
(``columns_of``); every domain's Piccolo app is built from the tables its ``tables`` module defines (``domain_app``)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

import pytest

from portal.core.db import from_row
from portal.core.piccolo_app import domain_app
from portal.core.rows import columns_of
from portal.core.rows import looked_up
from portal.tickets.tables import Outage


@dataclass(frozen=True)
class Flat:
    id: int
    number: str
    area: Decimal
    address: str
    floor: int | None = None
    notes: list[str] = field(default_factory=list)


def test_fields_come_from_the_row_by_name_and_computed_ones_override_it() -> None:
    row = {"id": 7, "number": "12", "area": "54.30", "house_address": "ул. Киевская, д. 1", "extra": 1}
    flat = from_row(Flat, row, area=Decimal(row["area"]), address=row["house_address"])
    assert flat == Flat(id=7, number="12", area=Decimal("54.30"), address="ул. Киевская, д. 1")


def test_a_field_with_a_default_is_taken_from_the_row_when_the_row_has_it() -> None:
    flat = from_row(Flat, {"id": 1, "number": "1", "area": Decimal(1), "address": "a", "floor": 3})
    assert flat.floor == 3 and flat.notes == []


def test_a_column_the_query_forgot_is_an_error_rather_than_a_silent_default() -> None:
    with pytest.raises(KeyError, match="address"):
        from_row(Flat, {"id": 1, "number": "1", "area": Decimal(1)})


def test_a_domain_app_holds_the_tables_its_module_defines_and_not_those_it_imports() -> None:
    from portal.housing.tables import House
    from portal.housing.tables import Premise
    from portal.meters.tables import Meter
    from portal.meters.tables import MeterReading

    app = domain_app("meters", after=["accounts"])
    assert app.app_name == "meters"
    assert Meter in app.table_classes and MeterReading in app.table_classes
    assert House not in app.table_classes and Premise not in app.table_classes
    assert app.migration_dependencies == ["portal.accounts.piccolo_app"]
    assert app.migrations_folder_path.endswith("migrations/meters")


@dataclass(frozen=True)
class _Outage:
    id: int
    house_address: str
    service: str
    tickets: int = 0  # filled in after the read: no column


def test_a_row_selects_its_own_columns_and_its_joins_under_the_fields_names_in_order() -> None:
    columns = columns_of(Outage, _Outage, house_address=Outage.house.address, riser_code=Outage.riser.code)
    assert [c._meta.name for c in columns] == ["id", "address", "service"]
    assert [c._alias for c in columns] == [None, "house_address", None]
    assert columns[0] is Outage.id


@dataclass(frozen=True)
class _OutagePlace:
    house_id: int
    riser_id: int | None
    service_id: str = ""  # no foreign key ``service``: not read


def test_a_field_named_after_a_foreign_key_with_id_reads_the_key_under_its_own_name() -> None:
    columns = columns_of(Outage, _OutagePlace, riser_id=Outage.riser.code)
    assert [c._meta.name for c in columns] == ["house", "code"]
    assert [c._alias for c in columns] == ["house_id", "riser_id"]


async def test_a_looked_up_column_reads_what_a_join_reads_and_none_without_the_reference(
    db: Any, make_account: Any
) -> None:
    from portal.housing.tables import Entrance
    from portal.housing.tables import Premise

    place = await make_account(premise_number="17")
    with_entrance = await Premise.objects().get(Premise.id == place.premise)
    alone = Premise(house=place.house, entrance=None, kind="parking", number="P-3", floor=-1, area=Decimal("13.25"))
    await alone.save()
    await Entrance.update({Entrance.number: 4}).where(Entrance.id == place.entrance)
    wanted = [with_entrance.id, alone.id]

    looked = await Premise.select(
        Premise.id,
        looked_up(Premise.entrance.number).as_alias("entrance_number"),
        looked_up(Premise.house.address).as_alias("address"),
    ).where(Premise.id.is_in(wanted))
    joined = await Premise.select(
        Premise.id, Premise.entrance.number.as_alias("entrance_number"), Premise.house.address.as_alias("address")
    ).where(Premise.id.is_in(wanted))

    by_id = sorted(looked, key=lambda row: row["id"])
    assert [row["entrance_number"] for row in by_id] == [4, None]
    assert by_id == sorted(joined, key=lambda row: row["id"])


def test_a_lookup_goes_one_reference_deep() -> None:
    from portal.housing.tables import Premise

    with pytest.raises(ValueError, match="one reference"):
        looked_up(Premise.entrance.house.address)
