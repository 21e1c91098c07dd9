"""The audit log's words for what the meters write (``core.audit.describe``): a meter's fields are named as its
staff form names them, its resource, zones and state read as the meter pages say them, a month as the month, a
reading in the reader's way; a zone an event names («zone 2») reads as the zone of the meter («Т2 (ночь)»), and a
meter whose readings an event holds as the meter («Счётчик #12»)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portal.core import audit
from portal.core.audit import IMPORT_FIELDS
from portal.core.audit import describe
from portal.core.i18n import lazy
from portal.meters import words

_ZONE = re.compile(r"zone (\d+)")


def _value(value: Any) -> str:
    """A reading as text, as the meter pages write it; none («None», written before a zone had one) as a dash."""
    return "—" if value in (None, "", "None") else audit.number(value)


def _zones(zones: Mapping[str, Any]) -> str:
    """The readings of one meter's zones (``{"1": "123.4", "2": "56.7"}``): «Т1 (день) 123,4, Т2 (ночь) 56,7»; a
    single-rate meter's reading alone."""
    if len(zones) == 1:
        return _value(next(iter(zones.values())))
    return ", ".join(f"{words.zone_label(len(zones), int(z))} {_value(v)}" for z, v in sorted(zones.items()))


def _meter(entity: str, meter_id: str) -> str:
    return f"{audit.entity_label(entity)} #{meter_id}"


def _readings(entity: str) -> audit.Shows:
    """The readings an event holds by meter (``{"12": {"1": "123.4"}}``): «Счётчик #12: 123,4; …»."""

    def shows(value: Any) -> str:
        return "; ".join(f"{_meter(entity, m)}: {_zones(zones)}" for m, zones in value.items())

    return shows


def _zone_named(name: str, changes: Mapping[str, Any]) -> tuple[str, audit.Shows | None] | None:
    """«zone 2» of a corrected reading as the zone of its meter; the event names every zone the meter has."""
    found = _ZONE.fullmatch(name)
    if not found:
        return None
    zones = sum(1 for key in changes if _ZONE.fullmatch(key))
    return words.zone_label(zones, int(found[1])), _value


def _house_meter_named(name: str, _changes: Mapping[str, Any]) -> tuple[str, audit.Shows | None] | None:
    """A house meter's id, whose readings the event holds, as the house meter."""
    return (_meter("house_meter", name), _zones) if name.isdigit() else None


FIELDS = {
    "readings": lazy("Readings"),
    "account": lazy("Personal account"),
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
    "verified_on": lazy("Verification date"),
    "status": lazy("State"),
    "replaced_by": lazy("Replaced by meter"),
    "rows": lazy("Rows"),
    "houses": lazy("Houses"),
    "ticket": lazy("Request"),
    **IMPORT_FIELDS,
}
VALUES: dict[str, audit.Shows | audit.Ref] = {
    "period": audit.month,
    "service": words.service_label,
    "zones": words.zones_label,
    "installed_on": audit.when,
    "next_verification": audit.when,
    "verified_on": audit.when,
    "status": words.status_label,
    "readings": _readings("meter"),
    "replaced_by": lambda meter_id: _meter("meter", meter_id),
    "houses": audit.Ref("house"),
    "ticket": audit.Ref("ticket"),
}

describe(
    actions={
        "meters.readings.phone": lazy("Readings taken by phone"),
        "meters.reading.accept": lazy("Reading accepted"),
        "meters.reading.reject": lazy("Reading rejected"),
        "meters.meter.create": lazy("Meter added"),
        "meters.meter.update": lazy("Meter changed"),
        "meters.meter.replace": lazy("Meter replaced"),
        "meters.meter.verify": lazy("Meter verification recorded"),
        "meters.verification.ask": lazy("Meter verification asked for by the resident"),
        "meters.house_meter.create": lazy("House meter added"),
        "meters.house_meter.verify": lazy("House meter verification recorded"),
        "meters.import": lazy("Meters imported"),
        "meters.export": lazy("Readings exported to billing"),
    },
    fields=FIELDS,
    entities={
        "meter": lazy("Meter"),
        "meter_reading": lazy("Reading"),
        "house_meter": lazy("House meter"),
        "meter_export": lazy("Export to billing"),
    },
    values=VALUES,
)
describe(
    actions={"meters.reading.correct": lazy("Reading corrected")},
    fields=FIELDS,
    values=VALUES,
    named=_zone_named,
)
describe(
    actions={"meters.house_readings.enter": lazy("House meters' readings entered")},
    fields=FIELDS,
    values=VALUES,
    named=_house_meter_named,
)
