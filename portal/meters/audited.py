"""The audit log's words for what the meters write (``core.audit.describe``): a meter's fields are named as its
staff form names them."""

from portal.core.audit import IMPORT_FIELDS
from portal.core.audit import describe
from portal.core.i18n import lazy

describe(
    actions={
        "meters.readings.phone": lazy("Readings taken by phone"),
        "meters.reading.accept": lazy("Reading accepted"),
        "meters.reading.correct": lazy("Reading corrected"),
        "meters.reading.reject": lazy("Reading rejected"),
        "meters.meter.create": lazy("Meter added"),
        "meters.meter.update": lazy("Meter changed"),
        "meters.meter.replace": lazy("Meter replaced"),
        "meters.house_meter.create": lazy("House meter added"),
        "meters.house_readings.enter": lazy("House meters' readings entered"),
        "meters.import": lazy("Meters imported"),
    },
    fields={
        "readings": lazy("Readings"),
        "period": lazy("Month"),
        "note": lazy("Why"),
        "service": lazy("Resource"),
        "zones": lazy("Zones"),
        "serial": lazy("Serial number"),
        "place": lazy("Place"),
        "digits": lazy("Digits before the comma"),
        "decimals": lazy("Digits after the comma"),
        "installed_on": lazy("Installed on"),
        "next_verification": lazy("Next verification"),
        "status": lazy("State"),
        "replaced_by": lazy("Replaced by meter"),
        "rows": lazy("Rows"),
        **IMPORT_FIELDS,
    },
    entities={"meter": lazy("Meter"), "meter_reading": lazy("Reading"), "house_meter": lazy("House meter")},
)
