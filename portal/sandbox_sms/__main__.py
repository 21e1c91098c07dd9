"""``python -m portal.sandbox_sms``: serve the sandbox SMS provider on SMS_PROVIDER_URL's port (default 8002)."""

from __future__ import annotations

import os
import signal
import threading
import time

import uvicorn

from portal.sandbox_sms.app import SmsConfig
from portal.sandbox_sms.app import create_app


def _stop_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    config = SmsConfig.from_env()
    parent = os.environ.get("SANDBOX_PARENT_PID", "")
    if parent.isdigit():
        _stop_with_parent(int(parent))
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning")


if __name__ == "__main__":
    main()
