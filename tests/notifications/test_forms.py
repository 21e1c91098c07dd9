"""Reading the notification forms (no server): only known topic:channel pairs; only real push subscriptions."""

import json

import pytest

from portal.notifications import forms
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic
from portal.notifications.rules import unreachable


def test_only_known_topic_and_channel_pairs_are_read():
    data = {"want": ["news:email", "news:fax", "bogus:sms", "emergency:sms", "news"]}
    assert forms.read_choices(data) == {(Topic.NEWS, Channel.EMAIL), (Topic.EMERGENCY, Channel.SMS)}
    assert forms.read_choices({"want": "account:inapp"}) == {(Topic.ACCOUNT, Channel.INAPP)}
    assert forms.read_choices({}) == set()


def test_a_subscription_needs_an_https_endpoint_and_both_keys():
    good = b'{"endpoint": "https://push.example/abc", "keys": {"p256dh": "k", "auth": "a"}}'
    assert forms.read_subscription(good) == forms.Subscription("https://push.example/abc", "k", "a")
    plain = b'{"endpoint": "http://evil.example/", "keys": {"p256dh": "k", "auth": "a"}}'
    assert forms.read_subscription(plain) is None
    assert forms.read_subscription(b'{"endpoint": "https://push.example/abc", "keys": {}}') is None
    assert forms.read_subscription(b"not json") is None
    assert forms.read_subscription(b"") is None


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:8210/staff/outbox",
        "https://127.0.0.1/x",
        "https://10.0.0.5/push",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://localhost/x",
        "https://portal.localhost/x",
        "https://2130706433/x",
        "https://user@/x",
    ],
)
def test_a_subscription_to_an_address_of_the_servers_own_machine_or_network_is_refused(endpoint):
    """The server posts to a subscription's endpoint on every push: a resident who subscribed
    «http://127.0.0.1:…» or «https://10.0.0.5/…» had it call its own services. Push services are HTTPS hosts."""
    body = json.dumps({"endpoint": endpoint, "keys": {"p256dh": "k", "auth": "a"}}).encode()
    assert forms.read_subscription(body) is None


def test_the_push_services_of_browsers_are_accepted():
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
        "https://web.push.apple.com/QGx",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
    ):
        body = json.dumps({"endpoint": endpoint, "keys": {"p256dh": "k", "auth": "a"}}).encode()
        assert forms.read_subscription(body) == forms.Subscription(endpoint, "k", "a")


def test_a_channel_without_an_address_or_switched_off_reaches_no_one():
    assert unreachable(email="a@b.ru", phone="+79780000001", email_on=True) == []
    assert unreachable(email="a@b.ru", phone="+79780000001", email_on=False) == [Channel.EMAIL]
    assert unreachable(email=None, phone=None, email_on=True) == [Channel.EMAIL, Channel.SMS]
