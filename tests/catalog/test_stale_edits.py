"""Two staff members edit the same catalogue section or service (its price) at once, on a committed database of
each engine: both open its form, Анна saves, then Борис saves the form he opened before her change. Refused (409):
her values stay, his typed ones come back with who changed it and when, and «changed» at her fields (core.stale)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceAvailability
from portal.catalog.tables import ServiceCategory
from portal.core.tables import AuditEvent
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import two_staff
from tests.two_staff import version

NO_PHOTO = {"photo": ("", b"", "application/octet-stream")}


@pytest.fixture(params=["sqlite", "postgres"])
async def committed_shop(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, int]]:
    """A section with a service, committed."""
    async with committed(engines, request.param):
        section = ServiceCategory(title=f"Пропуска {secrets.token_hex(3)}")
        await section.save()
        service = PaidService(category=section.id, title="Пропуск для автомобиля", price_kopecks=35000)
        await service.save()
        try:
            yield {"section": section.id, "service": service.id}
        finally:
            await AuditEvent.delete().where(
                (AuditEvent.entity == "paid_service") & (AuditEvent.entity_id == service.id)
            )
            await ServiceAvailability.delete().where(ServiceAvailability.service == service.id)
            await PaidService.delete().where(PaidService.id == service.id)
            await ServiceCategory.delete().where(ServiceCategory.id == section.id)


def _service_form(section: int, price: str) -> dict[str, str]:
    return {
        "title": "Пропуск для автомобиля",
        "category": str(section),
        "price_kind": "fixed",
        "price": price,
        "duration": "30",
        "slots": "0",
        "executor_group": "security",
        "document": "",
        "position": "1",
        "all_houses": "1",
        "active": "1",
    }


async def test_a_price_saved_from_a_form_read_before_someone_elses_change_is_refused(app, committed_shop):
    url = f"/staff/catalog/services/{committed_shop['service']}"
    async with two_staff(app, roles=("admin",)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        saved = await anna.form(
            url, {**_service_form(committed_shop["section"], "400,00"), "version": hers}, files=NO_PHOTO
        )
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(
            url, {**_service_form(committed_shop["section"], "375,50"), "version": his}, files=NO_PHOTO
        )
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="375,50"' in refused.text  # what he typed is kept
        assert "Изменено, пока вы правили" in refused.text  # at the price she changed
        row = (
            await PaidService.select(PaidService.price_kopecks)
            .where(PaidService.id == committed_shop["service"])
            .first()
        )
        assert row["price_kopecks"] == 40000
        # Typed to exactly her price, his stale form is no conflict: «saved», and nothing written.
        same = await boris.form(
            url, {**_service_form(committed_shop["section"], "400,00"), "version": his}, files=NO_PHOTO
        )
        assert same.status_code == 303, same.text[-3000:]
        assert await AuditEvent.count().where(AuditEvent.actor_name == SECOND) == 0


async def test_a_section_saved_from_a_form_read_before_someone_elses_change_is_refused(app, committed_shop):
    url = f"/staff/catalog/categories/{committed_shop['section']}"
    form = {"icon": "", "position": "1", "active": "1"}
    async with two_staff(app, roles=("admin",)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        saved = await anna.form(url, {**form, "title": "Пропуска и ключи", "version": hers})
        assert saved.status_code == 303, saved.text[-2000:]
        refused = await boris.form(url, {**form, "title": "Пропуска во двор", "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="Пропуска во двор"' in refused.text
        row = (
            await ServiceCategory.select(ServiceCategory.title)
            .where(ServiceCategory.id == committed_shop["section"])
            .first()
        )
        assert row["title"] == "Пропуска и ключи"
        # Typed to exactly what she saved, his stale form is no conflict: «saved», and nothing written.
        same = await boris.form(url, {**form, "title": "Пропуска и ключи", "version": his})
        assert same.status_code == 303, same.text[-2000:]
        assert await AuditEvent.count().where(AuditEvent.actor_name == SECOND) == 0
        await AuditEvent.delete().where(
            (AuditEvent.entity == "service_category") & (AuditEvent.entity_id == committed_shop["section"])
        )


async def test_a_price_named_from_a_page_read_before_another_one_is_refused(
    client, new_client, login, household, shop, make_user
):
    """Two dispatchers with the same order of a «from» service open: Анна names 2 500 ₽, then Борис names 1 800 ₽
    from the page he read before. Refused (409): her price stays, his typed price comes back with who named hers."""
    from portal.catalog.tables import Order
    from tests.catalog.test_free_and_quoted_totals import _order

    await login(client, household["resident"])
    _, order_id = await _order(client, household, shop["repair"])
    anna, boris = new_client(), new_client()
    await login(anna, await make_user(name=FIRST, roles=("dispatcher",), houses=(household["house"],)))
    await login(boris, await make_user(name="Борис Второй", roles=("dispatcher",), houses=(household["house"],)))
    url = f"/staff/orders/{order_id}"
    hers, his = version(await anna.get(url)), version(await boris.get(url))
    assert (await anna.form(f"{url}/quote", {"amount": "2 500", "note": "", "version": hers})).status_code == 303
    refused = await boris.form(f"{url}/quote", {"amount": "1 800", "note": "", "version": his})
    assert refused.status_code == 409, refused.text[-3000:]
    assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
    assert 'value="1 800"' in refused.text and "Изменено, пока вы правили" in refused.text
    assert (await Order.select(Order.total_kopecks).where(Order.id == order_id).first())["total_kopecks"] == 250000
