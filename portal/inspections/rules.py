"""The decisions of inspection rounds as plain functions: which remarks a completed round files as requests,
whether a house is overdue for a round, what a round's act says of a point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.core.i18n import lazy
from portal.core.labels import Labels

MAX_PHOTOS = 3  # photos of one point's answer
MAX_COMMENT = 2000


class RoundKind(StrEnum):
    """The kinds of inspections of ПП № 491 п. 13–14: current, seasonal (spring and autumn), extraordinary."""

    CURRENT = "current"
    SPRING = "spring"
    AUTUMN = "autumn"
    EXTRAORDINARY = "extraordinary"


class Verdict(StrEnum):
    OK = "ok"
    REMARK = "remark"


class Place(StrEnum):
    """Where a point of the checklist is: the common places a request is filed about (``tickets.rules.Place``)."""

    ENTRANCE = "entrance"
    LIFT = "lift"
    ROOF = "roof"
    BASEMENT = "basement"
    YARD = "yard"


KIND_LABELS = Labels(
    {
        RoundKind.CURRENT: lazy("Current"),
        RoundKind.SPRING: lazy("Seasonal, spring"),
        RoundKind.AUTUMN: lazy("Seasonal, autumn"),
        RoundKind.EXTRAORDINARY: lazy("Extraordinary"),
    }
)
VERDICT_LABELS = Labels({Verdict.OK: lazy("In order"), Verdict.REMARK: lazy("Remark")})
PLACE_LABELS = Labels(
    {
        Place.ENTRANCE: lazy("Entrance"),
        Place.LIFT: lazy("Lift"),
        Place.ROOF: lazy("Roof and attic"),
        Place.BASEMENT: lazy("Basement"),
        Place.YARD: lazy("Grounds"),
    }
)


@dataclass(frozen=True)
class Answered:
    """What a round's completion needs to know of one answer."""

    id: int
    verdict: str
    no_request: bool
    ticket_id: int | None


def to_file(answers: list[Answered]) -> list[Answered]:
    """The answers a completed round files a request for, one each: every remark not fixed on the spot («не требует
    заявки») and not filed already; «в порядке» files none."""
    return [a for a in answers if a.verdict == Verdict.REMARK and not a.no_request and a.ticket_id is None]


def overdue(last_round_on: date | None, today: date, days: int) -> bool:
    """A house is overdue for a round when none was completed in the last ``days`` days (or none ever)."""
    return last_round_on is None or (today - last_round_on).days > days


def may_complete(answered: int) -> bool:
    """A round is completed with at least one point answered (an act of nothing inspected is no act); points left
    unanswered are printed as not inspected."""
    return answered > 0
