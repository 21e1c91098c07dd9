"""What the server writes to its log: ids, methods and paths, never people's contacts or secret links.

SECURITY.md: logs carry ids, not names, phones or addresses. The access log would otherwise keep a staff search
for a phone number (``?q=+79161234567``) and the token of a password-reset or invitation link (whoever reads the log
could open it). Every record passes :class:`Redact` before it is written.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

HIDDEN = "…"
EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+|%2B)?\b[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b")
QUERY_VALUE = re.compile(r"([?&][^=&\s\"]+=)[^&\s\"#]+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
LONG_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers hidden."""
    return PHONE.sub(HIDDEN, EMAIL.sub(HIDDEN, text))


def redact_path(path: str) -> str:
    """A request path as the log may keep it: query values hidden, and a segment long enough to be a secret token
    (not a UUID, which is an id) hidden too."""
    path = QUERY_VALUE.sub(lambda m: m.group(1) + HIDDEN, path)
    path = LONG_SEGMENT.sub(lambda m: m.group(0) if UUID.fullmatch(m.group(0)) else HIDDEN, path)
    return redact(path)


class Redact(logging.Filter):
    """Hides contacts and secrets in every record (and its traceback) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, redact_path(str(path)), version, status)
            return True
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def config() -> dict[str, Any]:
    """uvicorn's logging set-up with :class:`Redact` on every handler, and the portal's own loggers at INFO."""
    settings = copy.deepcopy(LOGGING_CONFIG)
    settings["filters"] = {"redact": {"()": f"{__name__}.Redact"}}
    for handler in settings["handlers"].values():
        handler["filters"] = ["redact"]
    settings["loggers"]["portal"] = {"level": "INFO"}
    settings["root"] = {"handlers": ["default"], "level": "WARNING"}
    return settings
