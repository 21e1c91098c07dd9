"""A part the portal relies on is away for a moment (core.outages): Redis unreachable while REDIS_URL is set, the
SQLite database locked by another process's long write. No page answers 500: the reader is told plainly that
nothing was sent and to try again in a minute (503, Retry-After), a form leads back to its page, and the limits
that guard an account refuse while their counters are away, the others let the attempt go ahead."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import PortalClient
from tests.conftest import committed
from tests.conftest import free_port

TRY_AGAIN = "Форма не отправлена: сервис ненадолго занят. Отправьте её ещё раз через минуту."


@pytest.fixture
def closed_redis_url() -> str:
    """A Redis URL where nothing listens (the port was free a moment ago)."""
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def app_without_redis(closed_redis_url: str) -> Iterator[Any]:
    """The portal in production mode (sessions, limits and jobs on Redis) while its Redis is unreachable."""
    from dataclasses import replace

    from portal.app import create_app
    from portal.settings import Settings
    from portal.settings import get_settings
    from portal.settings import use_settings

    before = get_settings()
    yield create_app(replace(Settings.from_env(), redis_url=closed_redis_url, run_jobs=False))
    use_settings(before)


@contextlib.asynccontextmanager
async def client_of(app: Any) -> AsyncIterator[PortalClient]:
    async with PortalClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def test_sign_in_while_redis_is_away_is_refused_with_try_again_not_500(
    app_without_redis: Any, db: Any, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from portal.accounts.passwords import hash_password
    from portal.accounts.tables import User

    user_id = await make_user(email="away@example.ru")
    await User.update({User.password_hash: hash_password("demo12345")}).where(User.id == user_id)
    async with client_of(app_without_redis) as c:
        assert (await c.get("/login")).status_code == 200  # a guest's page needs no session
        with caplog.at_level(logging.WARNING, logger="portal.outages"):
            answer = await c.form(
                "/login",
                {"login": "away@example.ru", "password": "demo12345"},
                headers={"Referer": "http://testserver/login"},
            )
    # The sign-in attempts cannot be counted, so no password is checked (SECURITY.md: brute force): refused.
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "60"
    assert TRY_AGAIN in answer.text
    assert 'href="/login"' in answer.text  # back to the form, not to a sign-in
    assert "session" not in answer.cookies
    assert "redis unreachable on /login" in caplog.text
    assert await User.select(User.last_login_at).where(User.id == user_id).first() == {"last_login_at": None}


async def test_a_signed_in_page_and_form_while_redis_is_away_answer_try_again(app_without_redis: Any, db: Any) -> None:
    from portal.accounts.csrf import token_for

    session = "a" * 64  # a session kept in the Redis that is away, and the token its form was sent with
    token = token_for(app_without_redis.state.settings.secret_key, session)
    async with client_of(app_without_redis) as c:
        c.cookies.set("session", session, domain="testserver.local")
        c.cookies.set("csrftoken", token, domain="testserver.local")
        page = await c.get("/")
        sent = await c.post(
            "/tickets/new",
            data={"_csrf_token": token, "description": "Течёт кран"},
            headers={"Referer": "http://testserver/tickets/new"},
        )
    assert page.status_code == 503
    assert "Сервис ненадолго занят. Попробуйте ещё раз через минуту." in page.text
    assert sent.status_code == 503
    assert TRY_AGAIN in sent.text
    assert 'href="/tickets/new"' in sent.text
    assert "Вернуться к форме" in sent.text


async def test_only_the_limits_that_guard_no_account_let_attempts_through_while_redis_is_away(
    closed_redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    from portal.accounts import rules
    from portal.core.limits import RedisCounter
    from portal.core.storage import UPLOADS_PER_USER
    from portal.showcase.rules import LEADS_PER_IP

    redis = Redis.from_url(closed_redis_url)
    counter = RedisCounter(redis)
    try:
        with caplog.at_level(logging.WARNING, logger="portal.outages"):
            for _ in range(3):
                assert await counter.take(UPLOADS_PER_USER, "7")
                assert await counter.take(LEADS_PER_IP, "10.0.0.1")
        # Said once a minute, as a page's «try again» is (core.outages.note), not once per attempt.
        assert [r.getMessage() for r in caplog.records] == [
            "redis unreachable on limit uploads: ConnectionError, not counted, the attempt goes ahead"
        ]
        caplog.clear()
        guarding = (
            rules.SIGN_IN_PER_USER,
            rules.SIGN_IN_PER_IP,
            rules.REGISTER_PER_IP,
            rules.CODE_PER_ACCOUNT,
            rules.RESET_PER_EMAIL,
            rules.RESET_PER_IP,
            rules.PASSWORD_CHECK_PER_USER,
            rules.PHONE_CODES_PER_USER,
            rules.EMAIL_LINKS_PER_USER,
        )
        for limit in guarding:
            with pytest.raises(RedisConnectionError):
                await counter.take(limit, "7")
        # Uncounting after the work was done never loses the work's answer; the log says so once a minute too.
        with caplog.at_level(logging.WARNING, logger="portal.outages"):
            for _ in range(3):
                await counter.clear(rules.SIGN_IN_PER_USER, "7")
                await counter.give_back(rules.SIGN_IN_PER_IP, "10.0.0.1")
        assert [r.getMessage() for r in caplog.records] == [
            "redis unreachable on limit sign-in: ConnectionError, left counted"
        ]
    finally:
        await redis.aclose()


async def test_a_form_sent_while_another_process_holds_the_database_is_answered_try_again(
    app: Any, engines: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite locked by a long write of another process (an import from the command line): the form waits out the
    busy timeout (short here), is answered «try again» and leads back to its page; sent again, it goes through."""
    from portal.core import db
    from portal.core.sqlite_engine import PortalSQLiteEngine
    from portal.core.tables import AttemptCounter

    path = engines["sqlite"].path
    engine = PortalSQLiteEngine(path=path, timeout=0.5)
    async with committed({"sqlite": engine}, "sqlite"), client_of(app) as c:
        form = {"login": "busy@example.ru"}
        back = {"Referer": "http://testserver/password/forgot"}
        other_process = sqlite3.connect(path, isolation_level=None)
        try:
            other_process.execute("BEGIN IMMEDIATE")
            with caplog.at_level(logging.WARNING, logger="portal.outages"):
                refused = await c.form("/password/forgot", form, headers=back)
            other_process.execute("ROLLBACK")
            accepted = await c.form("/password/forgot", form, headers=back)
        finally:
            other_process.close()
            await AttemptCounter.delete().where(AttemptCounter.bucket.like("reset%"))
            await db.stop(engine)
    assert refused.status_code == 503
    assert TRY_AGAIN in refused.text
    assert 'href="/password/forgot"' in refused.text
    assert "database busy on /password/forgot" in caplog.text
    assert accepted.status_code == 200
