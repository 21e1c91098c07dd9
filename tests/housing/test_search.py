"""Staff search of houses, accounts and owners through the engine's index (both engines), within the staff scope."""

import importlib
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.housing import actions
from portal.housing import queries
from portal.housing import registry
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import PersonalAccount
from tests import querylog
from tests.querylog import captured
from tests.querylog import plan_of

SAMPLE = Path(__file__).parent / "registry_sample.csv"
ADDRESS = "г. Симферополь, ул. Тестовая, д. 1"
OTHER_ADDRESS = "г. Симферополь, ул. Чужая, д. 7"
PAGE = PageRequest(1, 30)
backfill_migration = importlib.import_module("migrations.housing.housing_2026_11_25t11_10_00_000000")


@pytest.fixture
async def world(db):
    """The sample registry (imported) and a second house in another complex, entered through the staff forms' writes."""
    parsed = registry.parse_file("sample.csv", SAMPLE.read_bytes())
    assert (await actions.import_registry(parsed.rows)).applied
    house = (await House.select(House.id).where(House.address == ADDRESS).first())["id"]
    other_complex = await actions.save_complex(None, None, {"name": "ЖК «Другой»", "city": "Симферополь"})
    other = await actions.save_house(
        None, None, {"complex": other_complex, "address": OTHER_ADDRESS, "floors": 5, "fias_id": None}
    )
    flat = await actions.save_premise(
        None,
        None,
        {"house": other, "kind": "flat", "number": "2", "entrance": None, "floor": 1, "area": Decimal("40.00")},
        [],
    )
    account = await actions.save_account(
        None, None, {"number": "5500000001", "premise": flat, "payer_name": "Чужой Жилец Сидоров"}
    )
    owner = await actions.save_owner(
        None,
        None,
        {"kind": "person", "name": "Сидорова Мария Чужая", "inn": None, "phone": "+7 978 555-44-33", "email": ""},
    )
    await actions.save_ownership(
        None, None, {"premise": flat, "owner": owner, "share_numerator": 1, "share_denominator": 1, "joint": False}
    )
    return {"house": house, "other_house": other, "other_complex": other_complex, "account": account, "owner": owner}


@pytest.fixture
async def manager(client, login, make_user, world):
    """A manager of the sample house only."""
    await login(client, await make_user(roles=("manager",), houses=(world["house"],)))
    return client


def scope(houses: frozenset[int] | None) -> Principal:
    return Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=houses)


async def numbers(houses, q: str) -> list[str]:
    return [r.number for r in (await queries.list_accounts(scope(houses), PAGE, q=q)).items]


async def owner_names(houses, q: str) -> list[str]:
    return [r.name for r in (await queries.list_owners(scope(houses), PAGE, q=q)).items]


async def addresses(houses, q: str) -> list[str]:
    return [r.address for r in (await queries.list_houses(scope(houses), PAGE, q=q)).items]


async def test_houses_are_found_by_part_of_the_address_or_of_the_complex_name(manager, world):
    assert await addresses(None, "тестов") == [ADDRESS]
    assert await addresses(None, "ЧУЖ") == [OTHER_ADDRESS]
    assert await addresses(None, "другой") == [OTHER_ADDRESS]  # the complex's name
    assert sorted(await addresses(None, "Симферополь")) == [ADDRESS, OTHER_ADDRESS]
    page = await manager.get("/staff/housing", params={"q": "естова"})
    assert ADDRESS in page.text


async def test_owners_are_found_by_part_of_the_name_in_another_case_and_by_phone(manager, world):
    assert await owner_names(None, "СИДОРОВА анна") == ["Сидорова Анна Ивановна"]
    assert await owner_names(None, "ивановн") == ["Сидорова Анна Ивановна"]
    assert await owner_names(None, "ПЁТР 111-22") == ["Петров Пётр Петрович"]  # ё and е are one letter to the search
    assert await owner_names(None, "петр 111-22") == ["Петров Пётр Петрович"]
    assert await owner_names(None, "петрович") == ["Петров Пётр Петрович", "Сидоров Иван Петрович"]
    assert await owner_names(None, "romashka") == [] and await owner_names(None, "ромашк") == ["ООО «Ромашка»"]
    assert await owner_names(None, "111-22") == ["Петров Пётр Петрович"]  # the phone as people write it
    assert await owner_names(None, "(978) 111-22-33") == ["Петров Пётр Петрович"]
    assert await owner_names(None, "89781112233") == ["Петров Пётр Петрович"]  # as dialled in Russia
    assert await owner_names(None, "+7978111") == ["Петров Пётр Петрович"]
    assert await owner_names(None, "example.ru") == ["Петров Пётр Петрович"]  # the e-mail
    page = await manager.get("/staff/owners", params={"q": "кузНЕЦ"})
    assert "Кузнецов Олег Игоревич" in page.text and "Сидорова Анна" not in page.text


async def test_accounts_are_found_by_a_partial_number_of_three_digits_or_more(manager, world):
    assert await numbers(None, "0003") == ["7700000003"]
    assert await numbers(None, "770") == ["7700000001", "7700000002", "7700000003", "7700000004"]
    assert await numbers(None, "550") == ["5500000001"]
    page = await manager.get("/staff/accounts", params={"q": "00004"})
    assert "7700000004" in page.text and "7700000003" not in page.text


async def test_a_full_account_number_or_a_short_premise_number_matches_exactly(world):
    assert await numbers(None, "7700000002") == ["7700000002"]
    assert await numbers(None, "№ 7700000002") == ["7700000002"]
    assert await numbers(None, "№7700000002") == ["7700000002"]
    assert await numbers(None, "Тестовая 2") == ["7700000002"]  # flat 2 of Тестовая, not flat 2 of Чужая
    assert await numbers(None, "2") == ["5500000001", "7700000002"]  # flat 2 in both houses
    assert await numbers(None, "кв. 3") == ["7700000003"]


async def test_two_words_match_in_any_order(world):
    assert await numbers(None, "Анна Тестовая") == ["7700000002"]
    assert await numbers(None, "тестовая АННА") == ["7700000002"]
    assert await owner_names(None, "Ивановна Сидорова") == await owner_names(None, "сидорова ивановна")
    assert await owner_names(None, "Ивановна Сидорова") == ["Сидорова Анна Ивановна"]
    assert await addresses(None, "долина тестовая") == [ADDRESS]
    assert await addresses(None, "тестовая другой") == []  # every word must be there


async def test_a_query_without_a_searchable_word_leaves_the_list_unfiltered(world):
    assert len(await numbers(None, "ab")) == 5
    assert await numbers(None, "несуществующая") == []


async def test_search_results_stay_within_the_staff_scope(manager, world):
    scope = frozenset({world["house"]})
    assert await numbers(None, "сидоров") == ["5500000001", "7700000002"]
    assert await numbers(scope, "сидоров") == ["7700000002"]
    assert await numbers(scope, "5500000001") == []  # even typed in full
    assert await owner_names(None, "сидорова") == ["Сидорова Анна Ивановна", "Сидорова Мария Чужая"]
    assert await owner_names(scope, "сидорова") == ["Сидорова Анна Ивановна"]
    assert await addresses(scope, "чужая") == []
    accounts = await manager.get("/staff/accounts", params={"q": "Сидоров"})
    assert "7700000002" in accounts.text and "5500000001" not in accounts.text
    owners = await manager.get("/staff/owners", params={"q": "Сидорова"})
    assert "Сидорова Анна Ивановна" in owners.text and "Мария Чужая" not in owners.text
    houses = await manager.get("/staff/housing", params={"q": "Чужая"})
    assert OTHER_ADDRESS not in houses.text


async def test_accounts_are_found_by_their_owners_name_or_phone_within_the_scope(world):
    """The person on the phone is often an owner who is not the payer (the world's flat: payer «Чужой Жилец
    Сидоров», owner «Сидорова Мария Чужая», +7 978 555-44-33)."""
    for typed in ("Мария", "+7 978 555-44-33", "8 (978) 555-44-33"):
        assert await numbers(None, typed) == ["5500000001"], typed
        assert await numbers(frozenset({world["house"]}), typed) == [], typed


async def test_staff_edits_keep_the_search_text_in_step(client, login, make_user, world):
    await login(client, await make_user(roles=("admin",)))
    response = await client.form(
        f"/staff/houses/{world['other_house']}/edit",
        {"complex": str(world["other_complex"]), "address": "г. Симферополь, ул. Новая, д. 9", "floors": "5"},
    )
    assert response.status_code == 303
    assert await addresses(None, "новая") == ["г. Симферополь, ул. Новая, д. 9"]
    assert await numbers(None, "новая") == ["5500000001"]  # the address is in the text of the house's accounts
    stored = await PersonalAccount.select(PersonalAccount.search_text).where(PersonalAccount.id == world["account"])
    assert "чужая" not in stored[0]["search_text"]  # found by «чужая» now only through its owner's name
    await actions.save_complex(None, world["other_complex"], {"name": "ЖК «Переименованный»", "city": ""})
    assert await addresses(None, "переименов") == ["г. Симферополь, ул. Новая, д. 9"]
    response = await client.form(
        f"/staff/owners/{world['owner']}/edit",
        {"kind": "person", "name": "Орлова Мария Сергеевна", "inn": "", "phone": "", "email": "orlova@example.ru"},
    )
    assert response.status_code == 303
    assert await owner_names(None, "орлова мария") == ["Орлова Мария Сергеевна"]
    assert await owner_names(None, "Чужая") == []
    assert await owner_names(None, "orlova@") == ["Орлова Мария Сергеевна"]


async def test_the_registry_import_fills_and_updates_the_search_text(world):
    rows = SAMPLE.read_text(encoding="utf-8").replace("Кузнецов Олег Игоревич;Кузнецов", "Кузнецова Ольга;Кузнецов")
    report = await actions.import_registry(registry.parse_file("sample.csv", rows.encode()).rows)
    assert report.applied and report.updated["accounts"] == 1
    assert await numbers(None, "ольга") == ["7700000003"]
    again = await actions.import_registry(registry.parse_file("sample.csv", rows.encode()).rows)
    assert again.changes == 0


async def test_the_migration_backfills_rows_written_before_the_search_existed(db, world):
    for table in (House, PersonalAccount, Owner):
        await table.update({table.search_text: ""}, force=True)
    assert await numbers(None, "тестовая") == []
    for table in ("house", "personal_account", "owner"):
        await backfill_migration._backfill(db, table)
    assert len(await numbers(None, "тестовая")) == 4
    assert await owner_names(None, "ромашк") == ["ООО «Ромашка»"]
    assert await addresses(None, "другой") == [OTHER_ADDRESS]


async def test_the_demo_seed_fills_the_search_text(db):
    import random
    from datetime import date

    from portal.demo import DemoContext
    from portal.housing import demo

    await demo.seed(DemoContext(rng=random.Random(7), today=date(2026, 11, 25)))
    for table in (House, PersonalAccount, Owner):
        assert not await table.exists().where(table.search_text == "")
    assert len(await addresses(None, "балаклавская")) == 2
    assert await numbers(None, "9101000001") == ["9101000001"]


@pytest.mark.parametrize("typed", ["Мария", "+7 978 555-44-33", "5500000001"])
async def test_the_accounts_search_reads_accounts_owners_and_ownerships_by_their_indexes(db, world, typed):
    """Owners join the search as a list of their premises, so the engine ORs index lookups; a subquery in the OR
    read every account of the company (a sequential scan: 84 ms instead of 1 ms for a number at 100,000)."""
    with captured(db) as seen:
        page = await queries.list_accounts(scope(None), PAGE, q=typed)
    assert [a.number for a in page.items] == ["5500000001"]
    for querystring in seen:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        for table in ("personal_account", "owner", "ownership"):
            assert querylog.unindexed_steps(plan, table, is_sqlite(db)) == [], f"{table}: {querystring}\n{plan}"


def whole_reads(plan: str, sqlite: bool, table: str = "ownership", alias: str = "held") -> list[str]:
    """Steps that read ``table`` without looking up given keys: a pass over a whole index counts."""
    lines = plan.splitlines()
    if sqlite:
        return [line for line in lines if re.search(rf"\bSCAN ({table}|{alias})\b", line)]
    return [
        line.strip()
        for n, line in enumerate(lines)
        if re.search(rf"Scan (using \S+ )?on {table}\b", line)
        and not re.search(r"(Index|Recheck) Cond", " ".join(lines[n + 1 : n + 3]))
    ]


def whole_reads_of_shares(plan: str, sqlite: bool) -> list[str]:
    """Steps that read the shares (ownership) without looking up given keys."""
    return whole_reads(plan, sqlite)


@pytest.mark.parametrize("typed", ["Мария", "+7 978 555-44-33"])
async def test_the_owner_search_of_the_add_share_form_reads_owners_and_ownerships_by_their_indexes(db, world, typed):
    """The add-share form's search (owners of the user's houses, or of none yet entered for them) looks owners up
    by the search index, and shares and the houses owners were entered for by theirs; an owner of another house
    only is not offered to its manager."""
    other = scope(frozenset({world["other_house"]}))
    # The company's other owners, and statistics that know them (see the count's test below).
    await Owner.insert(*[Owner(name=f"Владелец {n}") for n in range(2_000)])
    if not is_sqlite(db):
        await db.run_ddl("ANALYZE owner, ownership, owner_house, premise")
    with captured(db) as seen:
        found = await queries.owner_choice(other, typed, None)
    assert [o.id for o in found.matches] == [world["owner"]]
    for querystring in seen:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        for table in ("owner", "ownership", "owner_house"):
            assert querylog.unindexed_steps(plan, table, is_sqlite(db)) == [], f"{table}: {querystring}\n{plan}"
        assert whole_reads_of_shares(plan, is_sqlite(db)) == [], plan
    assert (await queries.owner_choice(scope(frozenset({world["house"]})), typed, None)).matches == []


async def test_a_manager_s_owners_are_counted_from_their_houses_not_by_reading_every_owner(db, world):
    """The owners list of a manager counts the owners of their houses (shares, and owners entered for them without
    one yet) by the indexes of shares and entries, then each owner by its key: not a pass over every owner of the
    company, which at a million owners is the slow part of the page."""
    manager = scope(frozenset({world["house"]}))
    entered = await actions.save_owner(
        manager, None, {"kind": "person", "name": "Новиков Ян", "inn": None, "phone": "", "email": ""}
    )
    # The company's other owners, and statistics that know them: with a table PostgreSQL believed to hold one row
    # (its statistics left by earlier tests), a pass over every owner was its cheapest plan, whatever the indexes.
    await Owner.insert(*[Owner(name=f"Владелец {n}") for n in range(2_000)])
    if not is_sqlite(db):
        await db.run_ddl("ANALYZE owner, ownership, owner_house, premise")
    with captured(db) as seen:
        page = await queries.list_owners(manager, PAGE)
    assert entered in [o.id for o in page.items] and world["owner"] not in [o.id for o in page.items]
    counts = [querystring for querystring in seen if "COUNT" in str(querystring).upper()]
    assert counts
    for querystring in counts:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        assert whole_reads(plan, is_sqlite(db), "owner", "mine") == [], f"{querystring}\n{plan}"


async def resident(make_user, phone: str, accounts: dict[int, str], *, confirmed: bool = True) -> int:
    """A portal user who is no owner in the register, with their profile's phone (confirmed or not) and ``accounts``."""
    from datetime import UTC
    from datetime import datetime

    from portal.accounts.tables import User

    user = await make_user(name="Лисицына Вера Павловна", accounts=accounts)
    stamp = datetime(2026, 1, 1, tzinfo=UTC) if confirmed else None
    await User.update({User.phone: phone, User.phone_confirmed_at: stamp}).where(User.id == user)
    return user


async def account_id(number: str) -> int:
    return (await PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.number == number).first())["id"]


async def listed(client, q: str) -> list[str]:
    page = await client.get("/staff/accounts", params={"q": q})
    assert page.status_code == 200
    return re.findall(r"\b(?:77|55)000000\d\d\b", page.text)


async def test_a_resident_calling_from_their_profile_phone_is_found_in_the_accounts_list(manager, make_user, world):
    """«Лицевые счета» (where the Overview's search goes) finds a caller by any phone the portal knows, as the
    call-centre form does: a family member's or a tenant's confirmed profile phone too, within the user's houses."""
    flat, elsewhere = await account_id("7700000003"), world["account"]
    await resident(make_user, "+79781234561", {flat: "tenant", elsewhere: "family"})
    await resident(make_user, "+79781234562", {await account_id("7700000001"): "family"}, confirmed=False)
    for typed in ("+7 (978) 123-45-61", "8 978 123 45 61", "9781234561"):
        assert await listed(manager, typed) == ["7700000003"], typed  # not the other house's account
    assert await listed(manager, "+7 978 123-45-62") == []  # a phone not confirmed names nobody
    assert await listed(manager, "+7 978 111-22-33") == ["7700000001"]  # an owner's register phone, as before
    overview = (await manager.get("/staff/")).text
    assert "телефон собственника или жильца" in overview and "собственнику или телефону" in overview
    assert "Номер, адрес, плательщик, собственник или телефон" in (await manager.get("/staff/accounts")).text


async def test_a_former_tenant_s_phone_no_longer_finds_the_closed_account(manager, make_user, world):
    """The kept-accounts rule: a closed account keeps its owners only, so its former tenant's phone finds nothing."""
    flat = await account_id("7700000003")
    await resident(make_user, "+79781234563", {flat: "tenant"})
    await resident(make_user, "+79781234564", {flat: "owner"})
    await PersonalAccount.update({PersonalAccount.closed_on: date(2026, 1, 31)}).where(PersonalAccount.id == flat)
    assert await listed(manager, "+7 978 123-45-63") == []
    assert await listed(manager, "+7 978 123-45-64") == ["7700000003"]


async def test_the_search_by_a_resident_s_phone_reads_users_residencies_and_accounts_by_their_indexes(
    db, make_user, world
):
    """The user by the unique index of the phone, their residencies by the user's index, each account's closing day
    by its key (the kept-accounts rule), the accounts found by their keys: on both engines."""
    from portal.accounts.queries import residents_by_phone

    await resident(make_user, "+79781234565", {world["account"]: "family"})
    with captured(db) as seen:
        people = await residents_by_phone("+7 978 123-45-65")
        page = await queries.list_accounts(scope(None), PAGE, q="+7 978 123-45-65", people=people)
    assert [a.number for a in page.items] == ["5500000001"]
    for querystring in seen:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        for table in ("portal_user", "residency", "personal_account", "owner", "ownership"):  # SQLite: residency$user
            assert querylog.unindexed_steps(plan, table, is_sqlite(db)) == [], f"{table}: {querystring}\n{plan}"
