"""Tables of notifications: each person's choice of channels, and the browsers that receive web push."""

from piccolo.columns import Boolean
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic


class ChannelChoice(Table):
    """A person's choice for one topic on one channel (only choices that differ from the defaults are kept)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    topic = Varchar(length=16, choices=Topic)
    channel = Varchar(length=16, choices=Channel)
    enabled = Boolean(default=True)


class PushSubscription(Table):
    """A browser that subscribed to web push for a user (the endpoint and keys its push service gave)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    endpoint = Text(unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    user_agent = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    failures = Integer(default=0)
    # Set when the push service said the subscription is gone (404/410): nothing is sent to it again.
    gone_at = Timestamptz(null=True, default=None)
