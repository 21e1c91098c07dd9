"""``portal serve --port N`` serves links back to itself: the payment gateway returns a resident who has paid to
this server, not to the default port where another server or none is listening."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from portal import cli
from portal.settings import Settings
from portal.settings import get_settings
from portal.settings import use_settings


@contextlib.contextmanager
def _base_url_kept() -> Iterator[None]:
    """``serve`` writes BASE_URL into this process's environment, as a new process would: put it back as it was."""
    saved = os.environ.get("BASE_URL")
    try:
        yield
    finally:
        os.environ.pop("BASE_URL", None)
        if saved is not None:
            os.environ["BASE_URL"] = saved


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

    with _base_url_kept():
        yield run
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
        held = cli._own_sandbox_ports()
        chosen = os.environ["PAYMENT_GATEWAY_URL"]
        bound = held["PAYMENT_GATEWAY_URL"].getsockname()[1]
    for sock in held.values():
        sock.close()
    assert chosen != taken
    assert chosen == f"http://127.0.0.1:{bound}"  # the URL names the socket the sandbox will be given


def _free_url() -> str:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{spare.getsockname()[1]}"


def test_two_servers_starting_at_once_get_different_gateway_ports(sandbox_env, monkeypatch) -> None:
    """Both look before either sandbox is up: the first holds its port from the moment it chose it, so the second
    cannot choose the same one (a look-then-bind-later would give both the free default port)."""
    free = _free_url()
    monkeypatch.setattr(Settings, "payment_gateway_url", free)
    first = cli._own_sandbox_ports()
    first_url = os.environ.pop("PAYMENT_GATEWAY_URL")
    os.environ.pop("SMS_PROVIDER_URL")
    second = cli._own_sandbox_ports()
    second_url = os.environ["PAYMENT_GATEWAY_URL"]
    try:
        assert first_url == free  # the default port, free, is taken by the first
        assert second_url != first_url
    finally:
        for sock in (*first.values(), *second.values()):
            sock.close()


def test_a_sandbox_serves_on_the_socket_its_portal_bound(tmp_path) -> None:
    """``portal serve`` hands the sandbox the socket it bound; the sandbox answers there."""
    import subprocess
    import sys
    import time

    import httpx

    from portal.core.sandboxes import bind

    sock = bind(0)
    port = sock.getsockname()[1]
    env = {**os.environ, "SANDBOX_LISTEN_FD": str(sock.fileno()), "PORTAL_VAR_DIR": str(tmp_path)}
    env.pop("SMS_PROVIDER_URL", None)
    child = subprocess.Popen([sys.executable, "-m", "portal.sandbox_sms"], env=env, pass_fds=(sock.fileno(),))
    sock.close()
    try:
        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            except httpx.HTTPError:
                time.sleep(0.1)
        assert answer is not None and answer.text == "ok"
    finally:
        child.terminate()
        child.wait(10)


def test_a_free_default_port_and_a_url_given_are_kept(sandbox_env, monkeypatch) -> None:
    free = _free_url()
    monkeypatch.setattr(Settings, "payment_gateway_url", free)
    monkeypatch.setenv("SMS_PROVIDER_URL", "http://127.0.0.1:9")
    held = cli._own_sandbox_ports()
    for sock in held.values():
        sock.close()
    assert os.environ["PAYMENT_GATEWAY_URL"] == free  # the sandbox takes its default port
    assert list(held) == ["PAYMENT_GATEWAY_URL"]
    assert os.environ["SMS_PROVIDER_URL"] == "http://127.0.0.1:9"


class _Sandbox:
    """A started sandbox process as ``serve`` sees it."""

    def __init__(self, module: str, events: list[str]) -> None:
        self.module, self.events = module, events

    def poll(self) -> None:
        return None

    def terminate(self) -> None:
        self.events.append(f"stop {self.module}")


@pytest.fixture
def steps(sandbox_env, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Runs ``serve`` with its sandboxes, answering what it did in order (the sandboxes are not really started)."""
    events: list[str] = []
    before = get_settings()
    monkeypatch.setenv("SMS_PROVIDER_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("PAYMENT_GATEWAY_URL", "http://127.0.0.1:2")
    monkeypatch.setattr(
        cli, "_start_sandbox", lambda module, *a: events.append(f"start {module}") or _Sandbox(module, events)
    )
    monkeypatch.setattr(cli, "_wait_for_gateway", lambda url, process: events.append(f"wait {process.module}"))
    monkeypatch.setattr(cli, "_print_logins", lambda logins: None)
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: events.append("serve"))

    def run(prepare: Any) -> tuple[list[str], int]:
        monkeypatch.setattr(cli, "run_async", lambda work: events.append("migrate") or prepare())
        result = CliRunner().invoke(cli.main, ["serve", "--port", "8101"])
        return events, result.exit_code

    with _base_url_kept():
        yield run
    use_settings(before)


def test_the_sandboxes_start_while_the_portal_migrates_and_are_up_before_it_serves(steps) -> None:
    """Their start (a second or two each) overlaps the migration and the demo check instead of following them."""
    events, code = steps(lambda: [])
    assert code == 0
    assert events == [
        "start portal.sandbox_gateway",
        "start portal.sandbox_sms",
        "migrate",
        "wait portal.sandbox_gateway",
        "wait portal.sandbox_sms",
        "serve",
        "stop portal.sandbox_gateway",
        "stop portal.sandbox_sms",
    ]


def test_a_failed_migration_stops_the_sandboxes_started_beside_it(steps) -> None:
    def fail() -> None:
        raise RuntimeError("migration failed")

    events, code = steps(fail)
    assert code != 0
    assert events[-2:] == ["stop portal.sandbox_gateway", "stop portal.sandbox_sms"]
    assert "serve" not in events
