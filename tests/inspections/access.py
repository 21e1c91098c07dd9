"""Who may call each route of inspection rounds (read by the route × role matrix test)."""

WALK = "staff:manager,executor"
CHECKLIST = "staff:admin"

ACCESS: dict[str, str] = {
    "GET /staff/inspections": WALK,
    "POST /staff/inspections": WALK,
    "GET /staff/inspections/overdue": WALK,
    "GET /staff/inspections/{round_id:int}": WALK,
    "POST /staff/inspections/{round_id:int}/points/{point_id:int}": WALK,
    "POST /staff/inspections/{round_id:int}/complete": WALK,
    "GET /staff/inspections/{round_id:int}/act.pdf": WALK,
    "GET /staff/inspections/photos/{inspection_photo_id:int}": WALK,
    "GET /staff/inspections/checklist": CHECKLIST,
    "POST /staff/inspections/checklist": CHECKLIST,
    "GET /staff/inspections/checklist/{point_id:int}": CHECKLIST,
    "POST /staff/inspections/checklist/{point_id:int}": CHECKLIST,
}
