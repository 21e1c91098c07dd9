"""The channels of the outbox: e-mail (SMTP), SMS (an HTTP provider), web push (VAPID) and in-app messages,
and the dispatcher job that runs them — in the app process in the embedded mode, in ``portal worker`` (SAQ on
Redis) in production.

Each sender delivers one outbox row. The row's ``dedupe_key`` goes along as the e-mail's Message-ID and as the
SMS provider's ``Idempotency-Key``, so that a send repeated after a crash is recognised downstream.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import json
import logging
import socket
from datetime import UTC
from datetime import datetime
from email import policy
from email.header import Header
from email.headerregistry import HeaderRegistry
from email.headerregistry import UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import formataddr
from email.utils import make_msgid
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any
from typing import Protocol
from urllib.parse import quote
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiosmtplib
import httpx

from portal.core import jobs
from portal.core import outbox
from portal.core import storage
from portal.core.db import json_value
from portal.core.db import waiting_at_most
from portal.core.i18n import own_words
from portal.notifications import queries
from portal.settings import get_settings

log = logging.getLogger("portal.notifications")


# --- e-mail -----------------------------------------------------------------------------------------------------


def message_id(dedupe_key: str, domain: str) -> str:
    """The same Message-ID for every attempt of one message (a receiver can drop a repeat)."""
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@{domain or 'portal'}>"


class _OneLine(UnstructuredHeader):
    """A header written on one line as it is. The unsubscribe address is longer than a header's usual 78
    characters, and the e-mail package folds such a word into RFC 2047 encoded words («=?utf-8?q?=3Chttps…»),
    which no mail provider reads as ``List-Unsubscribe``; a line may run to 998 characters (RFC 5322)."""

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


class _Words(UnstructuredHeader):
    """A subject in words of any language, folded so that a mail client reads it as it was written. The e-mail
    package's own folding of a long Cyrillic subject left the space between two encoded words outside both, and
    RFC 2047 drops such a space («Гарантийная претензия:г. Симферополь»); the older ``Header`` keeps it inside."""

    def fold(self, *, policy: Any) -> str:
        if str(self).isascii():
            return super().fold(policy=policy)
        words = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {words}{policy.linesep}"


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _OneLine)
_HEADERS.map_to_type("subject", _Words)
_POLICY = policy.default.clone(header_factory=_HEADERS)


def _ascii(address: str) -> str:
    """The address as a header carries it: a Cyrillic domain («портал.рф») in its IDNA form, the rest quoted."""
    parts = urlsplit(address)
    host = (parts.hostname or "").encode("idna").decode()
    netloc = host + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc, path=quote(parts.path, safe="/%")).geturl()


def sender(configured: str, locale: str | None) -> str:
    """The From of the company's e-mail: its name in the reader's language before the address (``SMTP_FROM`` as
    configured where it names a sender itself), so that a mail client shows «УК «Монолит Комфорт»», not the bare
    address of the mailbox."""
    name, address = parseaddr(configured)
    if name or not address:
        return configured
    settings = get_settings()
    return formataddr((own_words(settings, "company_name", locale) or settings.company_name, address))


def build_email(row: dict[str, Any], now: datetime | None = None) -> EmailMessage:
    """The e-mail of one outbox row, as sent: From with the company's name, Date in the company's zone (the moment
    of sending), a Message-ID of its own, the text, and its HTML part, one-click unsubscribe and attached files
    where it has them."""
    settings = get_settings()
    context = json_value(row.get("context"))
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender(settings.smtp_from, context.get("locale"))
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"] or settings.company_name
    message["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(ZoneInfo(settings.time_zone)))
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2]
    message["Message-ID"] = message_id(row["dedupe_key"], domain) if row.get("dedupe_key") else make_msgid()
    message.set_content(row["body"] or "")
    if context.get("unsubscribe"):
        # One-click unsubscribe (RFC 8058): the mail provider's «Отписаться» posts to the address itself.
        message["List-Unsubscribe"] = f"<{_ascii(context['unsubscribe'])}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if context.get("html"):
        message.add_alternative(context["html"], subtype="html")
    for attached in context.get("attachments") or ():
        _attach(message, attached)
    return message


def _attach(message: EmailMessage, attached: dict[str, str]) -> None:
    """A stored file the message carries (``context["attachments"]``: its storage key, type and name), read when
    the message is built; one deleted since (its keeping term ended) is left out."""
    path = storage.path_of(attached["key"])
    if path.is_file():
        maintype, _, subtype = attached.get("type", "image/jpeg").partition("/")
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=attached["name"])


async def send_email(row: dict[str, Any]) -> str | None:
    """One real SMTP conversation, or "kept" for the Outbox page when no SMTP server is configured."""
    settings = get_settings()
    if not settings.smtp_host:
        return "kept"
    try:
        await aiosmtplib.send(
            build_email(row),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user,
            password=settings.smtp_password,
            use_tls=settings.smtp_port == 465,
            timeout=20,
        )
    except OSError as exc:  # refused, timed out, hung up (aiosmtplib's connection errors are OSErrors)
        raise outbox.Unreachable(f"SMTP server {settings.smtp_host}:{settings.smtp_port}: {exc}") from exc
    return None


# --- SMS ----------------------------------------------------------------------------------------------------------


class SmsProvider(Protocol):
    """An SMS provider: sends one text to one phone, at most once per ``key``; returns the provider's id."""

    async def send(self, phone: str, text: str, key: str) -> str: ...


class SmsRefused(outbox.Permanent):
    """The provider refused the message for good (a wrong number, a text it will not take)."""


class HttpSmsProvider:
    """The provider's HTTP API (the sandbox provider speaks it): ``POST /v1/messages`` with a JSON body
    ``{"to", "text", "sender"}``, a bearer key and an ``Idempotency-Key``; answers ``{"id", "status"}``.
    A 4xx answer other than 408/429 is final; anything else is retried by the outbox."""

    def __init__(self, url: str, api_key: str, sender: str) -> None:
        self.url, self.api_key, self.sender = url.rstrip("/"), api_key, sender

    async def send(self, phone: str, text: str, key: str) -> str:
        try:
            async with httpx.AsyncClient(timeout=15) as client:
                response = await client.post(
                    f"{self.url}/v1/messages",
                    json={"to": phone, "text": text, "sender": self.sender},
                    headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": key},
                )
        except httpx.TransportError as exc:  # the key makes the retry safe if the first one arrived
            raise outbox.Unreachable(f"SMS provider: {type(exc).__name__}") from exc
        if response.status_code in (200, 201):
            return str(response.json().get("id", ""))
        detail = f"SMS provider answered {response.status_code}: {response.text[:200]}"
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise SmsRefused(detail)
        raise RuntimeError(detail)


def sms_provider() -> SmsProvider | None:
    settings = get_settings()
    if not settings.sms_provider_url:
        return None
    return HttpSmsProvider(settings.sms_provider_url, settings.sms_api_key, settings.sms_sender)


async def send_sms(row: dict[str, Any]) -> str | None:
    provider = sms_provider()
    if provider is None:
        return "kept"
    await provider.send(row["recipient"], row["body"], row["dedupe_key"])
    return None


# --- web push (VAPID) -------------------------------------------------------------------------------------------


def _vapid_path() -> Path:
    return Path(get_settings().var_dir) / "vapid_private.pem"


@lru_cache(maxsize=4)
def _vapid_at(path: str) -> Any:
    from py_vapid import Vapid02

    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        vapid = Vapid02()
        vapid.generate_keys()
        vapid.save_key(str(file))
        file.chmod(0o600)
    return Vapid02.from_file(str(file))


def vapid() -> Any:
    """The VAPID key pair of this deployment (kept outside the repository, generated on first use)."""
    return _vapid_at(str(_vapid_path()))


def vapid_public_key() -> str:
    """The application server key a browser subscribes with (uncompressed P-256 point, base64url)."""
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.hazmat.primitives.serialization import PublicFormat

    raw = vapid().public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushGone(outbox.Permanent):
    """Every browser of the person has unsubscribed."""


GONE = 410  # what a push service answers for a subscription that ended


def _checked_address(endpoint: str) -> str | None:
    """The one address the push is sent to: the endpoint's host name looked up once, and only if every address it
    resolves to is a public one, else None. The subscription form refuses an address of this machine or its network
    typed out (``https://10.0.0.5``), but a name is looked up only here: a resident who subscribed
    «https://127.0.0.1.nip.io/…» or a name of the office network had the server post to its own services on every
    push. The sandbox provider of dev and tests (``sms_provider_url``), which stands in for the push services there,
    is the one exception to «public». A failed look-up raises ``OSError`` (tried again later)."""
    from urllib3.util.connection import allowed_gai_family

    parts, sandbox = urlsplit(endpoint), urlsplit(get_settings().sms_provider_url)
    found = socket.getaddrinfo(parts.hostname or "", parts.port or 443, allowed_gai_family(), socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if (parts.scheme, parts.netloc) != (sandbox.scheme, sandbox.netloc) and not all(a.is_global for a in addresses):
        return None
    return str(addresses[0]) if addresses else None


def _session_to(address: str) -> Any:
    """A session that connects only to ``address`` (the one checked: a second look-up of the name could answer an
    address of our own network, DNS rebinding), still speaking to the host by its name (the Host header, and TLS
    SNI and the certificate's check for https), and that never follows a redirect: a push service answers a push
    itself, and one that sends the server elsewhere (a 307 keeps the POST) would lead it past the check."""
    import requests
    from requests.adapters import HTTPAdapter

    class Pinned(HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            parts = urlsplit(request.url)
            request.headers["Host"] = parts.netloc.rpartition("@")[2]
            ip = f"[{address}]" if ":" in address else address
            request.url = parts._replace(netloc=ip + (f":{parts.port}" if parts.port else "")).geturl()
            return super().send(request, *args, **kwargs)

        def build_connection_pool_key_attributes(self, request: Any, *args: Any) -> Any:
            host, pool = super().build_connection_pool_key_attributes(request, *args)
            if host["scheme"] == "https":
                name = urlsplit("//" + request.headers["Host"]).hostname
                pool.update(server_hostname=name)  # SNI, and the name the certificate is checked for
            return host, pool

    class NoRedirects(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            return super().request(*args, **{**kwargs, "allow_redirects": False})

    session = NoRedirects()
    session.mount("https://", Pinned())
    session.mount("http://", Pinned())
    return session


def _push(subscription: dict[str, Any], payload: str, topic: str) -> int:
    from pywebpush import WebPushException
    from pywebpush import webpush

    try:
        address = _checked_address(subscription["endpoint"])
    except (OSError, UnicodeError, ValueError):
        return 599
    if address is None:
        return GONE  # not a push service: the subscription is forgotten
    try:
        with _session_to(address) as session:
            response = webpush(
                subscription_info=subscription,
                data=payload,
                vapid_private_key=vapid(),
                vapid_claims={"sub": get_settings().vapid_subject},
                ttl=24 * 3600,
                timeout=15,
                headers={"Topic": topic, "Urgency": "high"},
                requests_session=session,
            )
    except WebPushException as exc:
        return exc.response.status_code if exc.response is not None else 599
    return getattr(response, "status_code", 201)


async def send_push(row: dict[str, Any]) -> str | None:
    """To every live browser subscription of the person (``recipient`` is the user id); subscriptions the push
    service calls gone (404/410) are marked and never used again."""
    subscriptions = await queries.live_subscriptions(int(row["recipient"]))
    if not subscriptions:
        raise PushGone("no browser subscribed")
    context = json_value(row.get("context"))
    # Tapping the push opens the in-app message of the same event through its «open» address, which marks it
    # read on the way to the page; without one, the page itself.
    twin = await queries.inapp_twin(int(row["recipient"]), row.get("ref") or "")
    url = f"/notifications/{twin}/open" if twin else context.get("link", "/")
    payload = json.dumps(
        {"title": row["subject"], "body": row["body"], "url": url, "tag": row.get("ref") or ""}, ensure_ascii=False
    )
    topic = hashlib.sha256(row["dedupe_key"].encode()).hexdigest()[:32]  # Topic: at most 32 URL-safe characters
    delivered, failed = 0, []
    for sub in subscriptions:
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        status = await asyncio.to_thread(_push, info, payload, topic)
        if status in (404, GONE):
            await queries.forget_subscription(sub.id)
        elif status >= 300:
            failed.append(status)
        else:
            delivered += 1
    if delivered:
        return None
    if failed:
        raise RuntimeError(f"push service answered {failed}")
    raise PushGone("every browser unsubscribed")


# --- in-app -------------------------------------------------------------------------------------------------------


async def show_in_app(row: dict[str, Any]) -> str | None:
    """In-app messages are read from the outbox table itself: delivering one only marks it sent."""
    return None


outbox.register_sender("email", send_email)
outbox.register_sender("sms", send_sms)
outbox.register_sender("push", send_push)
outbox.register_sender("inapp", show_in_app)


# --- the dispatcher ---------------------------------------------------------------------------------------------


@jobs.register("outbox-delivery", 5)
async def deliver_outbox(now: datetime) -> int:
    return await outbox.deliver_all()


_pending: set[asyncio.Task[Any]] = set()


def deliver_soon() -> None:
    """After a commit that queued messages: deliver now rather than at the next tick — by the workers in
    production (SAQ on Redis), in this process in the embedded mode; nothing where jobs do not run (tests)."""
    settings = get_settings()
    if settings.redis_url:
        jobs.kick("outbox-delivery")
        return
    if not settings.run_jobs:
        return

    async def run() -> None:
        try:
            await outbox.deliver_all()
        except Exception:
            log.exception("outbox delivery failed")

    with waiting_at_most(None):  # delivery runs on after the page, as the job's would
        task = asyncio.get_running_loop().create_task(run())
    _pending.add(task)
    task.add_done_callback(_pending.discard)
