"""Who may call each route of the tickets domain (read by the route × role matrix test)."""

ANY_STAFF = "staff:dispatcher,operator,manager,executor"
MANAGERS = "staff:dispatcher,operator,manager"

ACCESS: dict[str, str] = {
    "GET /tickets": "resident",
    "GET /tickets/new": "resident",
    "POST /tickets/new": "resident",
    "GET /tickets/{ticket_id:int}": "resident",
    "POST /tickets/{ticket_id:int}/messages": "resident",
    "POST /tickets/{ticket_id:int}/cancel": "resident",
    "POST /tickets/{ticket_id:int}/confirm": "resident",
    "POST /tickets/{ticket_id:int}/reopen": "resident",
    "POST /tickets/{ticket_id:int}/rate": "resident",
    "GET /tickets/photos/{attachment_id:int}": "resident",
    "GET /staff/tickets": ANY_STAFF,
    "GET /staff/tickets/export": MANAGERS,
    "GET /staff/tickets/counts": ANY_STAFF,
    "GET /staff/tickets/today": ANY_STAFF,
    "POST /staff/tickets/columns": ANY_STAFF,
    "POST /staff/tickets/views": ANY_STAFF,
    "POST /staff/tickets/views/{view_id:int}/delete": ANY_STAFF,
    "POST /staff/tickets/assign": MANAGERS,
    "GET /staff/tickets/{ticket_id:int}/row": ANY_STAFF,
    "GET /staff/tickets/new": MANAGERS,
    "POST /staff/tickets/new": MANAGERS,
    "GET /staff/tickets/{ticket_id:int}": ANY_STAFF,
    "POST /staff/tickets/{ticket_id:int}/status": ANY_STAFF,
    "POST /staff/tickets/{ticket_id:int}/assign": MANAGERS,
    "POST /staff/tickets/{ticket_id:int}/update": MANAGERS,
    "POST /staff/tickets/{ticket_id:int}/messages": ANY_STAFF,
    "POST /staff/tickets/{ticket_id:int}/outage": MANAGERS,
    "GET /staff/tickets/photos/{attachment_id:int}": ANY_STAFF,
    "GET /staff/my-tickets": "staff:executor",
    "GET /staff/outages": MANAGERS,
    "POST /staff/outages": MANAGERS,
    "POST /staff/outages/{outage_id:int}/close": MANAGERS,
}
