"""Who may call each route of visits to the client centre (read by the route × role matrix test)."""

STAFF = "staff:operator,manager"
SETTINGS = "staff:manager"

ACCESS: dict[str, str] = {
    "GET /visits": "resident",
    "GET /visits/new": "resident",
    "POST /visits/new": "resident",
    "GET /visits/{visit_id:int}": "resident",
    "GET /visits/{visit_id:int}/visit.ics": "resident",
    "POST /visits/{visit_id:int}/cancel": "resident",
    "POST /visits/{visit_id:int}/rate": "resident",
    "GET /staff/visits": STAFF,
    "GET /staff/visits/accounts/{account_id:int}/new": STAFF,
    "POST /staff/visits/accounts/{account_id:int}/new": STAFF,
    "POST /staff/visits/{visit_id:int}/attended": STAFF,
    "POST /staff/visits/{visit_id:int}/no-show": STAFF,
    "POST /staff/visits/{visit_id:int}/cancel": STAFF,
    "GET /staff/visits/centres/{centre_id:int}": SETTINGS,
    "POST /staff/visits/centres/{centre_id:int}": SETTINGS,
}
