"""Over real HTTP (the demo server the browser tests share): a browser that asks for gzip gets pages, the stylesheet
and scripts compressed, with the right Content-Length, Vary and a weak ETag; one that does not gets them as they
are. What is compressed already (a photo, a PDF, an XLSX) and an htmx fragment too small to gain go out as they
are; a streamed CSV export is compressed chunk by chunk; HEAD answers the GET's headers."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator

import httpx
import pytest

from portal.core.compression import MINIMUM_SIZE
from portal.core.compression import compressible
from tests.walker import sign_in

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def raw(client: httpx.Client, path: str, headers: dict[str, str], method: str = "GET") -> httpx.Response:
    """The answer as it came over the wire (httpx would undo the gzip)."""
    with client.stream(method, path, headers=headers) as response:
        response.wire = b"".join(response.iter_raw())  # type: ignore[attr-defined]
        return response


@pytest.fixture(scope="module")
def resident(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as client:
        sign_in(client, "resident@demo.ru")
        yield client


@pytest.fixture(scope="module")
def manager(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as client:
        sign_in(client, "manager@demo.ru")
        yield client


def test_a_page_goes_compressed_to_a_browser_that_asks_and_whole_to_one_that_does_not(resident: httpx.Client):
    plain = raw(resident, "/tickets", IDENTITY)
    packed = raw(resident, "/tickets", GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.wire)
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert int(packed.headers["content-length"]) == len(packed.wire)
    page = gzip.decompress(packed.wire)
    assert b"</html>" in page
    assert len(packed.wire) * 3 < len(page)


def test_the_stylesheet_and_scripts_are_compressed_with_a_weak_etag(resident: httpx.Client):
    page = resident.get("/").text
    for address in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=[^"]+)"', page):
        plain = raw(resident, address, IDENTITY)
        packed = raw(resident, address, GZIP)
        assert packed.headers["content-encoding"] == "gzip", address
        assert gzip.decompress(packed.wire) == plain.wire, address
        assert int(packed.headers["content-length"]) == len(packed.wire)
        assert packed.headers["etag"] == "W/" + plain.headers["etag"]
        assert "immutable" in packed.headers["cache-control"]


def test_head_answers_the_headers_the_get_would(resident: httpx.Client):
    got = raw(resident, "/tickets", GZIP)
    head = raw(resident, "/tickets", GZIP, method="HEAD")
    assert head.status_code == 200
    assert head.wire == b""
    assert head.headers["content-encoding"] == "gzip"
    # the same page compressed: its length within a few bytes (the page's CSRF token differs)
    assert abs(int(head.headers["content-length"]) - int(got.headers["content-length"])) < 64


def test_photos_pdfs_and_spreadsheets_go_as_they_are(resident: httpx.Client, manager: httpx.Client):
    home = resident.get("/").text
    receipt = re.search(r'href="(/accounts/\d+/receipts/[\d-]+)"', home)
    assert receipt
    pdf = raw(resident, receipt.group(1) + "/pdf", GZIP)
    assert pdf.status_code == 200 and pdf.wire.startswith(b"%PDF")
    assert "content-encoding" not in pdf.headers
    assert int(pdf.headers["content-length"]) == len(pdf.wire)
    photo = raw(resident, "/services/photos/1", GZIP)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert "content-encoding" not in photo.headers
    xlsx = raw(manager, "/staff/tickets/export?format=xlsx", GZIP)
    assert xlsx.status_code == 200 and xlsx.wire.startswith(b"PK")
    assert "content-encoding" not in xlsx.headers


def test_a_streamed_csv_export_is_compressed_and_whole(manager: httpx.Client):
    plain = raw(manager, "/staff/tickets/export", IDENTITY)
    packed = raw(manager, "/staff/tickets/export", GZIP)
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-length" not in packed.headers  # streamed: chunked
    assert gzip.decompress(packed.wire).splitlines()[1:] == plain.wire.splitlines()[1:]
    assert len(plain.wire.splitlines()) > 2


def test_a_small_answer_goes_as_it_is(resident: httpx.Client):
    # a redirect, an htmx answer of a few bytes: compressing would gain nothing
    answer = raw(resident, "/healthz", GZIP)
    assert len(answer.wire) < MINIMUM_SIZE
    assert "content-encoding" not in answer.headers


@pytest.mark.parametrize(
    ("kind", "status", "encoded", "expected"),
    [
        ("text/html; charset=utf-8", 200, False, True),
        ("text/csv", 200, False, True),
        ("image/svg+xml", 200, False, True),
        ("application/javascript", 200, False, True),
        ("image/jpeg", 200, False, False),
        ("application/pdf", 200, False, False),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 200, False, False),
        ("text/event-stream", 200, False, False),
        ("text/html; charset=utf-8", 304, False, False),
        ("text/html; charset=utf-8", 206, False, False),
        ("text/html; charset=utf-8", 200, True, False),
    ],
)
def test_what_is_worth_compressing(kind: str, status: int, encoded: bool, expected: bool):
    headers = [(b"content-type", kind.encode())] + ([(b"content-encoding", b"br")] if encoded else [])
    assert compressible({"type": "http.response.start", "status": status, "headers": headers}) is expected


@pytest.mark.parametrize(("length", "expected"), [(0, False), (MINIMUM_SIZE - 1, False), (MINIMUM_SIZE, True)])
def test_an_answer_known_to_be_short_is_not_worth_compressing(length: int, expected: bool):
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(length).encode())]
    assert compressible({"type": "http.response.start", "status": 200, "headers": headers}) is expected


@pytest.mark.parametrize(
    ("kind", "body", "compressors"),
    [
        ("text/html; charset=utf-8", b"a" * MINIMUM_SIZE, 1),
        ("text/html; charset=utf-8", b"", 0),
        ("image/jpeg", b"a" * MINIMUM_SIZE, 0),
    ],
)
async def test_a_compressor_is_made_only_for_an_answer_compressed(
    monkeypatch: pytest.MonkeyPatch, kind: str, body: bytes, compressors: int
):
    """Setting up zlib costs ~270 KB and a clearing of it: a redirect, a photo, an htmx fragment make none."""
    from litestar.middleware.compression import middleware

    from portal.core.compression import TextCompression
    from portal.core.compression import compression_config

    made = []

    class Counted(middleware.GzipCompression):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(middleware, "GzipCompression", Counted)

    async def answer(scope, receive, send):
        headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", b"gzip")], "state": {}}
    await TextCompression(answer, compression_config())(scope, None, send)
    assert len(made) == compressors
    assert (dict(sent[0]["headers"]).get(b"content-encoding") == b"gzip") is bool(compressors)
    assert (gzip.decompress(sent[1]["body"]) if compressors else sent[1]["body"]) == body
