"""The audit log's words for what the news and notices write (``core.audit.describe``): posts and their steps; a
post's type reads as the news pages name it, the outage a notice tells of as the dispatch service names it;
a post by its title (an outage notice's in the reader's language), looked up once for a whole page of events."""

from portal.content import queries
from portal.content.routes import KIND_LABELS
from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.i18n import lazy

audit.namer("post")(queries.post_titles)  # two queries where some are outage notices: not a plain ``looked_up``


describe(
    actions={
        "post.create": lazy("Post created"),
        "post.edit": lazy("Post edited"),
        "post.image": lazy("Picture added to a post"),
        "post.image_delete": lazy("Picture removed from a post"),
        "post.submit": lazy("Post sent to the moderator"),
        "post.approve": lazy("Post approved and published"),
        "post.return": lazy("Post returned to the author"),
        "post.send_now": lazy("Emergency notice sent out at once"),
        "post.reviewed": lazy("Emergency notice marked as reviewed"),
        "post.unpublish": lazy("Post unpublished"),
        "post.republish": lazy("Post published again"),
        "post.delete": lazy("Draft post deleted"),
        "post.outage": lazy("Outage notice published"),
        "post.announce": lazy("Notice published at once"),
    },
    fields={
        "kind": lazy("Type"),
        "title": lazy("Title"),
        "image": lazy("Picture"),
        "comment": lazy("Comment for the author"),
        "outage": lazy("Outage"),
    },
    entities={"post": lazy("Post")},
    values={"kind": KIND_LABELS, "outage": Ref("outage")},
)
