"""Demo showcase: 32 commercial premises and 12 flats (6 to let, 6 to sell) across the demo complexes, with photos
drawn by our own code (Pillow: shop fronts and rooms in the houses' colours), some leads in every status and one
owner's request to list a flat. Deterministic: every choice comes from ``ctx.rng``."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from portal.core import clock
from portal.core.address import full_address
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.demo import DemoContext
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.settings import ROOT
from portal.showcase import actions
from portal.showcase import consent
from portal.showcase import rules
from portal.showcase.tables import Feature
from portal.showcase.tables import Lead
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import Listing
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingOffer
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import PriceUnit

COMMERCIAL = 32
FLATS_TO_LET = 6
FLATS_TO_SELL = 6
SIZE = (800, 600)
FONT = ROOT / "static" / "vendor" / "fonts" / "DejaVuSans-Bold.ttf"

FACADES = ((232, 220, 200), (214, 222, 230), (236, 214, 196), (220, 230, 214), (240, 232, 220))
WALLS = ((238, 232, 222), (226, 232, 238), (242, 236, 228), (230, 238, 232), (236, 228, 236))
FLOORS = ((176, 134, 94), (150, 118, 90), (196, 170, 136), (120, 96, 80))
SIGNS = ((29, 78, 216), (21, 128, 61), (180, 83, 9), (153, 27, 27), (55, 65, 81))

DESCRIPTIONS_COMMERCIAL = (
    "Помещение свободного назначения на первом этаже жилого дома с отдельным входом с улицы. Высокий пешеходный "
    "трафик: остановка общественного транспорта и выход из двора.",
    "Подходит под магазин у дома, аптеку, пункт выдачи заказов, кофейню или салон. Чистовая отделка, "
    "выделенная мощность, санузел.",
    "Витринные окна на оживлённую улицу, парковка перед входом. Собственник — управляющая компания, договор "
    "напрямую, без комиссии.",
    "Помещение в цоколе с отдельным входом: склад, мастерская, студия, шоурум. Сухо, есть вентиляция.",
)
DESCRIPTIONS_FLAT = (
    "Светлая квартира в доме под управлением нашей компании: тихий двор, детская площадка, закрытая территория.",
    "Свежий ремонт, встроенная кухня, застеклённая лоджия. Рядом школа, детский сад и остановка.",
    "Квартира с видом во двор, все счётчики поверены, долгов по квитанциям нет — проверено по лицевому счёту.",
)
LEAD_NAMES = ("Анна", "Сергей", "Марина", "Дмитрий", "Олег", "Елена", "Ирина", "Павел", "Алексей", "Юлия")
LEAD_MESSAGES = (
    "Здравствуйте! Когда можно посмотреть помещение?",
    "Интересует под кофейню. Есть ли вытяжка?",
    "Можно ли арендовать на 11 месяцев?",
    "",
    "Перезвоните, пожалуйста, после 18:00.",
    "Семья из трёх человек, без животных.",
)


def _font(size: int) -> Any:
    if FONT.exists():
        return ImageFont.truetype(str(FONT), size)
    return ImageFont.load_default(size)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82)
    return out.getvalue()


class Drawn(bytes):
    """A drawn photo (JPEG bytes) with its card-sized copy made from the same pixels, so that storing it decodes
    nothing twice."""

    small: bytes


def _drawn(image: Image.Image) -> Drawn:
    photo = Drawn(_jpeg(image))
    image.thumbnail((rules.THUMB_SIDE, rules.THUMB_SIDE))
    photo.small = _jpeg(image)
    return photo


def shop_front(rng: Any, label: str) -> Drawn:
    """A ground floor seen from the street: the facade, shop windows with reflections, a door and a sign."""
    w, h = SIZE
    image = Image.new("RGB", SIZE, (200, 220, 240))
    draw = ImageDraw.Draw(image)
    for y in range(int(h * 0.3)):  # the sky, lighter towards the horizon
        shade = 190 + int(50 * y / (h * 0.3))
        draw.line([(0, y), (w, y)], fill=(shade - 40, shade - 15, 255))
    facade = rng.choice(FACADES)
    draw.rectangle([0, int(h * 0.12), w, int(h * 0.86)], fill=facade)
    for x in range(40, w, 180):  # the upper floors' windows
        draw.rectangle([x, int(h * 0.16), x + 90, int(h * 0.26)], fill=(150, 170, 190), outline=(90, 90, 90), width=3)
    sign = rng.choice(SIGNS)
    draw.rectangle([60, int(h * 0.32), w - 60, int(h * 0.42)], fill=sign)
    draw.text((w // 2, int(h * 0.37)), label, fill=(255, 255, 255), font=_font(44), anchor="mm")
    panes = rng.choice((2, 3, 4))
    door = rng.randrange(panes + 1)
    left, right, top, bottom = 60, w - 60, int(h * 0.46), int(h * 0.84)
    step = (right - left) / (panes + 1)
    for i in range(panes + 1):
        x0, x1 = int(left + i * step) + 8, int(left + (i + 1) * step) - 8
        if i == door:
            draw.rectangle([x0 + step * 0.2, top + 30, x1 - step * 0.2, bottom], fill=(70, 60, 55))
            continue
        draw.rectangle([x0, top, x1, bottom], fill=(168, 200, 222), outline=(60, 60, 60), width=6)
        for k in range(3):  # reflections
            ox = x0 + 20 + k * 35
            draw.line([(ox, bottom - 20), (ox + 90, top + 20)], fill=(214, 232, 244), width=8)
    draw.rectangle([0, int(h * 0.86), w, h], fill=(150, 150, 150))
    draw.rectangle([0, int(h * 0.86), w, int(h * 0.88)], fill=(110, 110, 110))
    return _drawn(image)


def room(rng: Any, label: str) -> Drawn:
    """A room in perspective: back wall with a window, side walls, a wooden floor, a door, a lamp."""
    w, h = SIZE
    wall = rng.choice(WALLS)
    side = tuple(max(0, c - 26) for c in wall)
    floor = rng.choice(FLOORS)
    image = Image.new("RGB", SIZE, wall)
    draw = ImageDraw.Draw(image)
    bx0, by0, bx1, by1 = int(w * 0.22), int(h * 0.16), int(w * 0.78), int(h * 0.68)
    draw.polygon([(0, 0), (bx0, by0), (bx0, by1), (0, h)], fill=side)
    draw.polygon([(w, 0), (bx1, by0), (bx1, by1), (w, h)], fill=side)
    draw.polygon([(0, 0), (w, 0), (bx1, by0), (bx0, by0)], fill=(246, 246, 244))
    draw.polygon([(0, h), (bx0, by1), (bx1, by1), (w, h)], fill=floor)
    for k in range(1, 9):  # floor boards
        x = bx0 + (bx1 - bx0) * k / 9
        draw.line([(x, by1), (w * k / 9, h)], fill=tuple(max(0, c - 22) for c in floor), width=2)
    wx0, wx1 = int(w * (0.36 + rng.random() * 0.06)), int(w * (0.58 + rng.random() * 0.06))
    draw.rectangle([wx0, int(h * 0.24), wx1, int(h * 0.56)], fill=(186, 214, 236), outline=(255, 255, 255), width=10)
    draw.line([((wx0 + wx1) // 2, int(h * 0.24)), ((wx0 + wx1) // 2, int(h * 0.56))], fill=(255, 255, 255), width=8)
    draw.rectangle([int(w * 0.05), int(h * 0.3), int(w * 0.16), int(h * 0.9)], fill=(160, 120, 90))
    draw.line([(w // 2, by0 - 60), (w // 2, by0 - 10)], fill=(80, 80, 80), width=3)
    draw.ellipse([w // 2 - 26, by0 - 14, w // 2 + 26, by0 + 18], fill=(250, 236, 180))
    draw.text((w - 30, h - 30), label, fill=(255, 255, 255), font=_font(32), anchor="rd")
    return _drawn(image)


async def _premises(kind: str) -> list[dict[str, Any]]:
    return (
        await Premise.select(Premise.id, Premise.house, Premise.number, Premise.area, Premise.floor)
        .where(Premise.kind == kind)
        .order_by(Premise.id)
    )


async def _listing(ctx: DemoContext, admin: Principal, place: actions.Place, data: actions.ListingInput,
                   status: ListingStatus, photos: list[Drawn], age_days: int) -> int:  # fmt: skip
    listing_id = await actions.create_listing(admin, data, place)
    view = await _view(listing_id)
    await actions.add_photos(admin, view, photos)
    published = clock.now() - timedelta(days=age_days, hours=ctx.rng.randrange(24))
    changes: dict[Any, Any] = {Listing.status: status, Listing.views: ctx.rng.randrange(5, 400)}
    if status != ListingStatus.DRAFT:
        changes[Listing.published_at] = published
    await Listing.update(changes).where(Listing.id == listing_id)
    return listing_id


async def _view(listing_id: int) -> Any:
    from portal.showcase import queries

    return await queries.staff_listing(Principal(user_id=None, house_ids=None), listing_id)


def _status(n: int) -> ListingStatus:
    if n % 11 == 5:
        return ListingStatus.RESERVED
    if n % 13 == 7:
        return ListingStatus.DRAFT
    return ListingStatus.PUBLISHED


async def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    users = ctx.shared.get("users", {})
    admin = Principal(user_id=None, name="demo", staff_roles=frozenset({StaffRole.ADMIN}), house_ids=None)
    houses = {
        r["id"]: r
        for r in await House.select(House.id, House.address, House.complex.id.as_alias("complex_id")).where(
            House.id.is_in(ctx.shared.get("houses") or [-1])
        )
    }
    if not houses:
        return
    manager_houses = set(list(houses)[:2])
    manager = users.get("manager")
    listings: list[tuple[int, str]] = []

    # Commercial premises: the registry's non-residential ones first, then premises entered by hand.
    registry = [p for p in await _premises("nonresidential") if p["house"] in houses]
    house_ids = sorted(houses)
    for n in range(COMMERCIAL):
        if n < len(registry):
            p = registry[n]
            house_id, number, premise_id = p["house"], p["number"], p["id"]
            area, floor = Decimal(str(p["area"])), p["floor"] or 1
        else:
            house_id = house_ids[n % len(house_ids)]
            number = f"{20 + n}Н"
            area = Decimal(rng.choice((28, 36, 40.9, 52, 64, 84.09, 96, 118, 146, 182, 215))).quantize(Decimal("0.01"))
            floor = rng.choice((1, 1, 1, 1, 0, 2))
            premise_id = None
        house = houses[house_id]
        place = actions.Place(house_id=house_id, complex_id=house["complex_id"], premise_id=premise_id,
                              address=full_address(house["address"], "nonresidential", number),
                              premise_number=number, area=area, floor=floor)  # fmt: skip
        features = [f for f in rules.FEATURES[ListingKind.COMMERCIAL] if rng.random() < 0.45]
        if floor >= 1 and Feature.SEPARATE_ENTRANCE not in features:
            features.insert(0, Feature.SEPARATE_ENTRANCE)
        data = actions.ListingInput(
            kind=ListingKind.COMMERCIAL,
            price_kopecks=rng.choice((900, 1000, 1050, 1100, 1200, 1350, 1500)) * 100,
            price_unit=PriceUnit.M2_MONTH,
            description="\n\n".join(rng.sample(DESCRIPTIONS_COMMERCIAL, 2)),
            features=tuple(features),
            manager=manager if house_id in manager_houses else None,
        )
        label = f"{area.normalize():f} м²".replace(".", ",")
        photos = [shop_front(rng, label) for _ in range(rng.choice((1, 2)))]
        listings.append((await _listing(ctx, admin, place, data, _status(n), photos, n), "commercial"))
    ctx.say(f"demo: showcase {COMMERCIAL} commercial premises")

    # Flats of owners who are not the demo residents: six to let, six to sell.
    taken = set(ctx.shared.get("resident_accounts", [])) | {ctx.shared.get("second_resident_account")}
    of_residents = {
        r["premise"] for r in await PersonalAccount.select(PersonalAccount.premise).where(
            PersonalAccount.id.is_in([a for a in taken if a] or [-1]))
    }  # fmt: skip
    flats = [p for p in await _premises("flat") if p["house"] in houses and p["id"] not in of_residents]
    chosen = rng.sample(flats, FLATS_TO_LET + FLATS_TO_SELL)
    for n, p in enumerate(chosen):
        kind = ListingKind.RENT if n < FLATS_TO_LET else ListingKind.SALE
        house = houses[p["house"]]
        area = Decimal(str(p["area"])).quantize(Decimal("0.01"))
        rooms = 1 if area < 45 else (2 if area < 70 else 3)
        place = actions.Place(house_id=p["house"], complex_id=house["complex_id"], premise_id=p["id"],
                              address=full_address(house["address"], "flat", p["number"]),
                              premise_number=p["number"], area=area, floor=p["floor"] or 1)  # fmt: skip
        if kind is ListingKind.RENT:
            price, unit = rng.choice((25, 28, 32, 35, 40, 48)) * 1000 * 100, PriceUnit.MONTH
            features = [Feature.MOVE_IN_HELP, *[f for f in (Feature.FURNISHED, Feature.APPLIANCES, Feature.BALCONY)
                                                if rng.random() < 0.6]]  # fmt: skip
        else:
            per_m2 = rng.choice((95, 105, 112, 120, 128, 135)) * 1000
            price, unit = int(area * per_m2) // 10_000 * 10_000 * 100, PriceUnit.TOTAL
            features = [f for f in (Feature.BALCONY, Feature.PARKING) if rng.random() < 0.6]
        data = actions.ListingInput(kind=kind, price_kopecks=price, price_unit=unit, rooms=rooms,
                                    description="\n\n".join(rng.sample(DESCRIPTIONS_FLAT, 2)),
                                    features=tuple(features),
                                    manager=manager if p["house"] in manager_houses else None)  # fmt: skip
        photos = [room(rng, f"кв. {p['number']}") for _ in range(2)]
        listings.append((await _listing(ctx, admin, place, data, ListingStatus.PUBLISHED, photos, n * 2), kind))
    ctx.say("demo: showcase 12 flats")
    await _leads(ctx, [i for i, _ in listings], users.get("resident"))
    await _offer(ctx, users.get("resident"))


async def _leads(ctx: DemoContext, listing_ids: list[int], resident: int | None) -> None:
    rng = ctx.rng
    public = [
        r["id"]
        for r in await Listing.select(Listing.id).where(
            Listing.id.is_in(listing_ids) & Listing.status.is_in([s.value for s in rules.PUBLIC_STATUSES])
        )
    ]
    statuses = list(LeadStatus)
    for n in range(18):
        created = clock.now() - timedelta(days=rng.randrange(0, 20), hours=rng.randrange(0, 24))
        await Lead.insert(
            Lead(
                listing=rng.choice(public),
                status=statuses[n % len(statuses)] if n >= 4 else LeadStatus.NEW,
                name=rng.choice(LEAD_NAMES),
                phone=f"+7978{rng.randrange(10**7):07d}",
                message=rng.choice(LEAD_MESSAGES),
                user=resident if n in (2, 9) else None,
                consent_version=consent.current_version(),
                consent_at=created,
                consent_ip="127.0.0.1",
                consent_user_agent="demo",
                created_at=created,
                updated_at=created,
            )
        )


async def _offer(ctx: DemoContext, resident: int | None) -> None:
    accounts = ctx.shared.get("resident_accounts") or []
    if resident is None or not accounts:
        return
    premise = PersonalAccount.premise
    row = (
        await PersonalAccount.select(premise.id.as_alias("premise"), premise.house.id.as_alias("house"))
        .where(PersonalAccount.id == accounts[0])
        .first()
    )
    if row is None:
        return
    await ListingOffer.insert(
        ListingOffer(premise=row["premise"], house=row["house"], account=accounts[0], user=resident,
                     kind=ListingKind.RENT, price_kopecks=3_500_000, phone="+79780000001",
                     comment="Квартира свободна с первого числа, можно с мебелью.")
    )  # fmt: skip
