"""Tables of owners' general meetings: the meeting, its agenda, the register of owners fixed for it, ballots and
votes, the owners' initiatives and their support, and the link between a signed-in user and a registry owner."""

from enum import StrEnum

from piccolo.columns import BigInt
from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Numeric
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from portal.accounts.tables import User
from portal.core.stamps import Created
from portal.core.stamps import Stamped
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import Premise
from portal.meetings.rules import Choice
from portal.meetings.rules import Form
from portal.meetings.rules import Rejection
from portal.meetings.rules import Subject
from portal.meetings.rules import Threshold


class MeetingStatus(StrEnum):
    """What staff did with the meeting; the stage residents see also follows from its dates (rules.stage)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Source(StrEnum):
    ELECTRONIC = "electronic"
    PAPER = "paper"


class BallotStatus(StrEnum):
    DRAFT = "draft"  # an owner is filling it in; not yet confirmed, counts nowhere
    MODERATION = "moderation"  # a paper ballot waiting for the moderator
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class InitiativeStatus(StrEnum):
    COLLECTING = "collecting"
    REACHED = "reached"  # supporters hold ≥ 10 % of all votes: the company must hold the meeting within 45 days
    HELD = "held"  # a meeting was called on it
    WITHDRAWN = "withdrawn"


class OwnerLink(Created, Table):
    """This user is this owner of the registry (checked by staff against the documents): the only way to vote.

    A residency (owner, tenant, family) gives access to an account, never a vote; voting is never delegated."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    owner = ForeignKey(Owner, on_delete=OnDelete.restrict, null=False, unique=True)
    linked_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


class Initiative(Stamped, Table):
    """An owners' demand for a meeting with its agenda (ЖК ст. 45 ч. 2, ч. 6)."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    author_owner = ForeignKey(Owner, on_delete=OnDelete.restrict, null=False)
    title = Varchar(length=200)
    agenda = Text()
    status = Varchar(length=16, default=InitiativeStatus.COLLECTING, choices=InitiativeStatus, index=True)
    total_num = BigInt(default=0)  # all votes of the house when it started (exact fraction)
    total_den = BigInt(default=1)
    reached_on = Date(null=True, default=None)


class InitiativeSupport(Created, Table):
    """One ownership supporting an initiative, with its votes at that moment."""

    id = Serial(primary_key=True)
    initiative = ForeignKey(Initiative, on_delete=OnDelete.restrict, null=False, index=True)
    ownership = ForeignKey(Ownership, on_delete=OnDelete.restrict, null=False)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    group = Varchar(length=40)
    weight_num = BigInt()
    weight_den = BigInt()
    # One support per ownership and initiative, guarded by the database.
    key = Varchar(length=40, unique=True)


class Meeting(Stamped, Table):
    """An owners' general meeting of one house."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    title = Varchar(length=200)
    # The English twin staff may write (read through i18n.own_words); the protocol and the ballots keep ``title``.
    title_en = Varchar(length=200, default="")
    form = Varchar(length=16, choices=Form)
    status = Varchar(length=16, default=MeetingStatus.DRAFT, choices=MeetingStatus, index=True)
    initiator = Varchar(length=255)  # the company, or the initiating owner's name
    initiator_owner = ForeignKey(Owner, on_delete=OnDelete.restrict, null=True, default=None)
    initiative = ForeignKey(Initiative, on_delete=OnDelete.restrict, null=True, default=None)
    administrator = Varchar(length=255, default="")
    place = Varchar(length=255, default="")  # the in-person meeting, or where written decisions go
    in_person_at = Timestamptz(null=True, default=None)
    notice_on = Date()
    administrator_notified_on = Date(null=True, default=None)
    starts_on = Date()
    voting_starts_at = Timestamptz()
    voting_ends_at = Timestamptz(index=True)
    register_on = Date()
    # All votes of the house (areas of all premises) as an exact fraction, fixed with the register.
    total_num = BigInt(default=0)
    total_den = BigInt(default=1)
    register_fixed_at = Timestamptz(null=True, default=None)
    chair = Varchar(length=255, default="")
    secretary = Varchar(length=255, default="")
    counters = Varchar(length=255, default="")
    storage_place = Varchar(length=255, default="")
    protocol_number = Varchar(length=32, default="")
    gis_number = Varchar(length=64, default="")
    published_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    originals_received_on = Date(null=True, default=None)
    sent_to_inspectorate_on = Date(null=True, default=None)
    # When the ballots' СНИЛС and scans were erased at the end of their keeping term (``actions.erase_snils``); null
    # while they are kept. Indexed: the daily job reads the meetings not yet done.
    snils_erased_at = Timestamptz(null=True, default=None, index=True)
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


class AgendaItem(Table):
    """A question of the agenda, with the ст. 44 ч. 2 item it decides and the threshold fixed from it."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict, null=False, index=True)
    position = Integer(default=1)
    text = Text()
    # The English twin staff may write (read through i18n.own_words; the Russian stands in where it is empty).
    # The legal documents — the protocol, the owner's ballot, the register — always carry ``text``, the Russian.
    text_en = Text(default="")
    subject = Varchar(length=16, choices=Subject)
    threshold = Varchar(length=16, choices=Threshold)
    material_key = Varchar(length=128, default="", index=True)  # indexed: core.orphans asks by it
    material_name = Varchar(length=200, default="")


class RegisterEntry(Table):
    """A line of the register of owners fixed for a meeting: one ownership with its exact votes."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict, null=False, index=True)
    ownership = ForeignKey(Ownership, on_delete=OnDelete.restrict, null=False)
    owner = ForeignKey(Owner, on_delete=OnDelete.restrict, null=False, index=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.restrict, null=False)
    owner_name = Varchar(length=255)
    premise_kind = Varchar(length=16)
    premise_number = Varchar(length=16)
    area = Numeric(digits=(10, 2))
    share_num = Integer(default=1)
    share_den = Integer(default=1)
    joint = Boolean(default=False)
    document = Varchar(length=255, default="")
    weight_num = BigInt()
    weight_den = BigInt()
    group = Varchar(length=40)
    # One line per ownership and meeting.
    key = Varchar(length=40, unique=True)


class Ballot(Stamped, Table):
    """Решение собственника: one ownership's ballot, electronic (confirmed by a code) or paper (moderated)."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict, null=False, index=True)
    entry = ForeignKey(RegisterEntry, on_delete=OnDelete.restrict, null=False, index=True)
    source = Varchar(length=16, choices=Source)
    status = Varchar(length=16, default=BallotStatus.DRAFT, choices=BallotStatus, index=True)
    rejection = Varchar(length=16, null=True, default=None, choices=Rejection)
    rejection_note = Varchar(length=500, default="")
    # A paper ballot of an ownership that already has a counted ballot, or received after the closing time.
    duplicate = Boolean(default=False)
    late = Boolean(default=False)
    voter = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    voter_name = Varchar(length=255, default="")
    # A paper ballot's СНИЛС as the owner wrote it (266/пр), its 11 digits; empty where none was written. Personal
    # data: shown to staff masked but for its last four digits, never in the audit or the logs.
    snils = Varchar(length=11, default="")
    entered_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    scan_key = Varchar(length=128, default="", index=True)  # indexed: core.orphans asks by it
    scan_type = Varchar(length=32, default="")
    received_at = Timestamptz(null=True, default=None)
    moderated_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    moderated_at = Timestamptz(null=True, default=None)
    # Set to "<meeting>:<entry>" on an electronic ballot: the database refuses a second one for the ownership.
    electronic_key = Varchar(length=40, null=True, default=None, unique=True)


class Vote(Table):
    """The answer of a ballot on one question; ``choice`` is empty where the paper marked several options or none."""

    id = Serial(primary_key=True)
    ballot = ForeignKey(Ballot, on_delete=OnDelete.restrict, null=False, index=True)
    item = ForeignKey(AgendaItem, on_delete=OnDelete.restrict, null=False)
    choice = Varchar(length=16, null=True, default=None, choices=Choice)


class BallotCode(Created, Table):
    """A one-time code confirming an owner's ballots of a meeting; only its hash is kept."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict, null=False)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    code_hash = Varchar(length=64)
    ballots = Varchar(length=255, default="")  # the ids of the ballots the summary showed, comma-separated
    attempts = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class MeetingReminder(Created, Table):
    """An owner reminded that a meeting's voting ends soon and they have not voted: once per owner (the user) per
    meeting, kept by the unique ``key`` in the transaction of its outbox rows."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    key = Varchar(length=40, unique=True)  # "<meeting>:<user>"
