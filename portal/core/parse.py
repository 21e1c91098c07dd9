"""One parser per kind of value a person or a URL hands us: ids, whole numbers, dates, months, money, decimals.

Each returns the value or ``None`` (never raises), accepts only what the database and the rules can hold
(ids within 64 bits, years 1900–2200, amounts of at most 12 digits before the comma), and reads only ASCII
digits — ``str.isdigit()`` also accepts «²» and other digits ``int()`` refuses or the database overflows on.
Handlers and forms turn ``None`` into a 404 or a message next to the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation

MAX_ID = 2**31 - 1  # the largest id a table holds: every id is a 32-bit serial (an INTEGER on PostgreSQL)
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_WHOLE_DIGITS = 12  # 999 999 999 999,99 ₽ — far beyond any charge, within a BIGINT of kopecks

_DIGITS = re.compile(r"[0-9]{1,19}")
_INT = re.compile(r"-?[0-9]{1,18}")
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_RU_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# What may stand between the groups of thousands: a space, a no-break space, a thin (no-break) space.
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")
# The ruble as people write it with a sum: «₽» on either side, «руб», «руб.», «р.» after it.
_RUBLES = re.compile(r"^₽|(?:₽|(?:руб|р)\.?)$", re.IGNORECASE)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value).strip()


def parse_id(value: object) -> int | None:
    """A record id: ASCII digits, 1 … 2⁶³−1."""
    text = _text(value)
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The valid ids among ``values`` (a multi-value filter), in order, without repeats."""
    seen: dict[int, None] = {}
    for value in values:
        number = parse_id(value)
        if number is not None:
            seen.setdefault(number, None)
    return list(seen)


def parse_int(value: object, *, low: int, high: int) -> int | None:
    """A whole number within ``low`` … ``high`` (a floor, a page, a count)."""
    text = _text(value)
    if not _INT.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def _day(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object) -> date | None:
    """A calendar date as ``2026-12-01`` (what ``<input type=date>`` sends) or ``01.12.2026``."""
    text = _text(value)
    if match := _ISO_DAY.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _RU_DAY.fullmatch(text):
        return _day(int(match[3]), int(match[2]), int(match[1]))
    return None


def parse_moment(value: object) -> datetime | None:
    """A local date and time as ``<input type=datetime-local>`` sends it (``2026-12-01T14:30``), naive."""
    text = _text(value)
    if len(text) < 16 or not _ISO_DAY.fullmatch(text[:10]) or parse_date(text[:10]) is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=None)


def parse_month(value: object) -> date | None:
    """A billing period as ``2026-11`` (also a whole date of that month): the first day of the month."""
    text = _text(value)
    if match := _MONTH.fullmatch(text[:7]):
        if len(text) > 7 and parse_date(text) is None:
            return None
        return _day(int(match[1]), int(match[2]), 1)
    return None


def _grouped(whole: str, mark: str) -> bool:
    """``whole`` is a number in groups of three digits split by ``mark`` («1,005,000», «1.005»)."""
    return re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:{re.escape(mark)}[0-9]{{3}})+", whole) is not None


def _plain(value: object) -> str | None:
    """A number as people write it, with a point as its decimal mark and no groups: a single comma or point is the
    decimal mark («1,5», «1.5»); with both, the last one is («1,005.50», «1.005,50») and the other groups thousands;
    one of them repeated groups thousands («1,005,000»); spaces may group them too («1 005,50»). None when the
    marks read neither way («1,5,0», «1.005,000.5»)."""
    text = _text(value).translate(_SPACES)
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    commas, points = body.count(","), body.count(".")
    if commas and points:
        mark, group = (",", ".") if body.rfind(",") > body.rfind(".") else (".", ",")
        whole, _, fraction = body.rpartition(mark)
        return f"{sign}{whole.replace(group, '')}.{fraction}" if _grouped(whole, group) else None
    if commas > 1 or points > 1:
        group = "," if commas else "."
        return sign + body.replace(group, "") if _grouped(body, group) else None
    return sign + body.replace(",", ".")


def parse_decimal(value: object, *, places: int, whole_digits: int = MAX_WHOLE_DIGITS) -> Decimal | None:
    """A number as people type it («1 234,5», "1234.50", "1,234.50", «1.234,50»: ``_plain``), with at most ``places``
    decimals and ``whole_digits`` digits before the comma; no exponents, no infinities. In Russian the comma is the
    decimal mark, so a lone comma or point always is one: where the number takes fewer than three decimals (a sum,
    an area) «1,005» is refused, neither a thousand and five rubles nor one ruble — its three digits read either
    way, zeros too («35,000»). A meter reading's «307,214» keeps its decimals («307,2140» too)."""
    text = _plain(value)
    if text is None or not _NUMBER.fullmatch(text):
        return None
    whole, _, fraction = text.lstrip("-").partition(".")
    digits = len(fraction) if places < 3 else len(fraction.rstrip("0"))
    if len(whole.lstrip("0")) > whole_digits or digits > places:
        return None
    try:
        return Decimal(text).quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        return None


def parse_money(value: object) -> Decimal | None:
    """Rubles with at most two decimals («1 234,56», "1234.5 ₽», «1 500 руб.», «1500,50 р.», "1,234.50") as a
    Decimal with two places: the sign or the word for rubles is read where people put it, before or after the sum.
    «1,005», «1.005» and «0,001» are refused (``past_kopecks`` says what to write instead)."""
    return parse_decimal(_rubles_off(value), places=2)


def _rubles_off(value: object) -> str:
    return _RUBLES.sub("", _text(value)).strip()


def past_kopecks(value: object) -> str | None:
    """For a sum ``parse_money`` refuses only because more than two digits follow its decimal mark («1,005»,
    «12,345», «0,001»): its digits run together, the whole rubles it reads as if the mark grouped thousands
    («1005», «12345»), or «1005» where they do not look like that («0,001», «1,0050»). None for any other sum."""
    text = _plain(_rubles_off(value))
    if text is None or not _NUMBER.fullmatch(text) or len(text.partition(".")[2]) <= 2:
        return None
    typed = _rubles_off(value).translate(_SPACES).lstrip("-")
    return typed.replace(",", "").replace(".", "") if re.fullmatch(r"[1-9][0-9]{0,2}[,.][0-9]{3}", typed) else "1005"


def normalize_phone(value: str) -> str | None:
    """A Russian phone as +7XXXXXXXXXX: «8 (978) 000-00-01», «+7 978 0000001», «9780000001»; None if not a phone."""
    digits = re.sub(r"[^0-9]", "", value)
    if not re.fullmatch(r"[0-9\s()+\-.]+", value.strip() or "x"):
        return None
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] not in "3489":
        return None
    return "+7" + digits
