"""The audit log's words for what the requests and outages write (``core.audit.describe``); the fields are named
as the request list's columns and flags name them; a status, a type and a source read as the request's own words,
a deadline in the company's zone, an executor by name, a house by its address and an outage by what is off, where
and from when. A message's history entry (its id is all the event keeps) reads as the request it is in, by number.
A resident's own step on their request (file it, write in it, cancel, confirm the work, return it, rate it) is an
action of its own, so the log says who took it; it keeps the number, the statuses and the rating, never the
description, the message, the reason or the feedback they wrote."""

from collections.abc import Collection
from collections.abc import Mapping

from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.tickets import queries
from portal.tickets.filters import COLUMNS
from portal.tickets.filters import FLAG_FILTER_LABELS
from portal.tickets.rules import DEFECT_LABELS
from portal.tickets.rules import DEVELOPER_ANSWER_LABELS
from portal.tickets.rules import INTERNAL_STATUS_LABELS
from portal.tickets.rules import OUTAGE_LABELS
from portal.tickets.rules import SOURCE_LABELS
from portal.tickets.rules import STATUS_LABELS
from portal.tickets.rules import TYPE_LABELS
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent
from portal.tickets.view import TK


@audit.namer("outage")
async def _outage_names(ids: Collection[int]) -> Mapping[int, str]:
    return {o.id: TK.outage_name(o) for o in await queries.outages_by_id(sorted(ids))}


@audit.numbered("ticket", "/staff/tickets/{id}")
async def _ticket_numbers(ids: Collection[int]) -> Mapping[int, str]:
    """A request is known by its number (the one staff and residents see), not its id."""
    rows = await Ticket.select(Ticket.id, Ticket.number).where(Ticket.id.is_in(sorted(ids)))
    return {r["id"]: gettext("No. %(number)s", number=r["number"]) for r in rows}


audit.namer("ticket_entry")(
    audit.looked_up(
        TicketEvent.ticket.number, shown=lambda r: gettext("in request No. %(number)s", number=r["ticket.number"])
    )
)


describe(
    actions={
        "ticket.create": lazy("Request filed"),
        "ticket.message": lazy("Message in a request"),
        "ticket.status": lazy("Request status changed"),
        "ticket.assign": lazy("Request assigned to an executor"),
        "ticket.outage": lazy("Request linked to an outage"),
        "ticket.update": lazy("Request details changed"),
        "ticket.cancel": lazy("Request cancelled by the resident"),
        "ticket.confirm": lazy("Work confirmed by the resident"),
        "ticket.return": lazy("Request returned by the resident"),
        "ticket.rate": lazy("Work rated by the resident"),
        "ticket.file": lazy("Request filed by the resident"),
        "ticket.reply": lazy("Message from the resident in a request"),
        "ticket.handover": lazy("Owner or payer change decided"),
        "ticket.hand_back": lazy("Request handed back to the dispatcher by its executor"),
        "ticket.documents_erased": lazy("New owners' documents deleted at the end of their keeping term"),
        "ticket.files_erased": lazy("Requests' photos and files deleted at the end of their keeping term"),
        "ticket.forward": lazy("Defect's claim forwarded to the developer"),
        "ticket.developer_answer": lazy("Developer's answer to a defect's claim recorded"),
        "outage.create": lazy("Outage announced"),
        "outage.close": lazy("Outage closed"),
    },
    fields={
        **COLUMNS,
        **FLAG_FILTER_LABELS,
        "event": lazy("History entry"),
        "internal": lazy("Internal note (the resident does not see it)"),
        "outage": lazy("Linked outage"),
        "control_date": lazy("Control date"),
        "damage_at": lazy("The damage happened"),
        "house": lazy("House"),
        "service": lazy("What is off"),
        "tickets_done": lazy("Requests completed with it"),
        "payer_from": lazy("Payer changes from (decided ahead)"),
        "closed_on": lazy("Old account closed on"),
        "closing_debt": lazy("Old account's balance on the day it closed"),
        "applications": lazy("Applications"),
        "documents_deleted": lazy("Documents deleted"),
        "files_deleted": lazy("Files deleted"),
        "requests": lazy("Requests whose files were deleted"),
        "developer_email": lazy("Developer's e-mail for warranty claims"),
        "photos": lazy("Photos attached"),
        "answer": lazy("Developer's answer"),
        "defect_kind": lazy("What is defective"),
    },
    entities={"ticket": lazy("Request"), "outage": lazy("Outage")},
    values={
        "status": STATUS_LABELS,
        "type": TYPE_LABELS,
        "internal_status": INTERNAL_STATUS_LABELS,
        "answer": DEVELOPER_ANSWER_LABELS,
        "defect_kind": DEFECT_LABELS,
        "source": SOURCE_LABELS,
        "service": OUTAGE_LABELS,
        "deadline": audit.when,
        "control_date": audit.when,
        "damage_at": audit.when,
        "payer_from": audit.when,
        "closed_on": audit.when,
        "closing_debt": audit.money,
        "executor": Ref("user"),
        "house": Ref("house"),
        "outage": Ref("outage"),
        "event": Ref("ticket_entry"),
    },
)
