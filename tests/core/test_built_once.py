"""The columns of the pages' selects are built once and shared (``core.rows.built_once``): each builder answers the
same objects on every call, and sharing them changes no query: a select leaves the columns it is given as they
were, and a name given in one select does not follow the column into another (both engines)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from portal.billing import outage_reductions
from portal.billing import queries as billing
from portal.billing.tables import Balance
from portal.billing.tables import Charge
from portal.core.rows import built_once
from portal.core.rows import columns_of
from portal.core.rows import looked_up
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.meetings import queries as meetings
from portal.tickets import queries as tickets

KEPT = [
    (billing._charge_columns, ()),
    (billing._account_columns, (PersonalAccount,)),
    (billing._account_columns, (Balance, "account")),
    (tickets._columns, (tickets.TicketRow,)),
    (tickets._columns, (tickets.TicketDetail,)),
    (tickets._account_columns, (tickets.Place,)),
    (meetings._meeting_columns, ()),
    (meetings._owned_house, ()),
    (outage_reductions._reduction_columns, ()),
]


@pytest.mark.parametrize(("build", "args"), KEPT, ids=lambda v: getattr(v, "__qualname__", repr(v)))
def test_a_pages_columns_are_built_once_and_the_same_objects_serve_every_call(build: Any, args: tuple) -> None:
    first, again = build(*args), build(*args)
    assert first is again
    fresh = build.__wrapped__(*args)  # what the builder makes when it runs: the same SQL
    assert [_sql(c) for c in _flat(fresh)] == [_sql(c) for c in _flat(first)]


def _flat(built: Any) -> list[Any]:
    return list(built) if isinstance(built, tuple) else [built]


def _sql(selected: Any) -> str:
    return str(selected.get_select_string(engine_type="postgres"))


def test_the_tables_builder_keeps_one_set_of_columns_for_each_table() -> None:
    own, through = billing._account_columns(PersonalAccount), billing._account_columns(Balance, "account")
    assert own is not through
    assert [c._meta.call_chain[0]._meta.table for c in through] == [Balance] * len(through)


def test_a_column_as_the_key_is_refused_as_piccolo_finds_another_tables_column_of_that_name_equal() -> None:
    @built_once
    def named(column: Any) -> tuple[str, ...]:
        return (column._meta.table._meta.tablename,)

    assert hash(Balance.account) == hash(Charge.account) and bool(Balance.account == Charge.account)
    with pytest.raises(TypeError, match="class or a plain value"):
        named(Balance.account)


def test_what_is_kept_cannot_be_a_list_or_a_dict_that_one_caller_could_change_for_the_next() -> None:
    @built_once
    def listed() -> list[Any]:
        return [Premise.number]

    @built_once
    def mapped() -> dict[str, Any]:
        return {"number": Premise.number}

    for build in (listed, mapped):
        with pytest.raises(TypeError, match="tuple or a mapping proxy"):
            build()


def test_the_builder_runs_once_for_each_key() -> None:
    runs: list[tuple[Any, ...]] = []

    @built_once
    def columns(table: type, name: str) -> tuple[Any, ...]:
        runs.append((table, name))
        return (table._meta.get_column_by_name(name),)

    assert columns(Premise, "number") is columns(Premise, "number")
    assert columns(Premise, "kind") is not columns(Premise, "number")
    assert runs == [(Premise, "number"), (Premise, "kind")]


def _shape(column: Any) -> tuple[Any, ...]:
    """What a select reads of a column: its name, alias and joins."""
    return (column._meta.name, column._alias, [key._meta.name for key in column._meta.call_chain])


def _state(column: Any) -> tuple[Any, ...]:
    """Everything a select could change on a column: its attributes (by identity) and its joins."""
    return (
        _shape(column),
        {name: id(value) for name, value in vars(column).items()},
        {name: id(value) for name, value in vars(column._meta).items()},
        [id(key) for key in column._meta.call_chain],
    )


async def test_a_select_leaves_the_kept_columns_as_they_were(db: Any, make_account: Any) -> None:
    place = await make_account(premise_number="31", payer="Петрова Анна Сергеевна")
    columns = billing._account_columns(PersonalAccount)
    before = [_state(c) for c in columns]

    by_number = columns[0]  # the account's number, aliased "number"
    house = columns[[c._alias for c in columns].index("house_address")]
    row = (
        await PersonalAccount.select(PersonalAccount.id, *columns)
        .where((PersonalAccount.id == place.account) & (by_number == place.number) & house.is_not_null())
        .order_by(house)
        .order_by(by_number, ascending=False)
        .first()
    )
    numbers = await PersonalAccount.select(by_number).where(by_number == place.number).output(as_list=True)
    counted = await PersonalAccount.count().where(house.is_not_null() & (PersonalAccount.id == place.account))

    assert row["payer_name"] == "Петрова Анна Сергеевна" and row["premise_number"] == "31"
    assert numbers == [place.number] and counted == 1
    assert [_state(c) for c in columns] == before


@dataclass(frozen=True)
class _Flat:
    id: int
    address: str | None


@dataclass(frozen=True)
class _FlatOfHouse:
    id: int
    house_address: str | None
    number: str


async def test_a_kept_string_read_under_two_names_answers_each_select_under_its_own(db: Any, make_account: Any) -> None:
    place = await make_account(premise_number="7", address="г. Симферополь, ул. Ленина, д. 5")
    street = looked_up(Premise.house.address)  # kept, as ``tickets._joined`` keeps its strings
    flat = columns_of(Premise, _Flat, address=street)
    of_house = columns_of(Premise, _FlatOfHouse, house_address=street)

    first = await Premise.select(*flat).where(Premise.id == place.premise).first()
    second = await Premise.select(*of_house).where(Premise.id == place.premise).first()
    again = await Premise.select(*flat).where(Premise.id == place.premise).first()

    assert first == again == {"id": place.premise, "address": "г. Симферополь, ул. Ленина, д. 5"}
    assert second == {"id": place.premise, "house_address": "г. Симферополь, ул. Ленина, д. 5", "number": "7"}
    assert street._alias is None


async def test_two_reads_of_the_kept_account_columns_each_answer_their_own_accounts(db: Any, make_account: Any) -> None:
    from datetime import date

    from portal.billing.history import build_history
    from portal.core.pagination import PageRequest
    from portal.core.security import Principal

    first = await make_account(premise_number="101", payer="Первый Плательщик", area="61.20")
    second = await make_account(premise_number="102", payer="Второй Плательщик", area="40.05")
    november = date(2026, 11, 1)
    await build_history([first.account, second.account], november, 2, pay=False)
    staff = Principal(name="staff", house_ids=None)

    info = await billing.accounts_info([first.account, second.account])
    page, _ = await billing.debtors_page(november, billing.DebtorFilter(every_owing=True), staff, PageRequest())
    info_again = await billing.accounts_info([second.account])

    debtors = {d.id: d for d in page.items}
    for place, payer, number, area in (
        (first, "Первый Плательщик", "101", Decimal("61.20")),
        (second, "Второй Плательщик", "102", Decimal("40.05")),
    ):
        for seen in (info[place.account], debtors[place.account]):
            assert (seen.id, seen.number, seen.payer_name) == (place.account, place.number, payer)
            assert (seen.premise_number, seen.area, seen.house_id) == (number, area, place.house)
    assert info_again[second.account] == info[second.account]

    lines = await billing.charges_of_period(first.account, november)
    assert lines and all(line.previous is not None for line in lines)
    one = await billing.charge_line(first.account, lines[0].id)
    assert one is not None and (one.id, one.service_code) == (lines[0].id, lines[0].service_code)
    assert one.previous is not None and one.previous.period == date(2026, 10, 1)
