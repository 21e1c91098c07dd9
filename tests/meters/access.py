ACCESS = {
    "GET /meters": "resident",
    "POST /meters": "resident",
}
