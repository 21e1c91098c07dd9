"""The audit log's words for what the requests and outages write (``core.audit.describe``); the fields are named
as the request list's columns and flags name them."""

from portal.core.audit import describe
from portal.core.i18n import lazy
from portal.tickets.filters import COLUMNS
from portal.tickets.filters import FLAG_FILTER_LABELS

describe(
    actions={
        "ticket.create": lazy("Request filed"),
        "ticket.message": lazy("Message in a request"),
        "ticket.status": lazy("Request status changed"),
        "ticket.assign": lazy("Request assigned to an executor"),
        "ticket.outage": lazy("Request linked to an outage"),
        "ticket.update": lazy("Request details changed"),
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
        "house": lazy("House"),
        "service": lazy("What is off"),
        "tickets_done": lazy("Requests completed with it"),
    },
    entities={"ticket": lazy("Request"), "outage": lazy("Outage")},
)
