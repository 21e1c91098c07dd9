"""The demo's client centres: one a complex (weekdays 9–18 with lunch 13–14, the first complex's also on Saturday
mornings, two desks there), a few visits booked for the coming days, one of them by resident@demo.ru, and a few of
the past week the residents came to: resident@demo.ru's not rated yet (its page asks), the others rated."""

from __future__ import annotations

from datetime import timedelta
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

# Who came in the past week, what for, how many days ago (the nearest working day then), and their mark and words.
CAME = (
    ("resident", Purpose.CHARGES, 2, None, ""),
    ("resident2", Purpose.KEYS, 5, 5, "Брелок выдали за пять минут, спасибо."),
    ("owner", Purpose.CONTRACT, 6, 4, "Всё объяснили, но пришлось подождать."),
)

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
        account = await _account_of(users.get(who), houses)
        if account is None or nth >= len(slots):
            continue
        slot = slots[nth]
        async with atomic():
            await Visit(
                centre=centre.id, user=users[who], account=account, purpose=purpose, comment=comment,
                starts_at=slot.starts_at, ends_at=slot.ends_at, desk=1, seat=rules.seat(centre.id, slot.starts_at, 1),
                created_at=ctx.now, updated_at=ctx.now,
            ).save()  # fmt: skip
    for who, purpose, days_ago, rating, feedback in CAME:
        account = await _account_of(users.get(who), houses)
        day = (ctx.now - timedelta(days=days_ago)).astimezone(zone).date()
        while not rules.day_slots(centre.hours, day, zone):
            day -= timedelta(days=1)  # the nearest working day before
        if account is None:
            continue
        starts_at, ends_at = rules.day_slots(centre.hours, day, zone)[2]
        async with atomic():
            await Visit(
                centre=centre.id, user=users[who], account=account, purpose=purpose, starts_at=starts_at,
                ends_at=ends_at, desk=2, seat=rules.seat(centre.id, starts_at, 2), status=rules.Status.ATTENDED,
                done_at=starts_at, rating=rating, feedback=feedback,
                rated_at=ends_at + timedelta(hours=1) if rating else None,
                created_at=starts_at - timedelta(days=2), updated_at=ends_at,
            ).save()  # fmt: skip


async def _account_of(user: int | None, houses: list[int]) -> int | None:
    """The person's first account in the centre's complex."""
    if user is None:
        return None
    residency = (
        await Residency.select(Residency.account)
        .where((Residency.user == user) & Residency.account.premise.house.is_in(houses))
        .order_by(Residency.id)
        .first()
    )
    return residency["account"] if residency else None
