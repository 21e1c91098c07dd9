"""The owner's ballot and the meeting's protocol as PDFs: fpdf2 with the vendored DejaVu fonts (Cyrillic, №, ²).

The protocol carries what the order in force on the meeting date requires (DOMAIN.md §1.7, rules.protocol_fields):
the heading, total votes and area, the votes taking part and the quorum, each question's result and decision, the
storage place, the joint-ownership rule, the annexes — the register of owners and the list of those who voted — and
the signatures of the chair, the secretary and the vote counters, kept on one page with the text's last lines.

Both are formal documents in Russian whoever downloads them: the protocol is filed with the housing inspectorate (ГЖИ)
and the ballot is the owner's written decision (ЖК ст. 48 ч. 5.1). The routes load their lines (premises named
«кв. 1») and make them in ``DOCUMENT_LOCALE``, so labels, dates and numbers are Russian even when the page that
links them is read in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from portal.core import board
from portal.core import clock
from portal.core.i18n import format_area
from portal.core.i18n import format_clock
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import format_number
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.pdf import A4
from portal.meetings import forms
from portal.meetings import queries
from portal.meetings import rules
from portal.settings import get_settings

DOCUMENT_LOCALE = "ru"  # the protocol and the ballot are formal documents in Russian, whatever the reader's language


def _votes(value: Fraction) -> str:
    return format_number(rules.votes_decimal(value), 2)


def _pct(part: Fraction, total: Fraction) -> str:
    return f"{format_number(rules.percent(part, total), 2)} %"


class _Doc(A4):
    def __init__(self) -> None:
        super().__init__(margin=14)

    def title_line(self, text: str, size: float = 13) -> None:
        self.set_font("Main", "B", size)
        self.multi_cell(self.width, 6.5, text, align="C")
        self.ln(1)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("Main", "B", 10.5)
        self.multi_cell(self.width, 5.5, text)

    def text(self, text: str, size: float = 9.5) -> None:  # type: ignore[override]
        self.set_font("Main", "", size)
        self.multi_cell(self.width, 5, text)

    def pair(self, label: str, value: str) -> None:
        self.set_font("Main", "", 9.5)
        self.multi_cell(self.width, 5, f"{label}: {value}")

    def closing(self, last: str, signers: list[tuple[str, str]]) -> None:
        """The last paragraph and the signatures under it, kept on one page (fpdf2's ``unbreakable``): where they do
        not fit below what came before, they go over to the next page together — no signature stands alone at the
        top of a page, and no page carries over only the last lines of the text. ``signers``: (role, name), a name
        not given being a line to write it in by hand."""
        with self.unbreakable() as doc:
            doc.text(last)
            doc.heading(_("Signatures"))
            for role, name in signers:
                doc.ln(2)
                doc.pair(role, name or BLANK)
                doc.text(_("Date: %(blank)s    Signature: %(blank)s", blank="_" * 20))

    def table(self, head: list[str], rows: list[list[str]], widths: list[float], row_height: float = 0) -> None:
        """A table of ``widths`` (mm) set flush left: fpdf2 justifies a cell's lines by default, and a name that
        wraps was spread out to both edges of its cell. A column is as wide as its longest word (a heading,
        «(совместная)», «машино-место»): a narrower one cuts the word inside it. ``row_height`` (mm): the least
        height of a row below the heading, for the boxes filled in by hand."""
        self.set_font("Main", "", 8)
        with super().table(col_widths=widths, line_height=4.2, first_row_as_headings=True, text_align="LEFT") as t:
            t.row(head)
            for r in rows:
                t.row(r, min_height=row_height or None)


def _heading_block(pdf: _Doc, meeting: queries.MeetingView) -> None:
    pdf.pair(_("House"), meeting.address)
    pdf.pair(_("Form"), forms.form_label(meeting.form))
    pdf.pair(_("Initiator"), meeting.initiator)
    if meeting.administrator:
        pdf.pair(_("Administrator of the meeting"), meeting.administrator)
    if meeting.in_person_at:
        pdf.pair(
            _("In-person meeting"), f"{format_moment(meeting.in_person_at, get_settings().time_zone)}, {meeting.place}"
        )
    elif meeting.place:
        pdf.pair(_("Where decisions are received"), meeting.place)
    pdf.pair(
        _("Voting period"),
        _(
            "from %(start)s to %(end)s inclusive",
            start=format_day(meeting.starts_on),
            end=format_day(meeting.voting_ends_on),
        ),
    )


def ballot_pdf(meeting: queries.MeetingView, line: queries.Line, voter: str, received: Any) -> bytes:
    """The owner's decision (ст. 48 ч. 5.1): voter, ownership document, premise, area, share, each answer."""
    pdf = _Doc()
    pdf.set_title(_("Ballot"))
    pdf.add_page()
    pdf.title_line(_("Decision of an owner on the questions of the agenda"))
    pdf.text(meeting.title)  # the Russian title, never ``title_en``: a formal document of the meeting
    _heading_block(pdf, meeting)
    pdf.heading(_("Owner"))
    pdf.pair(_("Owner"), line.owner_name)
    pdf.pair(_("Voted"), rules.document_name(voter))  # surname first, as the owner above: one person, one order
    _holding(pdf, line, line.document or "—")
    pdf.heading(_("Answers"))
    # The question as it was put to the vote: ``text``, the Russian, never its English twin (``text_en``). The
    # ballot, like the protocol and the register, is a formal document of the meeting in Russian (ЖК ст. 48 ч. 5.1).
    pdf.table(
        [_("No."), _("Question"), _("Answer")],
        [[str(i.position), i.text, forms.choice_label(line.answers.get(i.id))] for i in meeting.items],
        [10, 130, 42],
    )
    pdf.ln(3)
    pdf.text(
        _(
            "Confirmed electronically with a one-time code on %(when)s. The ballot cannot be changed.",
            when=format_moment(received, get_settings().time_zone) if received else "—",
        )
    )
    return bytes(pdf.output())


def _holding(pdf: _Doc, line: queries.Line, document: str) -> None:
    pdf.pair(_("Premise"), f"{line.premise}, {format_area(line.area)}")
    pdf.pair(_("Share"), line.share + (f" ({_('joint ownership')})" if line.joint else ""))
    pdf.pair(_("Ownership document"), document)
    pdf.pair(_("Votes"), _votes(line.weight))


BLANK = "_" * 30  # a line the owner fills in by hand
ANSWER_BOX_HEIGHT = 14  # mm: an answer's box takes a handwritten mark and a short note beside it


def paper_ballot_pdf(meeting: queries.MeetingView, line: queries.Line, person: bool) -> bytes:
    """The owner's decision to print, fill in by hand and sign (ст. 48 ч. 5.1): the register's line, a box for each
    answer, and under 266/пр a natural person's СНИЛС — a blank line: the portal keeps no СНИЛС to print there."""
    return paper_ballots_pdf(meeting, [(line, person)])


def paper_ballots_pdf(meeting: queries.MeetingView, lines: list[tuple[queries.Line, bool]]) -> bytes:
    """The paper ballots of ``lines`` (each a register line and whether its owner is a natural person), one a page:
    the office hands them out or posts them to the owners."""
    pdf = _Doc()
    pdf.set_title(_("Ballot"))
    for line, person in lines:
        pdf.add_page()
        _paper_page(pdf, meeting, line, person)
    return bytes(pdf.output())


def _paper_page(pdf: _Doc, meeting: queries.MeetingView, line: queries.Line, person: bool) -> None:
    pdf.title_line(_("Decision of an owner on the questions of the agenda"))
    pdf.text(meeting.title)  # the Russian title, as on the electronic ballot: a formal document of the meeting
    _heading_block(pdf, meeting)
    pdf.heading(_("Owner"))
    pdf.pair(_("Owner"), line.owner_name)
    if rules.snils_required(meeting.starts_on, person):
        pdf.pair(_("SNILS"), BLANK)
    _holding(pdf, line, line.document or BLANK)
    pdf.heading(_("Answers"))
    pdf.text(_("Mark one answer for each question. A question with several answers or none is not counted."))
    pdf.table(
        [_("No."), _("Question"), *(forms.choice_label(c) for c in rules.Choice)],
        [[str(i.position), i.text, "", "", ""] for i in meeting.items],
        [10, 106, 20, 20, 26],
        ANSWER_BOX_HEIGHT,
    )
    pdf.ln(6)
    pdf.text(_("Date: %(blank)s    Signature: %(blank)s", blank="_" * 20))


def protocol_pdf(
    meeting: queries.MeetingView,
    outcome: rules.Outcome,
    register: list[queries.Line],
    voted: list[queries.BallotRow],
) -> bytes:
    """The protocol by the order in force on the first day of the meeting (44/пр or 266/пр)."""
    order = rules.order_on(meeting.starts_on)
    pdf = _Doc()
    pdf.set_title(_("Protocol"))
    pdf.add_page()
    closed = clock.local(meeting.closed_at).date() if meeting.closed_at else clock.today_local()
    pdf.title_line(_("Protocol No. %(n)s", n=meeting.protocol_number or "—"))
    pdf.title_line(_("of the general meeting of owners of premises in the apartment building"), 11)
    pdf.text(meeting.address)
    pdf.pair(_("Date of the protocol"), format_day(closed))
    pdf.pair(_("Order on the protocol's form"), _("Order of the Ministry of Construction No. %(n)s", n=order.value))
    if rules.ProtocolField.GIS_NUMBER in rules.protocol_fields(meeting.starts_on):
        pdf.pair(_("Number in ГИС ЖКХ"), meeting.gis_number or _("to be assigned"))
    pdf.heading(_("Heading"))
    pdf.text(meeting.title)
    _heading_block(pdf, meeting)
    pdf.pair(_("Chair"), meeting.chair or "—")
    pdf.pair(_("Secretary"), meeting.secretary or "—")
    pdf.pair(_("Vote counters"), meeting.counters or meeting.initiator)
    pdf.heading(_("Votes and quorum"))
    pdf.pair(
        _("Total votes of owners (area of residential and non-residential premises)"),
        f"{_votes(outcome.total)} ({format_area(rules.votes_decimal(outcome.total), fixed=False)})",
    )
    pdf.pair(
        _("Votes of owners who took part"),
        f"{_votes(outcome.participating)} ({_pct(outcome.participating, outcome.total)})",
    )
    pdf.pair(_("Quorum"), _("present") if outcome.quorum else _("absent: the meeting is not competent"))
    pdf.heading(_("Agenda and decisions"))
    for item, result in zip(meeting.items, outcome.questions, strict=True):
        pdf.set_font("Main", "B", 9.5)
        # The Russian question as decided, never the English twin: the protocol is a formal document in Russian.
        pdf.multi_cell(pdf.width, 5, f"{item.position}. {item.text}")
        pdf.text(
            _(
                "For: %(f)s (%(fp)s); against: %(a)s (%(ap)s); abstained: %(n)s (%(np)s); not counted: %(i)s.",
                f=_votes(result.votes_for),
                fp=_pct(result.votes_for, result.base),
                a=_votes(result.against),
                ap=_pct(result.against, result.base),
                n=_votes(result.abstained),
                np=_pct(result.abstained, result.base),
                i=_votes(result.invalid),
            )
        )
        pdf.text(
            _(
                "%(shares)s. Threshold: %(t)s. Decision: %(d)s.",
                shares=forms.shares_of(item.threshold),
                t=forms.threshold_label(item.threshold),
                d=decision_label(result.decision),
            )
        )
    pdf.heading(_("How votes were counted"))
    pdf.text(
        _(
            "One vote is one square metre of the owner's premises (ЖК ст. 48 ч. 3). Joint owners who voted "
            "differently share the premise's votes equally (ГК ст. 254 ч. 2). An answer with several options or "
            "none is not counted; the ballot still takes part. Ballots received after the closing time are not counted."
        )
    )
    pdf.heading(_("Storage place of the protocol and the decisions"))
    pdf.text(meeting.storage_place or _("The office of the managing company"))
    closing = [
        _("Annex 1: register of owners (premises, ownership documents, votes)."),
        _(
            "Annex 2: the notice of the meeting, posted %(day)s, and proof of its delivery.",
            day=format_day(meeting.notice_on),
        ),
        _("Annex 3: list of owners who took part."),
        _("Annex 4: powers of attorney of representatives (none received electronically)."),
        _("Annex 5: documents considered: the materials to the questions of the agenda."),
        _("Annex 6: the owners' written decisions (ballots)."),
    ]
    if order == rules.Order.MINSTROY_266:
        # Only what is so: an owner writes their СНИЛС on the paper ballot by hand; the portal keeps the digits typed
        # from it for a term, then erases them (the protocol prints none either way).
        closing.append(
            _(
                "Owners who are natural persons write their SNILS on their paper ballots by hand (Order No. 266/пр). "
                "Decisions taken in the portal were confirmed by the owner in their account with a one-time code "
                "and carry no SNILS."
            )
        )
        if meeting.snils_erased_at is not None:
            closing.append(
                _(
                    "The SNILS typed from the paper ballots were erased from the portal on %(day)s at the end of "
                    "their keeping term (152-ФЗ ст. 5 ч. 7); the original ballots carry them.",
                    day=format_day(meeting.snils_erased_on),
                )
            )
    pdf.heading(_("Annexes"))
    for line in closing[:-1]:
        pdf.text(line)
    signers = rules.protocol_signers(meeting.chair, meeting.secretary, meeting.counters, meeting.initiator)
    pdf.closing(closing[-1], [(signer_label(role), name) for role, name in signers])
    pdf.add_page()
    pdf.title_line(_("Annex 1. Register of owners"), 11)
    # A joint premise is one line, its co-owners together and its votes once (``rules.holdings``, as the count takes
    # them): the column adds up to the votes of the register, as its last line says.
    pdf.table(
        [_("Premise"), _("Owner"), _("Area, m²"), _("Share"), _("Document"), _("Votes")],
        [
            *([r.premise, "\n".join(r.owners), format_number(r.area, 2),
               r.share + (" " + _("(joint)") if r.joint else ""), "\n".join(r.documents), _votes(r.votes)]
              for r in register_rows(register)),
            ["", _("Total"), "", "", "", _votes(rules.registered_votes(register))],
        ],
        [24, 53, 19, 22, 48, 16],
    )  # fmt: skip
    pdf.add_page()
    pdf.title_line(_("Annex 3. Owners who took part"), 11)
    # Each with the votes it was counted with (joint co-owners who both voted share their premise's), so that the
    # column adds up to the votes that took part, as its last line says.
    ownership_of = {line.id: line.ownership_id for line in register}
    counted = [(b, outcome.votes[ownership_of[b.entry_id]]) for b in voted
               if b.status == "accepted" and ownership_of.get(b.entry_id) in outcome.votes]  # fmt: skip
    pdf.table(
        [_("Premise"), _("Owner"), _("Ballot"), _("Received"), _("Votes")],
        [
            *([b.premise, b.owner_name, forms.source_label(b.source),
               format_moment(b.received_at, get_settings().time_zone) if b.received_at else "—", _votes(votes)]
              for b, votes in counted),
            ["", _("Total"), "", "", _votes(outcome.participating)],
        ],
        [24, 62, 26, 40, 30],
    )  # fmt: skip
    return bytes(pdf.output())


@dataclass(frozen=True)
class RegisterRow:
    """A line of the register of owners as its annex lists it: one holding of votes (``rules.holdings``), a sole or
    shared owner's, or the joint co-owners of a premise together, with their documents."""

    premise: str
    owners: tuple[str, ...]
    area: Decimal
    share: str
    joint: bool
    documents: tuple[str, ...]
    votes: Fraction


def register_rows(register: list[queries.Line]) -> list[RegisterRow]:
    """The register's lines as the protocol's annex and the workbook list them: a joint premise's votes once."""
    return [
        RegisterRow(
            premise=owners[0].premise,
            owners=tuple(x.owner_name for x in owners),
            area=owners[0].area,
            share=owners[0].share,
            joint=owners[0].joint,
            documents=tuple(dict.fromkeys(x.document for x in owners if x.document)),
            votes=votes,
        )
        for owners, votes in rules.holdings(register)
    ]


signer_label = Labels(
    {
        rules.Signer.CHAIR: lazy("Chair of the meeting"),
        rules.Signer.SECRETARY: lazy("Secretary of the meeting"),
        rules.Signer.COUNTER: lazy("Person who counted the votes"),
    }
)


def decision_label(decision: rules.Decision) -> str:
    return {
        rules.Decision.ADOPTED: _("adopted"),
        rules.Decision.REJECTED: _("not adopted"),
        rules.Decision.NO_QUORUM: _("not taken: no quorum"),
    }[decision]


def notice_board_pdf(meeting: queries.MeetingView, entrances: list[int | None], url: str) -> bytes:
    """The notice of the meeting for the house's boards (ЖК ст. 45 ч. 4–5, DOMAIN.md §1.2), a sheet per entrance
    (``rules.notice_pages``) in the boards' large print (``core.board``): the initiator, the form, when and where
    (for written decisions, until when and where they are received), the agenda, where to read the materials, and a
    QR code to the meeting in the portal. Its words are the meeting's Russian ones, never the English twin."""
    settings = get_settings()
    zone = settings.time_zone
    doc = board.BoardSheet()
    doc.set_title(_("Notice of a general meeting of owners"))
    doc.set_creator(settings.company_name)
    qr = board.qr_png(url)
    facts = [(_("Initiator"), meeting.initiator), (_("Form"), forms.form_label(meeting.form))]
    if meeting.in_person_at:
        facts.append((_("In-person meeting"), f"{format_moment(meeting.in_person_at, zone)}, {meeting.place}"))
    facts.append(
        (
            _("Voting period"),
            _(
                "from %(start)s to %(end)s",
                start=format_day(meeting.starts_on),
                end=f"{format_day(meeting.voting_ends_on)}, {format_clock(meeting.voting_ends_at, zone)}",
            ),
        )
    )
    if meeting.form == rules.Form.ELECTRONIC:
        facts.append((_("Where decisions are received"), _("in your personal account in the portal")))
    elif not meeting.in_person_at and meeting.place:
        facts.append((_("Where decisions are received"), meeting.place))
    for entrance in entrances:
        doc.start(meeting.address, entrance)
        doc.band(_("Notice of a general meeting of owners"))
        doc.title_text(meeting.title, 24)
        for label, value in facts:
            doc.paragraph(f"{label}: {value}", board.TEXT_SIZE, height=7.2)
            doc.ln(1.5)
        doc.ln(2)
        doc.paragraph(_("Agenda"), board.TEXT_SIZE + 2, bold=True, height=8.5)
        for item in meeting.items:
            doc.paragraph(f"{item.position}. {item.text}", board.TEXT_SIZE, height=7.2, indent=4)
            doc.ln(1.5)
        doc.ln(2)
        doc.paragraph(
            _(
                "The materials on the questions of the agenda are in your personal account in the portal (the QR code "
                "below) and at the office of the managing company: %(office)s, %(phone)s.",
                office=settings.office_address,
                phone=settings.office_phone,
            ),
            board.TEXT_SIZE - 1,
            height=6.8,
        )
        doc.ln(1.5)
        doc.paragraph(_("The notice is posted on %(day)s.", day=format_day(meeting.notice_on)), 12, height=6)
        doc.finish(url, qr, _("The meeting, its materials and the voting in your personal account: %(url)s", url=url))
    return bytes(doc.output())
