"""The sandbox gateway closes a checkout session alike when the portal asks (``expire``) and when its time runs
out: its page no longer opens, and the portal is told by the same event."""

from __future__ import annotations

import json

from portal.sandbox_gateway import engine
from portal.sandbox_gateway.config import GatewayConfig
from portal.sandbox_gateway.engine import Gateway
from portal.sandbox_gateway.store import Store
from tests.payments.test_sandbox_api import SESSION


def _expired_events(gateway: Gateway) -> list[str]:
    rows = gateway.store.db.execute("SELECT data FROM objects WHERE type = 'event'").fetchall()
    events = [json.loads(r["data"]) for r in rows]
    return [e["data"]["object"]["id"] for e in events if e["type"] == "checkout.session.expired"]


def test_a_session_expires_alike_when_asked_and_when_its_time_runs_out(tmp_path, monkeypatch):
    gateway = Gateway(GatewayConfig(database=tmp_path / "gw.sqlite"), Store(tmp_path / "gw.sqlite"))
    asked, due, open_ = (gateway.create_session(SESSION) for _ in range(3))
    gateway.expire_session(asked["id"])
    started = engine.now()
    monkeypatch.setattr(engine, "now", lambda: started + 3600)
    gateway.store.save({**due, "expires_at": started + 1800})  # its time ran out
    gateway.store.save({**open_, "expires_at": started + 7200})  # its has not
    assert gateway.expire_due() == 1
    for closed in (asked, due):
        session = gateway.session(closed["id"])
        assert (session["status"], session["url"]) == ("expired", None)
    assert gateway.session(open_["id"])["status"] == "open"
    assert sorted(_expired_events(gateway)) == sorted([asked["id"], due["id"]])
