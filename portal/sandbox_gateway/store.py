"""The gateway's own storage: one SQLite file with objects as JSON, idempotency results and webhook deliveries.

The gateway is one process with one event loop and every write is a short synchronous statement, so a single
connection in autocommit mode is all it needs.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_type_seq ON objects(type, seq);
CREATE TABLE IF NOT EXISTS idempotency (
    api_key TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created INTEGER NOT NULL,
    PRIMARY KEY (api_key, key)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    last_status INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, held, next_at);
"""

_ALPHABET = string.ascii_letters + string.digits
IDEMPOTENCY_TTL = 24 * 3600


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def now() -> int:
    return int(time.time())


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the API shows it: internal fields (``_…``) removed."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    # --- objects ------------------------------------------------------------------------------------

    def insert(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.db.execute(
            "INSERT INTO objects (id, type, created, data) VALUES (?, ?, ?, ?)",
            (obj["id"], obj["object"], obj.get("created") or now(), json.dumps(obj, ensure_ascii=False)),
        )
        return obj

    def save(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.db.execute("UPDATE objects SET data = ? WHERE id = ?", (json.dumps(obj, ensure_ascii=False), obj["id"]))
        return obj

    def get(self, object_id: str, kind: str | None = None) -> dict[str, Any] | None:
        row = self.db.execute("SELECT type, data FROM objects WHERE id = ?", (object_id,)).fetchone()
        if row is None or (kind and row["type"] != kind):
            return None
        return json.loads(row["data"])

    def seq_of(self, object_id: str) -> int | None:
        row = self.db.execute("SELECT seq FROM objects WHERE id = ?", (object_id,)).fetchone()
        return row["seq"] if row else None

    def list(
        self,
        kind: str,
        *,
        created: dict[str, int] | None = None,
        equals: dict[str, str] | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        limit: int = 10,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Newest first, as Stripe lists; returns the page and whether more follow."""
        where = ["type = ?"]
        args: list[Any] = [kind]
        ops = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
        for op, value in (created or {}).items():
            where.append(f"created {ops[op]} ?")
            args.append(value)
        for field, value in (equals or {}).items():
            where.append(f"json_extract(data, '$.{field}') = ?")
            args.append(value)
        order = "DESC"
        if starting_after:
            where.append("seq < ?")
            args.append(self.seq_of(starting_after) or 0)
        elif ending_before:
            where.append("seq > ?")
            args.append(self.seq_of(ending_before) or 0)
            order = "ASC"
        sql = f"SELECT data FROM objects WHERE {' AND '.join(where)} ORDER BY seq {order} LIMIT ?"  # noqa: S608
        rows = self.db.execute(sql, [*args, limit + 1]).fetchall()
        items = [json.loads(r["data"]) for r in rows[:limit]]
        if order == "ASC":
            items.reverse()
        return items, len(rows) > limit

    def due_sessions(self, moment: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT data FROM objects WHERE type = 'checkout.session' AND json_extract(data, '$.status') = 'open' "
            "AND json_extract(data, '$.expires_at') <= ? LIMIT 50",
            (moment,),
        ).fetchall()
        return [json.loads(r["data"]) for r in rows]

    # --- idempotency --------------------------------------------------------------------------------

    def idempotency_get(self, api_key: str, key: str) -> sqlite3.Row | None:
        row = self.db.execute("SELECT * FROM idempotency WHERE api_key = ? AND key = ?", (api_key, key)).fetchone()
        if row is not None and row["created"] < now() - IDEMPOTENCY_TTL:
            self.db.execute("DELETE FROM idempotency WHERE api_key = ? AND key = ?", (api_key, key))
            return None
        return row

    def idempotency_begin(self, api_key: str, key: str, fingerprint: str) -> None:
        self.db.execute(
            "INSERT INTO idempotency (api_key, key, fingerprint, state, created) VALUES (?, ?, ?, 'running', ?)",
            (api_key, key, fingerprint, now()),
        )

    def idempotency_finish(self, api_key: str, key: str, status: int, body: str) -> None:
        self.db.execute(
            "UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE api_key = ? AND key = ?",
            (status, body, api_key, key),
        )

    def idempotency_forget(self, api_key: str, key: str) -> None:
        self.db.execute("DELETE FROM idempotency WHERE api_key = ? AND key = ?", (api_key, key))

    # --- webhook deliveries -------------------------------------------------------------------------

    def add_delivery(self, event_id: str, at: float, held: bool) -> None:
        self.db.execute(
            "INSERT INTO deliveries (event_id, next_at, held) VALUES (?, ?, ?)", (event_id, at, 1 if held else 0)
        )

    def due_deliveries(self, at: float, limit: int = 20) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM deliveries WHERE state = 'pending' AND held = 0 AND next_at <= ? "
            "ORDER BY next_at, id LIMIT ?",
            (at, limit),
        ).fetchall()

    def delivery_done(self, delivery_id: int, status: int) -> None:
        self.db.execute(
            "UPDATE deliveries SET state = 'delivered', attempt = attempt + 1, last_status = ? WHERE id = ?",
            (status, delivery_id),
        )

    def delivery_failed(self, delivery_id: int, status: int | None, error: str, next_at: float | None) -> None:
        self.db.execute(
            "UPDATE deliveries SET attempt = attempt + 1, last_status = ?, last_error = ?, next_at = ?, state = ? "
            "WHERE id = ?",
            (status, error[:500], next_at or 0, "pending" if next_at is not None else "failed", delivery_id),
        )

    def release_held(self, at: float) -> int:
        """Release held deliveries newest first (the reorder fault)."""
        rows = self.db.execute("SELECT id FROM deliveries WHERE held = 1 ORDER BY id DESC").fetchall()
        for i, row in enumerate(rows):
            self.db.execute("UPDATE deliveries SET held = 0, next_at = ? WHERE id = ?", (at + i * 1e-6, row["id"]))
        return len(rows)

    def deliveries(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT d.*, json_extract(o.data, '$.type') AS type FROM deliveries d "
            "LEFT JOIN objects o ON o.id = d.event_id ORDER BY d.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [dict(r) for r in rows]

    def pending_deliveries(self, event_id: str) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) AS n FROM deliveries WHERE event_id = ? AND state = 'pending'", (event_id,)
        ).fetchone()
        return int(row["n"])
