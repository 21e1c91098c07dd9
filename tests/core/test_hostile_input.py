"""Every route of the app, called with hostile values in its path, query and form, answers without a 500.

A value a person or a script may send (superscript digits that ``str.isdigit()`` accepts, integers past 64 bits,
dates past 9999, 40-digit amounts, exponents, NaN, markup, very long text, NUL) must end in a page, a 4xx or a
message next to a field — never in an error of ours. Hypothesis draws, for each route and caller, sets of the
parameter names the portal reads anywhere (scanned from its code) with hostile values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.accounts.test_route_matrix import PARAM
from tests.accounts.test_route_matrix import app_routes
from tests.conftest import fresh_session

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    "²",
    "٣",
    "-1",
    "0",
    str(10**30),
    str(2**63),
    "3000000000",  # past a 32-bit id: PostgreSQL refused the query itself
    "1" * 40,
    "1e30",
    "NaN",
    "Infinity",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "99999-01-01",
    "2026-13",
    "' OR 1=1 --",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "x" * 300,
    "\x00",
    "%",
    "",
    " ",
    "1,2,3",
    "-0.001",
]
_READS = re.compile(
    r'(?:query_params|params)\.(?:get|getall)\("([a-z_0-9]+)"|form_value\(\w+, "([a-z_0-9]+)"'
    r'|data\.get\("([a-z_0-9]+)"|_(?:one|many)\(params, "([a-z_0-9]+)"'
)


def parameter_names() -> list[str]:
    """Every query or form parameter name the portal's code reads."""
    names: set[str] = set()
    for path in (ROOT / "portal").rglob("*.py"):
        if "sandbox_gateway" in path.parts:
            continue
        for match in _READS.finditer(path.read_text(encoding="utf-8")):
            names.update(group for group in match.groups() if group)
    return sorted(names)


NAMES = parameter_names()
SKIPPED = {"/logout", "/payments/webhook"}  # sign-out ends the walk's session; the webhook answers the gateway only
params_strategy = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(HOSTILE), min_size=1, max_size=8)


@pytest.fixture
async def world(db: Any, make_user: Any, make_account: Any) -> dict[str, Any]:
    place = await make_account()
    resident = await make_user(accounts={place.account: "owner"}, rights=("view", "pay", "meters", "tickets"))
    admin = await make_user(roles=("admin",))
    return {
        "values": {"account_id": place.account, "premise_id": place.premise, "house_id": place.house},
        "callers": {"resident": resident, "admin": admin, "anonymous": None},
    }


def _fill(path: str, values: dict[str, Any], choice: str) -> str:
    def one(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if choice == "valid":
            return str(values.get(name, 1 if kind == "int" else "2026-11"))
        return choice

    return PARAM.sub(one, path)


def _caller_of(access: Any) -> str:
    """The caller who gets past a route's rule: the resident for resident pages, the admin for staff pages."""
    kind = getattr(access, "kind", "public")
    return {"resident": "resident", "staff": "admin", "user": "resident"}.get(kind, "anonymous")


async def _call(
    client: Any, login: Any, db: Any, world: dict[str, Any], caller: str, method: str, url: str, params: dict[str, str]
) -> int:
    """One request as ``caller``, everything it writes rolled back."""
    transaction = db.current_transaction.get()
    savepoint = await transaction.savepoint()
    try:
        await fresh_session(client, login, world.setdefault("sessions", {}), caller, world["callers"][caller])
        if method == "GET":
            response = await client.get(url, params=params)
        else:
            response = await client.form(url, params)
    except Exception:  # an error after the response started (a streamed export that breaks half-way)
        return 599
    finally:
        await savepoint.rollback_to()
    return response.status_code


def _routes(app: Any) -> list[tuple[str, str, str]]:
    return [
        (key.split(" ", 1)[0], key.split(" ", 1)[1], _caller_of(access))
        for key, access in sorted(app_routes(app).items())
        if key.split(" ", 1)[1] not in SKIPPED
    ]


# One value of each kind of trouble for the sweep of every route; Hypothesis mixes all of HOSTILE below.
SWEEP = ["²", str(2**63), "3000000000", "1" * 40, "1e30", "NaN", "9999-12-31", "x" * 300, "-1", "\x00"]


async def test_every_route_survives_each_hostile_value_in_every_parameter(app, client, db, login, world):
    failures = []
    for method, path, caller in _routes(app):
        url = _fill(path, world["values"], "valid")
        for value in SWEEP:
            status = await _call(client, login, db, world, caller, method, url, dict.fromkeys(NAMES, value))
            if status >= 500:
                failures.append(f"{caller} {method} {url} with every parameter = {value[:20]!r} → {status}")
    assert not failures, f"{len(failures)} answers of 500:\n" + "\n".join(failures)


async def test_every_route_survives_hostile_ids_in_its_path(app, client, db, login, world):
    failures = []
    for method, path, caller in _routes(app):
        if not PARAM.search(path):
            continue
        for value in ("²", str(10**30), str(2**63), "3000000000", "-1", "0", "x", "9999-12"):
            url = _fill(path, world["values"], value)
            status = await _call(client, login, db, world, caller, method, url, {})
            if status >= 500:
                failures.append(f"{caller} {method} {url} → {status}")
    assert not failures, f"{len(failures)} answers of 500:\n" + "\n".join(failures)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_mixed_hostile_values_never_answer_500(data, app, client, db, login, world):
    method, path, caller = data.draw(st.sampled_from(_routes(app)), label="route")
    url = _fill(path, world["values"], "valid")
    params = data.draw(params_strategy, label="params")
    status = await _call(client, login, db, world, caller, method, url, params)
    assert status < 500, f"{caller} {method} {url} {params!r} → {status}"
