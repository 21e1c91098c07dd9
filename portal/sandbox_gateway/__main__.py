"""``python -m portal.sandbox_gateway``: serve the sandbox gateway on SANDBOX_GATEWAY_PORT (default 8001)."""

from __future__ import annotations

from portal.core.sandboxes import serve
from portal.sandbox_gateway.app import create_app
from portal.sandbox_gateway.config import GatewayConfig


def main() -> None:
    config = GatewayConfig.from_env()
    serve(create_app(config), config.host, config.port)


if __name__ == "__main__":
    main()
