"""Where a web push may be sent: a push service on the internet, never the server's own machine or network.

The subscription form refuses such an address typed out, but a host name is looked up only when a push is sent: a
resident who subscribed «https://127.0.0.1.nip.io/…» (or a name of the office network), or whose push service
answered with a redirect (a 307 keeps the POST), had the server post into its own network on every push."""

from __future__ import annotations

import base64
import dataclasses
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.serialization import PublicFormat

from portal.notifications import channels
from portal.settings import get_settings
from portal.settings import use_settings


def _subscription(endpoint: str) -> dict[str, Any]:
    receiver = ec.generate_private_key(ec.SECP256R1())
    public = receiver.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {"endpoint": endpoint, "keys": {"p256dh": b64(public), "auth": b64(b"0123456789abcdef")}}


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Any]:
    before = get_settings()
    use_settings(dataclasses.replace(before, var_dir=str(tmp_path)))
    try:
        yield get_settings()
    finally:
        use_settings(before)


def _resolving_to(address: str) -> Any:
    def lookup(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    return lookup


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "192.168.1.20"])
def test_a_push_service_named_into_the_servers_network_gets_nothing(settings, monkeypatch, address):
    sent: list[str] = []
    monkeypatch.setattr(channels.socket, "getaddrinfo", _resolving_to(address))
    monkeypatch.setattr("pywebpush.webpush", lambda **kwargs: sent.append(kwargs["subscription_info"]["endpoint"]))
    status = channels._push(_subscription("https://push.attacker.example/x"), "{}", "topic")
    assert status == channels.GONE and sent == []  # not sent, and the subscription is forgotten


def test_a_push_service_on_the_internet_is_sent_to(settings, monkeypatch):
    sent: list[str] = []

    def webpush(**kwargs: Any) -> Any:
        sent.append(kwargs["subscription_info"]["endpoint"])
        return type("Answer", (), {"status_code": 201})()

    monkeypatch.setattr(channels.socket, "getaddrinfo", _resolving_to("142.250.74.10"))
    monkeypatch.setattr("pywebpush.webpush", webpush)
    assert channels._push(_subscription("https://fcm.googleapis.com/fcm/send/x"), "{}", "topic") == 201
    assert sent == ["https://fcm.googleapis.com/fcm/send/x"]


def _server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_redirect_of_the_push_service_is_not_followed(settings):
    reached: list[str] = []

    class Inside(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            reached.append(self.path)
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args: Any) -> None: ...

    inside = _server(Inside)

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{inside.server_port}/internal")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None: ...

    service = _server(Redirecting)
    # The push service stands where the sandbox provider of tests does, the one address allowed on this machine.
    use_settings(dataclasses.replace(settings, sms_provider_url=f"http://127.0.0.1:{service.server_port}"))
    try:
        status = channels._push(_subscription(f"http://127.0.0.1:{service.server_port}/push/x"), "{}", "topic")
    finally:
        service.shutdown()
        inside.shutdown()
    assert status == 307 and reached == []
