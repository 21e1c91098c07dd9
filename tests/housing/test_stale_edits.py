"""Two staff members edit the same registry record at once, on a committed database of each engine: both open its
form, Анна saves, then Борис saves the form he opened before her change. His save is refused (409), her values
stay, and his form comes back with what he typed, who changed the record and when, and which fields (core.stale).
Every entity of the EditSpec flow: complex, house, entrance, premise, owner, share, account."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.core.tables import AuditEvent
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import make_registry
from tests.two_staff import remove_registry
from tests.two_staff import two_staff
from tests.two_staff import version


@pytest.fixture(params=["sqlite", "postgres"])
async def registry(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """A complex with a house, its entrance, a flat with an owner's share and an account, committed."""
    async with committed(engines, request.param):
        ids = await make_registry()
        try:
            yield ids
        finally:
            await remove_registry(ids)


# entity → the edit URL, the form as Анна saves it, as Борис saves it, the column his would have overwritten, the
# field his form marks as changed
EDITS = {
    "complex": (
        "/staff/housing/complexes/{id}/edit",
        {"name": "ЖК «Анна {tag}»", "city": "Симферополь"},
        {"name": "ЖК «Борис {tag}»", "city": "Симферополь"},
        (Complex, "name"),
    ),
    "house": (
        "/staff/houses/{id}/edit",
        {"complex": "{complex}", "address": "г. Симферополь, ул. Анны, д. {tag}", "floors": "9"},
        {"complex": "{complex}", "address": "г. Симферополь, ул. Спорная, д. {tag}", "floors": "12"},
        (House, "floors"),
    ),
    "entrance": (
        "/staff/entrances/{id}/edit",
        {"number": "1", "floors": "5"},
        {"number": "2", "floors": "9"},
        (Entrance, "floors"),
    ),
    "premise": (
        "/staff/premises/{id}/edit",
        {"kind": "flat", "number": "1", "entrance": "{entrance}", "floor": "1", "area": "41.50"},
        {"kind": "flat", "number": "1", "entrance": "{entrance}", "floor": "2", "area": "40.00"},
        (Premise, "floor"),
    ),
    "owner": (
        "/staff/owners/{id}/edit",
        {"kind": "person", "name": "Спорный Владелец {tag}", "phone": "+79780000001"},
        {"kind": "person", "name": "Спорный Владелец {tag}", "phone": "+79780000002"},
        (Owner, "phone"),
    ),
    "ownership": (
        "/staff/ownerships/{id}/edit",
        {"share": "1", "document": "ЕГРН Анны"},
        {"share": "1/2", "document": "ЕГРН Бориса"},
        (Ownership, "document"),
    ),
    "account": (
        "/staff/accounts/{id}/edit",
        {"number": "{number}", "payer_name": "Анна Плательщица"},
        {"number": "{number}", "payer_name": "Борис Плательщик"},
        (PersonalAccount, "payer_name"),
    ),
}


def _filled(form: dict[str, str], ids: dict[str, Any], number: str, tag: str) -> dict[str, str]:
    return {k: v.format(**ids, number=number, tag=tag) for k, v in form.items()}


@pytest.mark.parametrize("entity", list(EDITS))
async def test_a_save_of_a_form_read_before_someone_elses_change_is_refused_and_theirs_kept(app, registry, entity):
    url, first, second, (table, column) = EDITS[entity]
    url = url.format(id=registry[entity])
    number = (
        await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == registry["account"]).first()
    )["number"]
    tag = secrets.token_hex(3)
    roles = ("admin",) if entity == "complex" else ("manager",)
    async with two_staff(app, roles=roles, houses=(registry["house"],)) as (anna, boris):
        anna_version = version(await anna.get(url))
        boris_version = version(await boris.get(url))
        assert anna_version == boris_version

        saved = await anna.form(url, {**_filled(first, registry, number, tag), "version": anna_version})
        assert saved.status_code == 303, saved.text[:2000]
        kept = (await table.select(getattr(table, column)).where(table.id == registry[entity]).first())[column]

        typed = _filled(second, registry, number, tag)
        refused = await boris.form(url, {**typed, "version": boris_version})
        assert refused.status_code == 409, refused.text[:2000]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert f'value="{typed[column]}"' in refused.text  # what he typed is kept in the form
        assert "Изменено" in refused.text  # at the field she changed
        now = (await table.select(getattr(table, column)).where(table.id == registry[entity]).first())[column]
        assert now == kept

        # The form shown again carries the version now: saved once more, it is his choice and goes through.
        again = await boris.form(url, {**typed, "version": version(refused, 409)})
        assert again.status_code == 303, again.text[:2000]


async def test_a_form_shown_again_for_a_mistake_keeps_the_version_it_was_read_at(app, registry):
    """Борис's form refused for an empty field comes back still carrying the version he opened it at: corrected
    and saved after Анна's change, it is refused as stale, not written over hers."""
    url = f"/staff/houses/{registry['house']}/edit"
    async with two_staff(app, roles=("manager",), houses=(registry["house"],)) as (anna, boris):
        opened = version(await boris.get(url))
        address = (await House.select(House.address).where(House.id == registry["house"]).first())["address"]
        mine = {"complex": str(registry["complex"]), "address": address}
        saved = await anna.form(url, {**mine, "floors": "10", "version": version(await anna.get(url))})
        assert saved.status_code == 303
        mistake = await boris.form(url, {**mine, "floors": "", "version": opened})
        assert version(mistake, 422) == opened
        refused = await boris.form(url, {**mine, "floors": "16", "version": version(mistake, 422)})
        assert refused.status_code == 409
        assert (await House.select(House.floors).where(House.id == registry["house"]).first())["floors"] == 10


async def test_a_stale_save_repeating_what_is_saved_now_is_taken_as_done_and_one_changing_anything_else_refused(
    app, registry
):
    """The ruling on stale saves: Борис's form, opened before Анна's change, typed to exactly what she saved, is no
    conflict: it says «saved» as usual and writes nothing (no audit event of his). Typed to change a field she left
    alone, it is refused all the same: he must see her change first (no silent merge)."""
    url = f"/staff/houses/{registry['house']}/edit"
    async with two_staff(app, roles=("manager",), houses=(registry["house"],)) as (anna, boris):
        opened = version(await boris.get(url))
        address = (await House.select(House.address).where(House.id == registry["house"]).first())["address"]
        hers = {"complex": str(registry["complex"]), "address": address, "floors": "10"}
        assert (await anna.form(url, {**hers, "version": version(await anna.get(url))})).status_code == 303

        same = await boris.form(url, {**hers, "version": opened})
        assert same.status_code == 303, same.text[:2000]
        his = await AuditEvent.count().where((AuditEvent.entity == "house") & (AuditEvent.actor_name == SECOND))
        assert his == 0

        other = await boris.form(url, {**hers, "address": f"{address}, корп. 2", "version": opened})
        assert other.status_code == 409, other.text[:2000]
        assert (await House.select(House.address).where(House.id == registry["house"]).first())["address"] == address
