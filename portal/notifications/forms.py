"""What a person posts about their notifications, read into plain values (nothing here touches the database)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from portal.notifications.rules import Channel
from portal.notifications.rules import Topic
from portal.settings import get_settings

TOPICS = frozenset(Topic.__members__.values())
CHANNELS = frozenset(Channel.__members__.values())


def read_choices(data: Mapping[str, Any]) -> set[tuple[Topic, Channel]]:
    """The ticked ``topic:channel`` boxes of the settings grid; anything else is ignored."""
    picked = data.get("want", [])
    wanted: set[tuple[Topic, Channel]] = set()
    for value in picked if isinstance(picked, list) else [picked]:
        topic, _, channel = str(value).partition(":")
        if topic in TOPICS and channel in CHANNELS:
            wanted.add((Topic(topic), Channel(channel)))
    return wanted


@dataclass(frozen=True)
class Subscription:
    """A browser's PushSubscription: where to send, and its keys (lengths bounded for storage)."""

    endpoint: str
    p256dh: str
    auth: str


def read_subscription(body: bytes) -> Subscription | None:
    """The browser's ``{"endpoint", "keys": {"p256dh", "auth"}}``; ``None`` when it is not one, or when the endpoint
    is not a push service's: HTTPS to a named host. The server posts to the endpoint on each push, so an address of
    its own machine or network (``http://127.0.0.1:…``, ``https://10.0.0.5``, ``https://localhost``) would have it
    call its own services for whoever subscribed."""
    try:
        data = json.loads(body or b"{}")
        endpoint, keys = str(data["endpoint"]), data["keys"]
        p256dh, auth = str(keys["p256dh"]), str(keys["auth"])
    except (ValueError, KeyError, TypeError):
        return None
    if not _push_service(endpoint):
        return None
    return Subscription(endpoint[:2000], p256dh[:200], auth[:100])


def _push_service(endpoint: str) -> bool:
    """Whether ``endpoint`` is HTTPS to a host named in DNS (not an IP address, not this machine's own names)."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme != "https" or "." not in host or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


PUSH_COOKIE = "push_endpoint"
"""The cookie naming the push endpoint this browser subscribed with: what sign-out and «Выключить в этом браузере»
end (it outlives the session, and works without JavaScript)."""


def endpoint_cookie(endpoint: str) -> str:
    """The endpoint as a cookie value: URL-safe base64 (a URL's ``:``, ``/`` and ``=`` need no quoting), a dot and
    its HMAC under the app's secret — so that a page which can set a cookie for the site cannot name another
    person's endpoint and have sign-in or sign-out forget that person's browser."""
    value = base64.urlsafe_b64encode(endpoint.encode()).decode()
    return f"{value}.{_cookie_signature(value)}"


def _cookie_signature(value: str) -> str:
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"{PUSH_COOKIE}:{value}".encode(), hashlib.sha256).hexdigest()


def browser_endpoint(cookies: Mapping[str, str]) -> str | None:
    """The endpoint the request's ``PUSH_COOKIE`` names, ``None`` when there is none, it is not one, or its
    signature is not ours (an unsigned cookie is ignored as a forged one is)."""
    value, _, signature = (cookies.get(PUSH_COOKIE) or "").partition(".")
    if not value or not hmac.compare_digest(signature.encode(), _cookie_signature(value).encode()):
        return None
    try:
        endpoint = base64.urlsafe_b64decode(value.encode()).decode()
    except (binascii.Error, ValueError):
        return None
    return endpoint[:2000] if _push_service(endpoint) else None
