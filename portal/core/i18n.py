"""Locale negotiation and gettext for code and templates; money, numbers and dates through Babel.

Message ids are English; Russian is the default locale. Each domain keeps its own catalog
(``locale/<lang>/LC_MESSAGES/<domain>.po``) so that domains never edit one file; at run time the catalogs
of a locale are merged into one.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from http.cookies import SimpleCookie
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel import negotiate_locale
from babel.dates import format_date as _format_date
from babel.dates import parse_pattern as parse_date_pattern
from babel.numbers import parse_pattern
from babel.support import NullTranslations
from babel.support import Translations
from litestar.types import ASGIApp
from litestar.types import Receive
from litestar.types import Scope
from litestar.types import Send
from markupsafe import Markup
from markupsafe import escape

from portal.settings import ROOT
from portal.settings import get_settings

LOCALES: tuple[str, ...] = ("ru", "en")
DEFAULT_LOCALE = "ru"
_RUSSIAN_LETTER = re.compile("[А-Яа-яЁё]")
_LATIN_LETTER = re.compile("[A-Za-z]")
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
LOCALE_DIR = ROOT / "locale"
COOKIE = "lang"

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


def get_locale() -> str:
    return _locale.get()


def set_locale(locale: str) -> None:
    _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """All domain catalogs of ``locale`` merged into one (the fallback of every domain)."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    merged: NullTranslations = NullTranslations()
    for mo in sorted(folder.glob("*.mo")) if folder.exists() else []:
        with mo.open("rb") as fp:
            part = Translations(fp=fp, domain=mo.stem)
        if isinstance(merged, Translations):
            merged.merge(part)
        else:
            merged = part
    return merged


@lru_cache(maxsize=64)
def domain_translations(locale: str, domain: str) -> NullTranslations:
    """The catalog of one domain, falling back to all the others.

    The same English word may read differently in two domains («Status» is «Статус» of a payment and
    «Состояние» of a house), so a message is looked up in the catalog of the domain that shows it first.
    """
    merged = translations(locale)
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.mo"
    if not path.exists():
        return merged
    with path.open("rb") as fp:
        own = Translations(fp=fp, domain=domain)
    own.add_fallback(merged)
    return own


def domain_of_module(module: str) -> str:
    """``portal.tickets.routes`` → ``tickets``; anything outside a domain → ``core``."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "portal" and parts[1] not in ("core", "app", "cli", "demo", "settings"):
        return parts[1]
    return "core"


def domain_of_template(name: str | None) -> str:
    """``tickets/detail.html`` → ``tickets``; top-level templates and components → ``core``."""
    if name and "/" in name:
        first = name.split("/", 1)[0]
        if first not in ("components",):
            return first
    return "core"


def _caller_domain(depth: int = 2) -> str:
    return domain_of_module(sys._getframe(depth).f_globals.get("__name__", ""))


def translate(domain: str, message: str) -> str:
    return domain_translations(get_locale(), domain).ugettext(message)


def translate_plural(domain: str, singular: str, plural: str, n: int) -> str:
    return domain_translations(get_locale(), domain).ungettext(singular, plural, n)


def translate_context(domain: str, context: str, message: str) -> str:
    return domain_translations(get_locale(), domain).upgettext(context, message)


# The words a number counts in a Russian sentence: a term (days, working days, the day of a month, hours, minutes,
# months, years) or a length (characters, digits, letters). A number is kept on one line with them.
UNIT_WORDS = (
    r"(?:рабоч|дн[яеи]|дней|день|числ|час|мин|сут|секунд|месяц|недел|лет|год|символ|цифр|знак|букв|полн|календарн"
    r"|файл|фотограф|мб|кб|гб|м²|м³|°)"
)
# The same in an English sentence: "3 days", "10 working days", "2 photos", "up to 10 MB".
UNIT_WORDS_EN = (
    r"(?:(?:days?|working|calendar|full|hours?|minutes?|seconds?|weeks?|months?|years?|photos?|files?|characters?"
    r"|digits?|letters?|mb|kb|gb)\b|m²|m³|°)"
)
# A placeholder and the space after it, before such a word: «за %(num)s рабочих дня», «до %(day)s числа», "within
# %(num)s days".
_PLACEHOLDER_THEN_UNIT = re.compile(r"(%\((\w+)\)[sd]) (?=" + UNIT_WORDS + "|" + UNIT_WORDS_EN + ")", re.IGNORECASE)


def fill(text: str, variables: Mapping[str, object]) -> str:
    """A translated sentence with its ``%(name)s`` filled in, a number given to it kept on one line with the unit
    after it («за 3 рабочих дня», «до 15 числа», «в течение 30 дней» never break after the number on a phone: the
    space after a whole number's placeholder becomes a no-break space). A number written in a sentence itself
    carries its no-break space in the catalog (``UNIT_WORDS``, ``UNIT_WORDS_EN``, tests/core/test_units_kept.py)."""
    if not variables:
        return text

    def join(match: re.Match[str]) -> str:
        value = variables.get(match.group(2))
        number = isinstance(value, int | Decimal) and not isinstance(value, bool)
        return match.group(1) + ("\u00a0" if number else " ")

    return _PLACEHOLDER_THEN_UNIT.sub(join, text) % variables


def gettext(message: str, **variables: object) -> str:
    return fill(translate(_caller_domain(), message), variables)


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    return fill(translate_plural(_caller_domain(), singular, plural, n), {"num": n, **variables})


def pgettext(context: str, message: str, **variables: object) -> str:
    return fill(translate_context(_caller_domain(), context, message), variables)


_ = gettext


@dataclass(frozen=True)
class LazyText:
    """A message translated when it is shown (called), in its domain's catalog."""

    domain: str
    message: str

    def __call__(self) -> str:
        return translate(self.domain, self.message)

    def format(self, variables: Mapping[str, object]) -> str:
        """The translation with ``%(name)s`` filled from ``variables`` (keys it does not name are ignored)."""
        text = self()
        return text % variables if "%" in text else text


def _own(record: Any, name: str, locale: str) -> tuple[str, bool]:
    """A record's own text in ``locale`` and whether it is the Russian text standing in for a missing one."""

    def read(key: str) -> Any:
        return record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)

    if locale != DEFAULT_LOCALE:
        translated = read(f"{name}_{locale}")
        if isinstance(translated, str) and translated.strip():
            return translated, False
    value = read(name)
    text = "" if value is None else str(value)
    return text, locale != DEFAULT_LOCALE and bool(text)


def own_words(record: Any, name: str, locale: str | None = None) -> str:
    """A record's own text (a service's title that staff wrote) in the reader's language: its ``<name>_<locale>``
    (``title_en``) where the reader's language is not Russian and staff filled it, else ``<name>`` — the Russian
    text every record has. ``record`` is a row's dataclass or a dict (a message's context)."""
    return _own(record, name, locale or get_locale())[0]


def own_markup(record: Any, name: str, locale: str | None = None) -> Markup:
    """``own_words`` as HTML for a page's text (never an attribute's value): escaped, and where the Russian text
    stands in for a missing English one, marked ``<span lang="ru">`` so that a screen reader reads it with a
    Russian voice."""
    text, stand_in = _own(record, name, locale or get_locale())
    if stand_in:
        return Markup('<span lang="%s">%s</span>') % (DEFAULT_LOCALE, text)
    return escape(text)


def russian_markup(text: str, part: str | None = None) -> Markup:
    """Words that stay Russian whatever the page's language (a house's address, a meter's number «ХВ000001») as
    HTML for a page's text (never an attribute's value): escaped, and on a page in another language marked
    ``<span lang="ru">`` where they hold Russian letters, for a screen reader's voice and for hyphenation. With
    ``part``, only that part of ``text`` is marked: ``{{ _("No. %(serial)s", serial=s) | russian(s) }}``."""
    if part is not None:
        at = text.find(part) if part else -1
        if at < 0:
            return escape(text)
        return escape(text[:at]) + russian_markup(part) + escape(text[at + len(part) :])
    if get_locale() != DEFAULT_LOCALE and _RUSSIAN_LETTER.search(text):
        return Markup('<span lang="%s">%s</span>') % (DEFAULT_LOCALE, text)
    return escape(text)


def own_lang(record: Any, name: str, locale: str | None = None) -> str:
    """``"ru"`` where ``own_words`` gives the Russian text standing in for a missing one, else ``""``: the ``lang``
    of an element that cannot hold a ``<span>`` (a select's ``<option>``)."""
    return DEFAULT_LOCALE if _own(record, name, locale or get_locale())[1] else ""


def russian_lang(text: str | None) -> str:
    """``"ru"`` where ``text`` is Russian words on a page not in Russian (Russian letters and no Latin ones), else
    ``""``: the ``lang`` of an element whose whole text, or an attribute's value (a name in ``title``, a select's
    option), is Russian data and cannot hold a ``<span>``. A text mixing the page's English words in («ул. Киевская,
    д. 189, flat 1») is not marked: a Russian voice would garble the English part instead."""
    words = str(text or "")
    if get_locale() != DEFAULT_LOCALE and _RUSSIAN_LETTER.search(words) and not _LATIN_LETTER.search(words):
        return DEFAULT_LOCALE
    return ""


@contextlib.contextmanager
def in_locale(locale: str | None) -> Iterator[None]:
    """Words in ``locale`` (Russian where None) whatever the language of the request: a message in its recipient's,
    a receipt or a protocol in the documents' own; the request's language again after."""
    previous = get_locale()
    set_locale(locale or DEFAULT_LOCALE)
    try:
        yield
    finally:
        set_locale(previous)


def in_russian_and_english(make: Callable[[], str]) -> tuple[str, str]:
    """Words the portal says once and keeps for readers of either language — ``make()`` in Russian (the
    dispatchers' and documents' language), then in English: a request's text is read by Russian dispatchers and by
    a resident who may read English, each reading theirs."""
    with in_locale(DEFAULT_LOCALE):
        russian = make()
    with in_locale("en"):
        english = make()
    return russian, english


def lazy(message: str) -> LazyText:
    """A message translated when it is shown, not at import (for module-level labels)."""
    return LazyText(_caller_domain(), message)


def pick_locale(cookie: str | None, accept_language: str | None) -> str:
    """The locale of a request: the remembered choice first, then the browser's languages, then Russian."""
    if cookie in LOCALES:
        return cookie
    if accept_language:
        preferred = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
        found = negotiate_locale(preferred, list(LOCALES), sep="_")
        if found:
            return found
        for item in preferred:
            base = item.split("_")[0].lower()
            if base in LOCALES:
                return base
    return DEFAULT_LOCALE


def speak(state: dict[str, Any], locale: str | None) -> None:
    """The request speaks ``locale`` from here on, whatever this browser's cookie or languages say: a signed-in
    person's saved language (a resident who chose English on their phone reads English on the office computer too,
    as their e-mails do; set where the caller is loaded, once per request, from the session: no query), or a
    one-time link's (``link_language``). ``state`` is the request's scope state, whose ``locale`` the error pages
    read."""
    if locale in LOCALES and locale != state.get("locale"):
        set_locale(locale)
        state["locale"] = locale


def link_language(link: str, cookie: str | None, signed_in: bool) -> str | None:
    """The language of a page opened by a one-time link that keeps one (its letter's: an invitation's, chosen by
    whoever sent it; a password reset's or a new login's, the person's saved language; a registration's, that of the
    page that asked): an English reader on a Russian browser reads the page in English, as the letter, not in the
    browser's language. Only for a visitor not signed in (a signed-in one reads their saved language) who has not
    chosen one on this device (the ``lang`` cookie: the switch on the page still works). None: the request's stands."""
    if link in LOCALES and not signed_in and cookie not in LOCALES:
        return link
    return None


class LocaleMiddleware:
    """Sets the locale of each request from the ``lang`` cookie or ``Accept-Language``; a signed-in caller's saved
    language then takes its place (``speak``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            cookie_value = None
            if "cookie" in headers:
                jar = SimpleCookie()
                try:
                    jar.load(headers["cookie"])
                except Exception:  # a malformed cookie header must not break the page
                    jar = SimpleCookie()
                if COOKIE in jar:
                    cookie_value = jar[COOKIE].value
            locale = pick_locale(cookie_value, headers.get("accept-language"))
            token = _locale.set(locale)
            scope.setdefault("state", {})["locale"] = locale
            try:
                await self.app(scope, receive, send)
            finally:
                _locale.reset(token)
            return
        await self.app(scope, receive, send)


@lru_cache(maxsize=64)
def _number_pattern(pattern: str, locale: str) -> tuple[Any, Locale]:
    return parse_pattern(pattern), Locale.parse(locale)


# The patterns the portal writes most (sums, counts, fixed decimals): grouped thousands and a fixed number of decimals.
_FIXED = re.compile(r"#,##0(?:\.(0+))?")


@lru_cache(maxsize=64)
def _fixed_writer(pattern: str, locale: str) -> tuple[str, dict[int, str]] | None:
    """For a pattern of ``_FIXED``: Python's own format for it and the locale's separators in place of its ``,``
    and ``.``; None for any other pattern (Babel writes it)."""
    matched = _FIXED.fullmatch(pattern)
    if matched is None:
        return None
    symbols = Locale.parse(locale).number_symbols
    symbols = symbols.get("latn", symbols)  # Babel ≥ 2.14 keys the symbols by numbering system
    return f",.{len(matched.group(1) or '')}f", str.maketrans({",": symbols["group"], ".": symbols["decimal"]})


def _format_decimal(value: Decimal | int | float, pattern: str, locale: str) -> str:
    """Babel's ``format_decimal`` with the pattern and the locale parsed once (a page formats a hundred sums;
    parsing them every time was half of a page's rendering). A sum or a count that is not negative, with grouped
    thousands and fixed decimals, is written by Python's own format (3 times faster than Babel warm, the same text:
    both round half to even; a receipt writes some fifty sums): Babel writes the rest (floats, negatives, optional
    decimals)."""
    writer = _fixed_writer(pattern, locale) if isinstance(value, Decimal | int) and value >= 0 else None
    if writer is not None and (not isinstance(value, Decimal) or value.is_finite()):
        spec, separators = writer
        return format(value, spec).translate(separators)
    number_pattern, parsed = _number_pattern(pattern, locale)
    return number_pattern.apply(value, parsed)


def format_money(amount: Decimal | int | None, locale: str | None = None, *, whole: bool = False) -> str:
    """«1 234,56 ₽» in Russian, "₽1,234.56" in English (with non-breaking spaces); ``whole``: whole rubles without
    «,00» (a price as people read it: «7 450 000 ₽», "₽7,450,000"), kopecks only where there are any."""
    value = Decimal(amount or 0).quantize(Decimal("0.01"))
    locale = locale or get_locale()
    pattern = "#,##0" if whole and value == value.to_integral_value() else "#,##0.00"
    number = _format_decimal(abs(value), pattern, locale)
    sign = "−" if value < 0 else ""
    if locale == "ru":
        return f"{sign}{number}\u00a0₽"
    return f"{sign}₽{number}"


# A space after a digit and before anything but another digit: where a number meets its unit («2 ч», «12,345 м³»).
_NUMBER_THEN_UNIT = re.compile(r"(?<=\d) (?=\D)")


def keep_units(text: str) -> str:
    """Each number kept on one line with the unit after it: «Осталось 2 ч 15 мин» breaks between «2 ч» and
    «15 мин» on a narrow screen, never between «2» and «ч» (the space after a digit becomes a no-break space).
    ``format_money``, ``format_percent`` and ``format_phone`` write theirs so already; this is for the phrases of
    quantities (durations, terms, volumes) a page puts together from ``ngettext`` and ``format_number``."""
    return _NUMBER_THEN_UNIT.sub("\u00a0", text)


def format_quantity(value: Decimal | int | float, unit: str, digits: int = 3, locale: str | None = None) -> str:
    """A volume and its unit, never parted by a line break: «12,345 м³», «150 кВт·ч» (up to ``digits`` decimals, as
    ``format_number``)."""
    number = format_number(value, digits, locale)
    return f"{number}\u00a0{unit}" if unit else number


def format_area(value: Decimal | int | float, *, fixed: bool = True) -> str:
    """A floor area with its unit, never parted by a line break: «37,80 м²», "37.80 m²" (to the hundredth, as a
    premise's area is measured and the receipt, the ballot and the registry write it); ``fixed=False`` writes only
    the decimals it has («146 м²» on a listing's card). Every area the portal shows is written here."""
    return keep_units(gettext("%(area)s m²", area=format_number(value, 2, fixed=fixed)))


def format_number(
    value: Decimal | int | float, digits: int = 2, locale: str | None = None, *, fixed: bool = False
) -> str:
    """Up to ``digits`` decimals (exactly ``digits`` when ``fixed``, e.g. a meter's 127,640). A negative number is
    written with the minus sign U+2212 («−2»), as ``format_money`` writes a sum: CLDR's minus for Russian and English
    is the hyphen-minus, which reads as a dash and may break from its digits. Only pages and documents read this;
    the CSV and XLSX writers (``core.exports``) write numbers themselves, with the machine-readable «-»."""
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * digits if digits else "")
    text = _format_decimal(value, pattern, locale or get_locale())
    if text.startswith("-"):  # rounded to nothing (-0.001 → «0») a number has no sign
        text = ("\u2212" + text[1:]) if any(c in "123456789" for c in text) else text[1:]
    return text


@lru_cache(maxsize=8)
def _percent_sign(locale: str) -> tuple[str, str]:
    """What the locale writes before and after a percentage (CLDR's percent pattern): «38,89 %» with a no-break
    space in Russian, "38.89%" in English."""
    pattern = parse_pattern(Locale.parse(locale).percent_formats[None].pattern)
    return pattern.prefix[0], pattern.suffix[0]


def format_percent(
    value: Decimal | int | float, digits: int = 2, locale: str | None = None, *, fixed: bool = True
) -> str:
    """A percentage already in percent (38.89, not 0.3889) as the locale writes it: «38,89 %», "38.89%". Exactly
    ``digits`` decimals unless ``fixed`` is off (a percentage is rounded for display to 2 places, and the same
    quantity reads the same everywhere: «0,00 %», not «0 %» in one place and «0,00» in another)."""
    locale = locale or get_locale()
    prefix, suffix = _percent_sign(locale)
    return f"{prefix}{format_number(value, digits, locale, fixed=fixed)}{suffix}"


def format_typed(value: object, locale: str | None = None) -> object:
    """A number written into a form's field as a reader of ``locale`` types it: the language's decimal sign and no
    group separators («15000,00», "15000.00"), its decimals as stored; read back by ``parse_decimal`` either way.
    Anything else (text as typed, whole numbers) is given back unchanged."""
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", Locale.parse(locale or get_locale()).number_symbols["latn"]["decimal"])
    return value


YEAR_OF_DAYS = 365


def format_term(*, days: int = 0, years: int = 0) -> str:
    """A term as a person reads it, in the unit they think in: a term in years, or in days that make whole years of
    365 (1095), in years («3 года», "3 years"); any other count of days in days («30 дней», «731 день»), each with
    the language's plural form, the number kept on the line of its unit."""
    if days and not days % YEAR_OF_DAYS:
        years, days = days // YEAR_OF_DAYS, 0
    if days or not years:
        return keep_units(ngettext("%(num)d day", "%(num)d days", days))
    return keep_units(ngettext("%(num)d year", "%(num)d years", years))


def format_day(
    value: date | datetime | None, style: str = "long", locale: str | None = None, tz: str | None = None
) -> str:
    """«15 декабря 2026» (long), «15.12.2026» (short), «15 декабря» (day_month, never parted on a line). An aware
    moment is dated by the day it fell on in the company's zone (``tz``, else the setting ``TIME_ZONE``): a payment
    at 00:43 on 6 December in Simferopol is «6 декабря», not the 5th of its UTC clock."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_zone(tz or get_settings().time_zone))
        value = value.date()
    fmt = {"long": "d MMMM y", "short": "dd.MM.y", "month": "LLLL y", "day_month": DAY_MONTH}.get(style, style)
    return _day_text(value, fmt, locale or get_locale())


@lru_cache(maxsize=4096)
def _day_text(value: date, fmt: str, locale: str) -> str:
    """A day as the language writes it, kept: the same days recur on every page (months, due dates, a history's
    entries), and Babel's pattern takes ~10 µs a day (an account page writes some ninety)."""
    if fmt in ("full", "medium"):
        return _format_date(value, format=fmt, locale=locale)
    date_pattern, parsed = _date_pattern(fmt, locale)
    text = date_pattern.apply(value, parsed)
    return text.replace(" ", "\u00a0") if fmt == DAY_MONTH else text


# A day and its month without the year («7 декабря», "7 December"), as the resident's home says a due date: held
# together by a no-break space, as «до 7 / декабря» broke at 320–360 px.
DAY_MONTH = "d MMMM"


def format_moment(value: datetime | None, tz: str, locale: str | None = None, *, held: bool = False) -> str:
    """A point in time in the company's zone: «15 декабря 2026, 14:05»; ``held``: its day and month never parted on
    a line (the emergency strip's «до 7 / декабря» at 320–360 px)."""
    if value is None:
        return ""
    local = value.astimezone(_zone(tz))
    date_pattern, parsed = _date_pattern("d MMMM y, HH:mm", locale or get_locale())
    text = date_pattern.apply(local, parsed)
    return text.replace(" ", "\u00a0", 1) if held else text


def format_clock(value: datetime | None, tz: str) -> str:
    """The time of day of a point in time in the company's zone: «14:05» (the second half of ``format_moment``)."""
    if value is None:
        return ""
    return value.astimezone(_zone(tz)).strftime("%H:%M")


@lru_cache(maxsize=64)
def _date_pattern(pattern: str, locale: str) -> tuple[Any, Locale]:
    """Babel's date pattern and locale parsed once (``format_date``/``format_datetime`` parse both every call)."""
    return parse_date_pattern(pattern), Locale.parse(locale)


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale) or Locale.parse(locale).display_name or locale


def format_phone(value: str | None, *, in_field: bool = False) -> str:
    """A phone for people: «+79780000001» → «+7 978 000-00-01», that never breaks across lines (no-break spaces
    and hyphens), or with plain ones ``in_field`` (a form's value, read back as typed); a phone kept in another
    form is shown as it is."""
    text = value or ""
    if re.fullmatch(r"\+7\d{10}", text):
        d = text[2:]
        text = f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"
    return text if in_field else text.replace(" ", "\u00a0").replace("-", "\u2011")


def tel_href(phone: str | None) -> str:
    """A ``tel:`` link of a phone as written («8 800 555-41-51» → ``tel:88005554151``)."""
    return "tel:" + re.sub(r"[^0-9+]", "", phone or "")
