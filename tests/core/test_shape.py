"""The pieces every domain shares, written once in core: calendar, parsers, address, route collection."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from litestar import Controller
from litestar.handlers import HTTPRouteHandler

import portal
from portal.core import calendar
from portal.core.address import PremiseAddress
from portal.core.address import full_address
from portal.core.i18n import set_locale
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_ids
from portal.core.parse import parse_int
from portal.core.parse import parse_month


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 11, 1), True),  # a Saturday worked instead of 03.11.2025
        (date(2024, 12, 28), True),  # a Saturday worked instead of 30.12.2024
        (date(2025, 11, 3), False),  # the day off it paid for
        (date(2025, 11, 4), False),  # Day of National Unity
        (date(2026, 1, 8), False),  # the New Year holidays
        (date(2026, 12, 5), False),  # an ordinary Saturday
        (date(2026, 12, 1), True),
    ],
    ids=["01.11.2025 works", "28.12.2024 works", "03.11.2025 off", "04.11 holiday", "08.01 holiday", "Saturday", "Tue"],
)
def test_the_production_calendar_knows_moved_days(day, working):
    assert calendar.is_working_day(day) is working


def test_working_days_are_counted_after_the_event_and_skip_days_off():
    # 10 working days from Thursday 30.10.2025: the working Saturday 01.11 counts, 03.11 and 04.11 do not.
    assert calendar.add_working_days(date(2025, 10, 30), 10) == date(2025, 11, 14)
    assert calendar.next_working_day(date(2026, 1, 1)) == date(2026, 1, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("²", None),
        ("-1", None),
        ("0", None),
        (str(10**30), None),
        (str(2**31 - 1), 2**31 - 1),
        (str(2**31), None),
        ("", None),
    ],
)
def test_an_id_is_ascii_digits_within_64_bits(text, expected):
    assert parse_id(text) == expected


def test_multi_value_ids_keep_the_valid_ones_once():
    assert parse_ids(["3", "x", "3", "²", "7"]) == [3, 7]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("01.12.2026", date(2026, 12, 1)),
        ("9999-12-31", None),
        ("2026-02-30", None),
        ("２０２６-12-01", None),
        ("2026-12-01T10:00", None),
    ],
)
def test_dates_are_read_within_the_years_the_portal_deals_with(text, expected):
    assert parse_date(text) == expected


def test_months_and_bounded_numbers():
    assert parse_month("2026-11") == date(2026, 11, 1)
    assert parse_month("2026-13") is None
    assert parse_int("5", low=-5, high=200) == 5
    assert parse_int("201", low=-5, high=200) is None
    assert parse_int("²", low=0, high=9) is None


@pytest.mark.parametrize(
    ("locale", "kind", "number", "expected"),
    [
        ("ru", "flat", "12", "г. Симферополь, ул. Балаклавская, д. 68, кв. 12"),
        ("ru", "nonresidential", "3Н", "г. Симферополь, ул. Балаклавская, д. 68, пом. 3Н"),
        ("ru", "parking", "М-1", "г. Симферополь, ул. Балаклавская, д. 68, машино-место М-1"),
        ("ru", "storage", "7", "г. Симферополь, ул. Балаклавская, д. 68, кладовая 7"),
        ("en", "flat", "12", "г. Симферополь, ул. Балаклавская, д. 68, flat 12"),
        ("en", "parking", "М-1", "г. Симферополь, ул. Балаклавская, д. 68, parking space М-1"),
        ("ru", "flat", "", "г. Симферополь, ул. Балаклавская, д. 68"),
    ],
)
def test_an_address_names_the_premise_by_its_kind_in_the_readers_language(locale, kind, number, expected):
    set_locale(locale)
    try:
        assert full_address("г. Симферополь, ул. Балаклавская, д. 68", kind, number) == expected
    finally:
        set_locale("ru")


@dataclass(frozen=True)
class _Place(PremiseAddress):
    number: str
    house_address: str
    premise_kind: str
    premise_number: str


def test_a_row_with_a_premise_reads_its_address_as_one_phrase() -> None:
    place = _Place("1000000001", "г. Симферополь, ул. Балаклавская, д. 68", "parking", "М-1")
    assert place.address == "г. Симферополь, ул. Балаклавская, д. 68, машино-место М-1"


def _handler_functions() -> dict[str, Any]:
    """Every route handler written anywhere in ``portal/`` (at module level or inside a controller), by name."""
    found: dict[str, Any] = {}
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        if ".sandbox_gateway" in info.name or ".sandbox_sms" in info.name or info.name.endswith(("__main__", "demo")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, HTTPRouteHandler) and getattr(value.fn, "__module__", "") == info.name:
                found[f"{info.name}.{value.fn.__name__}"] = value.fn
            elif inspect.isclass(value) and issubclass(value, Controller) and value.__module__ == info.name:
                for attr in vars(value).values():
                    if isinstance(attr, HTTPRouteHandler):
                        found[f"{info.name}.{attr.fn.__name__}"] = attr.fn
    return found


def _handlers_in_code() -> set[str]:
    return set(_handler_functions())


def test_no_route_handler_is_longer_than_25_lines():
    """Handlers parse, call an action or a few reads, and render: the signature, docstring and body of each fit
    in 25 lines (its decorators aside)."""
    lengths = {}
    for name, fn in _handler_functions().items():
        lines, _start = inspect.getsourcelines(fn)
        lengths[name] = sum(1 for line in lines if not line.lstrip().startswith("@"))
    assert len(lengths) > 200
    longer = {name: n for name, n in lengths.items() if n > 25}
    assert not longer, f"handlers over 25 lines: {longer}"


DOMAIN_FILES = ("tables.py", "rules.py", "queries.py", "actions.py", "routes.py", "forms.py", "piccolo_app.py")


def test_every_domain_has_the_seven_files_of_the_shape():
    root = Path(portal.__file__).parent
    domains = [d for d in root.iterdir() if (d / "piccolo_app.py").exists() and d.name != "core"]
    assert len(domains) >= 12
    missing = {d.name: [f for f in DOMAIN_FILES if not (d / f).exists()] for d in domains}
    assert not {name: files for name, files in missing.items() if files}


def test_the_caller_reaches_routes_as_an_injected_dependency_never_fetched_by_hand():
    """The principal arrives as a dependency (``NamedDependency[Principal]``, a domain's ``Caller``), loaded once
    for the request: no routes module asks for it itself (issue 10's ``grep "principal_of(request)"``)."""
    root = Path(portal.__file__).parent
    asked = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.glob("*/routes*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "principal_of(request)" in line
    ]
    assert asked == []


def test_every_handler_written_is_served(app):
    served = {
        f"{handler.fn.__module__}.{handler.fn.__name__}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if not route.path.startswith("/static")
    }
    missing = _handlers_in_code() - served
    assert not missing, f"handlers that no route serves (put them in a routes module's controller): {missing}"


READS_PAGE_SIZE = re.compile(r"""\.get\(["']size["']\)|\bsize: FromQuery""")


def test_lists_take_their_page_from_the_paging_dependency():
    """A list handler declares ``paging: Paging`` (``core.pagination.provide_paging``, registered app-wide) rather
    than reading ``page`` and ``size`` itself: one place where bad or missing values fall back to the first page of
    30, clamped to 10…100."""
    root = Path(portal.__file__).parent
    own = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        if path != root / "core" / "pagination.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if READS_PAGE_SIZE.search(line)
    ]
    assert not own, f"page size read outside the paging dependency: {own}"


LITESTAR_STREAM = re.compile(r"^from litestar\.response import .*\bStream\b|\blitestar\.response\.Stream\b", re.M)


def test_every_streamed_download_is_closed_cleanly_when_its_reader_leaves():
    """A download streamed from the database is a ``core.csv_stream.Streamed``: Litestar's own ``Stream`` cut its
    query or transaction short when the reader left, and the connection stayed in a transaction outside the pool
    (tests/core/test_download_left.py)."""
    root = Path(portal.__file__).parent
    own = [str(path.relative_to(root)) for path in sorted(root.rglob("*.py")) if path != root / "core" / "csv_stream.py"
           and LITESTAR_STREAM.search(path.read_text(encoding="utf-8"))]  # fmt: skip
    assert not own, f"Litestar's Stream used where csv_stream.Streamed belongs: {own}"


@pytest.mark.parametrize("module", ["portal.app", "portal.sandbox_gateway.app", "portal.sandbox_sms.app"])
def test_every_path_and_query_parameter_says_where_it_comes_from(module):
    """Handlers and dependencies take path and query values as ``FromPath[...]`` / ``FromQuery[...]``: the style
    Litestar infers from a bare name is deprecated and goes away in its next major version."""
    create_app = importlib.import_module(module).create_app
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        create_app()
    inferred = [str(w.message) for w in caught if "deprecated inferred style" in str(w.message)]
    assert not inferred, "\n".join(inferred[:10])


@pytest.mark.parametrize("path", [f"/tickets/{10**30}", f"/accounts/{2**63}/charges/{10**25}", f"/payments/{10**20}"])
async def test_an_id_beyond_the_database_is_not_found_rather_than_an_error(
    client, login, make_user, make_account, path
):
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}))
    response = await client.get(path)
    assert response.status_code == 404


async def test_a_nul_character_in_a_query_or_a_form_is_refused_as_malformed(client, login, make_user):
    await login(client, await make_user(roles=("admin",)))
    assert (await client.get("/staff/payments", params={"q": "a\x00b"})).status_code == 400
    response = await client.form("/staff/housing/complexes/new", {"name": "ЖК\x00", "city": "Симферополь"})
    assert response.status_code == 400
    assert "Check what you typed" in response.text or "Проверьте" in response.text
