"""Two people on a live server with the demo data, both engines: resident B (resident2@demo.ru, a neighbour of the
same house) changes an id in the address to one of resident A's records (resident@demo.ru) on every resident route
that names a private record: an account, a charge, a receipt, a meter, a reading's photo, a request and its photo,
an order and its document, a payment, a card, a ballot, a person given access. Every GET that opens for A answers
404 to B; every POST changes nothing of A's. Where a route takes two ids (``/accounts/{account}/charges/{charge}``),
B also tries A's record under B's own first id.

The routes come from the app: a resident route with an id this test does not know how to fill fails it, so a new
route is walked from the day it is added."""

# ruff: noqa: S608 (the SQL is built from numbers read from the database and constants of this file, never input)

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from itertools import product
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts.test_route_matrix import declared_tables
from tests.conftest import _RUN
from tests.conftest import demo_postgres
from tests.conftest import missing
from tests.conftest import portal_server
from tests.walker import sign_in

A, B = "resident@demo.ru", "resident2@demo.ru"
PARAM = re.compile(r"\{(\w+):(\w+)\}")
# Ids that name no one's private record: the catalogue's services, a house's meetings, news and their images, the
# items of a meeting's agenda, neighbours' initiatives, the published editions of the consent texts, the house's
# documents; B may open them as A does.
# Staff pages of a meeting that exist only while it is announced or voting (a closed meeting's answer 404 to all).
WHILE_OPEN = {"/staff/meetings/{meeting_id:int}/paper-ballots"}
SHARED = {
    "service_id", "meeting_id", "post_id", "image_id", "item_id", "initiative_id", "consent_type", "edition",
    "house_document_id",
    "n",  # the place of a document among a request's documents, not a record of its own
}  # fmt: skip


class Database:
    """Plain SQL on the live server's database (the ids are numbers read from it: no input reaches the SQL), on one
    connection kept for the module: each statement is committed at once, so the server sees it and it sees the
    server's. A connection a query (the walk reads A's state twice around each of some hundred posts) took most of
    the test's minutes on PostgreSQL."""

    def __init__(self, sqlite_path: Path | None, url: str | None) -> None:
        self.sqlite_path, self.url = sqlite_path, url
        self._sqlite: sqlite3.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._postgres: Any = None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            if self._sqlite is None:  # autocommit: no transaction stays open between statements
                self._sqlite = sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
            return [tuple(r) for r in self._sqlite.execute(sql).fetchall()]
        if self._loop is None:
            import asyncpg

            self._loop = asyncio.new_event_loop()
            self._postgres = self._loop.run_until_complete(asyncpg.connect(self.url))
        return [tuple(r) for r in self._loop.run_until_complete(self._postgres.fetch(sql))]

    def one(self, sql: str) -> Any:
        found = self.rows(sql)
        return found[0][0] if found and found[0] else None

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._loop is not None:
            self._loop.run_until_complete(self._postgres.close())
            self._loop.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest) -> Iterator[tuple[str, Database]]:
    """A live server with the demo data on each engine, and its database."""
    if request.param == "sqlite":
        with portal_server("two-people") as (base, var), contextlib.closing(Database(var / "live.sqlite", None)) as db:
            yield base, db
        return
    with demo_postgres("two_people", _RUN / "two-people-postgres") as url:
        if url is None:
            missing("PostgreSQL", "start it and set TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/portal_test")
        with (
            portal_server("two-people-postgres", DATABASE_URL=url or "") as (base, _),
            contextlib.closing(Database(None, url)) as db,
        ):
            yield base, db


def in_list(ids: list[int]) -> str:
    return "(" + ", ".join(str(int(i)) for i in ids or [0]) + ")"


def records_of(db: Database, user: int, accounts: list[int]) -> dict[str, list[Any]]:
    """The ids of one resident's private records, by the name of the route parameter that takes them."""
    acc = in_list(accounts)
    tickets = f"SELECT id FROM ticket WHERE account IN {acc}"
    orders = f"SELECT id FROM service_order WHERE account IN {acc}"
    entry = db.rows(
        "SELECT e.id, e.meeting FROM register_entry e JOIN meeting m ON m.id = e.meeting "
        f"WHERE e.owner IN (SELECT owner FROM owner_link WHERE \"user\" = {user}) AND m.status = 'published' "
        "ORDER BY e.id"
    )
    period = db.one(f"SELECT min(period) FROM receipt WHERE account IN {acc}")
    return {
        "account_id": [accounts[0]],
        "charge_id": [db.one(f"SELECT min(id) FROM charge WHERE account IN {acc}")],
        "period": [str(period)[:7]] if period else [],
        "meter_id": [db.one(f"SELECT min(id) FROM meter WHERE account IN {acc}")],
        "reading_id": [
            db.one(
                "SELECT min(id) FROM meter_reading WHERE photo <> '' "
                f"AND meter IN (SELECT id FROM meter WHERE account IN {acc})"
            )
        ],
        "ticket_id": [db.one(f"SELECT min(id) FROM ticket WHERE account IN {acc} AND status = 'new'")],
        "attachment_id": [db.one(f"SELECT min(id) FROM ticket_attachment WHERE ticket IN ({tickets})")],
        "order_id": [
            db.one(f"SELECT min(id) FROM service_order WHERE account IN {acc} AND status = '{status}'")
            for status in ("awaiting_payment", "quoted", "done")
        ],
        "document_id": [db.one(f'SELECT min(id) FROM service_order_document WHERE "order" IN ({orders})')],
        "payment_id": [db.one(f"SELECT min(id) FROM payment WHERE account IN {acc}")],
        "card_id": [db.one(f'SELECT min(id) FROM payment_method WHERE "user" = {user}')],
        "residency_id": [
            db.one(f'SELECT min(id) FROM residency WHERE account IN {acc} AND "user" <> {user} AND revoked_at IS NULL')
        ],
        "invitation_id": [db.one(f"SELECT min(id) FROM auth_token WHERE account IN {acc} AND used_at IS NULL")],
        "entry_id": [entry[0][0]] if entry else [],
        "meeting_id": [entry[0][1]] if entry else [],
        "message_id": [db.one(f"SELECT min(id) FROM outbox_message WHERE channel = 'inapp' AND user_id = {user}")],
        "checker_id": [db.one(f'SELECT min(id) FROM mystery_checker WHERE "user" = {user}')],
        "visit_id": [db.one(f'SELECT min(id) FROM client_visit WHERE "user" = {user}')],
        "n": [1],
    }


def add_pictures(db: Database, user: int, accounts: list[int]) -> None:
    """A photo on A's reading and on A's request, and a saved card of A (the demo has none): the photos are a copy
    of a stored file (an order's document), so that the route would serve them to anyone it did not stop."""
    acc = in_list(accounts)
    if db.one(f"SELECT count(*) FROM payment_method WHERE gateway_id = 'pm_two_people_{user}'"):
        return
    stored = db.one(
        f'SELECT file_key FROM service_order_document WHERE "order" IN (SELECT id FROM service_order '
        f"WHERE account IN {acc})"
    )
    assert stored, "the demo gives A an order with a document"
    reading = db.one(f"SELECT max(id) FROM meter_reading WHERE meter IN (SELECT id FROM meter WHERE account IN {acc})")
    db.rows(f"UPDATE meter_reading SET photo = '{stored}' WHERE id = {reading}")
    ticket = db.one(f"SELECT min(id) FROM ticket WHERE account IN {acc}")
    db.rows(
        "INSERT INTO ticket_attachment (ticket, author, file_key, content_type, size, width, height, "
        f"visible_to_resident, created_at) VALUES ({ticket}, {user}, '{stored}', 'application/pdf', 1, 0, 0, "
        "true, CURRENT_TIMESTAMP)"
    )
    # A's new request is A's application as a new owner, with the same stored file as its document (the demo has
    # none): seen by its applicant alone.
    new = db.one(f"SELECT min(id) FROM ticket WHERE account IN {acc} AND status = 'new'")
    db.rows(f"UPDATE ticket SET category = 'owner_change', author = {user} WHERE id = {new}")
    db.rows(
        "INSERT INTO handover_application (ticket, kind, day, full_name, documents) "
        f"VALUES ({new}, 'owner', CURRENT_DATE, 'Новый Собственник', '{stored}')"
    )
    db.rows(
        'INSERT INTO payment_method ("user", gateway_id, brand, last4, exp_month, exp_year, created_at) '
        f"VALUES ({user}, 'pm_two_people_{user}', 'visa', '4242', 12, 2030, CURRENT_TIMESTAMP)"
    )


def state_of(db: Database, user: int, accounts: list[int]) -> dict[str, list[tuple[Any, ...]]]:
    """What of A's a post could change: requests and their history, orders, payments, autopay, cards, people,
    invitations, ballots and votes, answers to events."""
    acc = in_list(accounts)
    tickets = f"SELECT id FROM ticket WHERE account IN {acc}"
    entries = f'SELECT id FROM register_entry WHERE owner IN (SELECT owner FROM owner_link WHERE "user" = {user})'
    queries = {
        "tickets": f"SELECT id, status, rating, feedback, executor FROM ticket WHERE account IN {acc}",
        "orders made": f"SELECT count(*) FROM service_order WHERE account IN {acc}",
        "events": f"SELECT count(*) FROM ticket_event WHERE ticket IN ({tickets})",
        "orders": f"SELECT id, status, cancelled_at, cancel_reason FROM service_order WHERE account IN {acc}",
        "ratings": f"SELECT count(*) FROM ticket WHERE rating IS NOT NULL AND account IN {acc}",
        "payments": f"SELECT count(*) FROM payment WHERE account IN {acc} AND status IN ('created', 'open')",
        "autopay": f"SELECT id, active, payment_method, monthly_limit_kopecks FROM autopay_mandate "
        f"WHERE account IN {acc}",
        "cards": f'SELECT id, removed_at FROM payment_method WHERE "user" = {user}',
        "people": f"SELECT id, revoked_at FROM residency WHERE account IN {acc}",
        "invitations": f"SELECT id, used_at FROM auth_token WHERE account IN {acc}",
        "ballots": f"SELECT id, status, voter FROM ballot WHERE entry IN ({entries})",
        "votes": f"SELECT count(*) FROM vote WHERE ballot IN (SELECT id FROM ballot WHERE entry IN ({entries}))",
        "event answers": f'SELECT post, going FROM event_answer WHERE "user" = {user}',
        "house checks": f'SELECT id, status, last_month FROM mystery_checker WHERE "user" = {user}',
        "house check reports": "SELECT count(*) FROM mystery_report WHERE checker IN "
        f'(SELECT id FROM mystery_checker WHERE "user" = {user})',
        "visits to the client centre": f'SELECT id, status, seat FROM client_visit WHERE "user" = {user}',
    }
    return {name: sorted(db.rows(sql), key=repr) for name, sql in queries.items()}


def resident_routes() -> list[tuple[str, str]]:
    """(method, path) of every resident route with an id in its path (the route × role tables list them all)."""
    found = []
    for key, rule in declared_tables().items():
        method, path = key.split(" ", 1)
        if rule in ("resident", "user") and PARAM.search(path):
            found.append((method, path))
    return sorted(found)


def addresses(path: str, theirs: dict[str, list[Any]], mine: dict[str, list[Any]]) -> list[tuple[str, bool]] | None:
    """Every address of ``path`` with A's records, each with whether it is all A's (A opens it): each parameter
    A's, then B's own first id with A's other record (a route of two private ids, such as a charge of an account).
    None: the path names no private record. An empty list: A has no such record."""
    names = [m.group(1) for m in PARAM.finditer(path)]
    private = [n for n in names if n not in SHARED]
    if not private:
        return None
    for name in names:
        if name not in theirs:
            raise AssertionError(f"{path}: the test does not know whose {name} to use")
    choices = [[v for v in theirs[name] if v is not None] for name in names]
    if not all(choices):
        return []
    found: list[tuple[dict[str, Any], bool]] = []
    for combination in product(*choices):
        values = dict(zip(names, combination, strict=True))
        found.append((values, True))
        inner = [n for n in private[1:] if n != "period"]  # a period is B's own receipt under B's account
        if inner and mine.get(private[0]):
            found.append(({**values, private[0]: mine[private[0]][0]}, False))
    return [(PARAM.sub(lambda m, v=v: str(v[m.group(1)]), path), own) for v, own in found]


# Pages that do not open for A either in the demo's state (the test cannot show that A's record is the one asked).
NOT_OPEN_TO_A = {
    "GET /services/orders/{order_id:int}/paid": "the gateway's return needs the checkout's session id",
    "GET /meetings/{meeting_id:int}/ballots/{entry_id:int}/pdf": "A's ballot is not accepted yet",
}


def form_fields(account: int) -> list[tuple[str, dict[str, Any]]]:
    """Resident forms whose account is a field, filled with A's account (and everything else valid)."""
    from portal.core import clock
    from portal.core.calendar import add_working_days
    from portal.tickets.rules import CATEGORY_BY_CODE

    category = next(code for code, c in CATEGORY_BY_CODE.items() if c.resident)
    day = clock.today_local().isoformat()
    return [
        ("/tickets/new", {"account": account, "place": "premise", "category": category, "description": "Чужая заявка"}),
        ("/pay", {"only": account, f"pay_{account}": "1", f"amount_{account}": "100"}),
        ("/services/cart/order", {"account": account, "comment": "Чужой заказ", "phone": "+79780000002"}),
        ("/tickets/residents", {"account": account, "movement": "in", "day": day, "people": "Чужой", "consent": "1"}),
        ("/tickets/instalment", {"account": account, "months": "6", "reason": "Чужая рассрочка"}),
        ("/tickets/warranty", _warranty(account, day)),
        ("/tickets/meter-commissioning", _commissioning(account, clock.today_local(), add_working_days)),
        ("/tickets/payer", {"account": account, "day": day, "full_name": "Чужой Плательщик", "consent": "1"}),
        (
            "/tickets/lift",
            {
                "account": account,
                "day": add_working_days(clock.today_local(), 2).isoformat(),
                "hour": "12",
                "carried": "moving_in",
                "phone": "+79780000002",
            },
        ),
    ]


def _warranty(account: int, day: str) -> dict[str, Any]:
    """A defect in the flat, reported with the owner's consent (this walk posts no photos: they are optional)."""
    return {"account": account, "where": "flat", "kind": "walls", "description": "Чужая трещина", "noticed_on": day,
            "consent": "1"}  # fmt: skip


def _commissioning(account: int, today: Any, add_working_days: Any) -> dict[str, Any]:
    """A meter's commissioning, valid but for its passport's file (this walk posts no files)."""
    visits = {"visit_first": add_working_days(today, 2).isoformat(), "visit_second": add_working_days(today, 3)}
    return {"account": account, "meter": "new", "service": "cold_water", "serial": "Чужой-1", "model": "СГВ-15",
            "reading": "1", "verified_on": "2026-01-10", "next_verification": "2032-01-10", **visits}  # fmt: skip


def test_resident_b_reaches_nothing_of_resident_as_by_an_id(site: tuple[str, Database]) -> None:
    base, db = site
    a = db.one(f"SELECT id FROM portal_user WHERE email = '{A}'")
    b = db.one(f"SELECT id FROM portal_user WHERE email = '{B}'")
    accounts_a = [r[0] for r in db.rows(f'SELECT account FROM residency WHERE "user" = {a} ORDER BY account')]
    accounts_b = [r[0] for r in db.rows(f'SELECT account FROM residency WHERE "user" = {b} ORDER BY account')]
    assert accounts_a and accounts_b and not set(accounts_a) & set(accounts_b)
    add_pictures(db, a, accounts_a)
    failures: list[str] = []
    walked: set[str] = set()
    unfilled: set[str] = set()
    with (
        httpx.Client(base_url=base, follow_redirects=False, timeout=30) as as_a,
        httpx.Client(base_url=base, follow_redirects=False, timeout=30) as as_b,
    ):
        sign_in(as_a, A)
        sign_in(as_b, B)
        as_a.get("/")
        as_b.get("/")
        token = as_b.cookies.get("csrftoken", "")
        # An invitation of A's still open (the demo has none).
        invited = as_a.post(
            f"/accounts/{accounts_a[0]}/people",
            data={"_csrf_token": as_a.cookies.get("csrftoken", ""), "email": "guest-of-a@example.ru", "role": "family"},
        )
        assert invited.status_code == 303, invited.status_code
        theirs = records_of(db, a, accounts_a)
        mine = records_of(db, b, accounts_b)
        for method, path in resident_routes():
            urls = addresses(path, theirs, mine)
            if urls is None:
                continue
            if not urls:
                unfilled.add(f"{method} {path}")
                continue
            walked.add(f"{method} {path}")
            for url, all_as in urls:
                if method == "GET":
                    own = as_a.get(url)
                    if all_as and f"GET {path}" not in NOT_OPEN_TO_A and own.status_code not in (200, 303):
                        failures.append(f"GET {url}: A's own record answers A {own.status_code} (the test is wrong)")
                    got = as_b.get(url)
                    if got.status_code not in (403, 404):
                        failures.append(f"GET {url}: B gets {got.status_code}, not 404")
                    continue
                before = state_of(db, a, accounts_a)
                got = as_b.post(url, data={"_csrf_token": token, "reason": "x", "text": "Чужая заявка", "rating": "1"})
                after = state_of(db, a, accounts_a)
                changed = [k for k in before if before[k] != after[k]]
                if changed:
                    failures.append(f"POST {url}: B changed A's {', '.join(changed)} ({got.status_code})")
                elif got.status_code >= 500 or got.status_code in (200, 201):
                    failures.append(f"POST {url}: B gets {got.status_code}, not a refusal")
        # Forms that name an account in a field: B names A's.
        for url, data in form_fields(accounts_a[0]):
            before = state_of(db, a, accounts_a)
            got = as_b.post(url, data={"_csrf_token": token, **data})
            changed = [k for k in before if before[k] != state_of(db, a, accounts_a)[k]]
            if changed or got.status_code >= 500:
                failures.append(
                    f"POST {url} naming A's account: B changed A's {', '.join(changed)} ({got.status_code})"
                )
    assert not unfilled, f"routes this test could not fill with A's records: {sorted(unfilled)}"
    assert len(walked) >= 30, sorted(walked)
    assert not failures, f"{len(failures)} ways in:\n" + "\n".join(failures)


# Staff of one house asking for another's: every staff role of the demo is moved to houses 3 and 4, and asks for the
# records of houses 1 and 2 (where the demo keeps its meetings, orders, photos and posts). Ids that name nothing of
# a house: the company's catalogue, payees, key rates, the showcase, KPIs, registries and imports (by token).
STAFF_SHARED = {
    "category_id", "service_id", "payee_id", "entry_id", "line_id", "kind", "token", "kpi_id", "lead_id",
    "offer_id", "listing_id", "photo_id", "n", "point_id",
}  # fmt: skip
ROLE_ORDER = ("manager", "dispatcher", "accountant", "moderator", "operator", "executor")


def staff_records(db: Database) -> dict[str, list[Any]]:
    """Records of houses 1 and 2, by the name of the route parameter that takes them."""
    houses = "(1, 2)"
    premises = f"SELECT id FROM premise WHERE house IN {houses}"
    accounts = f"SELECT id FROM personal_account WHERE premise IN ({premises})"
    tickets = f"SELECT id FROM ticket WHERE house IN {houses}"
    orders = f"SELECT id FROM service_order WHERE house IN {houses}"
    meetings = f"SELECT id FROM meeting WHERE house IN {houses}"
    # The documents of these houses alone (the company's are every staff member's to read).
    documents = (
        "SELECT id FROM house_document d WHERE NOT d.company_wide AND EXISTS (SELECT 1 FROM document_house h "
        f"WHERE h.document = d.id) AND NOT EXISTS (SELECT 1 FROM document_house h WHERE h.document = d.id AND "
        f"h.house NOT IN {houses})"
    )
    reading = db.one(
        f"SELECT min(id) FROM meter_reading WHERE photo <> '' AND meter IN (SELECT id FROM meter WHERE account IN "
        f"({accounts}))"
    )
    only_here = (
        "SELECT id FROM post p WHERE EXISTS (SELECT 1 FROM post_target t WHERE t.post = p.id) AND NOT EXISTS "
        f"(SELECT 1 FROM post_target t WHERE t.post = p.id AND (t.house IS NULL OR t.house NOT IN {houses}))"
    )
    return {
        "house_id": [1],
        "complex_id": [db.one(f"SELECT min(complex) FROM house WHERE id IN {houses}")],
        "entrance_id": [db.one(f"SELECT min(id) FROM entrance WHERE house IN {houses}")],
        "premise_id": [db.one(f"SELECT min(id) FROM ({premises}) AS p")],
        "account_id": [db.one(f"SELECT min(id) FROM ({accounts}) AS a")],
        "owner_id": [db.one(f"SELECT min(owner) FROM ownership WHERE premise IN ({premises})")],
        "ownership_id": [db.one(f"SELECT min(id) FROM ownership WHERE premise IN ({premises})")],
        "meter_id": [db.one(f"SELECT min(id) FROM meter WHERE account IN ({accounts})")],
        "house_meter_id": [db.one(f"SELECT min(id) FROM house_meter WHERE house IN {houses}")],
        "reading_id": [reading],
        "ticket_id": [db.one(f"SELECT min(id) FROM ({tickets}) AS t")],
        "attachment_id": [db.one(f"SELECT min(id) FROM ticket_attachment WHERE ticket IN ({tickets})")],
        "outage_id": [db.one(f"SELECT min(id) FROM outage WHERE house IN {houses} AND closed_at IS NULL")],
        "order_id": [db.one(f"SELECT min(id) FROM ({orders}) AS o")],
        "document_id": [db.one(f'SELECT min(id) FROM service_order_document WHERE "order" IN ({orders})')],
        "payment_id": [db.one(f"SELECT min(id) FROM payment WHERE status = 'succeeded' AND account IN ({accounts})")],
        "meeting_id": [
            db.one(f"SELECT min(id) FROM meeting WHERE house IN {houses} AND status = '{status}'")
            for status in ("closed", "published")
        ],
        "ballot_id": [db.one(f"SELECT min(id) FROM ballot WHERE meeting IN ({meetings}) AND status = 'moderation'")],
        "item_id": [db.one(f"SELECT min(id) FROM agenda_item WHERE meeting IN ({meetings}) AND material_key <> ''")],
        "post_id": [db.one(f"SELECT min(id) FROM ({only_here}) AS p")],
        "image_id": [db.one(f"SELECT min(id) FROM post_image WHERE post IN ({only_here})")],
        "view_id": [db.one("SELECT min(id) FROM ticket_saved_view WHERE name = 'Чужой вид'")],
        "house_document_id": [db.one(f"SELECT min(id) FROM ({documents}) AS d")],
        "file_id": [db.one(f"SELECT min(id) FROM document_file WHERE document IN ({documents})")],
        "export_id": [db.one("SELECT min(id) FROM job_run WHERE name = 'meters-export'")],
        "round_id": [db.one(f"SELECT min(id) FROM inspection_round WHERE house IN {houses}")],
        "visit_id": [db.one(f"SELECT min(id) FROM client_visit WHERE account IN ({accounts})")],
        # The client centre of these houses' complex (the other houses of the demo are another complex's).
        "centre_id": [
            db.one(
                f"SELECT min(id) FROM client_centre WHERE complex IN (SELECT complex FROM house WHERE id IN {houses})"
            )
        ],
        "checker_id": [db.one(f"SELECT min(id) FROM mystery_checker WHERE house IN {houses}")],
        "point_id": [db.one("SELECT min(id) FROM inspection_point")],  # the company's checklist: every house's
        "inspection_photo_id": [
            db.one(
                "SELECT min(p.id) FROM inspection_photo p JOIN inspection_answer a ON a.id = p.answer "
                f"JOIN inspection_round r ON r.id = a.round WHERE r.house IN {houses}"
            )
        ],
        # A person with access to accounts of these houses only (someone of other houses too is theirs as well).
        "user_id": [
            db.one(
                f'SELECT min(r."user") FROM residency r WHERE r.account IN ({accounts}) AND NOT EXISTS '
                f'(SELECT 1 FROM residency o WHERE o."user" = r."user" AND o.account NOT IN ({accounts}))'
            )
        ],
    }


def staff_state(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """What of houses 1 and 2 a staff post could change."""
    houses = "(1, 2)"
    premises = f"SELECT id FROM premise WHERE house IN {houses}"
    accounts = f"SELECT id FROM personal_account WHERE premise IN ({premises})"
    tickets = f"SELECT id FROM ticket WHERE house IN {houses}"
    meetings = f"SELECT id FROM meeting WHERE house IN {houses}"
    queries = {
        "houses": f"SELECT * FROM house WHERE id IN {houses}",
        "entrances": f"SELECT * FROM entrance WHERE house IN {houses}",
        "premises": f"SELECT * FROM premise WHERE house IN {houses}",
        "accounts": f"SELECT * FROM personal_account WHERE id IN ({accounts})",
        "owners": f"SELECT * FROM owner WHERE id IN (SELECT owner FROM ownership WHERE premise IN ({premises}))",
        "ownerships": f"SELECT * FROM ownership WHERE premise IN ({premises})",
        "meters": f"SELECT * FROM meter WHERE account IN ({accounts})",
        "house_meters": f"SELECT * FROM house_meter WHERE house IN {houses}",
        "readings": "SELECT id, value, review, review_note FROM meter_reading WHERE meter IN "
        f"(SELECT id FROM meter WHERE account IN ({accounts}))",
        "tickets": f"SELECT id, status, executor, outage, category, type, deadline FROM ticket WHERE house IN {houses}",
        "events": f"SELECT count(*) FROM ticket_event WHERE ticket IN ({tickets})",
        "outages": f"SELECT id, closed_at FROM outage WHERE house IN {houses}",
        "orders": f"SELECT id, status, quote_note, cancelled_at FROM service_order WHERE house IN {houses}",
        "documents": 'SELECT count(*) FROM service_order_document WHERE "order" IN '
        f"(SELECT id FROM service_order WHERE house IN {houses})",
        "refunds": f"SELECT id, refunded_kopecks FROM payment WHERE account IN ({accounts}) AND refunded_kopecks > 0",
        "meetings": f"SELECT id, status, title FROM meeting WHERE id IN ({meetings})",
        "items": f"SELECT id, text, material_key FROM agenda_item WHERE meeting IN ({meetings})",
        "ballots": f"SELECT id, status, rejection FROM ballot WHERE meeting IN ({meetings})",
        "views": "SELECT id FROM ticket_saved_view",
        "posts": "SELECT id, title, body, status FROM post WHERE id IN "
        f"(SELECT post FROM post_target WHERE house IN {houses})",
        "consents": 'SELECT id, withdrawn_at FROM consent_record WHERE "user" IN '
        f'(SELECT "user" FROM residency WHERE account IN ({accounts}))',
        "rounds": f"SELECT id, open_house, completed_at FROM inspection_round WHERE house IN {houses}",
        "visits": f"SELECT id, status, seat, cancel_reason FROM client_visit WHERE account IN ({accounts})",
        "answers": "SELECT id, verdict, comment, ticket FROM inspection_answer WHERE round IN "
        f"(SELECT id FROM inspection_round WHERE house IN {houses})",
    }
    return {name: sorted(db.rows(sql), key=repr) for name, sql in queries.items()}


def staff_routes() -> list[tuple[str, str, str]]:
    """(method, path, role) of every staff route with an id in its path that a role scoped to houses may call."""
    from tests.accounts.test_route_matrix import parse

    found = []
    for key, rule in declared_tables().items():
        method, path = key.split(" ", 1)
        kind, roles = parse(rule)
        if kind != "staff" or not PARAM.search(path):
            continue
        allowed = [r for r in ROLE_ORDER if not roles or r in roles]
        if allowed:
            found.append((method, path, allowed[0]))
    return sorted(found)


def test_staff_of_other_houses_reach_nothing_of_a_house_by_an_id(site: tuple[str, Database]) -> None:
    base, db = site
    add_pictures(db, db.one("SELECT id FROM portal_user WHERE email = 'resident@demo.ru'"), [1])
    ours = "(SELECT id FROM portal_user WHERE email IN (" + ", ".join(f"'{r}@demo.ru'" for r in ROLE_ORDER) + "))"
    db.rows(f'DELETE FROM staff_house WHERE "user" IN {ours}')
    db.rows(f'INSERT INTO staff_house ("user", house) SELECT id, 3 FROM portal_user WHERE id IN {ours}')
    db.rows(f'INSERT INTO staff_house ("user", house) SELECT id, 4 FROM portal_user WHERE id IN {ours}')
    # A material of a meeting and a picture of a post of houses 1, 2 (the demo has none): a stored file's copy.
    stored = db.one("SELECT min(file_key) FROM service_order_document")
    item = db.one("SELECT min(id) FROM agenda_item WHERE meeting IN (SELECT id FROM meeting WHERE house IN (1, 2))")
    db.rows(f"UPDATE agenda_item SET material_key = '{stored}', material_name = 'x.pdf' WHERE id = {item}")
    post = staff_records(db)["post_id"][0]
    db.rows(f"UPDATE post SET author = (SELECT id FROM portal_user WHERE email = 'admin@demo.ru') WHERE id = {post}")
    if not db.one(f"SELECT count(*) FROM post_image WHERE post = {post}"):
        db.rows(
            f"INSERT INTO post_image (post, key, width, height, created_at) VALUES ({post}, '{stored}', 1, 1, "
            "CURRENT_TIMESTAMP)"
        )
    # A colleague's saved view of the request list (its id in the address of its delete button).
    if not db.one("SELECT count(*) FROM ticket_saved_view WHERE name = 'Чужой вид'"):
        db.rows(
            "INSERT INTO ticket_saved_view (\"user\", name, query, created_at) SELECT id, 'Чужой вид', 'tab=all', "
            "CURRENT_TIMESTAMP FROM portal_user WHERE email = 'admin@demo.ru'"
        )
    # A meters' export for billing of house 1, its file stored (its page and file in the addresses of its id).
    if not db.one("SELECT count(*) FROM job_run WHERE name = 'meters-export'"):
        key, now = "x" * 32 + ".xlsx", datetime.now(UTC).isoformat()
        for var in (_RUN / "two-people", _RUN / "two-people-postgres"):  # the server's folder, on either engine
            (var / "exports" / "meters").mkdir(parents=True, exist_ok=True)
            (var / "exports" / "meters" / key).write_bytes(b"PK")
        detail = (
            '{"period": "2026-11", "house_id": 1, "houses": [1], "user_id": null, "user_name": "", "total": 1, '
            f'"file": "{key}", "size": 2, "finished": "{now}"}}'
        )
        db.rows(
            "INSERT INTO job_run (name, key, status, started_at, detail) VALUES "
            f"('meters-export', '2026-11:1:x', 'done', CURRENT_TIMESTAMP, '{detail}')"
        )
    # A new owner's application with its document on the house's first request (the demo has none).
    first = db.one("SELECT min(id) FROM ticket WHERE house IN (1, 2)")
    if not db.one(f"SELECT count(*) FROM handover_application WHERE ticket = {first}"):
        db.rows(f"UPDATE ticket SET category = 'owner_change' WHERE id = {first}")
        db.rows(
            "INSERT INTO handover_application (ticket, kind, day, full_name, documents) "
            f"VALUES ({first}, 'owner', CURRENT_DATE, 'Новый Собственник', '{stored}')"
        )
    # An open round of house 1 with a remark and its photo (the demo has none): its pages, its act and its photo.
    if not db.one("SELECT count(*) FROM inspection_round WHERE house = 1"):
        db.rows(
            "INSERT INTO inspection_round (house, kind, started_name, started_at, open_house, completed_name) "
            "VALUES (1, 'current', 'Обход', CURRENT_TIMESTAMP, 1, '')"
        )
        walk, point = db.one("SELECT max(id) FROM inspection_round"), db.one("SELECT min(id) FROM inspection_point")
        db.rows(
            "INSERT INTO inspection_answer (round, point, slot, verdict, comment, no_request, answered_at) "
            f"VALUES ({walk}, {point}, '{walk}:{point}', 'remark', 'Перегорела лампа', false, CURRENT_TIMESTAMP)"
        )
        answer = db.one("SELECT max(id) FROM inspection_answer")
        db.rows(
            "INSERT INTO inspection_photo (answer, file_key, content_type, size, width, height, created_at) "
            f"VALUES ({answer}, '{stored}', 'application/pdf', 1, 1, 1, CURRENT_TIMESTAMP)"
        )
    theirs = {**staff_records(db), "n": [1]}
    failures: list[str] = []
    walked: set[str] = set()
    unfilled: set[str] = set()
    clients: dict[str, httpx.Client] = {}
    try:
        for who in ("admin", *ROLE_ORDER):
            clients[who] = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
            sign_in(clients[who], f"{who}@demo.ru")
            clients[who].get("/staff")
        for method, path, role in staff_routes():
            names = [m.group(1) for m in PARAM.finditer(path)]
            if all(n in STAFF_SHARED for n in names):
                continue
            unknown = [n for n in names if n not in theirs and n not in STAFF_SHARED]
            assert not unknown, f"{path}: the test does not know which record of a house to use for {unknown}"
            choices = [[v for v in theirs.get(n, []) if v is not None] for n in names]
            if "item_id" in names:  # an agenda item under its own meeting
                choices[names.index("meeting_id")] = [db.one(f"SELECT meeting FROM agenda_item WHERE id = {item}")]
            if path in WHILE_OPEN:  # answered only while its meeting is announced or voting: the published one
                choices[names.index("meeting_id")] = [
                    db.one("SELECT min(id) FROM meeting WHERE house IN (1, 2) AND status = 'published'")
                ]
            if not all(choices):
                unfilled.add(f"{method} {path}")
                continue
            walked.add(f"{method} {path}")
            for combination in product(*choices):
                url = PARAM.sub(lambda m, c=dict(zip(names, combination, strict=True)): str(c[m.group(1)]), path)
                caller = clients[role]
                if method == "GET":
                    control = clients["admin"].get(url)
                    got = caller.get(url)
                    if control.status_code not in (200, 303):
                        failures.append(f"GET {url}: the administrator gets {control.status_code} (the test is wrong)")
                    if got.status_code not in (403, 404):
                        failures.append(f"GET {url}: {role} of houses 3, 4 gets {got.status_code}, not 404")
                    continue
                before = staff_state(db)
                token = caller.cookies.get("csrftoken", "")
                got = caller.post(url, data={"_csrf_token": token, "comment": "x", "reason": "unsigned", "text": "x"})
                after = staff_state(db)
                changed = [k for k in before if before[k] != after[k]]
                if changed:
                    failures.append(
                        f"POST {url}: {role} of houses 3, 4 changed {', '.join(changed)} ({got.status_code})"
                    )
                elif got.status_code >= 500:
                    failures.append(f"POST {url}: {role} of houses 3, 4 gets {got.status_code}")
    finally:
        for client in clients.values():
            client.close()
    assert not unfilled, f"routes this test could not fill with a record of houses 1, 2: {sorted(unfilled)}"
    assert len(walked) >= 50, sorted(walked)
    assert not failures, f"{len(failures)} ways in:\n" + "\n".join(failures)
