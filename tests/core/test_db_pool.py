"""The app opens the PostgreSQL pool for the engine the tables use, and serves requests from it."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import pytest

from portal.core import db


async def test_requests_are_served_from_the_pool(engines: dict[str, Any]) -> None:
    if "postgres" not in engines:
        pytest.skip("PostgreSQL is not available: set TEST_POSTGRES_URL (CI always does)")
    from piccolo.engine.postgres import PostgresEngine

    from portal.app import create_app
    from portal.settings import Settings

    url = engines["postgres"].config["dsn"]
    engine = db.make_engine(url)
    previous = db.get_engine()
    db.use_engine(engine)
    outside_pool: list[str] = []
    original = PostgresEngine._run_in_new_connection

    async def run_in_new_connection(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if self is engine:
            outside_pool.append(query)
        return await original(self, query, *args, **kwargs)

    PostgresEngine._run_in_new_connection = run_in_new_connection  # type: ignore[method-assign]
    try:
        app = create_app(Settings.from_env({**__import__("os").environ, "DATABASE_URL": url}))
        async with app.lifespan():
            assert engine.pool is not None, "the app started without its PostgreSQL pool"
            session_id = secrets.token_hex(32)
            # A session of a user who does not exist: the principal loader still asks the database.
            await app.stores.get("sessions").set(session_id, json.dumps({"uid": 2_000_000_000}).encode(), 60)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                client.cookies.set("session", session_id)
                for _ in range(3):
                    page = await client.get("/")
                    assert page.status_code == 200
        assert engine.pool is None, "the pool is closed when the app stops"
    finally:
        PostgresEngine._run_in_new_connection = original  # type: ignore[method-assign]
        db.use_engine(previous)
    assert not outside_pool, f"queries ran on new connections instead of the pool: {outside_pool}"


async def test_start_refuses_what_is_not_an_engine() -> None:
    """Litestar hands the application to a hook that takes a parameter: ``start`` must not take it for an engine."""
    with pytest.raises(TypeError):
        await db.start(object())  # type: ignore[arg-type]


async def test_the_portals_connections_compile_no_jit(engines: dict[str, Any]) -> None:
    """PostgreSQL's JIT is off on the portal's connections, pooled or not: on large tables its cost estimate made
    it compile for hundreds of milliseconds on a page whose query runs in tens."""
    if "postgres" not in engines:
        pytest.skip("PostgreSQL is not available: set TEST_POSTGRES_URL (CI always does)")
    engine = db.make_engine(engines["postgres"].config["dsn"])
    assert (await engine._run_in_new_connection("SHOW jit"))[0]["jit"] == "off"
    await engine.start_connection_pool(min_size=1, max_size=1)
    try:
        async with engine.pool.acquire() as connection:
            assert await connection.fetchval("SHOW jit") == "off"
    finally:
        await engine.close_connection_pool()
