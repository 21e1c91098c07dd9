"""The readings form: one field per register of each of the resident's meters (``m<meter>z<zone>``). No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from portal.core.i18n import gettext
from portal.core.web import FormErrors, form_value
from portal.meters import rules


@dataclass
class ReadingsForm:
    """What was typed (by field name, kept for the page after an error), the values read, and the problems."""

    typed: dict[str, str] = field(default_factory=dict)
    values: dict[int, dict[int, Decimal]] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)

    def add_error(self, meter_id: int, zone: int, message: str) -> None:
        self.errors.add(field_name(meter_id, zone), message)


def field_name(meter_id: int, zone: int) -> str:
    """The form field of one register of one meter: ``m12z1``."""
    return f"m{meter_id}z{zone}"


def read_readings(data: Mapping[str, Any], meters: Iterable[tuple[int, int]]) -> ReadingsForm:
    """Read the fields of ``meters`` (id, number of zones); empty fields are skipped, at least one is needed."""
    form = ReadingsForm()
    for meter_id, zones in meters:
        for zone in range(1, zones + 1):
            name = field_name(meter_id, zone)
            text = form.typed[name] = form_value(data, name)[:40]
            if not text:
                continue
            value = rules.parse_value(text)
            if value is None:
                form.add_error(meter_id, zone, gettext("Enter the numbers the meter shows, e.g. 123,456."))
            else:
                form.values.setdefault(meter_id, {})[zone] = value
    if not form.values and not form.errors:
        form.errors.general.append(gettext("Enter at least one reading."))
    return form
