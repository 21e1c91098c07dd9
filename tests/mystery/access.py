"""Who may call each route of the mystery resident (read by the route × role matrix test)."""

STAFF = "staff:manager"

ACCESS: dict[str, str] = {
    "GET /mystery": "resident",
    "POST /mystery/{checker_id:int}": "resident",
    "POST /mystery/{checker_id:int}/accept": "resident",
    "POST /mystery/{checker_id:int}/decline": "resident",
    "POST /mystery/{checker_id:int}/stop": "resident",
    "GET /staff/mystery": STAFF,
    "POST /staff/mystery/invite": STAFF,
    "POST /staff/mystery/{checker_id:int}/withdraw": STAFF,
}
