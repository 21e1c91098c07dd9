"""The audit log's words for what the owners' meetings write (``core.audit.describe``): a meeting's fields are
named as its staff form names them, its form, thresholds and reasons read as the meeting's pages say them, its
days and moments in the reader's language and the company's zone, a ballot's status as its moderation says it, a
house by its address, a user by name, a meeting by its title, a question by its number and words and a line of the
register by its owner and premise."""

from collections.abc import Mapping
from typing import Any

from portal.core import audit
from portal.core.address import premise_name
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.audit import looked_up
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.meetings import forms
from portal.meetings.tables import AgendaItem
from portal.meetings.tables import Meeting
from portal.meetings.tables import RegisterEntry

ITEM_SHOWN = 80  # the characters of a question the audit log shows


def _item(r: Mapping[str, Any]) -> str:
    """A question of the agenda by number and words («2. Выбор совета дома»), shortened."""
    words = " ".join(r["text"].split())
    shown = words if len(words) <= ITEM_SHOWN else words[: ITEM_SHOWN - 1].rstrip() + "…"
    return f"{r['position']}. {shown}"


def _entry(r: Mapping[str, Any]) -> str:
    """A line of a meeting's register by the owner and the premise («Иванов И. И., кв. 5»)."""
    premise = premise_name(r["premise_kind"], r["premise_number"])
    return gettext("%(owner)s, %(premise)s", owner=r["owner_name"], premise=premise)


audit.namer("meeting")(looked_up(Meeting.title))
audit.namer("agenda_item")(looked_up(AgendaItem.position, AgendaItem.text, shown=_item))
audit.namer("register_entry")(
    looked_up(RegisterEntry.owner_name, RegisterEntry.premise_kind, RegisterEntry.premise_number, shown=_entry)
)


describe(
    actions={
        "meeting.create": lazy("Meeting created"),
        "meeting.edit": lazy("Draft of the meeting changed"),
        "meeting.item": lazy("Question added to the agenda"),
        "meeting.item_removed": lazy("Question removed from the agenda"),
        "meeting.publish": lazy("Notice of the meeting published"),
        "meeting.close": lazy("Meeting closed with a protocol"),
        "meeting.documents": lazy("Protocol's originals and dispatch recorded"),
        "meeting.snils_erased": lazy("SNILS and scans of the ballots erased at the end of their keeping term"),
        "meeting.owner_link": lazy("Owner linked to a user"),
        "ballot.enter": lazy("Paper ballot entered"),
        "ballot.accept": lazy("Ballot accepted"),
        "ballot.reject": lazy("Ballot rejected"),
        "initiative.held": lazy("Initiative taken to a meeting"),
    },
    fields={
        "house": lazy("House"),
        "title": lazy("Title"),
        "title_en": lazy("Title in English"),
        "form": lazy("Form"),
        "initiator": lazy("Initiator"),
        "administrator": lazy("Administrator of the meeting"),
        "place": lazy("Place of the meeting, or where paper decisions go"),
        "in_person_at": lazy("In-person meeting: date and time"),
        "starts_on": lazy("First day of voting"),
        "voting_ends": lazy("Last day of voting"),
        "register_on": lazy("Register of owners fixed on"),
        "administrator_notified_on": lazy("The administrator received the notice on"),
        "chair": lazy("Chair"),
        "secretary": lazy("Secretary"),
        "counters": lazy("Vote counters"),
        "storage_place": lazy("Where the protocol is kept"),
        "initiative": lazy("Initiative"),
        "text": lazy("Question"),
        "text_en": lazy("Question in English"),
        "subject": lazy("What it decides (ЖК ст. 44 ч. 2) — threshold"),
        "threshold": lazy("Threshold"),
        "item": lazy("Question No."),
        "notice_on": lazy("Notice published on"),
        "protocol_number": lazy("Protocol No."),
        "originals_received_on": lazy("Originals received on"),
        "sent_to_inspectorate_on": lazy("Sent to the housing inspectorate on"),
        "user": lazy("User"),
        "entry": lazy("Owner from the register"),
        "received_at": lazy("Received"),
        "duplicate": lazy("Repeated ballot"),
        "late": lazy("Received after voting ended"),
        "status": lazy("Status"),
        "rejection": lazy("Reason for rejecting"),
        "note": lazy("Comment"),
        "meeting": lazy("Meeting"),
        "snils_erased": lazy("Ballots whose SNILS were erased"),
        "scans_deleted": lazy("Ballot scans deleted"),
    },
    entities={"meeting": lazy("Meeting"), "ballot": lazy("Ballot"), "initiative": lazy("Initiative")},
    values={
        "form": forms.form_label,
        "subject": forms.subject_label,
        "threshold": forms.threshold_label,
        "rejection": forms.rejection_label,
        "status": forms.ballot_status_label,
        "house": Ref("house"),
        "user": Ref("user"),
        "meeting": Ref("meeting"),
        "item": Ref("agenda_item"),
        "entry": Ref("register_entry"),
        **dict.fromkeys(
            (
                "in_person_at",
                "starts_on",
                "voting_ends",
                "register_on",
                "administrator_notified_on",
                "notice_on",
                "originals_received_on",
                "sent_to_inspectorate_on",
                "received_at",
            ),
            audit.when,
        ),
    },
)
