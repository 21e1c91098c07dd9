"""Two members of a household pass one flat's readings for the same month from two phones, on both engines: the
second one, whose page did not show the first one's values, is told them and corrects them only by sending again,
never overwriting them unseen; one person correcting their own reading is not asked (meters.rules.passed_by_another).
"""

import re
from decimal import Decimal

import pytest

from portal.meters import rules
from portal.meters.tables import MeterReading
from tests.meters.test_routes import two_accounts  # noqa: F401 — the fixture

SEEN = re.compile(r'name="seen" value="([^"]*)"')


def _seen(page) -> str:
    found = SEEN.search(page.text)
    assert found, "the readings form says which readings it shows"
    return found.group(1)


async def _values(meter: int) -> list[Decimal]:
    rows = await MeterReading.select(MeterReading.value).where(MeterReading.meter == meter).order_by(MeterReading.id)
    return [Decimal(r["value"]) for r in rows]


async def test_the_second_phone_is_told_the_first_ones_readings_and_corrects_them_only_when_sent_again(
    client,
    login,
    make_user,
    two_accounts,  # noqa: F811
):
    (account, meter), _ = two_accounts
    anna = await make_user(name="Анна Иванова", accounts={account: "owner"})
    boris = await make_user(name="Борис Иванов", accounts={account: "owner"})
    await login(client, anna)
    hers = _seen(await client.get("/meters"))
    await login(client, boris)
    his = _seen(await client.get("/meters"))
    await login(client, anna)
    assert (await client.form("/meters", {f"m{meter}z1": "130,5", "seen": hers})).status_code == 303

    await login(client, boris)
    told = await client.form("/meters", {f"m{meter}z1": "131", "seen": his})
    assert told.status_code == 409, told.text[-2000:]
    assert "Анна Иванова уже передал(а) показания за" in told.text
    assert "130,500" in told.text  # her values
    assert 'value="131"' in told.text  # what he typed is kept
    assert (await _values(meter))[-1] == Decimal("130.5")

    corrected = await client.form("/meters", {f"m{meter}z1": "131", "seen": _seen(told)})  # his explicit choice
    assert corrected.status_code == 303, corrected.text[-2000:]
    assert (await _values(meter))[-1] == Decimal("131")


async def test_one_person_correcting_their_own_reading_is_not_asked(client, login, make_user, two_accounts):  # noqa: F811
    (account, meter), _ = two_accounts
    await login(client, await make_user(accounts={account: "owner"}))
    opened = _seen(await client.get("/meters"))
    assert (await client.form("/meters", {f"m{meter}z1": "130,5", "seen": opened})).status_code == 303
    again = await client.form("/meters", {f"m{meter}z1": "130,6", "seen": opened})  # the same page, sent again
    assert again.status_code == 303, again.text[-2000:]
    assert (await _values(meter))[-1] == Decimal("130.6")


@pytest.mark.parametrize(
    ("passed", "user", "seen", "expected"),
    [
        ({1: (7, frozenset({10}))}, 8, frozenset(), [1]),  # another's reading the page did not show
        ({1: (7, frozenset({10}))}, 8, frozenset({10}), []),  # shown: sending again corrects it
        ({1: (8, frozenset({10}))}, 8, frozenset(), []),  # one's own reading: corrected as always
        ({1: (None, frozenset({10}))}, 8, frozenset(), []),  # entered by staff or imported: corrected as always
        ({1: (7, frozenset({10, 11}))}, 8, frozenset({10}), [1]),  # a zone passed since the page was read
        ({}, 8, frozenset(), []),  # nothing passed yet
        ({1: (7, frozenset({10}))}, 8, None, []),  # a form that does not say what it showed
    ],
)
def test_readings_passed_by_another_member_of_the_household(passed, user, seen, expected):
    assert rules.passed_by_another(passed, [1], user, seen) == expected
