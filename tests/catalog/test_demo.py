"""The demo catalogue: about twenty services and the certificates, each with a photo, and orders in several states."""

from __future__ import annotations

import random

from portal.catalog import demo
from portal.catalog.tables import Order
from portal.catalog.tables import OrderDocument
from portal.catalog.tables import OrderItem
from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceCategory
from portal.core import clock
from portal.core import storage
from portal.demo import DemoContext


async def test_the_demo_catalogue_and_orders(db, household):
    ctx = DemoContext(rng=random.Random(1), today=clock.today_local())
    ctx.shared["users"] = {"resident": household["resident"]}
    await demo.seed(ctx)
    services = await PaidService.select(PaidService.photo_key, PaidService.kind)
    assert sum(s["kind"] == "service" for s in services) >= 20
    assert sum(s["kind"] == "certificate" for s in services) == 4
    assert all(s["photo_key"] and storage.path_of(s["photo_key"]).exists() for s in services)
    statuses = {r["status"] for r in await Order.select(Order.status)}
    assert statuses == {"awaiting_payment", "quote_requested", "quoted", "cancelled", "done"}
    assert await OrderDocument.count() == 1
    # Every section and service reads in English too, and the demo orders keep the English title they had.
    named = await PaidService.select(PaidService.title_en, PaidService.description_en)
    assert all(s["title_en"] and s["description_en"] for s in named)
    assert all(c["title_en"] for c in await ServiceCategory.select(ServiceCategory.title_en))
    assert all(i["title_en"] for i in await OrderItem.select(OrderItem.title_en))
