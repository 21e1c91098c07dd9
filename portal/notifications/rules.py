"""Pure rules of notifications: the audience (DESIGN §5) as plain data.

An audience is a union of selections: the whole company, complexes, houses, entrances, ranges of floors (of a
house, or of one entrance of it), risers, premises and single personal accounts. A person reached by several
selections is one recipient.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum

from portal.accounts.rules import may_send
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.security import safe_next


class TargetKind(StrEnum):
    """One kind of selection of an audience, as stored row by row (``ref`` names the selected record)."""

    COMPANY = "company"
    COMPLEX = "complex"
    HOUSE = "house"
    ENTRANCE = "entrance"
    FLOORS = "floors"  # ref: the house; entrance optional; floor_from..floor_to inclusive
    RISER = "riser"
    PREMISE = "premise"
    ACCOUNT = "account"


@dataclass(frozen=True, order=True)
class FloorRange:
    """Floors ``floor_from``..``floor_to`` (inclusive) of a house, or of one entrance of it."""

    house: int
    floor_from: int
    floor_to: int
    entrance: int | None = None

    def contains(self, house: int, entrance: int | None, floor: int | None) -> bool:
        if floor is None or house != self.house:
            return False
        if self.entrance is not None and entrance != self.entrance:
            return False
        return self.floor_from <= floor <= self.floor_to


@dataclass(frozen=True)
class Target:
    """One stored selection: ``kind`` and the id it names (for floors, the house and the range)."""

    kind: TargetKind
    ref: int | None = None
    entrance: int | None = None
    floor_from: int | None = None
    floor_to: int | None = None


@dataclass(frozen=True)
class Audience:
    """Who a message is for: the union of every selection given."""

    company: bool = False
    complexes: frozenset[int] = frozenset()
    houses: frozenset[int] = frozenset()
    entrances: frozenset[int] = frozenset()
    floors: tuple[FloorRange, ...] = ()
    risers: frozenset[int] = frozenset()
    premises: frozenset[int] = frozenset()
    accounts: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        company: bool = False,
        complexes: Iterable[int] = (),
        houses: Iterable[int] = (),
        entrances: Iterable[int] = (),
        floors: Iterable[FloorRange] = (),
        risers: Iterable[int] = (),
        premises: Iterable[int] = (),
        accounts: Iterable[int] = (),
    ) -> Audience:
        return cls(
            company=company,
            complexes=frozenset(complexes),
            houses=frozenset(houses),
            entrances=frozenset(entrances),
            floors=tuple(sorted({normalise_floors(f) for f in floors})),
            risers=frozenset(risers),
            premises=frozenset(premises),
            accounts=frozenset(accounts),
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.company
            or self.complexes
            or self.houses
            or self.entrances
            or self.floors
            or self.risers
            or self.premises
            or self.accounts
        )

    def __or__(self, other: Audience) -> Audience:
        return Audience(
            company=self.company or other.company,
            complexes=self.complexes | other.complexes,
            houses=self.houses | other.houses,
            entrances=self.entrances | other.entrances,
            floors=tuple(sorted(set(self.floors) | set(other.floors))),
            risers=self.risers | other.risers,
            premises=self.premises | other.premises,
            accounts=self.accounts | other.accounts,
        )

    def targets(self) -> list[Target]:
        """The audience as rows to store (one per selection)."""
        rows: list[Target] = [Target(TargetKind.COMPANY)] if self.company else []
        for kind, ids in (
            (TargetKind.COMPLEX, self.complexes),
            (TargetKind.HOUSE, self.houses),
            (TargetKind.ENTRANCE, self.entrances),
            (TargetKind.RISER, self.risers),
            (TargetKind.PREMISE, self.premises),
            (TargetKind.ACCOUNT, self.accounts),
        ):
            rows.extend(Target(kind, ref) for ref in sorted(ids))
        rows.extend(Target(TargetKind.FLOORS, f.house, f.entrance, f.floor_from, f.floor_to) for f in self.floors)
        return rows

    @classmethod
    def from_targets(cls, rows: Iterable[Target]) -> Audience:
        """The audience stored as ``targets()`` rows."""
        picked: dict[TargetKind, set[int]] = {kind: set() for kind in TargetKind}
        floors: list[FloorRange] = []
        company = False
        for row in rows:
            kind = TargetKind(row.kind)
            if kind is TargetKind.COMPANY:
                company = True
            elif kind is TargetKind.FLOORS:
                if row.ref is not None and row.floor_from is not None and row.floor_to is not None:
                    floors.append(FloorRange(row.ref, row.floor_from, row.floor_to, row.entrance))
            elif row.ref is not None:
                picked[kind].add(row.ref)
        return cls.of(
            company=company,
            complexes=picked[TargetKind.COMPLEX],
            houses=picked[TargetKind.HOUSE],
            entrances=picked[TargetKind.ENTRANCE],
            floors=floors,
            risers=picked[TargetKind.RISER],
            premises=picked[TargetKind.PREMISE],
            accounts=picked[TargetKind.ACCOUNT],
        )

    def houses_named(self) -> frozenset[int]:
        """The houses this audience names directly (houses and floor ranges); complexes and the company are wider."""
        return self.houses | {f.house for f in self.floors}


def normalise_floors(floors: FloorRange) -> FloorRange:
    """A range given backwards (9–5) is the same range (5–9)."""
    low, high = sorted((floors.floor_from, floors.floor_to))
    return FloorRange(floors.house, low, high, floors.entrance)


@dataclass(frozen=True)
class Place:
    """Where one of a resident's accounts is: what an audience can select it by."""

    account: int
    premise: int
    house: int
    complex: int
    entrance: int | None = None
    floor: int | None = None
    risers: frozenset[int] = field(default_factory=frozenset)


def reaches(audience: Audience, place: Place) -> bool:
    """Whether the audience selects this place (the same answer the database query gives, for one place)."""
    return (
        audience.company
        or place.complex in audience.complexes
        or place.house in audience.houses
        or (place.entrance is not None and place.entrance in audience.entrances)
        or any(f.contains(place.house, place.entrance, place.floor) for f in audience.floors)
        or bool(place.risers & audience.risers)
        or place.premise in audience.premises
        or place.account in audience.accounts
    )


# --- channels and each person's choices -----------------------------------------------------------------------


class Channel(StrEnum):
    INAPP = "inapp"
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class Topic(StrEnum):
    """What a message is about, for the person's choice of channels."""

    EMERGENCY = "emergency"  # outages, accidents: at once, everywhere the person allows
    NOTICE = "notice"  # planned works, meetings, announcements of the house
    NEWS = "news"
    ACCOUNT = "account"  # the person's own affairs: payments, requests, readings, meetings' ballots


# What a person gets when they have not chosen (in-app always; SMS only for emergencies).
DEFAULTS: dict[Topic, frozenset[Channel]] = {
    Topic.EMERGENCY: frozenset({Channel.INAPP, Channel.EMAIL, Channel.SMS, Channel.PUSH}),
    Topic.NOTICE: frozenset({Channel.INAPP, Channel.EMAIL, Channel.PUSH}),
    Topic.NEWS: frozenset({Channel.INAPP, Channel.PUSH}),
    Topic.ACCOUNT: frozenset({Channel.INAPP, Channel.EMAIL, Channel.PUSH}),
}


# The channels a person chooses among (in-app is always on), in the settings grid's order.
CHOSEN = (Channel.EMAIL, Channel.SMS, Channel.PUSH)

TOPIC_LABELS = Labels(
    {
        Topic.EMERGENCY: lazy("Emergencies and outages"),
        Topic.NOTICE: lazy("Notices of the house"),
        Topic.NEWS: lazy("News"),
        Topic.ACCOUNT: lazy("My payments, requests and readings"),
    }
)
CHANNEL_LABELS = Labels(
    {
        Channel.INAPP: lazy("In the portal"),
        Channel.EMAIL: lazy("E-mail"),
        Channel.SMS: lazy("SMS"),
        Channel.PUSH: lazy("Push"),
    }
)


def choices_changed(choices: dict[tuple[str, str], bool], wanted: set[tuple[Topic, Channel]]) -> dict[str, list[str]]:
    """What a person's new ``wanted`` channels change from their ``choices`` (as kept: those unlike the defaults),
    by channel: ``{"email_off": ["news"], "sms_on": ["notice"]}``, the topics in the settings grid's order; empty
    when nothing changes."""
    changed: dict[str, list[str]] = {}
    for channel in CHOSEN:
        for topic in Topic:
            now_on = (topic, channel) in wanted
            if now_on != wants(topic, channel, choices):
                changed.setdefault(f"{channel.value}_{'on' if now_on else 'off'}", []).append(topic.value)
    return changed


def wants(topic: Topic, channel: Channel, choices: dict[tuple[str, str], bool]) -> bool:
    """Whether a person wants ``topic`` by ``channel``: their choice where they made one, else the default.
    In-app is always on: it is the portal itself."""
    if channel is Channel.INAPP:
        return True
    chosen = choices.get((topic.value, channel.value))
    return chosen if chosen is not None else channel in DEFAULTS[topic]


def unreachable(*, email: str | None, phone: str | None, email_on: bool) -> list[Channel]:
    """The channels of the settings' grid that reach the person in no case, whatever is ticked there: e-mail while
    the profile's switch for it is off or there is no address, SMS without a phone (as ``channels_for`` reads
    them). Push is not among them: the page's own section says whether a browser receives it."""
    out = {Channel.EMAIL: not (email and email_on), Channel.SMS: not phone}
    return [channel for channel, off in out.items() if off]


def channels_for(
    topic: Topic,
    offered: frozenset[Channel],
    choices: dict[tuple[str, str], bool],
    *,
    email: str | None,
    phone: str | None,
    push_endpoints: int,
    email_on: bool = True,
    consents: Iterable[str] | None = None,
) -> list[Channel]:
    """The channels one person gets a message by: offered by the sender, wanted by the person, and reachable
    (an address, a phone, a subscribed browser; ``email_on`` is the profile's master switch for e-mail).
    With ``consents`` (the person's standing consents), none where the topic needs a consent the person has
    not given or has withdrawn (152-ФЗ, ``accounts.rules.may_send``)."""
    if consents is not None and not may_send(topic.value, consents):
        return []
    reachable = {
        Channel.INAPP: True,
        Channel.EMAIL: bool(email) and email_on,
        Channel.SMS: bool(phone),
        Channel.PUSH: push_endpoints > 0,
    }
    return [c for c in Channel if c in offered and reachable[c] and wants(topic, c, choices)]


def inapp_link(context: object, base_url: str = "") -> str | None:
    """The page an in-app message leads to (``context["link"]``): only a path on this site — «/…», never
    «//host» or «https://…» — so that a message can never send its reader elsewhere (no open redirect). A full
    address of this portal (``base_url`` and a path: what the meters' reminders and the survey's invitation kept
    before they kept the path) is read as its path."""
    if not isinstance(context, dict) or not isinstance(context.get("link"), str):
        return None
    link, base = context["link"], base_url.rstrip("/")
    if base and link.startswith(base + "/"):
        link = link[len(base) :]
    return safe_next(link, "") or None


# --- unsubscribing from an e-mail ----------------------------------------------------------------------------


def unsubscribe_token(secret: str, user_id: int, topic: Topic) -> str:
    """The token of an e-mail's unsubscribe address: the person and the topic, signed with the installation's
    secret (``«user».«topic».«signature»``). It has no expiry, so that an old letter's link still works; whether the
    person still exists is the reader's question (``read_unsubscribe_token`` checks only the signature)."""
    named = f"{user_id}.{topic.value}"
    return f"{named}.{_unsubscribe_signature(secret, named)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, Topic] | None:
    """The person and the topic a token names, ``None`` when it is not one of ours (a forged or altered one)."""
    user, _, rest = token.partition(".")
    topic, _, signature = rest.partition(".")
    if not (user.isascii() and user.isdigit() and len(user) <= 18) or topic not in Topic.__members__.values():
        return None
    if not hmac.compare_digest(signature.encode(), _unsubscribe_signature(secret, f"{user}.{topic}").encode()):
        return None
    return int(user), Topic(topic)


def _unsubscribe_signature(secret: str, named: str) -> str:
    return hmac.new(secret.encode(), f"unsubscribe:{named}".encode(), hashlib.sha256).hexdigest()[:32]
