"""Who may call each route of the shared machinery (read by the route × role matrix test)."""

ACCESS: dict[str, str] = {
    "GET /": "public",
    "POST /lang": "public",
    "GET /contacts": "public",
    "GET /healthz": "public",
    "GET /favicon.ico": "public",
}
