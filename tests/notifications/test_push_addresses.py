"""Where a web push may be sent: a push service on the internet, never the server's own machine or network.

The subscription form refuses such an address typed out, but a host name is looked up only when a push is sent: a
resident who subscribed «https://127.0.0.1.nip.io/…» (or a name of the office network), or whose push service
answered with a redirect (a 307 keeps the POST), had the server post into its own network on every push; and a
name that answered a public address to the check and one of ours to the connection (DNS rebinding) did the same,
until the push went to the very address that was checked."""

from __future__ import annotations

import base64
import dataclasses
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
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


def _server(handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
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


class _Internet:
    """The name service and the routes a push sees: a name answers its addresses in turn (the last one from then
    on), and a public address given a local port is a server on this machine standing on the internet."""

    def __init__(self, names: dict[str, list[str]], servers: dict[tuple[str, int], int]) -> None:
        self.names, self.servers = names, servers

    def getaddrinfo(self, host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host in self.names:  # a look-up of the name
            answers = self.names[host]
            host = answers.pop(0) if len(answers) > 1 else answers[0]
        elif (host, port) in self.servers:  # a connection to the address
            host, port = "127.0.0.1", self.servers[host, port]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port))]


class _Receiving(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.server.posts.append((self.path, self.headers["Host"]))  # type: ignore[attr-defined]
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None: ...


def _receiving(tls: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    server = _server(_Receiving, tls)
    server.posts = []  # type: ignore[attr-defined]
    return server


def test_ssrf_by_dns_rebinding_a_name_that_answers_our_network_after_the_check_gets_nothing(settings, monkeypatch):
    """Server-side request forgery by DNS rebinding: the push service's name answers a public address to the check
    and this machine's to the connection; the push goes to the address that was checked, never into the network."""
    inside, outside = _receiving(), _receiving()
    public = ("142.250.74.10", inside.server_port)
    internet = _Internet({"push.rebind.example": ["142.250.74.10", "127.0.0.1"]}, {public: outside.server_port})
    monkeypatch.setattr(channels.socket, "getaddrinfo", internet.getaddrinfo)
    endpoint = f"http://push.rebind.example:{inside.server_port}/push/x"
    try:
        status = channels._push(_subscription(endpoint), "{}", "topic")
    finally:
        inside.shutdown()
        outside.shutdown()
    assert inside.posts == []  # type: ignore[attr-defined]
    assert status == 201 and outside.posts == [("/push/x", f"push.rebind.example:{inside.server_port}")]  # type: ignore[attr-defined]


def _certificate(name: str, folder: Path) -> tuple[Path, Path]:
    """A certificate for ``name`` signed by an authority of its own: (the authority's file, the server's file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import NoEncryption
    from cryptography.hazmat.primitives.serialization import PrivateFormat
    from cryptography.x509.oid import NameOID

    def issued(subject: str, key: Any, issuer: str, signer: Any, authority: bool) -> x509.Certificate:
        now = datetime.now(UTC)
        built = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
        )
        if not authority:
            built = built.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        return built.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = issued("Test authority", ca_key, "Test authority", ca_key, authority=True)
    leaf = issued(name, key, "Test authority", ca_key, authority=False)
    (folder / "ca.pem").write_bytes(ca.public_bytes(Encoding.PEM))
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()) + leaf.public_bytes(Encoding.PEM)
    (folder / "server.pem").write_bytes(pem)
    return folder / "ca.pem", folder / "server.pem"


def test_an_honest_push_service_is_sent_to_at_its_checked_address_by_its_name(settings, monkeypatch, tmp_path):
    """Over https the connection goes to the checked address, and TLS still names the host (SNI) and checks the
    certificate for the name, not for the address."""
    authority, certificate = _certificate("push.honest.example", tmp_path)
    tls, named = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH), []
    tls.load_cert_chain(certificate)
    tls.sni_callback = lambda sock, name, context: named.append(name)  # type: ignore[assignment,func-returns-value]
    service = _receiving(tls)
    public = ("142.250.74.10", service.server_port)
    internet = _Internet({"push.honest.example": ["142.250.74.10"]}, {public: service.server_port})
    monkeypatch.setattr(channels.socket, "getaddrinfo", internet.getaddrinfo)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(authority))
    try:
        status = channels._push(_subscription(f"https://push.honest.example:{public[1]}/push/y"), "{}", "topic")
    finally:
        service.shutdown()
    assert status == 201 and named == ["push.honest.example"]
    assert service.posts == [("/push/y", f"push.honest.example:{public[1]}")]  # type: ignore[attr-defined]
