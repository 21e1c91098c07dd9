"""Forms of meters: readings (one field per register, ``m<meter>z<zone>``, with a photo and the answer to «has it
gone through zero?» per meter), the meter card, the review of a reading, the staff list's filters. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.billing.forms import no_such_complex
from portal.core import storage
from portal.core.i18n import gettext
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.parse import parse_month
from portal.core.web import FormErrors
from portal.core.web import among
from portal.core.web import form_value
from portal.core.web import houses_read
from portal.core.web import no_such_choice
from portal.core.web import no_such_house
from portal.core.web import several
from portal.core.web import unread_filters
from portal.meters import rules
from portal.meters import words
from portal.meters.tables import MeterStatus
from portal.meters.tables import Service
from portal.meters.tables import Source

MAX_NOTE = 500


@dataclass
class ReadingsForm:
    """What was typed (by field name, kept for the page after an error), the values read, the meters whose
    rollover was confirmed, the photos chosen, and the problems."""

    typed: dict[str, str] = field(default_factory=dict)
    values: dict[int, dict[int, Decimal]] = field(default_factory=dict)
    confirmed: set[int] = field(default_factory=set)
    asked: set[int] = field(default_factory=set)  # meters whose lower value asks «has it gone through zero?»
    photos: dict[int, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)
    # The period's readings the page showed (their ids, the hidden field ``seen``; None: a form that does not say)
    seen: frozenset[int] | None = None

    def add_error(self, meter_id: int, zone: int, message: str, label: str = "") -> None:
        self.errors.add(field_name(meter_id, zone), message, label)

    def shown(self) -> dict[str, Any]:
        """What a page of readings fields shows of the form (``_fields.html``'s ``registers``)."""
        return {"errors": self.errors, "typed": self.typed, "asked": self.asked, "confirmed": self.confirmed}


def field_name(meter_id: int, zone: int) -> str:
    """The form field of one register of one meter: ``m12z1``."""
    return f"m{meter_id}z{zone}"


def photo_name(meter_id: int) -> str:
    return f"p{meter_id}"


def confirm_name(meter_id: int) -> str:
    """The checkbox «yes, the meter has gone through zero» of one meter."""
    return f"c{meter_id}"


def read_readings(data: Mapping[str, Any], meters: Iterable[tuple[int, int]]) -> ReadingsForm:
    """Read the fields of ``meters`` (id, number of zones); a meter left empty is skipped, at least one is needed.
    A photo counts only with the reading it shows."""
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
        if form_value(data, confirm_name(meter_id)):
            form.confirmed.add(meter_id)
        upload = data.get(photo_name(meter_id))
        if storage.is_upload(upload):
            if meter_id in form.values:
                form.photos[meter_id] = upload
            elif not any(form.typed.get(field_name(meter_id, z)) for z in range(1, zones + 1)):
                form.add_error(meter_id, 1, gettext("Enter the reading the photo shows."))
    if not form.values and not form.errors:
        form.errors.general.append(gettext("Enter at least one reading."))
    if isinstance(shown := data.get(SEEN), str):
        form.seen = frozenset(i for i in (parse_id(p) for p in shown.split(",")) if i is not None)
    return form


SEEN = "seen"  # the form's hidden field: the ids of the period's readings its page showed


def seen_of(meters: Iterable[Any]) -> str:
    """The ``seen`` a page of an account's meters carries: the ids of the period's readings it shows."""
    return ",".join(str(i) for m in meters for i in sorted(m.current_ids.values()))


def upload_message(refused: storage.UploadRefused) -> str:
    return {
        "too_large": gettext("The photo is larger than 10 MB."),
        "too_many_pixels": gettext("The photo is too large. Take it again with a lower resolution."),
        "empty": gettext("The photo file is empty."),
    }.get(refused.code, gettext("The file is not a photo (JPEG, PNG or WEBP)."))


# --- the meter card (staff) -------------------------------------------------------------------------------------


@dataclass
class MeterForm:
    typed: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


METER_FIELDS = ("service", "zones", "serial", "place", "digits", "decimals", "installed_on", "next_verification")


def read_meter(data: Mapping[str, Any], *, with_status: bool = True) -> MeterForm:
    """The fields of a meter as staff enter them; the same checks as the import (``rules`` of precision)."""
    form = MeterForm()
    names = (*METER_FIELDS, "status") if with_status else METER_FIELDS
    for name in names:
        form.typed[name] = form_value(data, name)[:64]
    t = form.typed
    service = t["service"] if t["service"] in set(Service) else None
    if service is None:
        form.errors.add("service", gettext("Choose what the meter measures."))
    zones = parse_int(t["zones"] or "1", low=1, high=3)
    if zones is None or (zones > 1 and service != Service.ELECTRICITY):
        form.errors.add("zones", gettext("Only an electricity meter has two or three zones."))
    serial_problem(t["serial"], form.errors)
    digits = parse_int(t["digits"] or "5", low=4, high=9)
    if digits is None:
        form.errors.add("digits", gettext("A meter shows from 4 to 9 digits before the comma."))
    decimals = parse_int(t["decimals"] or "3", low=0, high=3)
    if decimals is None or (service == Service.ELECTRICITY and decimals > 1):
        form.errors.add("decimals", gettext("Water, heat and gas: up to 3 decimals; electricity: 0 or 1."))
    installed = parse_date(t["installed_on"]) if t["installed_on"] else None
    if t["installed_on"] and installed is None:
        form.errors.add("installed_on", gettext("Enter a date as 25.11.2026."))
    verification = parse_date(t["next_verification"]) if t["next_verification"] else None
    if t["next_verification"] and verification is None:
        form.errors.add("next_verification", gettext("Enter a date as 25.11.2026."))
    status = t.get("status") or MeterStatus.ACTIVE
    if status not in (MeterStatus.ACTIVE, MeterStatus.FAILED, MeterStatus.REMOVED):
        form.errors.add("status", gettext("Choose the meter's state."))
    form.values = {
        "service": service,
        "zones": zones or 1,
        "serial": t["serial"][:32],
        "place": t["place"][:64],
        "digits": digits or 5,
        "decimals": decimals if decimals is not None else 3,
        "installed_on": installed,
        "next_verification": verification,
        "status": status,
    }
    return form


@dataclass
class VerificationForm:
    """A verification recorded from the technician's paper: the day it was done and the next one's date."""

    typed: dict[str, str] = field(default_factory=dict)
    verified_on: date | None = None
    next_verification: date | None = None
    errors: FormErrors = field(default_factory=FormErrors)


def read_verification(data: Mapping[str, Any], *, today: date, bounds: Mapping[str, date | None]) -> VerificationForm:
    """«Дата поверки» (today when left empty) and the next verification's date after it; ``bounds``: the meter's
    ``installed_on``, ``previous`` verification and ``last_change`` (``rules.verified_on_problem``)."""
    form = VerificationForm(typed={n: form_value(data, n)[:32] for n in ("verified_on", "next_verification")})
    verified_on = parse_date(form.typed["verified_on"]) if form.typed["verified_on"] else today
    if verified_on is None:
        form.errors.add("verified_on", gettext("Enter a date as 25.11.2026."))
    elif problem := rules.verified_on_problem(verified_on, today=today, **bounds):
        form.errors.add("verified_on", words.verified_on_message(*problem))
    following = parse_date(form.typed["next_verification"])
    if following is None:
        form.errors.add("next_verification", gettext("Enter the date of the next verification from the paper."))
    elif verified_on is not None and following <= verified_on:
        form.errors.add("next_verification", gettext("The next verification comes after the verification."))
    form.verified_on, form.next_verification = verified_on, following
    for name, day in (("verified_on", verified_on), ("next_verification", following)):
        if day is not None:
            form.typed[name] = day.isoformat()  # a date field shows a day typed as 30.04.2024 only as ISO
    return form


def serial_problem(serial: str, errors: FormErrors) -> None:
    """A meter's serial number is required, as its passport gives it (the card's, the commissioning's)."""
    if not serial:
        errors.add("serial", gettext("Enter the serial number from the meter's passport."))
    elif len(serial) > 32:
        errors.add("serial", gettext("A serial number has at most 32 characters."))


@dataclass
class PassportForm:
    """A new meter's passport as a resident types it for its commissioning: the serial number, the reading it
    shows, the day of its last verification (of manufacture, for a new one) and the next verification's date."""

    typed: dict[str, str] = field(default_factory=dict)
    reading: Decimal | None = None
    verified_on: date | None = None
    next_verification: date | None = None
    errors: FormErrors = field(default_factory=FormErrors)


# A meter commissioned with no card yet counts as the card's defaults do (``read_meter``): 5 digits and 3 after the
# comma, a water meter's.
NEW_DIGITS, NEW_DECIMALS = 5, 3


def read_passport(data: Mapping[str, Any], *, today: date) -> PassportForm:
    """The passport's facts with the checks of the meter card and of readings: a serial number, a reading that fits
    the counter (``rules.check_reading``), a verification not after today and the next one after it
    (``read_verification``), and not already past (``rules.verification_expired``): such a meter takes no readings."""
    dates = read_verification(data, today=today, bounds={}) if form_value(data, "verified_on") else None
    form = PassportForm(typed={n: form_value(data, n)[:40] for n in ("serial", "reading")})
    serial_problem(form_value(data, "serial"), form.errors)
    if dates is None:
        unread = gettext("Enter the date of the last verification (or of manufacture) from the passport.")
        form.errors.add("verified_on", unread)
    else:
        form.typed.update(dates.typed)
        for name in ("verified_on", "next_verification"):
            if message := dates.errors.get(name):
                form.errors.add(name, message)
        form.verified_on, form.next_verification = dates.verified_on, dates.next_verification
    if form.next_verification is not None and rules.verification_expired(form.next_verification, today):
        form.errors.add(
            "next_verification",
            gettext("The next verification date has passed: the meter must be verified before it is commissioned."),
        )
    value = rules.parse_value(form.typed["reading"])
    if value is None:
        form.errors.add("reading", gettext("Enter the numbers the meter shows, e.g. 123,456."))
    elif error := rules.check_reading(value, None, digits=NEW_DIGITS, decimals=NEW_DECIMALS, on=today).error:
        form.errors.add("reading", words.error_message(error, None, NEW_DIGITS, NEW_DECIMALS))
    else:
        form.reading = value
    return form


# --- the review of a reading (staff) ---------------------------------------------------------------------------


@dataclass
class ReviewForm:
    note: str = ""
    values: dict[int, Decimal] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def read_review(
    data: Mapping[str, Any], zones: int, *, values: bool, note_required: bool, note_field: str = "note"
) -> ReviewForm:
    """The reason (required to correct or reject) and, for a correction, a value per zone (``z1``…)."""
    form = ReviewForm(note=form_value(data, note_field)[:MAX_NOTE])
    form.typed[note_field] = form.note
    if note_required and not form.note:
        form.errors.add(note_field, gettext("Say why: the resident and the audit log will see it."))
    if values:
        for zone in range(1, zones + 1):
            text = form.typed[f"z{zone}"] = form_value(data, f"z{zone}")[:40]
            value = rules.parse_value(text)
            if value is None:
                form.errors.add(f"z{zone}", gettext("Enter the numbers the meter shows, e.g. 123,456."))
            else:
                form.values[zone] = value
    return form


# --- the staff list's filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    period: date
    houses: tuple[int, ...] = ()  # none: every house of the user's
    complex: int | None = None
    service: str = ""
    source: str = ""
    missing: bool = False
    implausible: bool = False
    pending: bool = False
    photo: bool = False
    recount: bool = False  # changed by a review after the month was exported to billing

    @property
    def active(self) -> bool:
        return bool(
            self.houses
            or self.complex
            or self.service
            or self.source
            or self.missing
            or self.implausible
            or self.photo
            or self.recount
        )

    @property
    def one_house(self) -> bool:
        """Whether the files for billing can be made of the list's houses: one house, or every one (their record
        of what was exported is kept per house or for all)."""
        return len(self.houses) <= 1 and self.complex is None

    @property
    def export_house(self) -> int | None:
        """The house the files for billing are made of, None for every house (asked only when ``one_house``)."""
        return self.houses[0] if self.houses else None


def read_filter(
    params: Mapping[str, Any], months: Sequence[date], houses: Iterable[int], complexes: Iterable[int] = ()
) -> ListFilter:
    """The list's filters from the query; a value that is not one of the offered ones is ignored: a month none of
    ``months`` (the month dropdown's, the current one first) gives the current month, a house none of ``houses``
    or a complex none of ``complexes`` (the user's) is left out."""
    period = among(parse_month(form_value(params, "period")), months) or months[0]
    mine = set(houses)
    service = form_value(params, "service")
    source = form_value(params, "source")
    state = form_value(params, "state")
    return ListFilter(
        period=period,
        houses=tuple(dict.fromkeys(h for h in map(parse_id, several(params, "house")) if h in mine)),
        complex=among(parse_id(form_value(params, "complex")), list(complexes)),
        service=service if service in set(Service) else "",
        source=source if source in set(Source) else "",
        missing=state == "missing",
        implausible=state in ("implausible", "pending"),
        pending=state == "pending",
        photo=bool(form_value(params, "photo")),
        recount=state == "recount",
    )


STATES = ("missing", "implausible", "pending", "recount")
LIST_FIELDS = ("period", "house", "complex", "service", "source", "state")


def list_filter_problems(
    params: Mapping[str, Any], f: ListFilter, fields: Iterable[str] = LIST_FIELDS
) -> tuple[dict[str, str], FormErrors]:
    """The list's filters as typed, and a message at each of ``fields`` it could not read (``core.web.unread_filters``):
    they come from the address (a link kept from before); the list is shown without them, in the current month."""
    state = form_value(params, "state")
    month = parse_month(form_value(params, "period"))
    read = {
        "period": (month if month == f.period else None, gettext("Month")),
        "house": (houses_read(params, f.houses), gettext("House")),
        "complex": (f.complex, gettext("Complex")),
        "service": (f.service or None, gettext("Resource")),
        "source": (f.source or None, gettext("Source")),
        "state": (state if state in STATES else None, gettext("Show")),
    }
    return unread_filters(
        params, {name: (value, label, _unread(params, name)) for name, (value, label) in read.items() if name in fields}
    )


def _unread(params: Mapping[str, Any], name: str) -> str:
    value = form_value(params, name)[:40]
    if name == "period":
        return gettext("There is no month “%(value)s”; the list is shown for the current one.", value=value)
    if name == "house":
        return no_such_house()
    if name == "complex":
        return no_such_complex()
    return no_such_choice(params, name)


def month_or_none(value: object) -> date | None:
    return parse_month(value)
