"""No staff form saves over a record without its version (core.stale): the app's routes are walked, and every
staff POST is either an edit of one record — its handler reads the form's version and answers a stale one (a
two-session test per domain then shows the 409) — or listed below with why it is not one. A new domain's edit form
without a version fails here until it carries one; a route that is not an edit is added to ``NOT_EDITS`` with its
reason, a decision a reviewer sees."""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

from litestar.routes import HTTPRoute

# Staff POSTs that do not save typed values over one existing record, by why. A line here is a claim: «a second
# person doing the same at once loses nothing», because the route adds a record, changes a state from the state it
# was read in (the second one is told the state), deletes or copies, or runs over many records.
NOT_EDITS: dict[str, str] = {
    # creation: a new record, nobody else's to overwrite
    "/staff/users/new": "creates a staff member",
    "/staff/invitations": "sends an invitation",
    "/staff/mystery/invite": "invites a mystery resident (a new checker of a free seat)",
    "/staff/access-codes": "issues access codes",
    "/staff/orders/new": "creates an order",
    "/staff/catalog/categories/new": "creates a section",
    "/staff/catalog/services/new": "creates a service",
    "/staff/posts/new": "creates a post",
    "/staff/housing/complexes/new": "creates a complex",
    "/staff/houses/new": "creates a house",
    "/staff/houses/{house_id:int}/entrances/new": "creates an entrance",
    "/staff/houses/{house_id:int}/premises/new": "creates a premise",
    "/staff/owners/new": "creates an owner",
    "/staff/premises/{premise_id:int}/ownerships/new": "creates a share",
    "/staff/premises/{premise_id:int}/accounts/new": "creates an account",
    "/staff/meetings/new": "creates a meeting",
    "/staff/documents/new": "puts up a document for residents",
    "/staff/meetings/{meeting_id:int}/items": "adds an agenda item",
    "/staff/meetings/{meeting_id:int}/documents": "attaches a document",
    "/staff/meetings/{meeting_id:int}/paper": "enters a paper ballot (a new ballot; a second one is refused)",
    "/staff/meetings/owners": "links an owner to a user",
    "/staff/meters/premises/{premise_id:int}": "adds a meter",
    "/staff/meters/houses/{house_id:int}/meters": "adds a house meter",
    "/staff/orders/{order_id:int}/documents": "attaches a document",
    "/staff/showcase/new": "creates a listing",
    "/staff/showcase/{listing_id:int}/photos": "adds photos",
    "/staff/tickets/new": "files a request",
    "/staff/tickets/{ticket_id:int}/messages": "adds a message",
    "/staff/tickets/views": "saves the user's own named view",
    "/staff/outages": "declares an outage",
    "/staff/analytics/nps/waves": "opens a survey wave",
    "/staff/billing/key-rates": "adds a key rate",
    "/staff/billing/key-rates/periods": "adds a penalty period",
    "/staff/payments/{payment_id:int}/refund": "a refund is a new record, within what is left to refund",
    # a state changed from the state it was read in; the second one is told the state
    "/staff/meetings/{meeting_id:int}/publish": "a transition",
    "/staff/inspections": "starts a round (a house's open round is unique: a second start resumes it)",
    "/staff/inspections/{round_id:int}/complete": "a transition, once (guarded in the database)",
    "/staff/inspections/{round_id:int}/points/{point_id:int}": "a point's answer, saved again by its walker",
    "/staff/meetings/{meeting_id:int}/close": "a transition",
    "/staff/meetings/ballots/{ballot_id:int}/accept": "a transition",
    "/staff/meetings/ballots/{ballot_id:int}/reject": "a transition",
    "/staff/posts/{post_id:int}/move": "a transition",
    "/staff/mystery/{checker_id:int}/withdraw": "a transition (only from invited or checking; a second is told)",
    "/staff/showcase/{listing_id:int}/move": "a transition",
    "/staff/showcase/{listing_id:int}/photos/{photo_id:int}/move": "a photo's place in the order",
    "/staff/showcase/leads/{lead_id:int}": "a transition",
    "/staff/showcase/offers/{offer_id:int}/list": "a transition",
    "/staff/showcase/offers/{offer_id:int}/decline": "a transition",
    "/staff/orders/{order_id:int}/cancel": "a transition",
    "/staff/orders/{order_id:int}/refunded-by-hand": "a transition",
    "/staff/tickets/{ticket_id:int}/status": "a transition",
    "/staff/tickets/{ticket_id:int}/assign": "a transition (the executor now, told on the row)",
    "/staff/tickets/{ticket_id:int}/outage": "links the request to an outage",
    "/staff/outages/{outage_id:int}/close": "a transition",
    "/staff/personal-data/{request_id:int}/done": "a transition",
    "/staff/billing/registries/queue/{line_id:int}/assign": "a transition of an unmatched payment",
    "/staff/billing/registries/queue/{line_id:int}/return": "a transition of an unmatched payment",
    "/staff/analytics/kpi/{kpi_id:int}/approve": "a transition",
    "/staff/meters/readings/{reading_id:int}/accept": "a transition",
    "/staff/meters/readings/{reading_id:int}/reject": "a transition",
    "/staff/visits/accounts/{account_id:int}/new": "books a new visit for a caller (the seat's unique key decides)",
    "/staff/visits/{visit_id:int}/attended": "a transition of a booked visit",
    "/staff/visits/{visit_id:int}/no-show": "a transition of a booked visit",
    "/staff/visits/{visit_id:int}/cancel": "a transition of a booked visit (with its reason)",
    "/staff/meters/meter/{meter_id:int}/replace": "a transition (a replaced meter is refused) and a new meter",
    "/staff/people/{user_id:int}/consents": "records a consent given on paper",
    "/staff/people/{user_id:int}/withdrawal": "records a withdrawal",
    # deletion and copies
    "/staff/meetings/{meeting_id:int}/items/{item_id:int}/delete": "a deletion",
    "/staff/posts/{post_id:int}/images/{image_id:int}/delete": "a deletion",
    "/staff/showcase/{listing_id:int}/photos/{photo_id:int}/delete": "a deletion",
    "/staff/tickets/views/{view_id:int}/delete": "a deletion of the user's own view",
    "/staff/billing/key-rates/periods/{entry_id:int}/remove": "a deletion",
    "/staff/posts/{post_id:int}/duplicate": "a copy",
    "/staff/showcase/{listing_id:int}/duplicate": "a copy",
    # bulk actions, runs and imports
    "/staff/tickets/assign": "a bulk assignment",
    "/staff/tickets/columns": "the user's own columns",
    "/staff/billing/receipts": "issues a month's receipts",
    "/staff/billing/accounts/{account_id:int}/reissue": "issues receipts again",
    "/staff/billing/reconciliation": "a run",
    "/staff/payments/reconcile": "a run",
    "/staff/billing/import": "an upload, checked",
    "/staff/billing/import/apply": "applies a checked import",
    "/staff/billing/registries": "an upload, checked",
    "/staff/billing/registries/apply": "applies a checked import",
    "/staff/housing/import": "an upload, checked",
    "/staff/housing/import/apply": "applies a checked import",
    "/staff/meters/import": "an upload, checked",
    "/staff/meters/import/apply": "applies a checked import",
    "/staff/meters/houses/{house_id:int}/readings": "the month's readings of a house's meters (each checked)",
    "/staff/meters/accounts/{account_id:int}": "readings dictated by phone (each checked against the last)",
    # their own guard, field by field: the form carries each field as it was read (was_<field>)
    "/staff/tickets/{ticket_id:int}/update": "each field's value as read is sent and compared on save",
    "/staff/meters/export.xlsx": "starts the export's job (a second press shows the running one)",
    "/staff/tickets/lift/{account_id:int}": "books a slot for a caller (a taken slot is refused by its unique key)",
    "/staff/tickets/{ticket_id:int}/lift": "a transition (a booking confirmed or refused once)",
    "/staff/tickets/{ticket_id:int}/forward": "a transition (a claim forwarded to the developer once)",
    "/staff/tickets/{ticket_id:int}/developer-answer": "a transition (written only while it waits for the developer)",
    "/staff/tickets/{ticket_id:int}/hand-back": "a transition (refused once the request is no longer the executor's)",
}


def staff_posts(app: Any) -> dict[str, Any]:
    """Every staff POST of the app: its path → its handler."""
    found = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            access = handler.opt.get("access")
            if "POST" in handler.http_methods and access is not None and access.kind == "staff":
                found[route.path] = handler
    return found


def reads_the_version(fn: Any) -> bool:
    """The handler, or a function of its module it calls, answers core.stale (reads the version, catches Stale)."""
    source = inspect.getsource(fn)
    if "stale." in source:
        return True
    module = sys.modules[fn.__module__]
    called = set(re.findall(r"\b(\w+)\(", source))
    return any(
        inspect.isfunction(helper) and "stale." in inspect.getsource(helper)
        for name, helper in vars(module).items()
        if name in called
    )


def test_every_staff_post_is_an_edit_that_reads_its_version_or_is_listed_with_why(app):
    posts = staff_posts(app)
    unguarded = sorted(path for path, h in posts.items() if path not in NOT_EDITS and not reads_the_version(h.fn))
    assert not unguarded, (
        "staff forms saving over a record without its version (core.stale: the form carries `version`, the action "
        f"calls stale.check, the handler answers Stale with 409) — or list them in NOT_EDITS with why: {unguarded}"
    )
    assert not sorted(set(NOT_EDITS) - set(posts)), "NOT_EDITS names routes that are gone"


def test_the_version_a_form_was_read_at_is_read_only_from_an_edits_own_field():
    from portal.core import stale

    assert stale.typed({stale.FIELD: "1767225600.123456"}) == "1767225600.123456"
    assert stale.typed({}) is None  # a form served before forms carried one: not checked
    assert stale.typed({stale.FIELD: ["1", "2"]}) is None  # not a version a form writes
    assert stale.typed({stale.FIELD: "1767225600.123456"}, editing=False) is None  # a new record's form


def test_an_edit_form_carries_its_records_version_and_a_new_records_form_none():
    from datetime import UTC
    from datetime import datetime
    from types import SimpleNamespace

    from portal.core import stale

    at = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
    assert stale.carried(SimpleNamespace(updated_at=at)) == stale.version_of(at)
    assert stale.carried(None) is None
