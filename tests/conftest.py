"""Test harness: both database engines, the real app over ASGI, a live server for Chromium, SMTP.

- Database tests take the ``db`` fixture: they run on SQLite always and on PostgreSQL where
  ``TEST_POSTGRES_URL`` is reachable (CI: always), each inside a transaction rolled back at the end.
- ``client`` talks to the real app on the test's own event loop (``httpx.ASGITransport``); ``login``
  signs a client in as a user through the app's own session store.
- Browser tests are marked ``browser``, use the ``live_server`` (a real ``portal serve`` process with demo
  data) and run last; their pages, and a server of a module's own, come from tests/e2e/conftest.py (``open_page``,
  ``own_server``). Outside CI a missing server or browser skips with a message saying what to install;
  in CI (``CI=true``) it fails instead, so nothing is silently skipped there.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import hashlib
import itertools
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# ``make test`` runs the tests in processes of their own (pytest-xdist, one per core). Each keeps its own folder and
# databases (named by its pid, below) and its own Redis database: the workers count down from TEST_REDIS_URL's.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and os.environ.get("TEST_REDIS_URL"):
    _redis_server, _, _redis_db = os.environ["TEST_REDIS_URL"].rpartition("/")
    os.environ["TEST_REDIS_URL"] = f"{_redis_server}/{(int(_redis_db or 0) - int(_WORKER.removeprefix('gw'))) % 16}"

_TMP = Path(os.environ.get("PORTAL_TEST_TMP") or (ROOT / "var" / "test"))
_TMP.mkdir(parents=True, exist_ok=True)
_RUN = _TMP / f"run-{os.getpid()}"
shutil.rmtree(_RUN, ignore_errors=True)
_RUN.mkdir(parents=True)

SQLITE_URL = f"sqlite:///{_RUN / 'test.sqlite'}"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")

# The app under test reads its settings from here (not from the developer's var/ folder).
os.environ["DATABASE_URL"] = SQLITE_URL
os.environ["PORTAL_VAR_DIR"] = str(_RUN / "var")
os.environ["SECRET_KEY"] = "test-secret-" + "x" * 40
os.environ["PORTAL_RUN_JOBS"] = "0"
os.environ.setdefault("TIME_ZONE", "Europe/Simferopol")
os.environ["PORTAL_PASSWORD_HASH"] = "fast"  # cheap argon2 parameters in tests


def missing(what: str, install: str) -> None:
    """Skip (or, in CI, fail) a test whose server or browser is not there, saying what to install."""
    message = f"{what} is not available: {install}"
    if IN_CI:
        pytest.fail(message + " (CI must provide it)")
    pytest.skip(message)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Sync Playwright keeps an event loop running: browser tests go last; what reads their traces goes after them.
    items.sort(
        key=lambda item: (item.get_closest_marker("last") is not None, item.get_closest_marker("browser") is not None)
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_RUN, ignore_errors=True)


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "portal", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrations failed on {url.split(':')[0]}:\n{result.stdout}\n{result.stderr}")


def _postgres_database(url: str, kind: str = "test") -> str | None:
    """A fresh database of this test run on the server of ``url`` (parallel runs never share one), or None."""
    if not url:
        return None
    import asyncpg

    name = f"portal_{kind}_{os.getpid()}"

    async def create() -> str | None:
        try:
            conn = await asyncpg.connect(url, timeout=3)
        except Exception:
            return None
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return url.rsplit("/", 1)[0] + "/" + name

    return asyncio.run(create())


def _drop_postgres_database(url: str, test_url: str) -> None:
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(url, timeout=3)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{test_url.rsplit("/", 1)[1]}" WITH (FORCE)')
        finally:
            await conn.close()

    # Best effort: a database left behind is dropped by the next run with the same pid.
    with contextlib.suppress(Exception):
        asyncio.run(drop())


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, Any]]:
    """The migrated test databases, by engine name (PostgreSQL only where reachable)."""
    from portal.core.db import make_engine

    _migrate(SQLITE_URL)
    found: dict[str, Any] = {"sqlite": make_engine(SQLITE_URL)}
    postgres_url = _postgres_database(POSTGRES_URL)
    if postgres_url:
        _migrate(postgres_url)
        found["postgres"] = make_engine(postgres_url)
    yield found
    if postgres_url:
        _drop_postgres_database(POSTGRES_URL, postgres_url)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the portal's default language and leaves it so: a sync test runs in the process's own
    context, and a language it set (``set_locale("en")``) stayed for every test after it, sync or async."""
    from portal.core.i18n import DEFAULT_LOCALE
    from portal.core.i18n import set_locale

    set_locale(DEFAULT_LOCALE)
    yield
    set_locale(DEFAULT_LOCALE)


@pytest.fixture(autouse=True)
def _kept_lists_forgotten() -> None:
    """What the process keeps for a while, each test reads afresh: the NPS waves open today (a minute,
    ``analytics.queries``), the emergencies in force with the accounts they reach (15 s, ``content.pinned``), the
    newcomer's memos (a minute, ``documents.memos``) and when the log last said a part was away (a minute,
    ``core.outages``). Kept from a test before, they were that test's rows, rolled back since; on SQLite its ids come
    again, so a resident of this test saw the emergency of another one."""
    from portal.analytics import queries
    from portal.content import pinned
    from portal.core import outages
    from portal.documents import memos

    queries.forget_open_waves()
    pinned.forget()
    memos.forget()
    outages.forget()  # the log's once-a-minute line of a part away


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[Any]:
    """A migrated database on each engine; everything the test writes is rolled back."""
    if request.param not in engines:
        missing(
            "PostgreSQL",
            "install it (apt-get install postgresql), start it and set TEST_POSTGRES_URL="
            "postgresql://postgres@127.0.0.1:5432/portal_test",
        )
    from portal.core.db import use_engine

    engine = engines[request.param]
    use_engine(engine)
    # A test whose teardown failed (its rollback raised) leaves its transaction in the process's context:
    # pytest-asyncio carries a fixture's context variables back only after a clean teardown. Nested into that dead
    # transaction, on a closed event loop's connection, every later test of the engine would fail. Each test's
    # transaction is its own.
    engine.current_transaction.set(None)
    async with engine.transaction() as tx:
        yield engine
        await _left_running_finished()
        await tx.rollback()


@contextlib.asynccontextmanager
async def committed(engines: dict[str, Any], engine_name: str) -> AsyncIterator[Any]:
    """The test database of ``engine_name`` outside any test transaction, on connections of its own (PostgreSQL
    gets a pool): what a burst of simultaneous requests meets in production. The caller deletes what it wrote."""
    from portal.core import db

    if engine_name not in engines:
        missing("PostgreSQL", "start it and set TEST_POSTGRES_URL")
    source = engines[engine_name]
    engine = db.make_engine(source.config["dsn"]) if engine_name == "postgres" else source
    previous = db.get_engine()
    db.use_engine(engine)
    try:
        await db.start(engine)
        yield engine
    finally:
        if engine is not source:
            await db.stop(engine)
        db.use_engine(previous)


async def _left_running_finished(seconds: float = 10) -> None:
    """Work a test left running (a request whose partner in ``gather`` failed, a check started in the background)
    runs in the test's transaction. It ends, or is stopped, before the rollback: a rollback that meets the connection
    still busy fails the transaction for good."""
    this = asyncio.current_task()
    running = [task for task in asyncio.all_tasks() if task is not this and not task.done()]
    if not running:
        return
    _, unfinished = await asyncio.wait(running, timeout=seconds)
    for task in unfinished:
        task.cancel()
    await asyncio.gather(*unfinished, return_exceptions=True)


@pytest.fixture(scope="session")
def app() -> Any:
    from portal.app import create_app
    from portal.settings import Settings

    return create_app(Settings.from_env())


# Where httpx keeps the cookies the app sets for http://testserver: a cookie a test sets there is the same cookie,
# so the app can replace or delete it as a browser would let it.
COOKIE_DOMAIN = "testserver.local"


class PortalClient(httpx.AsyncClient):
    """An httpx client on the real app that sends the CSRF token with every form, as a browser would."""

    def _values(self, name: str) -> tuple[str, ...]:
        return tuple(cookie.value or "" for cookie in self.cookies.jar if cookie.name == name)

    async def csrf_token(self) -> str:
        """The CSRF token of this client's session (tokens are bound to the session: a new session, such as one
        set by the ``login`` fixture, gets a new token from the next page, as in a browser)."""
        session = self._values("session")
        if not self._values("csrftoken") or getattr(self, "_csrf_session", None) != session:
            self.cookies.delete("csrftoken")
            await self.get("/healthz")
            if not self._values("csrftoken"):
                # The CSRF middleware sets its cookie on safe requests to pages; any page will do.
                await self.get("/")
            self._csrf_session = self._values("session")
        tokens = self._values("csrftoken")
        assert tokens, "the app did not set a CSRF cookie"
        return tokens[-1]

    async def form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """POST a form with the CSRF token in it (``files=`` makes it multipart)."""
        payload = dict(data or {})
        payload["_csrf_token"] = await self.csrf_token()
        return await self.post(url, data=payload, **kwargs)

    async def speak(self, locale: str) -> None:
        """Read the portal in ``locale`` from now on, as its language switch makes it: this browser's cookie and,
        signed in, the person's saved language, which their pages on every device and their messages follow."""
        answer = await self.form("/lang", {"lang": locale, "next": "/healthz"})
        assert answer.status_code == 303, answer.status_code

    async def htmx_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """POST as HTMX does: the token in the ``x-csrftoken`` header, ``HX-Request: true``."""
        headers = {"HX-Request": "true", "x-csrftoken": await self.csrf_token(), **kwargs.pop("headers", {})}
        return await self.post(url, data=data or {}, headers=headers, **kwargs)


async def fresh_session(
    client: PortalClient, login: Any, sessions: dict[str, tuple[str, str]], caller: str, user_id: int | None
) -> None:
    """The client as ``user_id`` (None: an anonymous visitor) afresh, for a walk of many requests each as one of a
    few callers: its cookies cleared and, but for the anonymous one, signed in to a session holding only the caller,
    as the ``login`` fixture does. Each ``caller`` keeps one session id through the walk (in ``sessions``), its data
    written over each time, so the CSRF token bound to it is asked for once, not by a request of its own before each
    form."""
    client.cookies.clear()
    known = sessions.get(caller)
    if user_id is not None:
        await login(client, user_id, session_id=known[0] if known else None)
    if known is None:
        sessions[caller] = ("".join(client._values("session")), await client.csrf_token())
        return
    client.cookies.set("csrftoken", known[1], domain=COOKIE_DOMAIN)
    client._csrf_session = client._values("session")  # the token in the jar is this session's


@pytest.fixture
async def client(app: Any, db: Any) -> AsyncIterator[PortalClient]:
    """An anonymous client on the real app, on the test's database engine."""
    transport = httpx.ASGITransport(app=app)
    async with PortalClient(transport=transport, base_url="http://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
async def new_client(app: Any, db: Any) -> AsyncIterator[Any]:
    """A factory of further clients (another browser), closed at the end of the test."""
    made: list[PortalClient] = []

    def make() -> PortalClient:
        c = PortalClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", follow_redirects=False)
        made.append(c)
        return c

    yield make
    for c in made:
        await c.aclose()


@pytest.fixture
def login(app: Any) -> Any:
    """``await login(client, user_id)`` signs the client in through the app's own session store."""

    async def sign_in(c: httpx.AsyncClient, user_id: int, session_id: str | None = None, **extra: Any) -> None:
        """``session_id``: the session's id, given to sign a caller in afresh into the same session again (its
        data written over), else a new one."""
        store = app.stores.get("sessions")
        session_id = session_id or secrets.token_hex(32)
        await store.set(session_id, json.dumps({"uid": user_id, **extra}).encode(), expires_in=3600)
        c.cookies.set("session", session_id, domain=COOKIE_DOMAIN)  # the app's own cookie: it may replace it

    return sign_in


@pytest.fixture
def make_user(db: Any) -> Any:
    """``await make_user(roles=("dispatcher",), houses=(house_id,), accounts={account_id: "owner"})``.

    The user has accepted the current personal-data consent unless ``consent=False``."""
    from portal.accounts.tables import Residency
    from portal.accounts.tables import StaffHouse
    from portal.accounts.tables import User
    from portal.accounts.tables import UserRole

    counter = {"n": 0}

    async def make(
        *,
        name: str = "Тестовый Пользователь",
        email: str | None = None,
        roles: tuple[str, ...] = (),
        houses: tuple[int, ...] = (),
        accounts: dict[int, str] | None = None,
        rights: tuple[str, ...] = ("view",),
        consent: bool = True,
        locale: str = "ru",
    ) -> int:
        counter["n"] += 1
        user = User(
            email=email or f"user{counter['n']}-{secrets.token_hex(3)}@example.ru",
            full_name=name,
            password_hash="",
            locale=locale,  # the language saved with the profile: their pages and messages
        )
        await user.save()
        for role in roles:
            await UserRole(user=user.id, role=role).save()
        for house in houses:
            await StaffHouse(user=user.id, house=house).save()
        for account, role in (accounts or {}).items():
            await Residency(user=user.id, account=account, role=role, rights=list(rights)).save()
        if consent:  # the current personal-data consent accepted, so that pages open without the consent gate
            from portal.accounts import consent as consent_text
            from portal.accounts.tables import ConsentRecord

            await ConsentRecord(user=user.id, text_version=consent_text.current_version(), channel="test").save()
        return user.id

    return make


@dataclass(frozen=True)
class Place:
    """What ``make_account`` built: the ids of the house, its entrance, the premise and the account."""

    house: int
    entrance: int
    premise: int
    account: int
    number: str


# Premise numbers of the tests' premises: distinct within a run, so that two premises of one house never collide
# (a random number did, one run in a few hundred).
_premise_numbers = itertools.count(1 + secrets.randbelow(50_000))


@pytest.fixture
def make_account(db: Any) -> Any:
    """``await make_account(house=None, kind="flat", area="54.30")`` → a ``Place`` (a new house when none is given).

    The one factory of houses, premises and accounts for every domain's tests."""
    from portal.housing.tables import Complex
    from portal.housing.tables import Entrance
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise

    async def make(
        *,
        house: int | None = None,
        entrance: int | None = None,
        kind: str = "flat",
        premise_number: str | None = None,
        floor: int = 2,
        area: str = "54.30",
        payer: str = "Иванов Иван Иванович",
        number: str | None = None,
        address: str | None = None,
    ) -> Place:
        tag = secrets.token_hex(4)
        if house is None:
            complex_ = Complex(name=f"ЖК Тестовый {tag}", city="Симферополь")
            await complex_.save()
            row = House(complex=complex_.id, address=address or f"г. Симферополь, ул. Тестовая, д. {tag}", floors=9)
            await row.save()
            house = row.id
        if entrance is None:
            found = await Entrance.select(Entrance.id).where(Entrance.house == house).first()
            if found is None:
                made = Entrance(house=house, number=1, floors=9)
                await made.save()
                entrance = made.id
            else:
                entrance = found["id"]
        premise = Premise(
            house=house,
            entrance=entrance,
            kind=kind,
            number=premise_number or str(next(_premise_numbers)),
            floor=floor,
            area=Decimal(area),
        )
        await premise.save()
        number = number or f"9{secrets.randbelow(10**11):011d}"
        account = PersonalAccount(number=number, premise=premise.id, payer_name=payer, opened_on=date(2024, 1, 1))
        await account.save()
        return Place(house=house, entrance=entrance, premise=premise.id, account=account.id, number=number)

    return make


@pytest.fixture
def audit_log_queries(db: Any, client: PortalClient, make_user: Any) -> Any:
    """``await audit_log_queries(*events)`` → the queries the audit log's page runs (as text) for the client signed
    in, after an administrator has recorded ``events`` — ``(action, entity, entity_id, changes)`` tuples — besides
    what is there. The audit log's query-count tests compare a page of few events with one of many."""
    from portal.core import audit
    from portal.core.security import Principal
    from tests.querylog import captured

    async def queries_of(*events: tuple[str, str, int, dict[str, Any]]) -> list[str]:
        if events:
            admin = await make_user(roles=("admin",))
            actor = Principal(user_id=admin, name="Аудитор", staff_roles=frozenset({"admin"}))
            for action, entity, entity_id, changes in events:
                await audit.record(actor, action, entity, entity_id, changes)
        with captured(db) as seen:
            assert (await client.get("/staff/audit")).status_code == 200
        return [str(q) for q in seen]

    return queries_of


# --- demo data -----------------------------------------------------------------------------------------


def _demo_key() -> str:
    """The demo data depend on the code that makes them and on the day they are made for: the company's date (the
    demo bills the months before it), not the UTC one, which lags it for three hours each night."""
    from portal.core import clock

    digest = hashlib.sha256(clock.today_local().isoformat().encode())
    for path in sorted([*ROOT.glob("portal/**/*.py"), *ROOT.glob("migrations/**/*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _load_demo(url: str, var: Path) -> None:
    """Migrate, load the demo data, and run the scheduled jobs once (the month's penalties), so that a server
    started on a copy is as calm as one that has been running, not busy with them while a test signs in."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_VAR_DIR": str(var),
        "PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{free_port()}",  # nothing there: jobs that pay fail and retry
        "SMS_PROVIDER_URL": f"http://127.0.0.1:{free_port()}",  # nor here: no text message leaves
    }
    tick = "from portal.cli import run_async; from portal.core import jobs; jobs.load_jobs(); run_async(jobs.tick)"
    for command in (["-m", "portal", "migrate"], ["-m", "portal", "seed-demo"], ["-c", tick]):
        result = subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed on {url.split(':')[0]}:\n{result.stdout}\n{result.stderr}")


def _cached_demo(engine: str, make: Any, valid: Any = None) -> Path:
    """The folder of demo data made by ``make(folder)`` for ``engine``: the data folder the demo was loaded with
    (uploaded files, and for SQLite the database). Loading takes one to two minutes, so it is done once a day per
    version of the code and kept in the test folder; older ones are removed."""
    cached = _TMP / f"demo-{_demo_key()}-{engine}"
    if cached.exists() and (valid is None or valid()):
        return cached
    with (_TMP / f"demo-{engine}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker loading it meanwhile: wait for its copy
        if cached.exists() and (valid is None or valid()):
            return cached
        return _made_demo(engine, cached, make)


def _made_demo(engine: str, cached: Path, make: Any) -> Path:
    build = _RUN / f"demo-build-{engine}"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    make(build)
    shutil.rmtree(cached, ignore_errors=True)
    try:
        os.replace(build, cached)
    except OSError:  # another run made it meanwhile
        shutil.rmtree(build, ignore_errors=True)
    for old in _TMP.glob(f"demo-*-{engine}"):
        if old != cached:
            shutil.rmtree(old, ignore_errors=True)
    return cached


@contextlib.contextmanager
def demo_postgres(name: str, var: Path) -> Iterator[str | None]:
    """A PostgreSQL database of this run with the demo data (None when no server is reachable), dropped after;
    the uploaded files of the demo go into the data folder ``var``.

    As with SQLite, the demo is loaded once a day per version of the code, into a template database of the
    server, and each run gets a copy of it (a copy takes about a second)."""
    if not POSTGRES_URL:
        yield None
        return
    import asyncpg

    server = POSTGRES_URL.rsplit("/", 1)[0]
    template = f"portal_demo_{_demo_key()}"
    database = f"portal_{name}_{os.getpid()}"

    async def run(*statements: str) -> list[Any]:
        conn = await asyncpg.connect(POSTGRES_URL, timeout=3)
        try:
            return [await conn.fetch(statement) for statement in statements]
        finally:
            await conn.close()

    def made() -> set[str]:
        (rows,) = asyncio.run(run("SELECT datname FROM pg_database WHERE datname LIKE 'portal_demo_%'"))
        return {row["datname"] for row in rows}

    def left_on(name: str) -> int:
        query = f"SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"  # noqa: S608 (our own name)
        ((row,),) = asyncio.run(run(query))
        return int(row["n"])

    def make(folder: Path) -> None:
        build = f"{template}_build_{os.getpid()}"
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{build}"', f'CREATE DATABASE "{build}"'))
        _load_demo(f"{server}/{build}", folder)
        # The loading processes have exited, but the server ends their sessions a moment later (longer on a busy
        # machine), and a database with a session on it cannot be renamed.
        deadline = time.monotonic() + 60
        while left_on(build) and time.monotonic() < deadline:
            time.sleep(0.1)
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{template}"', f'ALTER DATABASE "{build}" RENAME TO "{template}"'))
        for old in made() - {template}:
            if "_build_" not in old:
                with contextlib.suppress(asyncpg.PostgresError):
                    asyncio.run(run(f'DROP DATABASE IF EXISTS "{old}"'))

    try:
        made()
    except (OSError, asyncpg.PostgresError):
        yield None
        return
    files = _cached_demo("postgres", make, valid=lambda: template in made())
    shutil.copytree(files, var, dirs_exist_ok=True)
    for attempt in range(20):  # the template cannot be copied twice at the same moment
        try:
            asyncio.run(
                run(f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
            )
            break
        except asyncpg.ObjectInUseError:
            if attempt == 19:
                raise
            time.sleep(0.5)
    try:
        yield f"{server}/{database}"
    finally:
        with contextlib.suppress(Exception):
            asyncio.run(run(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


# --- live server and browser -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str], log_path: Path, health_url: str) -> Iterator[None]:
    """A process of ours (the portal, the sandbox gateway) running until the block ends, its output in ``log_path``."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(health_url, process, seconds=360)  # a first start seeds the demo data: slow on a busy machine
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


_template_lock = threading.Lock()


def demo_template() -> Path:
    """A folder with a migrated SQLite database loaded with the demo data (and what seeding wrote beside it):
    every live server starts from a copy instead of seeding its own. It is made once a day per version of the
    code and kept between runs (see ``_cached_demo``)."""

    def make(folder: Path) -> None:
        database = folder / "live.sqlite"
        _load_demo(f"sqlite:///{database}", folder)
        with contextlib.closing(sqlite3.connect(database)) as conn:  # one self-contained file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")

    with _template_lock:
        return _cached_demo("sqlite", make)


@contextlib.contextmanager
def portal_server(name: str, **extra_env: str) -> Iterator[tuple[str, Path]]:
    """A real ``portal serve`` on a free port with its own folder and SQLite database, loaded with the demo data,
    (or the database of ``DATABASE_URL=``), and its own sandbox gateway and SMS provider (``portal serve`` starts
    them on PAYMENT_GATEWAY_URL's and SMS_PROVIDER_URL's ports). Yields (url, folder).
    """
    port = free_port()
    var = _RUN / name
    if "DATABASE_URL" in extra_env:
        var.mkdir(parents=True, exist_ok=True)
    else:
        shutil.copytree(demo_template(), var, dirs_exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'live.sqlite'}",
        "PORTAL_VAR_DIR": str(var),
        "BASE_URL": url,
        "PORTAL_RUN_JOBS": "1",
        "PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{free_port()}",
        "SANDBOX_DB": str(var / "sandbox_gateway.sqlite"),
        "SANDBOX_RETRY_SCALE": "0.01",
        "SMS_PROVIDER_URL": f"http://127.0.0.1:{free_port()}",
        "SANDBOX_SMS_DB": str(var / "sandbox_sms.sqlite"),
        **extra_env,
    }
    command = [sys.executable, "-m", "portal", "serve", "--port", str(port)]
    with running(command, env, var / "server.log", f"{url}/healthz"):
        yield url, var


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The shared live server of the browser tests, with the demo data."""
    with portal_server("live") as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        return browser_type_launch_args
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU", "viewport": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _browser_available(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("browser") and not Path(CHROMIUM).exists():
        missing("Chromium", "install it with apt-get install chromium (never playwright install)")


# --- SMTP ----------------------------------------------------------------------------------------------


class Inbox:
    """What a real SMTP server (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def wait_for(self, recipient: str, seconds: float = 30) -> Any:
        """The first message to ``recipient``, parsed as a reader's mail client would (headers decoded);
        waits for a delivery made by another process."""
        from email import message_from_bytes
        from email import policy

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for envelope in self.messages:
                if recipient in envelope.rcpt_tos:
                    return message_from_bytes(envelope.content, policy=policy.default)
            time.sleep(0.1)
        raise AssertionError(f"no e-mail to {recipient} within {seconds} s")


@contextlib.contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    """A real SMTP server on a free local port for the duration of the block."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server on a free local port; ``.messages`` holds what arrived, ``.port`` where it listens."""
    with smtp_inbox() as inbox:
        yield inbox


class SmtpDown(Inbox):
    """The portal's mail server, down (nothing listens on its port) until ``start()`` brings a real one up there."""

    def __init__(self) -> None:
        super().__init__()
        self.port = free_port()
        self._controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_down() -> Iterator[SmtpDown]:
    """The portal's settings name a mail server that is down until the test calls ``.start()``; what it then
    receives is in ``.messages``. After the test the server stops and the settings are restored."""
    from portal.settings import get_settings
    from portal.settings import use_settings

    server = SmtpDown()
    before = get_settings()
    use_settings(dataclasses.replace(before, smtp_host=server.host, smtp_port=server.port))
    try:
        yield server
    finally:
        server.stop()
        use_settings(before)
