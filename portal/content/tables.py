"""Tables of content: posts, their audience row by row, their pictures, who has read them, and who answered an
event."""

from enum import StrEnum

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
from portal.notifications.rules import TargetKind


class PostKind(StrEnum):
    NEWS = "news"
    NOTICE = "notice"
    EMERGENCY = "emergency"
    EVENT = "event"  # «Мероприятие»: a neighbourhood event with its time, place and answers (EventAnswer)


class PostStatus(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"  # waiting for a moderator
    RETURNED = "returned"  # sent back to the author with a comment
    PUBLISHED = "published"  # out (or scheduled: publish_at in the future)
    UNPUBLISHED = "unpublished"  # taken down


class Post(Table):
    """Новость, объявление, аварийное сообщение или мероприятие: Markdown text, a window of time, an audience,
    channels."""

    id = Serial(primary_key=True)
    kind = Varchar(length=16, default=PostKind.NEWS, choices=PostKind, index=True)
    status = Varchar(length=16, default=PostStatus.DRAFT, choices=PostStatus, index=True)
    title = Varchar(length=200)
    body = Text(default="")  # Markdown as written
    body_html = Text(default="")  # rendered and sanitised (rules.render_markdown)
    # The English twin staff may write (empty: a reader of English reads the Russian, marked as Russian).
    title_en = Varchar(length=200, default="")
    body_en = Text(default="")
    body_html_en = Text(default="")  # body_en rendered and sanitised as body_html is
    publish_at = Timestamptz(null=True, default=None, index=True)  # None: at once when published
    ends_at = Timestamptz(null=True, default=None, index=True)
    published_at = Timestamptz(null=True, default=None)
    by_email = Boolean(default=False)
    by_sms = Boolean(default=False)
    by_push = Boolean(default=False)
    author = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None, index=True)
    author_name = Varchar(length=255, default="")
    # Who last changed its words or pictures, and when (None: nobody since it was written): a draft may be finished
    # by another writer of its kind, and its page and the list say so.
    editor_name = Varchar(length=255, default="")
    edited_at = Timestamptz(null=True, default=None)
    reviewer = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    review_comment = Text(default="")
    reviewed_at = Timestamptz(null=True, default=None)
    # An emergency notice a dispatcher sent out at once: a moderator reviews it afterwards.
    needs_review = Boolean(default=False, index=True)
    # The outage of the dispatch service this notice tells of (one notice per outage).
    outage = Integer(null=True, default=None, unique=True)
    # Its words are said from the outage in each reader's language (``rules.OutageFacts``) unless staff rewrote the
    # title or text: then they are shown as written.
    own_words = Boolean(default=False)
    # An event's own time and place (kind EVENT; None and empty for other kinds): when it starts and ends (the
    # post's publish window above is when residents see it), where, and how many may come (None: no limit).
    event_starts_at = Timestamptz(null=True, default=None, index=True)
    event_ends_at = Timestamptz(null=True, default=None)
    event_place = Varchar(length=300, default="")
    event_capacity = Integer(null=True, default=None)
    # Title and text, lower-cased, for the staff search (core.search).
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class PostTarget(Table):
    """One selection of a post's audience (notifications.rules.Target)."""

    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade, null=False, index=True)
    kind = Varchar(length=16, choices=TargetKind)
    ref = Integer(null=True, default=None)
    entrance = Integer(null=True, default=None)
    floor_from = Integer(null=True, default=None)
    floor_to = Integer(null=True, default=None)
    # The house the selection lies in (None for a complex or the whole company): staff see the posts of their
    # houses through it.
    house = Integer(null=True, default=None)


class PostImage(Table):
    """A picture of a post (stored through core.storage, re-encoded and stripped of metadata)."""

    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade, null=False, index=True)
    key = Varchar(length=100, index=True)  # indexed: core.orphans asks by it
    width = Integer(default=0)
    height = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class EventAnswer(Table):
    """A person's answer to an event: going or not. One row per person and event (the unique index
    ``event_answer_post_user``), changed in place when they change their mind."""

    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    going = Boolean(default=True)
    answered_at = Timestamptz(default=TimestamptzNow())


class PostRead(Table):
    """A person opened a post (the unread mark goes; the staff list counts reads). One row per person and post."""

    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    read_at = Timestamptz(default=TimestamptzNow())
