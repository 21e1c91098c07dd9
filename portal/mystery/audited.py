"""The audit log's words for what the mystery resident writes (``core.audit.describe``): a resident invited, their
acceptance, refusal or stop, their withdrawal by staff, and a month's report with the requests it filed."""

from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.i18n import lazy
from portal.mystery.rules import STATUS_LABELS

describe(
    actions={
        "mystery.invite": lazy("Resident invited to check the house"),
        "mystery.active": lazy("Mystery resident accepted the invitation"),
        "mystery.declined": lazy("Mystery resident declined the invitation"),
        "mystery.stopped": lazy("Mystery resident stopped checking"),
        "mystery.withdraw": lazy("Mystery resident taken off the checks by staff"),
        "mystery.submit": lazy("House check sent by a mystery resident"),
    },
    fields={
        "house": lazy("House"),
        "resident": lazy("Resident"),
        "status": lazy("Status"),
        "month": lazy("Month"),
        "requests": lazy("Requests filed"),
    },
    entities={"mystery_checker": lazy("Mystery resident"), "mystery_report": lazy("House check")},
    values={"house": Ref("house"), "resident": Ref("user"), "status": STATUS_LABELS},
    lists=("requests",),
)
