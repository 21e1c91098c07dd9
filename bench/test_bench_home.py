"""The resident home page of a user whose two accounts have 5 years (60 months) of history."""

from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Any

import httpx

from bench.conftest import make_accounts
from portal.billing.history import build_history


def test_resident_home_with_60_months_of_history(benchmark: Any, loop: Any, engine: Any) -> None:
    from portal.accounts.tables import Residency
    from portal.accounts.tables import User
    from portal.app import create_app
    from portal.settings import Settings

    async def prepare() -> tuple[Any, str]:
        accounts = [a for a, _ in await make_accounts(300, "77")]
        await build_history(accounts, date(2026, 11, 1), 60)
        user = User(email="bench@example.ru", full_name="Бенчмарков Пётр Петрович", password_hash="")
        await user.save()
        for account in accounts[:2]:
            await Residency(user=user.id, account=account, role="owner", rights=[]).save()
        try:
            from portal.accounts import consent
            from portal.accounts.tables import ConsentRecord

            await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="bench").save()
        except ImportError:
            pass
        app = create_app(Settings.from_env())
        session = secrets.token_hex(32)
        await app.stores.get("sessions").set(session, json.dumps({"uid": user.id}).encode(), expires_in=3600)
        return app, session

    app, session = loop.run_until_complete(prepare())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    client.cookies.set("session", session)

    def open_home() -> None:
        response = loop.run_until_complete(client.get("/"))
        assert response.status_code == 200
        assert "/receipts/2026-11" in response.text

    benchmark(open_home)
    loop.run_until_complete(client.aclose())
