"""The audit log's words for what visits to the client centre write (``core.audit.describe``): a visit booked or
cancelled by its resident (or booked by the call centre for a caller), marked attended or missed, or cancelled by the
centre with its reason; the names and phones of callers without a sign-in deleted after their visits."""

from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.audit import looked_up
from portal.core.audit import namer
from portal.core.audit import when
from portal.core.i18n import lazy
from portal.visits.rules import PURPOSE_LABELS
from portal.visits.rules import STATUS_LABELS
from portal.visits.tables import VisitCentre

namer("client_centre")(looked_up(VisitCentre.name))

describe(
    actions={
        "visits.book": lazy("Visit to the client centre booked"),
        "visits.book_for": lazy("Visit to the client centre booked by staff for a resident"),
        "visits.centre_edit": lazy("Client centre's settings changed"),
        "visits.cancel": lazy("Visit to the client centre cancelled by the resident"),
        "visits.staff_cancel": lazy("Visit to the client centre cancelled by the centre"),
        "visits.attended": lazy("Resident came to the client centre"),
        "visits.no_show": lazy("Resident did not come to the client centre"),
        "visits.rate": lazy("Resident rated a visit to the client centre"),
        "visits.callers_erased": lazy("Names and phones of callers without a sign-in deleted from past visits"),
    },
    fields={
        "centre": lazy("Client centre"),
        "starts_at": lazy("Time"),
        "purpose": lazy("Purpose"),
        "status": lazy("Status"),
        "reason": lazy("Reason"),
        "visitor": lazy("Resident"),
        "name": lazy("Name"),
        "address": lazy("Address"),
        "weekday_from": lazy("Opens on working days"),
        "weekday_to": lazy("Closes on working days"),
        "lunch_from": lazy("Lunch from"),
        "lunch_to": lazy("Lunch to"),
        "saturday_from": lazy("Opens on Saturdays"),
        "saturday_to": lazy("Closes on Saturdays"),
        "slot_minutes": lazy("Slot, minutes"),
        "desks": lazy("Desks"),
        "rating": lazy("Rating"),
        "caller": lazy("A caller without a sign-in, told by SMS"),
        "visits": lazy("Visits"),
    },
    entities={"client_visit": lazy("Visit to the client centre"), "client_centre": lazy("Client centre")},
    values={
        "visitor": Ref("user"),
        "centre": Ref("client_centre"),
        "starts_at": when,
        "purpose": PURPOSE_LABELS,
        "status": STATUS_LABELS,
    },
)
