ACCESS = {
    "GET /meters": "resident",
    "POST /meters/{meter_id:int}": "resident",
}
