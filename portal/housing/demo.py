"""Demo registry: two complexes in Симферополь, four houses, ~600 premises, owners with shares, accounts.

Deterministic (every random choice comes from ``ctx.rng``) and fast: rows go in by batch inserts.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from portal.demo import DEMO_OWNERS
from portal.housing.rules import account_search_text
from portal.housing.rules import house_search_text
from portal.housing.rules import owner_search_text
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.housing.tables import PremiseKind
from portal.housing.tables import PremiseRiser
from portal.housing.tables import Riser

CHUNK = 400
CITY = "Симферополь"

# (complex, address, entrances, floors, flats per floor, non-residential, parking spaces, storage rooms)
HOUSES: tuple[tuple[str, str, int, int, int, int, int, int], ...] = (
    ("ЖК «Крымская Ривьера»", "г. Симферополь, ул. Киевская, д. 189", 3, 9, 4, 2, 20, 0),
    ("ЖК «Крымская Ривьера»", "г. Симферополь, ул. Киевская, д. 189А", 4, 10, 4, 3, 15, 0),
    ("ЖК «Салгирный парк»", "г. Симферополь, ул. Балаклавская, д. 68", 3, 12, 4, 0, 0, 6),
    ("ЖК «Салгирный парк»", "г. Симферополь, ул. Балаклавская, д. 70", 4, 9, 4, 2, 0, 0),
)
COMPLEXES = ("ЖК «Крымская Ривьера»", "ЖК «Салгирный парк»")
# Each complex's developer (its e-mail for warranty claims) and each house's commissioning day, by address: new
# houses, so that a defect of the structure (5 years) or of the equipment (3 years) is still under warranty in some.
# The developers are made up: their addresses are under the reserved top-level domain «.invalid» (RFC 2606, 6761),
# which no resolver answers, so a claim the demo forwards is never mailed to a real company.
DEVELOPERS = {
    "ЖК «Крымская Ривьера»": ("ООО СЗ «Ривьера Строй»", "pretenzii@riviera-stroy.invalid"),
    "ЖК «Салгирный парк»": ("ООО СЗ «Салгир Девелопмент»", "garantiya@salgir-dev.invalid"),
}
COMMISSIONED = {
    "г. Симферополь, ул. Киевская, д. 189": date(2023, 3, 15),
    "г. Симферополь, ул. Киевская, д. 189А": date(2024, 6, 28),
    "г. Симферополь, ул. Балаклавская, д. 68": date(2024, 12, 20),
    "г. Симферополь, ул. Балаклавская, д. 70": date(2025, 9, 30),
}

SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
    "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
    "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
    "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
    "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
)  # fmt: skip
MALE_NAMES = (
    "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван", "Михаил", "Артём",
    "Николай", "Владимир", "Игорь", "Олег", "Павел", "Роман", "Виктор", "Юрий", "Константин", "Денис",
)  # fmt: skip
FEMALE_NAMES = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Анна", "Светлана", "Мария", "Екатерина", "Юлия",
    "Людмила", "Галина", "Марина", "Анастасия", "Оксана", "Валентина", "Надежда", "Виктория", "Алина", "Дарья",
)  # fmt: skip
FATHERS = (
    ("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Викторович", "Викторовна"),
    ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"), ("Иванович", "Ивановна"),
    ("Петрович", "Петровна"), ("Михайлович", "Михайловна"), ("Андреевич", "Андреевна"), ("Юрьевич", "Юрьевна"),
    ("Алексеевич", "Алексеевна"), ("Дмитриевич", "Дмитриевна"), ("Олегович", "Олеговна"),
    ("Игоревич", "Игоревна"), ("Васильевич", "Васильевна"),
)  # fmt: skip
ORGANISATION = ("ООО «Таврия-Маркет»", "9102012345")
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
         "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
        strict=True,
    )
)  # fmt: skip


def _female(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    return surname


def _latin(text: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in text.lower())


def _inn_person(rng: Any) -> str:
    digits = [9, 1] + [rng.randint(0, 9) for _ in range(8)]
    w1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    digits.append(sum(d * w for d, w in zip(digits, w1, strict=True)) % 11 % 10)
    w2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    digits.append(sum(d * w for d, w in zip(digits, w2, strict=True)) % 11 % 10)
    return "".join(map(str, digits))


class _People:
    """Unique, realistic Russian owners (a name is never repeated, so name + INN stays a natural key)."""

    def __init__(self, rng: Any) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.owners: list[Owner] = []
        self.phones: set[str] = set()

    def _phone(self) -> str:
        while True:
            phone = f"+7978{self.rng.randint(0, 9_999_999):07d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def person(self, female: bool, surname: str | None = None) -> Owner:
        rng = self.rng
        while True:
            family = surname or rng.choice(SURNAMES)
            first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            father = rng.choice(FATHERS)[1 if female else 0]
            name = f"{_female(family) if female else family} {first} {father}"
            if name not in self.used:
                break
            surname = None
        self.used.add(name)
        with_email = rng.random() < 0.4
        inn = _inn_person(rng) if rng.random() < 0.35 else None
        phone = self._phone() if rng.random() < 0.8 else ""
        email = f"{_latin(first)}.{_latin(family)}{rng.randint(1, 99)}@mail.ru" if with_email else ""
        owner = Owner(
            kind="person",
            name=name,
            inn=inn,
            phone=phone,
            email=email,
            search_text=owner_search_text(name, inn, phone, email),
        )
        self.owners.append(owner)
        return owner


def _area(rng: Any, base: str, spread: int) -> Decimal:
    return (Decimal(base) + Decimal(rng.randint(-spread, spread)) / 10).quantize(Decimal("0.01"))


Share = tuple[Premise, Owner, int, int, bool]  # a premise, its owner, the share (numerator, denominator), joint


def _rename(people: _People, owner: Owner, name: str) -> None:
    people.used.discard(owner.name)
    people.used.add(name)
    owner.name = name
    owner.email = ""  # the address was made from the old name
    owner.search_text = owner_search_text(name, owner.inn, owner.phone, owner.email)


def _of_the_family(name: str, registered: str) -> str:
    """A co-owner of a demo resident's premise bears the family's surname: «Полякова Галина Дмитриевна» beside
    «Смирнов Иван Петрович» → «Смирнова Галина Дмитриевна» (a woman by her patronymic)."""
    given = name.partition(" ")[2]
    surname = registered.split()[0]
    male = surname[:-1] if surname.endswith(("ова", "ева", "ёва", "ина")) else surname
    return f"{_female(male) if given.endswith('на') else male} {given}"


def _give(people: _People, shares: list[Share], flat_owners: dict[int, Owner], premise: Premise, to: Owner) -> None:
    """``to`` holds the share of ``premise`` its first owner held; an owner left without premises is not made."""
    at = next(i for i, share in enumerate(shares) if share[0] is premise)
    _premise, displaced, numerator, denominator, joint = shares[at]
    shares[at] = (premise, to, numerator, denominator, joint)
    if premise.id in flat_owners:
        flat_owners[premise.id] = to
    if not any(share[1] is displaced for share in shares):
        people.owners.remove(displaced)


def _flat_and_parking(shares: list[Share], flats: list[Premise], premises: list[Premise]) -> list[Premise]:
    """owner@demo.ru's premises: the first of ``flats`` held by one owner who holds nothing else in its house but
    one parking space (two ballots in a meeting of the house); else the first flat and the house's first space."""
    held: dict[int, list[Premise]] = {}
    owners: dict[int, list[Owner]] = {}
    for premise, owner, *_share in shares:
        held.setdefault(id(owner), []).append(premise)
        owners.setdefault(id(premise), []).append(owner)
    for flat in flats:
        if len(owners[id(flat)]) == 1:
            rest = [p for p in held[id(owners[id(flat)][0])] if p.house == flat.house and p is not flat]
            if len(rest) == 1 and rest[0].kind == PremiseKind.PARKING:
                return [flat, rest[0]]
    return [flats[0], next(p for p in premises if p.house == flats[0].house and p.kind == PremiseKind.PARKING)]


def _demo_owners(
    people: _People, shares: list[Share], flat_owners: dict[int, Owner], held: dict[str, list[Premise]]
) -> dict[str, Owner]:
    """The owners of the premises set aside for the demo residents (``held``: the first a flat) bear their names
    (portal.demo.DEMO_OWNERS), their co-owners the family's surname: the register, the accounts' payer and the
    ballots then name the person the top bar does."""
    found = {}
    for key, (home, *more) in held.items():
        registered = DEMO_OWNERS[key]
        person = flat_owners[home.id]
        _rename(people, person, registered)
        for premise in more:
            _give(people, shares, flat_owners, premise, person)
        for premise in (home, *more):
            for share in shares:
                if share[0] is premise and share[1] is not person:
                    _rename(people, share[1], _of_the_family(share[1].name, registered))
        found[key] = person
    return found


async def _insert(table: Any, rows: list[Any]) -> None:
    for start in range(0, len(rows), CHUNK):
        await table.insert(*rows[start : start + CHUNK])


async def seed(ctx: Any) -> None:
    rng = ctx.rng
    complexes = [Complex(name=name, city=CITY) for name in COMPLEXES]
    await _insert(Complex, complexes)
    complex_ids = {c.name: c.id for c in complexes}

    houses = [
        House(
            complex=complex_ids[spec[0]],
            address=spec[1],
            floors=spec[3],
            fias_id=None,
            developer_name=DEVELOPERS[spec[0]][0],
            developer_email=DEVELOPERS[spec[0]][1],
            commissioned_on=COMMISSIONED[spec[1]],
            search_text=house_search_text(spec[1], spec[0]),
        )
        for spec in HOUSES
    ]
    await _insert(House, houses)

    entrances: list[tuple[int, Entrance]] = []
    for house, spec in zip(houses, HOUSES, strict=True):
        for number in range(1, spec[2] + 1):
            entrances.append((house.id, Entrance(house=house.id, number=number, floors=spec[3])))
    await _insert(Entrance, [e for _h, e in entrances])
    entrance_of = {(h, e.number): e.id for h, e in entrances}

    risers: list[Riser] = []
    for house_id, entrance in entrances:
        for prefix, kind in (("ХВС", "cold_water"), ("ГВС", "hot_water"), ("ОТ", "heating")):
            risers.append(Riser(house=house_id, code=f"{prefix}-{entrance.number}", kind=kind, entrance=entrance.id))
    await _insert(Riser, risers)
    risers_of_entrance: dict[int, list[int]] = {}
    for r in risers:
        risers_of_entrance.setdefault(r.entrance, []).append(r.id)

    premises: list[Premise] = []
    flats_by_house: dict[int, list[Premise]] = {}
    for house, spec in zip(houses, HOUSES, strict=True):
        _c, _a, n_entrances, floors, per_floor, nonres, parking, storage = spec
        number = 0
        layout = ("38.40", "54.70", "72.30", "45.10")[:per_floor]
        for entrance in range(1, n_entrances + 1):
            for floor in range(1, floors + 1):
                for slot in range(per_floor):
                    number += 1
                    flat = Premise(
                        house=house.id,
                        entrance=entrance_of[(house.id, entrance)],
                        kind=PremiseKind.FLAT,
                        number=str(number),
                        floor=floor,
                        area=_area(rng, layout[slot], 6),
                    )
                    premises.append(flat)
                    flats_by_house.setdefault(house.id, []).append(flat)
        outside = (  # premises outside the entrances: kind, number, floor, typical area and its spread
            (PremiseKind.NONRESIDENTIAL, "{}Н", 1, "86.50", 150, nonres),
            (PremiseKind.PARKING, "М-{}", -1, "14.50", 8, parking),
            (PremiseKind.STORAGE, "К-{}", -1, "4.20", 10, storage),
        )
        for kind, pattern, level, typical, spread, count in outside:
            premises.extend(
                Premise(
                    house=house.id,
                    entrance=None,
                    kind=kind,
                    number=pattern.format(n),
                    floor=level,
                    area=_area(rng, typical, spread),
                )
                for n in range(1, count + 1)
            )
    await _insert(Premise, premises)

    await _insert(
        PremiseRiser,
        [
            PremiseRiser(premise=p.id, riser=riser)
            for p in premises
            if p.kind == "flat"
            for riser in risers_of_entrance[p.entrance]
        ],
    )

    people = _People(rng)
    shares: list[Share] = []
    flat_owners: dict[int, Owner] = {}
    for p in premises:
        if p.kind == "flat":
            roll = rng.random()
            if roll < 0.62:
                owner = people.person(rng.random() < 0.55)
                shares.append((p, owner, 1, 1, False))
            elif roll < 0.80:
                husband = people.person(False)
                wife = people.person(True, surname=husband.name.split()[0])
                shares.append((p, husband, 1, 1, True))
                shares.append((p, wife, 1, 1, True))
                owner = husband
            else:
                first = people.person(rng.random() < 0.5)
                second = people.person(rng.random() < 0.5, surname=first.name.split()[0].removesuffix("а"))
                shares.append((p, first, 1, 2, False))
                shares.append((p, second, 1, 2, False))
                owner = first
            flat_owners[p.id] = owner
    organisation = Owner(
        kind="organisation",
        name=ORGANISATION[0],
        inn=ORGANISATION[1],
        phone="+73652510203",
        email="office@tavria-market.ru",
        search_text=owner_search_text(ORGANISATION[0], ORGANISATION[1], "+73652510203", "office@tavria-market.ru"),
    )
    people.owners.append(organisation)
    flat_pool = [o for o in flat_owners.values()]
    for p in premises:
        if p.kind == "nonresidential":
            shares.append((p, organisation, 1, 1, False))
        elif p.kind in ("parking", "storage"):
            shares.append((p, rng.choice(flat_pool), 1, 1, False))
    first_flats, second_flats = flats_by_house[houses[0].id], flats_by_house[houses[1].id]
    held = {
        "resident": [first_flats[0], second_flats[0]],
        "resident2": [first_flats[1]],
        "owner": _flat_and_parking(shares, first_flats[2:], premises),
    }
    demo_owners = _demo_owners(people, shares, flat_owners, held)
    await _insert(Owner, people.owners)

    start = date(2016, 3, 1)
    await _insert(
        Ownership,
        [
            Ownership(
                premise=p.id,
                owner=o.id,
                share_numerator=num,
                share_denominator=den,
                joint=joint,
                document=f"ЕГРН № 90:22:010{p.house:03d}:{p.id}-91/{rng.randint(10, 99)}",
                valid_from=start + timedelta(days=rng.randint(0, 3000)),
            )
            for p, o, num, den, joint in shares
        ],
    )

    accounts: list[PersonalAccount] = []
    accounts_by_house: dict[int, list[PersonalAccount]] = {}
    for index, house in enumerate(houses, start=1):
        for serial, flat in enumerate(flats_by_house[house.id], start=1):
            number, payer = f"91{index:02d}{serial:06d}", flat_owners[flat.id].name
            account = PersonalAccount(
                number=number,
                premise=flat.id,
                payer_name=payer,
                opened_on=start + timedelta(days=rng.randint(0, 2000)),
                search_text=account_search_text(number, payer, house.address, flat.kind, flat.number),
            )
            accounts.append(account)
            accounts_by_house.setdefault(house.id, []).append(account)
    await _insert(PersonalAccount, accounts)

    ctx.shared["complexes"] = [c.id for c in complexes]
    ctx.shared["houses"] = [h.id for h in houses]
    ctx.shared["accounts_by_house"] = {
        house_id: [a.id for a in sorted(items, key=lambda a: a.number)] for house_id, items in accounts_by_house.items()
    }
    first, second = houses[0].id, houses[1].id
    ctx.shared["resident_accounts"] = [
        ctx.shared["accounts_by_house"][first][0],
        ctx.shared["accounts_by_house"][second][0],
    ]
    ctx.shared["second_resident_account"] = ctx.shared["accounts_by_house"][first][1]
    # The registry owner of each demo resident (the owner of a flat and a parking space: owner@demo.ru, and the
    # flat's account).
    ctx.shared["demo_owners"] = {key: owner.id for key, owner in demo_owners.items()}
    ctx.shared["owner_account"] = next(a.id for a in accounts if a.premise == held["owner"][0].id)
    ctx.say(
        f"housing: {len(houses)} houses, {len(premises)} premises, {len(people.owners)} owners, "
        f"{len(accounts)} accounts"
    )
