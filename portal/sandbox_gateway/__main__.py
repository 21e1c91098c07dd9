"""``python -m portal.sandbox_gateway``: serve the sandbox gateway on SANDBOX_GATEWAY_PORT (default 8001)."""

from __future__ import annotations

import os
import signal
import threading
import time

import uvicorn

from portal.sandbox_gateway.app import create_app
from portal.sandbox_gateway.config import GatewayConfig


def _stop_with_parent(parent: int) -> None:
    """Started by ``portal serve``: stop when the portal stops, however it stopped (SIGTERM, SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    config = GatewayConfig.from_env()
    parent = os.environ.get("SANDBOX_PARENT_PID", "")
    if parent.isdigit():
        _stop_with_parent(int(parent))
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning")


if __name__ == "__main__":
    main()
