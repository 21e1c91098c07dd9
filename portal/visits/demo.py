"""The demo's client centres: one a complex (weekdays 9–18 with lunch 13–14, the first complex's also on Saturday
mornings, two desks there), and a few visits booked for the coming days, one of them by resident@demo.ru."""

from __future__ import annotations

from typing import Any

from portal.accounts.tables import Residency
from portal.core.db import atomic
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.settings import get_settings
from portal.visits import rules
from portal.visits.queries import centre as load_centre
from portal.visits.rules import Purpose
from portal.visits.tables import Visit
from portal.visits.tables import VisitCentre

# Who books in the demo, what for and how far ahead (the n-th free slot of the first complex's centre).
BOOKINGS = (
    ("resident", Purpose.KEYS, 3, "Нужен второй брелок для домофона и доступ в колясочную."),
    ("resident2", Purpose.CONTRACT, 4, ""),
    ("owner", Purpose.DEFECTS, 12, "Трещина в стяжке на балконе, фото принесу."),
)


async def seed(ctx: Any) -> None:
    from zoneinfo import ZoneInfo

    complexes = ctx.shared.get("complexes") or []
    users = ctx.shared.get("users") or {}
    if not complexes:
        return
    names = {
        r["id"]: r["name"] for r in await Complex.select(Complex.id, Complex.name).where(Complex.id.is_in(complexes))
    }
    first_house = {}
    for r in await House.select(House.id, House.complex, House.address).order_by(House.id):
        first_house.setdefault(r["complex"], r)
    centre_ids = []
    for n, complex_id in enumerate(complexes):
        house = first_house.get(complex_id)
        row = VisitCentre(
            complex=complex_id, name=f"Клиентский центр {names.get(complex_id, '')}".strip(),
            address=f"{house['address']}, офис 1" if house else "", weekday_from="09:00", weekday_to="18:00",
            lunch_from="13:00", lunch_to="14:00", saturday_from="10:00" if n == 0 else "",
            saturday_to="14:00" if n == 0 else "", slot_minutes=30, desks=2 if n == 0 else 1,
            created_at=ctx.now, updated_at=ctx.now,
        )  # fmt: skip
        await row.save()
        centre_ids.append(row.id)
    centre = await load_centre(centre_ids[0])
    if centre is None:
        return
    zone = ZoneInfo(get_settings().time_zone)
    slots = rules.free_slots(centre.hours, ctx.now, zone, {})
    houses = [r["id"] for r in await House.select(House.id).where(House.complex == centre.complex_id)]
    for who, purpose, nth, comment in BOOKINGS:
        user = users.get(who)
        if user is None or nth >= len(slots):
            continue
        residency = (
            await Residency.select(Residency.account)
            .where((Residency.user == user) & Residency.account.premise.house.is_in(houses))
            .order_by(Residency.id)
            .first()
        )
        if residency is None:
            continue
        slot = slots[nth]
        async with atomic():
            await Visit(
                centre=centre.id, user=user, account=residency["account"], purpose=purpose, comment=comment,
                starts_at=slot.starts_at, ends_at=slot.ends_at, desk=1, seat=rules.seat(centre.id, slot.starts_at, 1),
                created_at=ctx.now, updated_at=ctx.now,
            ).save()  # fmt: skip
