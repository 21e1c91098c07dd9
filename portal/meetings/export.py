"""The register of owners and the ballots of a meeting as an XLSX workbook (cells that look like formulas are
prefixed with an apostrophe, SECURITY.md). The register is an annex of the protocol (Приказ Минстроя № 44/пр п. 20):
it is written in Russian like the protocol, whatever the reader's language."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from portal.core.exports import Area
from portal.core.exports import Quantity
from portal.core.exports import to_xlsx
from portal.core.i18n import gettext as _
from portal.core.i18n import in_locale
from portal.core.threads import written
from portal.meetings import forms
from portal.meetings import pdf
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.tables import BallotStatus


async def workbook(meeting: queries.MeetingView) -> bytes:
    with in_locale(pdf.DOCUMENT_LOCALE):
        return await _workbook(meeting)


async def _workbook(meeting: queries.MeetingView) -> bytes:
    register: list[list[Any]] = [
        [_("Premise"), _("Owner"), _("Area, m²"), _("Share"), _("Joint"), _("Document"), _("Votes")]
    ]
    lines = await queries.register_of(meeting.id)
    for r in pdf.register_rows(lines):  # as the protocol's annex: a joint premise's votes once, its co-owners together
        register.append(
            [r.premise, ", ".join(r.owners), Area(r.area), r.share, r.joint, "; ".join(r.documents),
             Quantity(rules.votes_decimal(r.votes))]
        )  # fmt: skip
    ballots: list[list[Any]] = [
        [_("Premise"), _("Owner"), _("Ballot"), _("Status"), _("Reason"), _("Received"), _("Votes"),
         _("Votes counted")]
        + [_("Question %(n)s", n=i.position) for i in meeting.items]
    ]  # fmt: skip
    # What the count took from each ballot: joint co-owners who both voted half their premise each, a ballot not
    # counted nothing; the column adds up to the votes that took part, as the protocol's list of them does.
    counted = (await queries.outcome(meeting)).votes
    ownership_of = {line.id: line.ownership_id for line in lines}
    for b in await queries.ballots_of(meeting.id, limit=5000):
        taken = counted.get(ownership_of.get(b.entry_id, 0), Fraction(0)) if b.status == BallotStatus.ACCEPTED else 0
        ballots.append(
            [b.premise, b.owner_name, forms.source_label(b.source), forms.ballot_status_label(b.status),
             forms.rejection_label(b.rejection) if b.rejection else "",
             b.received_at, Quantity(rules.votes_decimal(b.weight)), Quantity(rules.votes_decimal(Fraction(taken)))]
            + [forms.choice_label(b.answers.get(i.id)) for i in meeting.items]
        )  # fmt: skip
    return await written(to_xlsx, [(_("Register"), register), (_("Ballots"), ballots)])
