"""Sessions in Redis (REDIS_URL): sign-in writes the session there under a new id, sign-out deletes it."""

from __future__ import annotations

import dataclasses
import os

import httpx
import pytest

from portal.accounts.passwords import hash_password
from portal.accounts.tables import User
from tests.conftest import PortalClient
from tests.conftest import missing

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


async def _reachable(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


@pytest.fixture
async def redis_app(db):
    if not REDIS_URL or not await _reachable(REDIS_URL):
        missing(
            "Redis",
            "install it (apt-get install redis-server), start it and set TEST_REDIS_URL=redis://127.0.0.1:6379/15",
        )
    from redis.asyncio import Redis

    from portal.app import create_app
    from portal.settings import get_settings
    from portal.settings import use_settings

    client = Redis.from_url(REDIS_URL)  # attempt counters of earlier runs (one IP: 127.0.0.1) start afresh
    try:
        async for key in client.scan_iter("portal-attempts:*"):
            await client.delete(key)
    finally:
        await client.aclose()

    settings = get_settings()
    app = create_app(dataclasses.replace(settings, redis_url=REDIS_URL))
    try:
        yield app
    finally:
        use_settings(settings)


async def test_sessions_live_in_redis(redis_app, make_user):
    user_id = await make_user()
    await User.update({User.password_hash: hash_password("redis pass 1")}).where(User.id == user_id)
    email = (await User.select(User.email).where(User.id == user_id).first())["email"]
    store = redis_app.stores.get("sessions")
    assert type(store).__name__ == "RedisStore"
    async with PortalClient(transport=httpx.ASGITransport(app=redis_app), base_url="http://testserver") as client:
        response = await client.form("/login", {"login": email, "password": "redis pass 1"})
        assert response.status_code == 303
        session_id = client.cookies.get("session")
        assert await store.get(session_id) is not None
        assert (await client.get("/profile")).status_code == 200
        await client.form("/logout")
        assert await store.get(session_id) is None
        # The word of the sign-out rides in a fresh session of its own, in Redis as well.
        assert "Вы вышли из портала." in (await client.get("/", follow_redirects=True)).text
