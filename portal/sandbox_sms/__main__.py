"""``python -m portal.sandbox_sms``: serve the sandbox SMS provider on SMS_PROVIDER_URL's port (default 8002)."""

from __future__ import annotations

from portal.core.sandboxes import serve
from portal.sandbox_sms.app import SmsConfig
from portal.sandbox_sms.app import create_app


def main() -> None:
    config = SmsConfig.from_env()
    serve(create_app(config), config.host, config.port)


if __name__ == "__main__":
    main()
