"""Demo catalogue: about twenty paid services and four certificates in eight sections, named and described in
Russian and in English, each with a photo drawn by our own code (Pillow: a tile in the section's colour with
stripes of its own, no letters), and orders of the demo resident in several states (waiting for payment, waiting
for a quote, quoted, a statement made, a cancelled one). Deterministic: no random choice at all."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from PIL import Image
from PIL import ImageDraw

from portal.accounts.principal import load_principal_for
from portal.catalog import actions
from portal.catalog import queries
from portal.catalog.tables import DocumentKind
from portal.catalog.tables import ExecutorGroup
from portal.catalog.tables import PaidService
from portal.catalog.tables import PriceKind
from portal.catalog.tables import ServiceCategory
from portal.catalog.tables import ServiceKind
from portal.catalog.tables import Unit
from portal.core import clock
from portal.core import storage
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.demo import DemoContext

SIZE = (640, 400)
G = ExecutorGroup

# (section, colour, [(title, price kind, roubles, unit, team, minutes, description)])
CATALOGUE: tuple[tuple[str, tuple[int, int, int], tuple[tuple[str, str, int, str, str, int, str], ...]], ...] = (
    (
        "Сантехника",
        (37, 99, 235),
        (
            ("Вызов сантехника", PriceKind.FIXED, 1500, "", G.PLUMBERS, 60, "Осмотр, мелкий ремонт, консультация."),
            ("Замена смесителя", PriceKind.FIXED, 2200, "", G.PLUMBERS, 90, "Смеситель ваш или наш по договорённости."),
            ("Установка унитаза", PriceKind.FIXED, 3500, "", G.PLUMBERS, 120, "Демонтаж старого, установка нового."),
            ("Ремонт стояка в квартире", PriceKind.FROM, 4000, "", G.PLUMBERS, 180, "Цену назовём после осмотра."),
        ),
    ),
    (
        "Электрика",
        (202, 138, 4),
        (
            ("Вызов электрика", PriceKind.FIXED, 1500, "", G.ELECTRICIANS, 60, "Поиск неисправности, мелкий ремонт."),
            ("Установка розетки", PriceKind.PER_UNIT, 450, Unit.ITEM, G.ELECTRICIANS, 30, "Цена за одну розетку."),
            ("Подключение люстры", PriceKind.FIXED, 1200, "", G.ELECTRICIANS, 60, "Сборка и подключение."),
        ),
    ),
    (
        "Двери и замки",
        (71, 85, 105),
        (
            ("Вскрытие двери", PriceKind.FIXED, 2500, "", G.LOCKSMITHS, 60, "При предъявлении документов на квартиру."),
            ("Замена личинки замка", PriceKind.FIXED, 1800, "", G.LOCKSMITHS, 45, "Личинка входит в цену."),
        ),
    ),
    (
        "Уборка",
        (22, 163, 74),
        (
            ("Уборка квартиры", PriceKind.PER_UNIT, 120, Unit.SQUARE_METRE, G.CLEANING, 180, "Поддерживающая уборка."),
            ("Генеральная уборка", PriceKind.PER_UNIT, 250, Unit.SQUARE_METRE, G.CLEANING, 360, "С мойкой окон."),
            ("Мойка окон", PriceKind.PER_UNIT, 400, Unit.ITEM, G.CLEANING, 40, "Цена за окно с двух сторон."),
        ),
    ),
    (
        "Мастер на час",
        (147, 51, 234),
        (
            ("Сборка мебели", PriceKind.PER_UNIT, 900, Unit.HOUR, G.HANDYMEN, 120, "Шкафы, кухни, кровати."),
            ("Навес полок и карнизов", PriceKind.FIXED, 800, "", G.HANDYMEN, 60, "До трёх предметов."),
            ("Мелкий ремонт", PriceKind.FROM, 1000, "", G.HANDYMEN, 60, "Цену назовём после осмотра."),
            ("Вывоз старой мебели", PriceKind.FROM, 1500, "", G.HANDYMEN, 60, "Вынос и вывоз; цена — по объёму."),
        ),
    ),
    (
        "Бытовая техника",
        (219, 39, 119),
        (
            ("Установка стиральной машины", PriceKind.FIXED, 2000, "", G.APPLIANCES, 90, "Подключение к воде."),
            ("Установка посудомоечной машины", PriceKind.FIXED, 2500, "", G.APPLIANCES, 120, "Встраиваемая."),
        ),
    ),
    (
        "Пропуска и доступ",
        (14, 116, 144),
        (
            ("Гостевой пропуск для автомобиля", PriceKind.FIXED, 0, "", G.SECURITY, 15, "На сутки."),
            ("Дополнительный ключ-брелок", PriceKind.FIXED, 350, "", G.SECURITY, 15, "Выдаём в офисе."),
        ),
    ),
)
CERTIFICATES = (
    ("Выписка из лицевого счёта", DocumentKind.STATEMENT, 0, "Все начисления и оплаты за выбранные месяцы."),
    ("Справка об отсутствии задолженности", DocumentKind.NO_DEBT, 0, "Выдаётся, если по счёту нет долга."),
    ("Копия квитанции", DocumentKind.RECEIPT_COPY, 0, "Квитанция за выбранный месяц."),
    ("Справка о составе семьи", DocumentKind.BY_STAFF, 150, "Готовит паспортный стол, PDF придёт в заказ."),
)


# The catalogue's words for English-speaking residents: a section's name, a service's name and description.
SECTIONS_EN = {
    "Сантехника": "Plumbing",
    "Электрика": "Electrics",
    "Двери и замки": "Doors and locks",
    "Уборка": "Cleaning",
    "Мастер на час": "Handyman",
    "Бытовая техника": "Home appliances",
    "Пропуска и доступ": "Passes and access",
    "Справки": "Certificates",
}
SERVICES_EN = {
    "Вызов сантехника": ("Plumber call-out", "Inspection, minor repairs, advice."),
    "Замена смесителя": ("Tap replacement", "Your tap or ours, as agreed."),
    "Установка унитаза": ("Toilet installation", "The old one taken out, the new one fitted."),
    "Ремонт стояка в квартире": ("Riser repair in the flat", "We name the price after an inspection."),
    "Вызов электрика": ("Electrician call-out", "Finding the fault, minor repairs."),
    "Установка розетки": ("Socket installation", "The price is per socket."),
    "Подключение люстры": ("Ceiling light fitting", "Assembly and connection."),
    "Вскрытие двери": ("Door opening", "On showing the documents of the flat."),
    "Замена личинки замка": ("Lock cylinder replacement", "The cylinder is included in the price."),
    "Уборка квартиры": ("Flat cleaning", "Regular cleaning."),
    "Генеральная уборка": ("Deep cleaning", "Windows washed too."),
    "Мойка окон": ("Window cleaning", "The price is per window, both sides."),
    "Сборка мебели": ("Furniture assembly", "Wardrobes, kitchens, beds."),
    "Навес полок и карнизов": ("Hanging shelves and curtain rails", "Up to three items."),
    "Мелкий ремонт": ("Minor repairs", "We name the price after an inspection."),
    "Вывоз старой мебели": ("Old furniture removal", "Carried out and taken away; the price depends on the volume."),
    "Установка стиральной машины": ("Washing machine installation", "Connected to the water supply."),
    "Установка посудомоечной машины": ("Dishwasher installation", "Built-in."),
    "Гостевой пропуск для автомобиля": ("Guest car pass", "For one day."),
    "Дополнительный ключ-брелок": ("Extra key fob", "Issued at the office."),
    "Выписка из лицевого счёта": (
        "Statement of the personal account",
        "All charges and payments for the months chosen.",
    ),
    "Справка об отсутствии задолженности": ("Certificate of no debt", "Issued when the account has no debt."),
    "Копия квитанции": ("Copy of a receipt", "The receipt for the month chosen."),
    "Справка о составе семьи": (
        "Certificate of household members",
        "Made by the passport office; the PDF comes to the order.",
    ),
}


def _photo(colour: tuple[int, int, int], n: int) -> bytes:
    """A tile in the section's colour with stripes of its own (the ``n``-th service of the section: their width and
    direction differ from its neighbours'), drawn here (no files shipped). No letters: the catalogue reads in
    Russian and in English, and a picture should say nothing in one of them."""
    image = Image.new("RGB", SIZE, colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 60) for c in colour)
    step, width = 40 + 16 * (n % 3), 8 + 6 * (n % 2)
    for x in range(0, SIZE[0] + SIZE[1], step):
        line = [(x, 0), (x - SIZE[1], SIZE[1])] if n % 2 else [(x - SIZE[1], 0), (x, SIZE[1])]
        draw.line(line, fill=light, width=width)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


async def seed(ctx: DemoContext) -> None:
    ids: dict[str, int] = {}
    for position, (section, colour, services) in enumerate(CATALOGUE, start=1):
        category = ServiceCategory(title=section, title_en=SECTIONS_EN[section], position=position)
        await category.save()
        for n, (title, price_kind, roubles, unit, team, minutes, text) in enumerate(services, start=1):
            photo = await storage.save_image(_photo(colour, n))
            title_en, text_en = SERVICES_EN[title]
            row = PaidService(
                category=category.id, kind=ServiceKind.SERVICE, title=title, title_en=title_en, description=text,
                description_en=text_en,
                photo_key=photo.key, price_kind=price_kind, price_kopecks=roubles * 100, unit=unit,
                duration_minutes=minutes, slots_per_day=4, executor_group=team, position=n,
            )  # fmt: skip
            await row.save()
            ids[title] = int(row.id)
    papers = ServiceCategory(title="Справки", title_en=SECTIONS_EN["Справки"], position=len(CATALOGUE) + 1)
    await papers.save()
    for n, (title, document, roubles, text) in enumerate(CERTIFICATES, start=1):
        title_en, text_en = SERVICES_EN[title]
        row = PaidService(
            category=papers.id, kind=ServiceKind.CERTIFICATE, title=title, title_en=title_en, description=text,
            description_en=text_en,
            photo_key=(await storage.save_image(_photo((100, 116, 139), n))).key, price_kopecks=roubles * 100,
            executor_group=G.OFFICE, document=document, slots_per_day=0, duration_minutes=0, position=n,
        )  # fmt: skip
        await row.save()
        ids[title] = int(row.id)
    await _orders(ctx, ids)


async def _orders(ctx: DemoContext, ids: dict[str, int]) -> None:
    """Orders of the demo resident in several states."""
    users = ctx.shared.get("users", {})
    if not users.get("resident"):
        return
    resident = await load_principal_for(users["resident"])
    places = await queries.places_of(resident, "tickets")
    if not places:
        return
    place = places[0]
    now = clock.now()
    day = clock.today_local() + timedelta(days=3)

    async def order(titles: list[tuple[str, str]], slot: str) -> actions.Placed:
        offered = await queries.offered_services(place, [ids[t] for t, _ in titles])
        wanted = [actions.Wanted(offered[ids[t]], Decimal(q)) for t, q in titles]
        return await actions.order_services(
            resident, place, wanted, day=day, slot=slot, comment="", phone="+79780000001", now=now
        )

    await order([("Замена смесителя", "1")], "09:00–12:00")  # waits for its payment
    await order([("Ремонт стояка в квартире", "1")], "12:00–15:00")  # waits for its price
    quoted = await order([("Мелкий ремонт", "1"), ("Навес полок и карнизов", "1")], "15:00–18:00")
    staff = Principal(user_id=None, name="demo", staff_roles=frozenset({StaffRole.ADMIN}), house_ids=None)
    detail = await queries.order_for_resident(resident, quoted.id)
    if detail is not None:
        await actions.quote(staff, detail, Decimal("2300"), "Замена двух петель и навес полки.", now)
    cancelled = await order([("Сборка мебели", "2.5")], "18:00–21:00")
    detail = await queries.order_for_resident(resident, cancelled.id)
    if detail is not None:
        await actions.cancel(resident, detail, by_staff=False, reason="", now=now)
    statement = (await queries.offered_services(place, [ids["Выписка из лицевого счёта"]]))[
        ids["Выписка из лицевого счёта"]
    ]
    month = clock.today_local().replace(day=1)
    start = (month - timedelta(days=60)).replace(day=1)
    await actions.order_document(resident, place, statement, period_from=start, period_to=month, now=now)
