"""Every route of the app × every kind of caller, against one table kept in the tests.

Each domain lists its routes in ``tests/<domain>/access.py`` (``ACCESS``: "METHOD /path" → "public" | "guest" |
"user" | "resident" | "staff" | "staff:role1,role2", administrators implied). A route missing from the tables,
or a table naming a route that does not exist, fails here; then every route is called by an anonymous visitor,
residents of two accounts and a user of each staff role scoped to one house, and the guard's answer is checked:
denied is 401/403 or the guard's redirect to the sign-in or consent page; anything else is allowed (the handler
may still answer 404 for a record the caller may not see — that is tested per domain).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

from litestar.routes import HTTPRoute

from portal.accounts.rules import STAFF_ROLES
from portal.core.security import Access
from tests.conftest import fresh_session

TESTS = Path(__file__).resolve().parent.parent
SKIPPED_METHODS = {"OPTIONS", "HEAD"}
PARAM = re.compile(r"\{(\w+):(\w+)\}")


def declared_tables() -> dict[str, str]:
    table: dict[str, str] = {}
    for path in sorted(TESTS.glob("*/access.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access")
        for key, rule in module.ACCESS.items():
            assert key not in table, f"{key} is listed twice ({path.parent.name})"
            table[key] = rule
    return table


def app_routes(app: Any) -> dict[str, Access | None]:
    found: dict[str, Access | None] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/static"):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method not in SKIPPED_METHODS:
                    found[f"{method} {route.path}"] = handler.opt.get("access")
    return found


def parse(rule: str) -> tuple[str, frozenset[str]]:
    """("staff", {"manager", "admin"}) for "staff:manager"; administrators are implied wherever roles are named."""
    kind, _, roles = rule.partition(":")
    named = frozenset(r.strip() for r in roles.split(",") if r.strip())
    return kind, named | {"admin"} if named else named


def expected(rule: str, caller: str) -> bool:
    kind, roles = parse(rule)
    if kind in ("public", "guest"):
        return True
    if caller == "anonymous":
        return False
    if kind == "user":
        return True
    if kind == "resident":
        return caller.startswith("resident")
    if kind == "staff":
        if not caller.startswith("staff:"):
            return False
        role = caller.removeprefix("staff:")
        return not roles or role in roles
    raise AssertionError(f"unknown rule {rule!r}")


def denied(response: Any) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code in (301, 302, 303, 307):
        location = response.headers.get("location", "")
        return location.startswith(("/login?next=", "/consent?next="))
    return False


def test_every_route_is_in_the_tables_and_every_table_entry_is_a_route(app):
    routes = app_routes(app)
    table = declared_tables()
    missing = sorted(set(routes) - set(table))
    unknown = sorted(set(table) - set(routes))
    assert not missing, f"routes without a line in any tests/*/access.py: {missing}"
    assert not unknown, f"lines in tests/*/access.py naming no route: {unknown}"


def test_every_route_declares_the_rule_its_table_says(app):
    table = declared_tables()
    wrong = []
    for key, access in app_routes(app).items():
        if key not in table:
            continue
        if access is None:
            wrong.append(f"{key}: declares no rule")
            continue
        kind, roles = parse(table[key])
        declared = frozenset(access.roles) | {"admin"} if access.roles else frozenset()
        if (access.kind, declared) != (kind, roles):
            wrong.append(f"{key}: declares {access.kind}:{','.join(sorted(access.roles))}, table says {table[key]}")
    assert not wrong, "\n".join(wrong)


async def test_every_route_answers_every_caller_as_the_table_says(app, client, db, make_user, login):
    from portal.housing.tables import Complex
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise

    complex_ = Complex(name="ЖК Матрица", city="Симферополь")
    await complex_.save()
    house = House(complex=complex_.id, address="ул. Матричная, 1", floors=5)
    await house.save()
    accounts = []
    for number in ("1", "2"):
        premise = Premise(house=house.id, number=number, area="40.00", floor=1)
        await premise.save()
        account = PersonalAccount(number=f"77000000{number}", premise=premise.id, payer_name="Матрица")
        await account.save()
        accounts.append((account.id, premise.id))
    users: dict[str, int | None] = {
        "anonymous": None,
        "resident:a": await make_user(accounts={accounts[0][0]: "owner"}),
        "resident:b": await make_user(accounts={accounts[1][0]: "owner"}),
    }
    for role in STAFF_ROLES:
        users[f"staff:{role}"] = await make_user(roles=(role,), houses=(house.id,))
    values = {
        "account_id": accounts[0][0],
        "premise_id": accounts[0][1],
        "house_id": house.id,
        "complex_id": complex_.id,
        "user_id": users["resident:a"],
        "period": "2026-11",
    }

    def fill(path: str) -> str:
        def one(match: re.Match[str]) -> str:
            name, kind = match.group(1), match.group(2)
            if name in values:
                return str(values[name])
            return "999999" if kind == "int" else "no-such-thing"

        return PARAM.sub(one, path)

    sessions: dict[str, tuple[str, str]] = {}
    table = declared_tables()
    transaction = db.current_transaction.get()
    failures: list[str] = []
    for key in sorted(app_routes(app)):
        if key not in table:
            continue
        method, path = key.split(" ", 1)
        url = fill(path)
        for caller, user_id in users.items():
            savepoint = await transaction.savepoint()
            try:
                await fresh_session(client, login, sessions, caller, user_id)
                if method == "GET":
                    response = await client.get(url)
                else:  # the caller's own token (tokens are bound to the session)
                    response = await client.request(method, url, data={"_csrf_token": await client.csrf_token()})
            finally:
                await savepoint.rollback_to()
            want = expected(table[key], caller)
            if denied(response) == want:
                failures.append(
                    f"{key} as {caller}: expected {'allowed' if want else 'denied'}, got {response.status_code} "
                    f"{response.headers.get('location', '')}"
                )
    assert not failures, f"{len(failures)} wrong answers:\n" + "\n".join(failures)
