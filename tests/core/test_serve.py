"""``portal serve --port N`` serves links back to itself: the payment gateway returns a resident who has paid to
this server, not to the default port where another server or none is listening."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from click.testing import CliRunner

from portal import cli
from portal.settings import Settings
from portal.settings import get_settings
from portal.settings import use_settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Runs ``serve`` up to the web server and answers the base URL the portal would have used."""
    seen: dict[str, str] = {}
    before = get_settings()
    monkeypatch.setattr(cli, "run_async", lambda work: [])
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: seen.setdefault("base_url", get_settings().base_url))
    monkeypatch.setattr(cli, "_print_logins", lambda logins: None)

    def run(*args: str) -> str:
        use_settings(Settings.from_env())  # a new process reads its environment
        result = CliRunner().invoke(cli.main, ["serve", "--no-gateway", *args])
        assert result.exit_code == 0, result.output
        return seen["base_url"]

    saved = os.environ.get("BASE_URL")
    yield run
    os.environ.pop("BASE_URL", None)
    if saved is not None:
        os.environ["BASE_URL"] = saved
    use_settings(before)


def test_a_server_on_another_port_links_back_to_itself(served, monkeypatch) -> None:
    monkeypatch.delenv("BASE_URL", raising=False)
    assert served("--port", "8101") == "http://127.0.0.1:8101"


def test_a_base_url_given_is_kept(served, monkeypatch) -> None:
    monkeypatch.setenv("BASE_URL", "https://lk.example.ru")
    assert served("--port", "8101") == "https://lk.example.ru"


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No sandbox URL in the environment (restored afterwards, whatever ``serve`` set)."""
    for name in ("PAYMENT_GATEWAY_URL", "SMS_PROVIDER_URL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_a_second_server_starts_its_own_gateway_when_the_default_port_is_taken(sandbox_env, monkeypatch) -> None:
    """Another portal's gateway listens on the default port: this server's gateway goes elsewhere, else this
    portal's payments would go to that gateway and their webhooks to that portal."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = f"http://127.0.0.1:{other.getsockname()[1]}"
        monkeypatch.setattr(Settings, "payment_gateway_url", taken)
        cli._own_sandbox_ports()
        chosen = os.environ["PAYMENT_GATEWAY_URL"]
    assert chosen.startswith("http://127.0.0.1:")
    assert chosen != taken


def test_a_free_default_port_and_a_url_given_are_kept(sandbox_env, monkeypatch) -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        free = f"http://127.0.0.1:{spare.getsockname()[1]}"
    monkeypatch.setattr(Settings, "payment_gateway_url", free)
    monkeypatch.setenv("SMS_PROVIDER_URL", "http://127.0.0.1:9")
    cli._own_sandbox_ports()
    assert "PAYMENT_GATEWAY_URL" not in os.environ  # the sandbox takes its default port
    assert os.environ["SMS_PROVIDER_URL"] == "http://127.0.0.1:9"
