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
    """What was typed (kept for the page after an error), the values read, and the problems found."""

    typed: dict[int, dict[str, str]] = field(default_factory=dict)
    values: dict[int, dict[int, Decimal]] = field(default_factory=dict)
    errors: dict[int, FormErrors] = field(default_factory=dict)

    def add_error(self, meter_id: int, zone: int, message: str) -> None:
        self.errors.setdefault(meter_id, FormErrors()).add(field_name(meter_id, zone), message)


def field_name(meter_id: int, zone: int) -> str:
    return f"{meter_id}-zone{zone}"


def read_readings(data: Mapping[str, Any], meters: Iterable[tuple[int, int]]) -> ReadingsForm:
    """Read the fields of ``meters`` (id, number of zones); empty fields are skipped, at least one is needed."""
    form = ReadingsForm()
    for meter_id, zones in meters:
        for zone in range(1, zones + 1):
            text = form_value(data, f"m{meter_id}z{zone}")
            form.typed.setdefault(meter_id, {})[f"zone{zone}"] = text
            if not text:
                continue
            value = rules.parse_value(text)
            if value is None:
                form.add_error(meter_id, zone, gettext("Enter the numbers the meter shows, e.g. 123,456."))
            else:
                form.values.setdefault(meter_id, {})[zone] = value
    if not form.values and not form.errors:
        form.errors[0] = FormErrors(general=[gettext("Enter at least one reading.")])
    return form
