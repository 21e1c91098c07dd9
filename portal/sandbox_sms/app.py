"""The sandbox SMS provider's HTTP face.

- ``POST /v1/messages`` ``{"to", "text", "sender"}`` with ``Authorization: Bearer <key>`` and an
  ``Idempotency-Key``: "sends" the message (stores it) and answers ``{"id", "status": "accepted"}``; the same
  key again answers the first message and sends nothing more. ``GET /v1/messages``: what was sent.
- ``POST /push/{box}``: a stand-in push service endpoint — stores the encrypted web push as it arrived;
  ``GET /_sandbox/pushes``.
- Fault switches: ``POST /_sandbox/faults`` ``{"fail_next": 3, "status": 500}`` fails the next N sends;
  ``{"fail_all": true}`` fails every send until ``POST /_sandbox/reset``.
- ``GET /``: a page listing the messages sent.
"""

from __future__ import annotations

import base64
import hmac
import html
import json
import os
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.params import FromPath

from portal.core.sandboxes import ROOT
from portal.core.sandboxes import listening

# The settings of where it listens: the URL the portal calls it at, its own port, host and database.
SETTINGS = ("SMS_PROVIDER_URL", "SANDBOX_SMS_PORT", "SANDBOX_SMS_HOST", "SANDBOX_SMS_DB")


@dataclass
class SmsConfig:
    port: int = 8002
    host: str = "127.0.0.1"
    database: Path = ROOT / "var" / "sandbox_sms.sqlite"
    api_key: str = "sms_test_portal"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SmsConfig:
        env = dict(os.environ if env is None else env)
        where = listening(env, SETTINGS, 8002, "sandbox_sms.sqlite")
        return cls(**where, api_key=env.get("SMS_API_KEY", "sms_test_portal"))


@dataclass
class Faults:
    fail_next: int = 0
    fail_all: bool = False
    status: int = 500


class Store:
    """Messages and pushes in one SQLite file (the provider's own, never the portal's)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS message (id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, phone TEXT, "
            "text TEXT, sender TEXT, created_at TEXT);"
            "CREATE TABLE IF NOT EXISTS push (id INTEGER PRIMARY KEY, box TEXT, body TEXT, headers TEXT, "
            "created_at TEXT);"
        )

    def send(self, key: str, phone: str, text: str, sender: str) -> tuple[dict[str, Any], bool]:
        """(the message, whether it is new): a key seen before answers its first message."""
        with self.lock:
            row = self.db.execute("SELECT * FROM message WHERE idempotency_key = ?", (key,)).fetchone()
            if row is not None:
                return dict(row), False
            message = {
                "id": "sms_" + secrets.token_hex(8),
                "idempotency_key": key,
                "phone": phone,
                "text": text,
                "sender": sender,
                "created_at": datetime.now(UTC).isoformat(),
            }
            self.db.execute(
                "INSERT INTO message VALUES (:id, :idempotency_key, :phone, :text, :sender, :created_at)", message
            )
            self.db.commit()
            return message, True

    def messages(self, limit: int = 500) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM message ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    def add_push(self, box: str, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            cursor = self.db.execute(
                "INSERT INTO push (box, body, headers, created_at) VALUES (?, ?, ?, ?)",
                (box, base64.b64encode(body).decode(), json.dumps(headers), datetime.now(UTC).isoformat()),
            )
            self.db.commit()
            return int(cursor.lastrowid or 0)

    def pushes(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM push ORDER BY id").fetchall()
        return [{**dict(r), "headers": json.loads(r["headers"])} for r in rows]

    def reset(self) -> None:
        with self.lock:
            self.db.execute("DELETE FROM message")
            self.db.execute("DELETE FROM push")
            self.db.commit()


def _state(request: Request) -> Any:
    return request.app.state


def _json(body: Any, status: int = 200) -> Response[bytes]:
    return Response(json.dumps(body, ensure_ascii=False).encode(), status_code=status, media_type="application/json")


@post("/v1/messages", status_code=200)
async def send_message(request: Request) -> Response[bytes]:
    state = _state(request)
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(key.strip(), state.config.api_key):
        return _json({"error": {"code": "unauthorized", "message": "Invalid API key."}}, 401)
    faults: Faults = state.faults
    if faults.fail_all or faults.fail_next > 0:
        faults.fail_next = max(0, faults.fail_next - 1)
        return _json(
            {"error": {"code": "provider_error", "message": "Temporary failure (sandbox fault)."}}, faults.status
        )
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return _json({"error": {"code": "bad_request", "message": "JSON expected."}}, 400)
    phone, text = str(data.get("to", "")), str(data.get("text", ""))
    if not phone.startswith("+") or not phone[1:].isdigit() or not text:
        return _json({"error": {"code": "invalid_number", "message": "A phone as +7XXXXXXXXXX and a text."}}, 400)
    idempotency = request.headers.get("idempotency-key") or secrets.token_hex(8)
    message, _new = state.store.send(idempotency, phone, text[:1000], str(data.get("sender", "")))
    return _json({"id": message["id"], "status": "accepted", "to": message["phone"]})


@get("/v1/messages")
async def list_messages(request: Request) -> Response[bytes]:
    return _json({"data": _state(request).store.messages()})


@post("/push/{box:str}", status_code=201)
async def receive_push(request: Request, box: FromPath[str]) -> Response[bytes]:
    headers = {k.lower(): v for k, v in request.headers.items()}
    push_id = _state(request).store.add_push(box, await request.body(), headers)
    return Response(b"", status_code=201, headers={"Location": f"/push/{box}/{push_id}"})


@get("/_sandbox/pushes")
async def list_pushes(request: Request) -> Response[bytes]:
    return _json({"data": _state(request).store.pushes()})


@post("/_sandbox/faults", status_code=200)
async def set_faults(request: Request) -> Response[bytes]:
    data = json.loads(await request.body() or b"{}")
    faults: Faults = _state(request).faults
    faults.fail_next = int(data.get("fail_next", faults.fail_next))
    faults.fail_all = bool(data.get("fail_all", faults.fail_all))
    faults.status = int(data.get("status", faults.status))
    return _json({"fail_next": faults.fail_next, "fail_all": faults.fail_all, "status": faults.status})


@post("/_sandbox/reset", status_code=200)
async def reset(request: Request) -> Response[bytes]:
    state = _state(request)
    state.faults = Faults()
    state.store.reset()
    return _json({"ok": True})


@get("/healthz", media_type="text/plain")
async def healthz() -> str:
    return "ok"


@get("/", media_type="text/html")
async def page(request: Request) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(m['created_at'][:19].replace('T', ' '))}</td><td>{html.escape(m['phone'])}</td>"
        f"<td>{html.escape(m['text'])}</td><td><code>{html.escape(m['id'])}</code></td></tr>"
        for m in _state(request).store.messages()
    )
    faults: Faults = _state(request).faults
    return (
        "<!doctype html><html lang='ru'><head><meta charset='utf-8'><meta name='viewport' "
        "content='width=device-width, initial-scale=1'><title>Sandbox SMS</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;margin:24px;color:#111827}table{border-collapse:collapse;width:100%}"
        "td,th{border-bottom:1px solid #d1d5db;padding:8px;text-align:left;vertical-align:top}</style></head><body>"
        "<h1>Sandbox SMS provider</h1><p>Messages the portal sent (nothing leaves this machine). Faults: "
        f"fail next {faults.fail_next}, fail all {'yes' if faults.fail_all else 'no'}.</p>"
        "<table><thead><tr><th>Time (UTC)</th><th>Phone</th><th>Text</th><th>Id</th></tr></thead><tbody>"
        f"{rows or '<tr><td colspan=4>Nothing sent yet.</td></tr>'}</tbody></table></body></html>"
    )


def create_app(config: SmsConfig | None = None) -> Litestar:
    config = config or SmsConfig.from_env()
    app = Litestar(
        route_handlers=[send_message, list_messages, receive_push, list_pushes, set_faults, reset, healthz, page],
        openapi_config=None,
    )
    app.state.config = config
    app.state.faults = Faults()
    app.state.store = Store(config.database)
    return app
