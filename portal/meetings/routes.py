"""Resident pages of owners' meetings: the meetings of your house, voting with a code, the owners' initiative."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File
from litestar.response import Template

from portal.core import storage
from portal.core.home import register_section
from portal.core.i18n import format_percent
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.security import Principal
from portal.core.security import resident
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other
from portal.meetings import actions
from portal.meetings import forms
from portal.meetings import pdf
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.deps import RESIDENT
from portal.meetings.deps import Caller
from portal.meetings.deps import LoadedInitiative
from portal.meetings.deps import LoadedMeeting
from portal.meetings.tables import BallotStatus


def _pdf(content: bytes, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


# Words and figures the templates of the domain need for its enums.
LABELS: dict[str, Any] = {
    "form_label": forms.form_label,
    "threshold_label": forms.threshold_label,
    "shares_of": forms.shares_of,
    "adoption_rule": forms.adoption_rule,
    "choice_label": forms.choice_label,
    "decision_label": pdf.decision_label,
    "rejection_label": forms.rejection_label,
    "scan_erased": forms.scan_erased,
    "subject_label": forms.subject_label,
    "percent": rules.percent,
    "votes": rules.votes_decimal,
    "Choice": rules.Choice,
    "Stage": rules.Stage,
}


class ResidentMeetings(Controller):
    path = "/meetings"
    opt = resident()
    dependencies = RESIDENT

    @get("/", name="meetings:index")
    async def index(self, request: Request, principal: Caller) -> Template:
        reach = await queries.resident_reach(principal)  # the owner links and the houses, read once for the page
        meetings = await queries.resident_meetings(reach)
        initiatives = await queries.initiatives_for_resident(reach)
        owner = bool(reach.owners)
        return render(request, "meetings/index.html", meetings=meetings, initiatives=initiatives, owner=owner, **LABELS)

    @get("/{meeting_id:int}", name="meetings:detail")
    async def detail(self, request: Request, principal: Caller, meeting: LoadedMeeting) -> Template:
        return await _detail(request, principal, meeting)

    @post("/{meeting_id:int}/ballots/{entry_id:int}", name="meetings:answer", status_code=200)
    async def answer(
        self,
        request: Request,
        principal: Caller,
        meeting: LoadedMeeting,
        entry_id: FromPath[int],
        data: FormData,
    ) -> Template | Response[Any]:
        answers, errors = forms.read_answers(data, "q", [i.id for i in meeting.items])
        if errors:
            return await _detail(
                request, principal, meeting, errors={entry_id: errors}, typed={entry_id: answers}, status_code=422
            )
        await actions.save_answers(principal, meeting, entry_id, answers)
        return see_other(request, f"/meetings/{meeting.id}#saved-{entry_id}")  # saved is not voted: the way on

    @get("/{meeting_id:int}/confirm", name="meetings:summary")
    async def summary(self, request: Request, principal: Caller, meeting: LoadedMeeting) -> Template:
        return await _summary(request, principal, meeting)

    @post("/{meeting_id:int}/code", name="meetings:send_code")
    async def send_code(self, request: Request, principal: Caller, meeting: LoadedMeeting) -> Response[Any]:
        await actions.send_code(principal, meeting)
        flash(request, gettext("We have sent a code to your e-mail."))
        return see_other(request, f"/meetings/{meeting.id}/confirm")

    @post("/{meeting_id:int}/confirm", name="meetings:confirm")
    async def confirm(
        self,
        request: Request,
        principal: Caller,
        meeting: LoadedMeeting,
        data: FormData,
    ) -> Response[Any]:
        try:
            confirmed = await actions.confirm(principal, meeting, forms.read_code(data))
        except actions.WrongCode as wrong:  # said at the field, with what was typed (an expired code: flashed)
            errors = FormErrors(fields={"code": wrong.message})
            return await _summary(request, principal, meeting, form_value(data, "code")[:20], errors, 422)
        flash(request, forms.vote_confirmed(confirmed.locked))
        for said in confirmed.kept_out:  # neither done nor refused: the premise's decision is its paper ballot
            flash(request, said, "info")
        # Answers saved after the code was sent are not in it: say so, or that premise would silently never count.
        lines = await queries.voter_lines(principal, meeting.id)
        left = [x.premise for x in lines if x.ballot_status == BallotStatus.DRAFT]
        if left:
            flash(request, gettext("Not confirmed yet: %(premises)s. Ask for a new code.", premises=", ".join(left)))
        return see_other(request, f"/meetings/{meeting.id}")

    @get("/{meeting_id:int}/ballots/{entry_id:int}/pdf", name="meetings:ballot_pdf")
    async def ballot_pdf(self, principal: Caller, meeting: LoadedMeeting, entry_id: FromPath[int]) -> Response[bytes]:
        return _pdf(await ballot_bytes(principal, meeting, entry_id), f"ballot-{meeting.id}-{entry_id}.pdf")

    @get("/{meeting_id:int}/ballots/{entry_id:int}/paper", name="meetings:paper_ballot")
    async def paper_ballot(self, principal: Caller, meeting: LoadedMeeting, entry_id: FromPath[int]) -> Response[bytes]:
        return _pdf(await paper_ballot_bytes(principal, meeting, entry_id), f"paper-ballot-{meeting.id}-{entry_id}.pdf")

    @get("/{meeting_id:int}/materials/{item_id:int}", name="meetings:material")
    async def material(self, meeting: LoadedMeeting, item_id: FromPath[int]) -> File:
        return material_of(meeting, item_id)

    @get("/{meeting_id:int}/protocol", name="meetings:protocol")
    async def protocol(self, meeting: LoadedMeeting) -> Response[bytes]:
        if meeting.status != "closed":
            raise NotFoundException()
        return _pdf(await protocol_bytes(meeting), f"protocol-{meeting.id}.pdf")

    @get("/initiatives/new", name="meetings:initiative_form")
    async def initiative_form(self, request: Request, principal: Caller) -> Template:
        return await _initiative_form(request, principal, {}, FormErrors())

    @post("/initiatives/new", name="meetings:initiative_start", status_code=200)
    async def initiative_start(self, request: Request, principal: Caller, data: FormData) -> Template | Response[Any]:
        typed = {k: form_value(data, k) for k in ("house", "title", "agenda")}
        houses = await queries.resident_houses(principal)
        errors = forms.check_initiative(typed, houses)
        if errors:
            return await _initiative_form(request, principal, typed, errors, status_code=422)
        initiative_id = await actions.start_initiative(principal, int(typed["house"]), typed["title"], typed["agenda"])
        flash(request, gettext("The demand is started with your support. Ask your neighbours to join."))
        return see_other(request, f"/meetings/initiatives/{initiative_id}")

    @get("/initiatives/{initiative_id:int}", name="meetings:initiative")
    async def initiative_page(self, request: Request, principal: Caller, initiative: LoadedInitiative) -> Template:
        mine = await queries.supported_by(principal, initiative.id)
        owner = bool(await queries.linked_owners(principal.user_id))
        return render(request, "meetings/initiative.html", initiative=initiative, mine=mine, owner=owner, **LABELS)

    @post("/initiatives/{initiative_id:int}/support", name="meetings:support")
    async def support(self, request: Request, principal: Caller, initiative: LoadedInitiative) -> Response[Any]:
        result = await actions.support(principal, initiative)
        message = gettext("Thank you, your support is counted.")
        if result.reached:
            message = gettext(
                "Thank you! The owners' demand holds %(share)s of the votes: the company must act on it.",
                share=format_percent(10, 0),
            )
        flash(request, message)
        return see_other(request, f"/meetings/initiatives/{initiative.id}")


async def _detail(
    request: Request,
    principal: Principal,
    meeting: queries.MeetingView,
    *,
    errors: dict[int, FormErrors] | None = None,
    typed: dict[int, dict[int, rules.Choice | None]] | None = None,
    status_code: int = 200,
) -> Template:
    """The meeting's page; after a refused ballot its form shows the answers just chosen (``typed``), not the saved
    ones."""
    lines = await queries.voter_lines(principal, meeting.id)
    stage = meeting.stage
    # Residents see participation while voting runs and the results once the count is closed.
    outcome = await queries.outcome(meeting) if stage in (rules.Stage.VOTING, rules.Stage.CLOSED) else None
    return render(
        request,
        "meetings/detail.html",
        meeting=meeting,
        stage=stage,
        lines=lines,
        outcome=outcome,
        errors=errors or {},
        typed=typed or {},
        drafts=[x for x in lines if x.ballot_status == BallotStatus.DRAFT],
        status_code=status_code,
        **LABELS,
    )


async def _initiative_form(
    request: Request, principal: Principal, typed: dict[str, str], errors: FormErrors, status_code: int = 200
) -> Template:
    options = await queries.house_addresses(await queries.resident_houses(principal))
    return render(
        request, "meetings/initiative_new.html", houses=options, typed=typed, errors=errors, status_code=status_code
    )


async def _summary(
    request: Request,
    principal: Principal,
    meeting: queries.MeetingView,
    code: str = "",
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    """The answers waiting for the code and the code's field (``code`` as typed, ``errors`` at it); with nothing
    waiting, whether every premise's ballot is already received (the owner came back by the e-mail's link)."""
    lines = await queries.voter_lines(principal, meeting.id)
    ready = [x for x in lines if x.ballot_status == BallotStatus.DRAFT and len(x.answers) == len(meeting.items)]
    unanswered = [x for x in lines if not x.locked and x not in ready]
    sent = await actions.code_waiting(principal, meeting.id)
    return render(
        request, "meetings/confirm.html", meeting=meeting, lines=ready, unanswered=unanswered, sent=sent, code=code,
        errors=errors or FormErrors(), status_code=status_code, received=bool(lines) and all(x.locked for x in lines),
        **LABELS,
    )  # fmt: skip


def material_of(meeting: queries.MeetingView, item_id: int) -> File:
    item = found(next((i for i in meeting.items if i.id == item_id and i.material_key), None))
    key = item.material_key
    return storage.response_for(
        key, storage.content_type_of(key), storage.download_name(f"materials-{item.position}", key)
    )


async def ballot_bytes(principal: Principal, meeting: queries.MeetingView, entry_id: int) -> bytes:
    """The owner's confirmed electronic ballot, in Russian whatever the reader's language (a legal document)."""
    with in_locale(pdf.DOCUMENT_LOCALE):
        line = next((x for x in await queries.voter_lines(principal, meeting.id) if x.id == entry_id), None)
        if line is None or line.ballot_status != BallotStatus.ACCEPTED or line.ballot_source != "electronic":
            raise NotFoundException()
        return await written(pdf.ballot_pdf, meeting, line, principal.name, line.ballot_received_at)


async def paper_ballot_bytes(principal: Principal, meeting: queries.MeetingView, entry_id: int) -> bytes:
    """The owner's decision to print and sign, while the meeting is announced or voting, in Russian (a legal
    document); never for a line whose ballot is already counted or being checked."""
    with in_locale(pdf.DOCUMENT_LOCALE):
        line = next((x for x in await queries.voter_lines(principal, meeting.id) if x.id == entry_id), None)
        if line is None or line.locked or meeting.stage not in (rules.Stage.ANNOUNCED, rules.Stage.VOTING):
            raise NotFoundException()
        return await written(pdf.paper_ballot_pdf, meeting, line, await queries.is_person(line.owner_id))


async def paper_ballots_bytes(meeting: queries.MeetingView) -> bytes:
    """Every owner's paper ballot of the register, one a page, for the office to hand out while the meeting is
    announced or voting; in Russian (a legal document)."""
    if meeting.stage not in (rules.Stage.ANNOUNCED, rules.Stage.VOTING):
        raise NotFoundException()
    with in_locale(pdf.DOCUMENT_LOCALE):
        register = await queries.register_of(meeting.id)
        persons = await queries.persons_among(sorted({x.owner_id for x in register}))
        return await written(pdf.paper_ballots_pdf, meeting, [(x, x.owner_id in persons) for x in register])


async def protocol_bytes(meeting: queries.MeetingView) -> bytes:
    """The protocol, in Russian whatever the reader's language: it is filed with the housing inspectorate."""
    with in_locale(pdf.DOCUMENT_LOCALE):
        outcome = await queries.outcome(meeting)
        register = await queries.register_of(meeting.id)
        voted = await queries.ballots_of(meeting.id, statuses=[BallotStatus.ACCEPTED])
        return await written(pdf.protocol_pdf, meeting, outcome, register, voted)


async def _home_section(principal: Principal) -> list[queries.HomeMeeting] | None:
    return await queries.home_meetings(principal)


register_section("meetings", 25, "meetings/_home.html", _home_section)


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/meetings": 8,  # + the unread count at «Ещё» (the navigation)
}
