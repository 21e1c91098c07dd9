"""``python -m portal.sandbox_gateway``: serve the sandbox gateway on SANDBOX_GATEWAY_PORT (default 8001)."""

from __future__ import annotations

import uvicorn

from portal.sandbox_gateway.app import create_app
from portal.sandbox_gateway.config import GatewayConfig


def main() -> None:
    config = GatewayConfig.from_env()
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning")


if __name__ == "__main__":
    main()
