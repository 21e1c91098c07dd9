"""Who may call each route of the meetings domain (read by the route × role matrix test)."""

VIEW = "staff:manager,moderator,operator"
ORGANISE = "staff:manager"
MODERATE = "staff:moderator"

ACCESS: dict[str, str] = {
    "GET /meetings": "resident",
    "GET /meetings/{meeting_id:int}": "resident",
    "POST /meetings/{meeting_id:int}/ballots/{entry_id:int}": "resident",
    "GET /meetings/{meeting_id:int}/confirm": "resident",
    "POST /meetings/{meeting_id:int}/code": "resident",
    "POST /meetings/{meeting_id:int}/confirm": "resident",
    "GET /meetings/{meeting_id:int}/ballots/{entry_id:int}/pdf": "resident",
    "GET /meetings/{meeting_id:int}/ballots/{entry_id:int}/paper": "resident",
    "GET /meetings/{meeting_id:int}/materials/{item_id:int}": "resident",
    "GET /meetings/{meeting_id:int}/protocol": "resident",
    "GET /meetings/initiatives/new": "resident",
    "POST /meetings/initiatives/new": "resident",
    "GET /meetings/initiatives/{initiative_id:int}": "resident",
    "POST /meetings/initiatives/{initiative_id:int}/support": "resident",
    "GET /staff/meetings": VIEW,
    "GET /staff/meetings/new": ORGANISE,
    "POST /staff/meetings/new": ORGANISE,
    "GET /staff/meetings/{meeting_id:int}": VIEW,
    "GET /staff/meetings/{meeting_id:int}/edit": ORGANISE,
    "POST /staff/meetings/{meeting_id:int}/edit": ORGANISE,
    "POST /staff/meetings/{meeting_id:int}/items": ORGANISE,
    "POST /staff/meetings/{meeting_id:int}/items/{item_id:int}/delete": ORGANISE,
    "POST /staff/meetings/{meeting_id:int}/publish": ORGANISE,
    "POST /staff/meetings/{meeting_id:int}/close": ORGANISE,
    "POST /staff/meetings/{meeting_id:int}/documents": ORGANISE,
    "GET /staff/meetings/{meeting_id:int}/paper": VIEW,
    "POST /staff/meetings/{meeting_id:int}/paper": VIEW,
    "GET /staff/meetings/{meeting_id:int}/moderation": VIEW,
    "POST /staff/meetings/ballots/{ballot_id:int}/accept": MODERATE,
    "POST /staff/meetings/ballots/{ballot_id:int}/reject": MODERATE,
    "GET /staff/meetings/ballots/{ballot_id:int}/scan": VIEW,
    "GET /staff/meetings/{meeting_id:int}/materials/{item_id:int}": VIEW,
    "GET /staff/meetings/{meeting_id:int}/protocol": VIEW,
    "GET /staff/meetings/{meeting_id:int}/export": ORGANISE,
    "GET /staff/meetings/owners": ORGANISE,
    "POST /staff/meetings/owners": ORGANISE,
}
