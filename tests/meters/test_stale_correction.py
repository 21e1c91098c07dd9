"""Two operators correct the same reading at once (core.stale): the second, whose form was read before the first's
correction, is refused (409) with the first's value kept and his typed one shown again; a second save of the value
the reading already holds writes nothing."""

from __future__ import annotations

import re
from decimal import Decimal

from portal.core.tables import AuditEvent
from portal.meters.tables import MeterReading


def _version(page: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', page).group(1)


async def test_a_correction_from_a_form_read_before_anothers_is_refused_not_written_over_it(
    client,
    new_client,
    login,
    make_user,
    period,
):
    house, meters = period["first"][0].house, period["meters"]
    meter = meters[period["first"][1].account]
    reading = (await MeterReading.select(MeterReading.id).where(MeterReading.meter == meter).first())["id"]
    path = f"/staff/meters/readings/{reading}"
    anna, boris = client, new_client()
    await login(anna, await make_user(name="Анна", roles=("manager",), houses=(house,)))
    await login(boris, await make_user(name="Борис", roles=("manager",), houses=(house,)))
    read_by_anna = _version((await anna.get(path)).text)
    read_by_boris = _version((await boris.get(path)).text)
    saved = await anna.form(f"{path}/correct", {"z1": "55,5", "note": "фото", "version": read_by_anna})
    assert saved.status_code == 303, saved.text

    refused = await boris.form(f"{path}/correct", {"z1": "66,6", "note": "фото", "version": read_by_boris})
    assert refused.status_code == 409
    assert "Анна" in refused.text and 'value="66,6"' in refused.text
    assert _version(refused.text) != read_by_boris, "after a refusal the form carries the version now"
    value = await MeterReading.select(MeterReading.value).where(MeterReading.id == reading).first()
    assert value["value"] == Decimal("55.5")

    again = await boris.form(f"{path}/correct", {"z1": "55,5", "note": "фото", "version": read_by_boris})
    assert again.status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "meters.reading.correct") == 1
