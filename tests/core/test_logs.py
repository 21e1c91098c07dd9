"""The log filter hides contacts and secret links (portal.core.logs)."""

import logging
import sys

import pytest

from portal.core import logs


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/staff/tickets?q=%2B79161234567&status=new", "/staff/tickets?q=…&status=…"),
        ("/password/reset/Zk3v0mYq1bT9xQw2LrS8aH4dE6fG7jN5", "/password/reset/…"),
        ("/payments/3f2b1c9e-8d7a-4b6c-9e5f-1a2b3c4d5e6f", "/payments/3f2b1c9e-8d7a-4b6c-9e5f-1a2b3c4d5e6f"),
        ("/accounts/1000123/receipts/2026-11", "/accounts/1000123/receipts/2026-11"),
    ],
)
def test_a_path_keeps_its_ids_and_loses_query_values_and_tokens(path: str, kept: str) -> None:
    assert logs.redact_path(path) == kept


@pytest.mark.parametrize(
    "text",
    [
        "delivery to ivanova@example.ru failed",
        "SMS to +7 916 123-45-67 refused",
        "call 8 (916) 123 45 67",
        "+79161234567",
    ],
)
def test_contacts_in_a_message_are_hidden(text: str) -> None:
    hidden = logs.redact(text)
    assert "…" in hidden
    assert "ivanova" not in hidden and "45" not in hidden


def test_the_filter_rewrites_an_access_record_and_a_traceback() -> None:
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", "/x?q=a@b.ru", "1.1", 200),
        None,
    )
    assert logs.Redact().filter(access) and access.getMessage() == '1.2.3.4 - "GET /x?q=… HTTP/1.1" 200'
    try:
        raise ValueError("recipient ivanova@example.ru refused")
    except ValueError:
        failed = logging.LogRecord(
            "portal.mail", logging.ERROR, __file__, 1, "to %s", ("ivanova@example.ru",), sys.exc_info()
        )
    logs.Redact().filter(failed)
    assert failed.getMessage() == "to …" and "ivanova" not in failed.exc_text


def test_the_server_is_started_with_the_filter_on_every_handler() -> None:
    config = logs.config()
    assert all(handler["filters"] == ["redact"] for handler in config["handlers"].values())
