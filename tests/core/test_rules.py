"""Pure rules of the shared machinery: paging, locale choice, money and dates, access, redirects."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from portal.core.db import from_kopecks
from portal.core.db import to_kopecks
from portal.core.i18n import format_clock
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import format_percent
from portal.core.i18n import format_phone
from portal.core.i18n import link_language
from portal.core.i18n import pick_locale
from portal.core.i18n import tel_href
from portal.core.pagination import Page
from portal.core.pagination import page_request
from portal.core.pagination import with_params
from portal.core.security import Access
from portal.core.security import Principal
from portal.core.security import is_allowed
from portal.core.security import safe_next


@pytest.mark.parametrize(
    ("page", "size", "expected"),
    [
        (None, None, (1, 30)),
        ("3", "50", (3, 50)),
        ("0", "100000", (1, 100)),
        ("-5", "1", (1, 10)),
        ("abc", "x", (1, 30)),
    ],
    ids=["defaults", "as asked", "a page size of 100000 is clamped to 100", "too small", "garbage"],
)
def test_page_request_is_clamped(page, size, expected):
    request = page_request(page, size)
    assert (request.number, request.size) == expected


def test_page_window_shows_gaps_around_the_current_page():
    page = Page(items=[], total=200, number=6, size=10)
    assert page.pages == 20
    assert page.window() == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert (page.first_index, page.last_index) == (51, 60)


def test_with_params_keeps_filters_and_drops_empty_values():
    assert with_params({"status": "new", "q": "", "page": "3"}, page=None, size=50) == "?status=new&size=50"


def test_with_params_drops_the_empty_items_of_a_list_of_values():
    """A request's query read as lists (``status=new&status=&q=``, as a filter form sends it) gives links with the
    filters in force only, not the fields sent empty; so does a change to an empty value or list."""
    params = {"status": ["new", ""], "q": [""], "house": ["", "7"], "tab": "all"}
    assert with_params(params, page=2) == "?status=new&house=7&tab=all&page=2"
    assert with_params({"tab": "all", "status": ["new"]}, status=[""], q="") == "?tab=all"


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        ("en", "ru-RU", "en"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "de-DE,ru;q=0.5", "ru"),
        (None, "fr-FR", "ru"),
        ("xx", None, "ru"),
    ],
    ids=[
        "the remembered choice wins",
        "browser English",
        "second choice",
        "unknown falls back",
        "bad cookie",
    ],
)
def test_pick_locale(cookie, header, expected):
    assert pick_locale(cookie, header) == expected


@pytest.mark.parametrize(
    ("link", "cookie", "signed_in", "spoken"),
    [
        ("en", None, False, "en"),  # an English invitation on a Russian browser: English
        ("ru", "bad", False, "ru"),  # a cookie the portal does not speak is no choice
        ("en", "ru", False, None),  # chosen on this device (the switch): the choice stands
        ("en", None, True, None),  # signed in: their saved language
        ("", None, False, None),  # a link that keeps none (a reset, an older invitation): the browser's
        ("de", None, False, None),
    ],
)
def test_a_one_time_links_language_is_spoken_to_a_visitor_who_chose_none(link, cookie, signed_in, spoken):
    assert link_language(link, cookie, signed_in) == spoken


def test_money_is_formatted_per_locale_with_non_breaking_spaces():
    assert format_money(Decimal("1234.5"), "ru") == "1\u00a0234,50\u00a0₽"
    assert format_money(Decimal("1234.5"), "en") == "₽1,234.50"


@pytest.mark.parametrize(
    ("value", "digits", "locale", "shown"),
    [
        (-2, 0, "ru", "\u22122"),
        (-2, 0, "en", "\u22122"),
        (Decimal("-1234.5"), 2, "ru", "\u22121\u00a0234,5"),
        (Decimal("-1234.5"), 2, "en", "\u22121,234.5"),
        (Decimal("-0.001"), 2, "ru", "0"),  # rounded to nothing: no sign
        (Decimal("12.5"), 2, "ru", "12,5"),
    ],
)
def test_a_negative_number_on_screen_has_the_minus_sign_not_a_hyphen(value, digits, locale, shown):
    assert format_number(value, digits, locale) == shown


@pytest.mark.parametrize(
    ("value", "digits", "locale", "shown"),
    [
        (Decimal("38.89"), 2, "ru", "38,89\u00a0%"),
        (Decimal("38.89"), 2, "en", "38.89%"),
        (0, 2, "ru", "0,00\u00a0%"),  # the same two places as any other share
        (0, 2, "en", "0.00%"),
        (Decimal("1234.5"), 1, "en", "1,234.5%"),
        (10, 0, "en", "10%"),
    ],
)
def test_a_percentage_is_written_as_the_language_writes_it(value, digits, locale, shown):
    assert format_percent(value, digits, locale) == shown


def test_a_phone_is_written_in_groups_that_never_break_across_lines():
    assert format_phone("+79780000001") == "+7\u00a0978\u00a0000\u201100\u201101"
    assert format_phone("") == ""
    assert format_phone(None) == ""
    assert format_phone("112") == "112"  # kept in another form: shown as it is
    assert tel_href("8 800 555-41-51") == "tel:88005554151" and tel_href("+79780000001") == "tel:+79780000001"


def test_dates_read_as_people_say_them():
    assert format_day(date(2026, 12, 15), locale="ru") == "15 декабря 2026"
    assert format_day(date(2026, 12, 15), locale="en") == "15 December 2026"


def test_a_moment_is_dated_by_the_company_day_it_happened_on():
    # A payment at 00:43 on 6 December in Simferopol is 21:43 on 5 December in UTC: the resident paid on the 6th.
    paid = datetime(2026, 12, 5, 21, 43, tzinfo=UTC)
    assert format_day(paid, locale="ru", tz="Europe/Simferopol") == "6 декабря 2026"
    assert format_day(paid, "short", locale="ru", tz="Europe/Simferopol") == "06.12.2026"
    assert format_day(paid, locale="ru", tz="UTC") == "5 декабря 2026"
    assert format_day(paid, locale="ru") == "6 декабря 2026"  # the company's zone (TIME_ZONE) unless given
    # Its time of day too: the list that shows a day over its time says «06.12.2026, 00:43», not 21:43.
    assert format_clock(paid, "Europe/Simferopol") == "00:43"


def test_kopecks_round_trip_and_round_half_up_once():
    assert to_kopecks(Decimal("5123.45")) == 512345
    assert to_kopecks(Decimal("0.005")) == 1
    assert from_kopecks(512345) == Decimal("5123.45")


RESIDENT = Principal(user_id=1, account_rights={10: frozenset({"view"})})
DISPATCHER = Principal(user_id=2, staff_roles=frozenset({"dispatcher"}), house_ids=frozenset({5}))
ADMIN = Principal(user_id=3, staff_roles=frozenset({"admin"}), house_ids=None)
UNCONSENTED = Principal(user_id=4, account_rights={10: frozenset({"view"})}, consent_required=True)


@pytest.mark.parametrize(
    ("access", "principal", "allowed"),
    [
        (Access("public"), Principal(), True),
        (Access("user"), Principal(), False),
        (Access("resident"), RESIDENT, True),
        (Access("resident"), DISPATCHER, False),
        (Access("staff", frozenset({"dispatcher"})), DISPATCHER, True),
        (Access("staff", frozenset({"accountant"})), DISPATCHER, False),
        (Access("staff", frozenset({"accountant"})), ADMIN, True),
        (Access("staff"), RESIDENT, False),
        (Access("resident"), UNCONSENTED, False),
        (Access("user", before_consent=True), UNCONSENTED, True),
    ],
    ids=[
        "anyone may see a public page",
        "an anonymous caller is not a user",
        "a resident may see resident pages",
        "staff without accounts are not residents",
        "a dispatcher may use dispatcher pages",
        "a dispatcher may not use accountant pages",
        "an admin may use every staff page",
        "a resident is not staff",
        "no resident page before the consent is accepted",
        "the consent page itself is reachable",
    ],
)
def test_access_rules(access, principal, allowed):
    assert is_allowed(access, principal) is allowed


def test_staff_scope_is_limited_to_their_houses():
    assert DISPATCHER.may_see_house(5)
    assert not DISPATCHER.may_see_house(6)
    assert ADMIN.may_see_house(6)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/tickets?x=1", "/tickets?x=1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil", "/"),
        (None, "/"),
    ],
)
def test_only_local_paths_are_followed_after_sign_in(target, expected):
    assert safe_next(target) == expected


def test_a_word_reads_as_its_own_domain_says_it():
    """«Status» is «Статус» of a payment but «Состояние» of a house: each domain's catalog is asked first."""
    from portal.core.i18n import domain_of_module
    from portal.core.i18n import domain_of_template
    from portal.core.i18n import set_locale
    from portal.core.i18n import translate

    set_locale("ru")
    assert domain_of_module("portal.tickets.routes") == "tickets"
    assert domain_of_module("portal.core.web") == "core"
    assert domain_of_template("housing/house.html") == "housing"
    assert domain_of_template("components/ui.html") == "core"
    assert translate("tickets", "New") == "Новая"
    assert translate("core", "New") == "Новых"  # the import summary of every upload
    # A domain without the message falls back to the others.
    assert translate("meters", "Staff") == "Сотрудники"
