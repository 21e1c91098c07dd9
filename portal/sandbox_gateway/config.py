"""The gateway's settings, from the environment (the same key names the portal uses for its side)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from portal.core.sandboxes import ROOT
from portal.core.sandboxes import listening

# The settings of where it listens: the URL the portal calls it at, its own port, host and database.
SETTINGS = ("PAYMENT_GATEWAY_URL", "SANDBOX_GATEWAY_PORT", "SANDBOX_GATEWAY_HOST", "SANDBOX_DB")

# Stripe's live retry schedule is exponential over three days; SANDBOX_RETRY_SCALE compresses it.
RETRY_SCHEDULE = (60, 300, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400)


@dataclass
class GatewayConfig:
    port: int = 8001
    host: str = "127.0.0.1"
    database: Path = ROOT / "var" / "sandbox_gateway.sqlite"
    secret_key: str = "sk_test_portal"  # noqa: S105 (the sandbox's published test key)
    webhook_secret: str = "whsec_portal_sandbox"  # noqa: S105
    webhook_url: str = "http://127.0.0.1:8000/payments/webhook"
    public_url: str = "http://127.0.0.1:8001"
    retry_scale: float = 1.0
    merchant: str = "УК «Монолит Комфорт»"
    tick: float = 0.05

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> GatewayConfig:
        env = dict(os.environ if env is None else env)
        where = listening(env, SETTINGS, 8001, "sandbox_gateway.sqlite")
        return cls(
            **where,
            secret_key=env.get("PAYMENT_SECRET_KEY", "sk_test_portal"),
            webhook_secret=env.get("PAYMENT_WEBHOOK_SECRET", "whsec_portal_sandbox"),
            webhook_url=env.get("SANDBOX_WEBHOOK_URL", "http://127.0.0.1:8000/payments/webhook"),
            public_url=env.get("SANDBOX_PUBLIC_URL", f"http://127.0.0.1:{where['port']}").rstrip("/"),
            retry_scale=float(env.get("SANDBOX_RETRY_SCALE", "1")),
            merchant=env.get("SANDBOX_MERCHANT", "УК «Монолит Комфорт»"),
        )
