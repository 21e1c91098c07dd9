"""The audit log's words for what inspection rounds write (``core.audit.describe``): a round started, a point
answered, a round completed with the requests it filed."""

from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.audit import looked_up
from portal.core.i18n import lazy
from portal.inspections.rules import KIND_LABELS
from portal.inspections.rules import PLACE_LABELS
from portal.inspections.rules import VERDICT_LABELS
from portal.inspections.tables import ChecklistPoint

audit.namer("inspection_point")(looked_up(ChecklistPoint.title))

describe(
    actions={
        "inspection.start": lazy("Inspection round started"),
        "inspection.answer": lazy("Point of an inspection round answered"),
        "inspection.complete": lazy("Inspection round completed"),
    },
    fields={
        "house": lazy("House"),
        "kind": lazy("Kind of inspection"),
        "point": lazy("Point of the checklist"),
        "verdict": lazy("Result"),
        "no_request": lazy("Fixed on the spot"),
        "requests": lazy("Requests filed"),
    },
    entities={"inspection_round": lazy("Inspection round")},
    values={"kind": KIND_LABELS, "verdict": VERDICT_LABELS, "house": Ref("house"), "point": Ref("inspection_point")},
    lists=("requests",),
)
describe(
    actions={
        "inspection.point.create": lazy("Point added to the checklist"),
        "inspection.point.update": lazy("Point of the checklist changed"),
    },
    fields={
        "title": lazy("What is checked"),
        "place": lazy("Place"),
        "category": lazy("Category of the request"),
        "position": lazy("Position in the list"),
        "active": lazy("In use"),
    },
    entities={"inspection_point": lazy("Point of the checklist")},
    values={"place": PLACE_LABELS},
)
