"""Rules of the housing registry as pure functions: kinds, areas, shares, account numbers, contacts.

Each parser returns a value or a ``Problem`` (an error code); ``message()`` turns a code into words at render
time, so the rules stay free of I/O and of the request's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Container
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from enum import StrEnum
from fractions import Fraction

from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.search import normalise
from portal.housing.tables import OwnerKind
from portal.housing.tables import PremiseKind
from portal.housing.tables import RiserKind


def account_open(closed_on: date | None, today: date) -> bool:
    """A personal account is open through its closing day (``closed_on``, the day before a new owner's); from the day
    after, it is closed: read-only to its residents, who still see its history and pay its debt."""
    return closed_on is None or closed_on >= today


def account_kept(role: str, closed_on: date | None, today: date) -> bool:
    """Whether a resident of an account keeps it: every resident while it is open; once closed, only its owners (the
    history and the debt are theirs, read-only with paying). Family members and tenants were there because they lived
    in the flat: from the day after its closing day the account is no more theirs than anyone else's."""
    return account_open(closed_on, today) or role == "owner"


class Problem(StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    AREA_FORMAT = "area_format"
    AREA_NOT_POSITIVE = "area_not_positive"
    AREA_DECIMALS = "area_decimals"
    AREA_TOO_LARGE = "area_too_large"
    SHARE_FORMAT = "share_format"
    SHARE_RANGE = "share_range"
    SHARES_EXCEED = "shares_exceed"
    ACCOUNT_DIGITS = "account_digits"
    ACCOUNT_TAKEN = "account_taken"
    INN_FORMAT = "inn_format"
    INN_OF_ORGANISATION = "inn_of_organisation"  # 10 digits given for a person
    PHONE_FORMAT = "phone_format"
    EMAIL_FORMAT = "email_format"
    FLOOR_RANGE = "floor_range"
    ENTRANCE_RANGE = "entrance_range"
    FLOORS_RANGE = "floors_range"
    PREMISE_NUMBER = "premise_number"
    UNKNOWN_CHOICE = "unknown_choice"
    RISER_CODE = "riser_code"
    DATE_FORMAT = "date_format"
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"


MESSAGES: dict[Problem, Callable[[], str]] = {
    Problem.REQUIRED: lazy("Fill in this field."),
    Problem.TOO_LONG: lazy("The text is too long."),
    Problem.NOT_A_NUMBER: lazy("Enter a whole number."),
    Problem.AREA_FORMAT: lazy("Enter the area in square metres as a number, e.g. 54.35."),
    Problem.AREA_NOT_POSITIVE: lazy("The area must be greater than zero."),
    Problem.AREA_DECIMALS: lazy("Give the area with at most two decimals, e.g. 54.35."),
    Problem.AREA_TOO_LARGE: lazy("The area is too large. Check the figure."),
    Problem.SHARE_FORMAT: lazy("Give the share as a fraction, e.g. 1/2, or 1 for the whole premise."),
    Problem.SHARE_RANGE: lazy("A share must be greater than zero and at most 1."),
    Problem.SHARES_EXCEED: lazy("The shares of this premise would add up to more than 1."),
    Problem.ACCOUNT_DIGITS: lazy("An account number has only digits (up to 20)."),
    Problem.ACCOUNT_TAKEN: lazy("This account number is already taken."),
    Problem.INN_FORMAT: lazy("An INN has 10 digits (organisation) or 12 digits (person)."),
    Problem.INN_OF_ORGANISATION: lazy(
        "A person's INN has 12 digits; 10 digits are an organisation's. Check the INN or choose “Organisation”."
    ),
    Problem.PHONE_FORMAT: lazy("Enter the phone as +7 978 123-45-67."),
    Problem.EMAIL_FORMAT: lazy("Enter an e-mail address such as name@example.ru."),
    Problem.FLOOR_RANGE: lazy("The floor must be between -5 and 200."),
    Problem.ENTRANCE_RANGE: lazy("The entrance number must be between 1 and 99."),
    Problem.FLOORS_RANGE: lazy("The number of floors must be between 1 and 200."),
    Problem.PREMISE_NUMBER: lazy("A premise number has up to 16 letters, digits, '-' or '/'."),
    Problem.UNKNOWN_CHOICE: lazy("Choose one of the offered values."),
    Problem.RISER_CODE: lazy("A riser code looks like ХВС-1, ГВС-2, ОТ-3 or К-1."),
    Problem.DATE_FORMAT: lazy("Enter the date as DD.MM.YYYY."),
    Problem.DUPLICATE: lazy("Such a record already exists."),
    Problem.NOT_FOUND: lazy("Nothing was found. Check the value."),
}


def message(problem: Problem) -> str:
    """The words for a problem, in the current language."""
    return MESSAGES[problem]()


# --- choices -------------------------------------------------------------------------------------------

PREMISE_KINDS = Labels(
    {
        PremiseKind.FLAT: lazy("Flat"),
        PremiseKind.NONRESIDENTIAL: lazy("Non-residential premise"),
        PremiseKind.PARKING: lazy("Parking space"),
        PremiseKind.STORAGE: lazy("Storage room"),
    }
)
OWNER_KINDS = Labels(
    {
        OwnerKind.PERSON: lazy("Person"),
        OwnerKind.ORGANISATION: lazy("Organisation"),
    }
)
RISER_KINDS = Labels(
    {
        RiserKind.COLD_WATER: lazy("Cold water"),
        RiserKind.HOT_WATER: lazy("Hot water"),
        RiserKind.HEATING: lazy("Heating"),
        RiserKind.SEWERAGE: lazy("Sewerage"),
    }
)
# Prefixes of riser codes as the company's engineers write them.
RISER_PREFIXES: dict[str, str] = {
    "ХВС": RiserKind.COLD_WATER,
    "ГВС": RiserKind.HOT_WATER,
    "ОТ": RiserKind.HEATING,
    "К": RiserKind.SEWERAGE,
}

# Words an import file may use for a kind (Russian or English, any case).
PREMISE_KIND_WORDS: dict[str, str] = {
    "flat": "flat",
    "квартира": "flat",
    "кв": "flat",
    "nonresidential": "nonresidential",
    "нежилое": "nonresidential",
    "нежилое помещение": "nonresidential",
    "parking": "parking",
    "машино-место": "parking",
    "машиноместо": "parking",
    "мм": "parking",
    "storage": "storage",
    "кладовая": "storage",
}
OWNER_KIND_WORDS: dict[str, str] = {
    "": "person",
    "person": "person",
    "физлицо": "person",
    "фл": "person",
    "organisation": "organisation",
    "organization": "organisation",
    "юрлицо": "organisation",
    "юл": "organisation",
    "организация": "organisation",
}


def kind_options() -> list[tuple[str, str]]:
    """Premise kinds as (code, words) for a select, in the order people expect them."""
    return [(k, label()) for k, label in PREMISE_KINDS.items()]


def owner_kind_options() -> list[tuple[str, str]]:
    return [(k, label()) for k, label in OWNER_KINDS.items()]


kind_label = PREMISE_KINDS.shown
owner_kind_label = OWNER_KINDS.shown
riser_kind_label = RISER_KINDS.shown


# --- parsers -------------------------------------------------------------------------------------------

MAX_AREA = Decimal("99999999.99")
PREMISE_NUMBER_RE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё/\-]{1,16}$")
RISER_CODE_RE = re.compile(r"^(ХВС|ГВС|ОТ|К)-[0-9A-Za-zА-Яа-я]{1,8}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def parse_text(value: str, *, required: bool = True, limit: int = 255) -> str | Problem:
    """A trimmed text with single spaces; ``REQUIRED`` when empty and needed, ``TOO_LONG`` past ``limit``."""
    text = " ".join((value or "").split())
    if not text and required:
        return Problem.REQUIRED
    if len(text) > limit:
        return Problem.TOO_LONG
    return text


MIN_FLOOR, MAX_FLOOR = -5, 200


def parse_int(value: str, low: int, high: int, problem: Problem, *, required: bool = True) -> int | Problem | None:
    text = (value or "").strip()
    if not text:
        return Problem.REQUIRED if required else None
    if not re.fullmatch(r"-?[0-9]{1,6}", text):
        return Problem.NOT_A_NUMBER
    number = int(text)
    return number if low <= number <= high else problem


def parse_floor(value: str, *, required: bool = False) -> int | Problem | None:
    return parse_int(value, MIN_FLOOR, MAX_FLOOR, Problem.FLOOR_RANGE, required=required)


def parse_entrance_number(value: str, *, required: bool = True) -> int | Problem | None:
    return parse_int(value, 1, 99, Problem.ENTRANCE_RANGE, required=required)


def parse_floors(value: str) -> int | Problem | None:
    return parse_int(value, 1, 200, Problem.FLOORS_RANGE)


def parse_area(value: str) -> Decimal | Problem:
    """Square metres, greater than zero, with at most two decimals; a comma is a decimal point too."""
    text = (value or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not text:
        return Problem.REQUIRED
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        return Problem.AREA_FORMAT
    whole, _dot, decimals = text.lstrip("-").partition(".")
    if len(whole.lstrip("0")) > 8:  # checked on the digits: a Decimal of 10**30 cannot even be rounded
        return Problem.AREA_NOT_POSITIVE if text.startswith("-") else Problem.AREA_TOO_LARGE
    if len(decimals.rstrip("0")) > 2:
        return Problem.AREA_DECIMALS
    try:
        area = Decimal(text)
    except InvalidOperation:
        return Problem.AREA_FORMAT
    if area <= 0:
        return Problem.AREA_NOT_POSITIVE
    if area != area.quantize(Decimal("0.01")):
        return Problem.AREA_DECIMALS
    if area > MAX_AREA:
        return Problem.AREA_TOO_LARGE
    return area.quantize(Decimal("0.01"))


def parse_share(value: str) -> Fraction | Problem:
    """A share as «1/2», «1» or «2/3»: greater than zero, at most one, denominators up to 1 000 000."""
    text = (value or "").strip().replace(" ", "")
    if not text:
        return Problem.REQUIRED
    match = re.fullmatch(r"(\d{1,7})(?:/(\d{1,7}))?", text)
    if not match:
        return Problem.SHARE_FORMAT
    numerator = int(match.group(1))
    denominator = int(match.group(2) or 1)
    if denominator == 0 or denominator > 1_000_000:
        return Problem.SHARE_FORMAT
    share = Fraction(numerator, denominator)
    if share <= 0 or share > 1:
        return Problem.SHARE_RANGE
    return share


def share_text(numerator: int, denominator: int) -> str:
    """«1/2», or «1» for the whole premise."""
    return "1" if numerator == denominator else f"{numerator}/{denominator}"


def total_share(shares: Iterable[tuple[Fraction, bool]]) -> Fraction:
    """The part of a premise the given ownerships cover.

    Shared (долевая) owners add up their shares. Joint (совместная) owners, e.g. spouses, hold one part
    together without shares of their own, so every joint row carries the part of the whole group and the
    group counts once (the largest such part).
    """
    shared = Fraction(0)
    joint = Fraction(0)
    for share, is_joint in shares:
        if is_joint:
            joint = max(joint, share)
        else:
            shared += share
    return shared + joint


def shares_fit(existing: Iterable[tuple[Fraction, bool]], new: tuple[Fraction, bool]) -> bool:
    """Whether adding ``new`` keeps the ownerships of one premise at most the whole (exact fractions)."""
    return total_share([*existing, new]) <= 1


def _digits(value: str, lengths: Container[int], problem: Problem, empty: Problem | None) -> str | Problem | None:
    """ASCII digits (spaces are ignored) of one of ``lengths``: ``empty`` when there are none, else ``problem``."""
    text = (value or "").strip().replace(" ", "")
    if not text:
        return empty
    if not text.isascii() or not text.isdigit() or len(text) not in lengths:
        return problem
    return text


def parse_account_number(value: str) -> str | Problem:
    """A personal account number: digits only, 1 to 20 of them (spaces are ignored)."""
    return _digits(value, range(1, 21), Problem.ACCOUNT_DIGITS, Problem.REQUIRED)


def parse_inn(value: str) -> str | Problem | None:
    """An INN: empty (None), 10 digits (an organisation) or 12 digits (a person)."""
    return _digits(value, (10, 12), Problem.INN_FORMAT, None)


def owner_inn_problem(kind: str, inn: str | None) -> Problem | None:
    """An owner's INN against the kind of owner: a person's has 12 digits, so 10 digits (an organisation's) given
    for a person are a mistake of the INN or of the kind. An organisation's 12 digits are let be: an individual
    entrepreneur may be recorded as one."""
    if kind == OwnerKind.PERSON and inn is not None and len(inn) == 10:
        return Problem.INN_OF_ORGANISATION
    return None


def parse_phone(value: str) -> str | Problem:
    """A Russian phone in the form +7XXXXXXXXXX (8… is read as +7…); empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = re.sub(r"[\s()\-]", "", text)
    if digits.startswith("8") and len(digits) == 11:
        digits = "+7" + digits[1:]
    if digits.startswith("7") and len(digits) == 11:
        digits = "+" + digits
    if not re.fullmatch(r"\+7\d{10}", digits):
        return Problem.PHONE_FORMAT
    return digits


def parse_email(value: str) -> str | Problem:
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) > 255 or not EMAIL_RE.match(text):
        return Problem.EMAIL_FORMAT
    return text.lower()


def parse_premise_number(value: str) -> str | Problem:
    text = (value or "").strip()
    if not text:
        return Problem.REQUIRED
    if not PREMISE_NUMBER_RE.match(text):
        return Problem.PREMISE_NUMBER
    return text


def parse_choice(value: str, words: dict[str, str]) -> str | Problem:
    """A kind from its code or a word for it (Russian or English, any case)."""
    key = " ".join((value or "").split()).lower().rstrip(".")
    return words.get(key, Problem.UNKNOWN_CHOICE)


def parse_riser_codes(value: str) -> list[str] | Problem:
    """«ХВС-1;ГВС-1;ОТ-1» → the codes in order without repeats (a comma separates too)."""
    codes: list[str] = []
    for part in re.split(r"[;,]", value or ""):
        code = part.strip().upper()
        if not code:
            continue
        if not RISER_CODE_RE.match(code):
            return Problem.RISER_CODE
        if code not in codes:
            codes.append(code)
    return codes


def riser_kind(code: str) -> str:
    """The kind of a riser from its code: ХВС-1 → cold_water."""
    return RISER_PREFIXES.get(code.split("-", 1)[0].upper(), "cold_water")


def premise_sort_key(kind: str, number: str) -> tuple[int, int, str]:
    """Premises in the order people expect: flats first, then by the number read as a number (2 before 10)."""
    order = list(PREMISE_KINDS).index(kind) if kind in PREMISE_KINDS else len(PREMISE_KINDS)
    match = re.match(r"\d+", number)
    return (order, int(match.group()) if match else 10**9, number)


# --- search texts ----------------------------------------------------------------------------------------
# Each searchable table keeps ``search_text``: the words its staff list is searched by, normalised. ONE function
# per table builds it, and every write (staff forms, registry import, demo seed, the migration's back-fill) goes
# through it; the index on it (pg_trgm / FTS5 trigram) is built by search_ddl in a migration.

_PREMISE_MARKS = {PremiseKind.FLAT: "кв.", PremiseKind.NONRESIDENTIAL: "пом."}


def house_search_text(address: str, complex_name: str) -> str:
    """What the houses list is searched by: the address and the complex's name."""
    return normalise(" | ".join(p for p in (address, complex_name) if p))


def account_search_text(number: str, payer_name: str, address: str, premise_kind: str, premise_number: str) -> str:
    """What the accounts list is searched by: number, payer, the house's address, the premise ("кв. 12")."""
    premise = f"{_PREMISE_MARKS.get(premise_kind, '')} {premise_number}".strip() if premise_number else ""
    return normalise(" | ".join(p for p in (number, payer_name, address, premise) if p))


def owner_search_text(name: str, inn: str | None, phone: str, email: str) -> str:
    """What the owners list is searched by: name, INN, phone (+7…, also as 8…, as people dial it) and e-mail."""
    digits = re.sub(r"\D", "", phone or "")
    dialled = "8" + digits[1:] if len(digits) == 11 and digits.startswith("7") else ""
    parts = (name, inn or "", phone, dialled, email)
    return normalise(" | ".join(p for p in parts if p))
