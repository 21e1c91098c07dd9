"""Reading the notification forms (no server): only known topic:channel pairs; only real push subscriptions."""

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


def test_a_channel_without_an_address_or_switched_off_reaches_no_one():
    assert unreachable(email="a@b.ru", phone="+79780000001", email_on=True) == []
    assert unreachable(email="a@b.ru", phone="+79780000001", email_on=False) == [Channel.EMAIL]
    assert unreachable(email=None, phone=None, email_on=True) == [Channel.EMAIL, Channel.SMS]
