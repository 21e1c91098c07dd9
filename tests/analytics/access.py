"""Who may call each analytics route (read by the route × role matrix test)."""

MANAGERS = "staff:manager"

ACCESS: dict[str, str] = {
    "GET /staff/analytics": MANAGERS,
    "GET /staff/analytics/houses": MANAGERS,
    "GET /staff/analytics/dashboard.xlsx": MANAGERS,
    "POST /staff/analytics/nps/waves": MANAGERS,
    "GET /surveys/nps": "resident",
    "POST /surveys/nps": "resident",
}
ACCESS.update(
    {
        "GET /staff/analytics/kpi": MANAGERS,
        "POST /staff/analytics/kpi": MANAGERS,
        "POST /staff/analytics/kpi/{kpi_id:int}/approve": MANAGERS,
        "GET /staff/analytics/kpi/{kpi_id:int}/payroll.xlsx": MANAGERS,
    }
)
