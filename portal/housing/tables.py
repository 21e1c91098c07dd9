"""Tables of the housing registry, with the kinds their rows take."""

from enum import StrEnum

from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Numeric
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PremiseKind(StrEnum):
    """What a premise is (DOMAIN.md): a flat, a non-residential premise, a parking space, a storage room."""

    FLAT = "flat"
    NONRESIDENTIAL = "nonresidential"
    PARKING = "parking"
    STORAGE = "storage"


# The premises whose area is the house's floor area, what the receivables per m² are measured by: living and
# non-residential. A parking space or storage room is not floor area (its debt is still in the receivables).
FLOOR_AREA_KINDS = (PremiseKind.FLAT, PremiseKind.NONRESIDENTIAL)


class OwnerKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class RiserKind(StrEnum):
    COLD_WATER = "cold_water"
    HOT_WATER = "hot_water"
    HEATING = "heating"
    SEWERAGE = "sewerage"


class Complex(Table):
    """Жилой комплекс (ЖК): a group of houses built together."""

    id = Serial(primary_key=True)
    name = Varchar(length=200, unique=True)
    city = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class House(Table):
    """Многоквартирный дом: a building the company manages."""

    id = Serial(primary_key=True)
    complex = ForeignKey(Complex, on_delete=OnDelete.restrict, null=False, index=True)
    address = Varchar(length=255, unique=True)
    fias_id = Varchar(length=36, null=True, default=None)
    floors = Integer(default=1)
    # The developer (застройщик) answers for defects under its warranty (ФЗ-214 ст. 7): its name and the e-mail its
    # claims go to, and the day the house was commissioned (разрешение на ввод в эксплуатацию), which the warranty
    # terms run from (``tickets.rules.warranty_state``).
    developer_name = Varchar(length=200, default="")
    developer_email = Varchar(length=255, default="")
    commissioned_on = Date(null=True, default=None)
    # Address and complex name, lower-cased, for the staff search (rules.house_search_text).
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Entrance(Table):
    """Подъезд of a house (unique number within the house)."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    number = Integer()
    floors = Integer(default=1)
    version = Integer(default=0)  # raised by each change, for the edit form's check (core.stale)


class Riser(Table):
    """Стояк: a vertical pipe of water, heating or sewerage, so that an outage on it reaches exactly its flats."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    code = Varchar(length=32)
    kind = Varchar(length=16, choices=RiserKind)
    entrance = ForeignKey(Entrance, on_delete=OnDelete.restrict, null=True, default=None)


class Premise(Table):
    """Помещение: a flat, non-residential premise, parking space or storage room."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    entrance = ForeignKey(Entrance, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    kind = Varchar(length=16, default=PremiseKind.FLAT, choices=PremiseKind)
    number = Varchar(length=16)
    floor = Integer(null=True, default=None)
    area = Numeric(digits=(10, 2))
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PremiseRiser(Table):
    """Which risers a premise hangs on."""

    id = Serial(primary_key=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.cascade, null=False, index=True)
    riser = ForeignKey(Riser, on_delete=OnDelete.cascade, null=False, index=True)


class Owner(Table):
    """Собственник: a person or an organisation owning shares of premises."""

    id = Serial(primary_key=True)
    kind = Varchar(length=16, default=OwnerKind.PERSON, choices=OwnerKind)
    name = Varchar(length=255, index=True)
    inn = Varchar(length=12, null=True, default=None)
    phone = Varchar(length=32, default="")
    email = Varchar(length=255, default="")
    # Name, INN, phone and e-mail, lower-cased, for the staff search (rules.owner_search_text).
    search_text = Text(default="")
    # The staff user who entered the owner through the owners form (their user id: housing sits below the users'
    # domain, as the audit's actor_id does); None for owners imported or entered before it was recorded. While the
    # owner holds no share, they are that user's and their colleagues' (OwnerHouse), not every staff member's.
    entered_by = Integer(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class OwnerHouse(Table):
    """A house an owner was entered for: one of the houses of the staff member who entered them, as they were then.
    While the owner holds no share anywhere, staff of these houses may find and attach them, and no one else
    (admins aside): their phone, e-mail and INN are not every house's to read."""

    id = Serial(primary_key=True)
    owner = ForeignKey(Owner, on_delete=OnDelete.cascade, null=False, index=True)
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=False, index=True)


class Ownership(Table):
    """Право собственности: an owner's share of a premise (numerator/denominator), with its document."""

    id = Serial(primary_key=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.restrict, null=False, index=True)
    owner = ForeignKey(Owner, on_delete=OnDelete.restrict, null=False, index=True)
    share_numerator = Integer(default=1)
    share_denominator = Integer(default=1)
    joint = Boolean(default=False)  # общая совместная собственность
    document = Varchar(length=255, default="")
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    version = Integer(default=0)  # raised by each change, for the edit form's check (core.stale)


class PersonalAccount(Table):
    """Лицевой счёт: the account a premise is billed on."""

    id = Serial(primary_key=True)
    number = Varchar(length=20, unique=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.restrict, null=False, index=True)
    payer_name = Varchar(length=255, default="")
    opened_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    # Number, payer, address and premise number, lower-cased, for the staff search (rules.account_search_text).
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES = (Complex, House, Entrance, Riser, Premise, PremiseRiser, Owner, OwnerHouse, Ownership, PersonalAccount)
