"""Staff pages of owners' meetings: prepare and announce, enter paper ballots, moderate, tally, close, export."""

from __future__ import annotations

from collections.abc import Mapping
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

from portal.core import clock
from portal.core import stale
from portal.core import storage
from portal.core.exports import XLSX
from portal.core.exports import attachment
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.i18n import ngettext
from portal.core.pagination import PageRequest
from portal.core.pagination import Paging
from portal.core.pagination import page_request
from portal.core.pagination import with_params
from portal.core.parse import parse_id
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import Refused
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import gone
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import houses_in_scope
from portal.meetings import actions
from portal.meetings import export
from portal.meetings import forms
from portal.meetings import pdf
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.deps import STAFF
from portal.meetings.deps import Caller
from portal.meetings.deps import LoadedBallot
from portal.meetings.deps import LoadedMeeting
from portal.meetings.routes import LABELS
from portal.meetings.routes import _pdf
from portal.meetings.routes import material_of
from portal.meetings.routes import paper_ballots_bytes
from portal.meetings.routes import protocol_bytes
from portal.meetings.tables import BallotStatus
from portal.notifications.messages import absolute
from portal.settings import get_settings

VIEW = ("manager", "moderator", "operator")
ORGANISE = ("manager",)
MODERATE = ("moderator",)


def _upload_error(refused: storage.UploadRefused) -> str:
    return {
        "too_large": gettext("The file is larger than 10 MB."),
        "empty": gettext("The file is empty."),
    }.get(refused.code, gettext("Attach a PDF or a photo of the document."))


def announced_message(told: int) -> str:
    """What the organiser is told on announcing: how many messages are queued, with the plural of the number."""
    return ngettext(
        "The meeting is announced; %(num)s message to owners and residents is queued.",
        "The meeting is announced; %(num)s messages to owners and residents are queued.",
        told,
    )


class StaffMeetings(Controller):
    path = "/staff/meetings"
    opt = staff(*VIEW)
    dependencies = STAFF

    @get("/", name="meetings:staff_list")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        page = await queries.staff_list(principal, paging)
        initiatives = await queries.initiatives_for_staff(principal)
        return render(request, "meetings/staff_list.html", page=page, initiatives=initiatives, **LABELS)

    @get("/new", name="meetings:staff_new", opt=staff(*ORGANISE))
    async def new(self, request: Request, principal: Caller) -> Template:
        # The company by its own (Russian) name, whatever the organiser reads: the initiator goes into the protocol.
        typed = {"initiator": get_settings().company_name, "form": "absentee"}
        initiative = parse_id(request.query_params.get("initiative"))
        return await _new_page(request, principal, forms.MeetingForm(typed=typed), initiative)

    @post("/new", name="meetings:staff_create", opt=staff(*ORGANISE), status_code=200)
    async def create(self, request: Request, principal: Caller, data: FormData) -> Template | Response[Any]:
        houses = [h.id for h in await houses_in_scope(principal)]
        form = forms.read_meeting(data, houses, clock.zone())
        initiative = parse_id(form_value(data, "initiative"))
        if form.errors:
            return await _new_page(request, principal, form, initiative, status_code=422)
        meeting_id = await actions.create_meeting(
            principal, {**form.values, "initiative": initiative}, ip=client_ip(request)
        )
        if initiative:
            await actions.initiative_held(principal, initiative, meeting_id, ip=client_ip(request))
        flash(request, gettext("The meeting is created as a draft. Add the questions of the agenda."))
        return see_other(request, f"/staff/meetings/{meeting_id}")

    @get("/{meeting_id:int}/edit", name="meetings:staff_edit_form", opt=staff(*ORGANISE))
    async def edit_form(self, request: Request, principal: Caller, meeting: LoadedMeeting) -> Template:
        actions.draft_only(meeting)
        form = forms.MeetingForm(typed=forms.typed_of(meeting, clock.zone()))
        return await _new_page(request, principal, form, None, meeting=meeting, version=stale.carried(meeting))

    @post("/{meeting_id:int}/edit", name="meetings:staff_edit", opt=staff(*ORGANISE), status_code=200)
    async def edit(
        self, request: Request, principal: Caller, meeting: LoadedMeeting, data: FormData
    ) -> Template | Response[Any]:
        form = forms.read_meeting({**data, "house": str(meeting.house_id)}, [meeting.house_id], clock.zone())
        typed = stale.typed(data)
        if form.errors:
            return await _new_page(request, principal, form, None, meeting=meeting, status_code=422, version=typed)
        try:
            await actions.update_draft(principal, meeting, form.values, ip=client_ip(request), version=typed)
        except stale.Stale as exc:  # the form again, with what was typed and the draft's version now
            stale.say(form.errors, exc.change)
            return await _new_page(request, principal, form, None, meeting=meeting, status_code=409,
                                   version=stale.carried(meeting))  # fmt: skip
        flash(request, gettext("The draft is saved."))
        return see_other(request, f"/staff/meetings/{meeting.id}")

    @get("/{meeting_id:int}", name="meetings:staff_detail")
    async def detail(self, request: Request, meeting: LoadedMeeting) -> Template:
        return await _page(request, "staff_detail", meeting)

    @post("/{meeting_id:int}/items", name="meetings:staff_item", opt=staff(*ORGANISE), status_code=200)
    async def add_item(
        self,
        request: Request,
        principal: Caller,
        meeting: LoadedMeeting,
        data: MultipartData,
    ) -> Template | Response[Any]:
        form = forms.read_item(data, rules.subjects_on(meeting.starts_on))
        material = None
        if not form.errors and storage.is_upload(data.get("material")):
            try:
                material = await storage.save_document(data["material"])
            except storage.UploadRefused as refused:
                form.errors.add("material", _upload_error(refused))
        if form.errors or form.subject is None:
            return await _page(request, "staff_detail", meeting, form.errors, form.typed, status_code=422)
        await actions.add_item(
            principal, meeting, form.text, form.subject, material, text_en=form.text_en, ip=client_ip(request)
        )
        return see_other(request, f"/staff/meetings/{meeting.id}#agenda")

    @post("/{meeting_id:int}/items/{item_id:int}/delete", name="meetings:staff_item_delete", opt=staff(*ORGANISE))
    async def delete_item(
        self,
        request: Request,
        principal: Caller,
        meeting: LoadedMeeting,
        item_id: FromPath[int],
    ) -> Response[Any]:
        await actions.remove_item(principal, meeting, item_id, ip=client_ip(request))
        return see_other(request, f"/staff/meetings/{meeting.id}#agenda")

    @post("/{meeting_id:int}/publish", name="meetings:staff_publish", opt=staff(*ORGANISE))
    async def publish(self, request: Request, principal: Caller, meeting: LoadedMeeting) -> Response[Any]:
        told = await actions.publish(principal, meeting, ip=client_ip(request))
        flash(request, announced_message(told))
        return see_other(request, f"/staff/meetings/{meeting.id}")

    @post("/{meeting_id:int}/close", name="meetings:staff_close", opt=staff(*ORGANISE))
    async def close(self, request: Request, principal: Caller, meeting: LoadedMeeting) -> Response[Any]:
        await actions.close(principal, meeting, ip=client_ip(request))
        flash(request, gettext("The count is closed, the protocol is formed and the results are sent to the house."))
        return see_other(request, f"/staff/meetings/{meeting.id}")

    @post("/{meeting_id:int}/documents", name="meetings:staff_documents", opt=staff(*ORGANISE), status_code=200)
    async def documents(
        self,
        request: Request,
        principal: Caller,
        meeting: LoadedMeeting,
        data: FormData,
    ) -> Response[Any] | Template:
        form = forms.read_documents(data, clock.today_local())
        if form.errors:
            return await _page(request, "staff_detail", meeting, form.errors, form.typed, status_code=422)
        await actions.record_documents(principal, meeting, form.received_on, form.sent_on, ip=client_ip(request))
        flash(request, gettext("Saved."))
        return see_other(request, f"/staff/meetings/{meeting.id}#documents")

    @get("/{meeting_id:int}/paper", name="meetings:staff_paper_form")
    async def paper_form(self, request: Request, meeting: LoadedMeeting) -> Template:
        # ``q``: the words that find the owner in the register (a plain GET, or HTMX redrawing the lines found).
        return await _page(request, "staff_paper", meeting, typed={"q": request.query_params.get("q", "")})

    @post("/{meeting_id:int}/paper", name="meetings:staff_paper", status_code=200)
    async def paper(
        self, request: Request, principal: Caller, meeting: LoadedMeeting, data: MultipartData
    ) -> Template | Response[Any]:
        # The errors in the form's order: the owner, the СНИЛС, when received, the scan, the answers.
        entry, received, snils, errors = forms.read_paper_ballot(
            data, clock.now(), clock.zone(), meeting.voting_starts_at, rules.asks_snils(meeting.starts_on)
        )
        scan = await _scan(data, errors)
        ids = [i.id for i in meeting.items]
        answers, errors = forms.read_answers(data, "q", ids, allow_invalid=True, errors=errors)
        if errors or scan is None or entry is None or received is None:
            return await _paper_again(request, meeting, data, errors, scan)
        name = form_value(data, "voter_name")[:255]
        try:
            ballot_id = await actions.enter_paper(
                principal, meeting, entry, name, received, answers, scan, snils, ip=client_ip(request)
            )
        except actions.SnilsRefused as refused:  # said at its field, with what was typed (the action removed the scan)
            return await _paper_again(request, meeting, data, FormErrors(fields={"snils": refused.message}), None)
        late, again = await queries.paper_flags(ballot_id)
        flash(request, forms.paper_entered(late, again), "info" if late or again else "success")  # neither counts
        return see_other(request, f"/staff/meetings/{meeting.id}/paper")

    @get("/{meeting_id:int}/moderation", name="meetings:staff_moderation")
    async def moderation(self, request: Request, meeting: LoadedMeeting) -> Template:
        return await _moderation_page(request, meeting)

    @post("/ballots/{ballot_id:int}/accept", name="meetings:staff_accept", opt=staff(*MODERATE))
    async def accept(self, request: Request, principal: Caller, ballot: LoadedBallot) -> Response[Any]:
        await actions.accept(principal, ballot, ip=client_ip(request))
        flash(request, gettext("Ballot of %(who)s accepted.", who=ballot.owner_name), russian=ballot.owner_name)
        return see_other(request, f"/staff/meetings/{ballot.meeting_id}/moderation")

    @post("/ballots/{ballot_id:int}/reject", name="meetings:staff_reject", opt=staff(*MODERATE), status_code=200)
    async def reject(
        self, request: Request, principal: Caller, ballot: LoadedBallot, data: FormData
    ) -> Response[Any] | Template:
        reason, note = forms.read_rejection(data)
        if reason is None and ballot.status == BallotStatus.MODERATION:
            errors = FormErrors()
            errors.add("reason", gettext("Choose the reason for rejecting the ballot."))
            meeting = await queries.meeting_for_staff(principal, ballot.meeting_id)
            refused = {"ballot": ballot.id, "errors": errors, "reason": form_value(data, "reason"), "note": note}
            return await _moderation_page(request, meeting, refused, status_code=422)
        await actions.reject(principal, ballot, reason, note, ip=client_ip(request))
        flash(request, gettext("Ballot of %(who)s rejected.", who=ballot.owner_name), russian=ballot.owner_name)
        return see_other(request, f"/staff/meetings/{ballot.meeting_id}/moderation")

    @get("/ballots/{ballot_id:int}/scan", name="meetings:staff_scan")
    async def scan(self, request: Request, principal: Caller, ballot: LoadedBallot) -> File | Template:
        key = ballot.scan_key
        if not key:  # deleted at the end of its keeping term (``actions.erase_snils``): 410, saying when
            return await _scan_gone(request, principal, ballot)
        return storage.response_for(
            key, storage.content_type_of(key), storage.download_name(f"ballot-{ballot.id}", key)
        )

    @get("/{meeting_id:int}/materials/{item_id:int}", name="meetings:staff_material")
    async def material(self, meeting: LoadedMeeting, item_id: FromPath[int]) -> File:
        return material_of(meeting, item_id)

    @get("/{meeting_id:int}/paper-ballots", name="meetings:staff_paper_ballots")
    async def paper_ballots(self, meeting: LoadedMeeting) -> Response[bytes]:
        return _pdf(await paper_ballots_bytes(meeting), f"paper-ballots-{meeting.id}.pdf")

    @get("/{meeting_id:int}/notice", name="meetings:staff_notice")
    async def notice(self, meeting: LoadedMeeting) -> Response[bytes]:
        """The notice of the meeting for the house's boards (ЖК ст. 45 ч. 4–5), a sheet per entrance, in Russian
        whoever prints it; refused, said on the meeting's page, before it is announced and after its voting."""
        if meeting.stage not in rules.NOTICE_PRINTED:
            raise Refused(
                gettext("The notice is printed for the boards once the meeting is announced, until its voting ends."),
                back=f"/staff/meetings/{meeting.id}",
            )
        with in_locale(pdf.DOCUMENT_LOCALE):
            pages = rules.notice_pages(await queries.entrance_numbers(meeting.house_id))
            content = await written(pdf.notice_board_pdf, meeting, pages, absolute(f"/meetings/{meeting.id}"))
        return _pdf(content, f"notice-{meeting.id}.pdf")

    @get("/{meeting_id:int}/protocol", name="meetings:staff_protocol")
    async def protocol(self, meeting: LoadedMeeting) -> Response[bytes]:
        return _pdf(await protocol_bytes(meeting), f"protocol-{meeting.id}.pdf")

    @get("/{meeting_id:int}/export", name="meetings:staff_export", opt=staff(*ORGANISE))
    async def export(self, meeting: LoadedMeeting) -> Response[bytes]:
        return attachment(await export.workbook(meeting), XLSX, f"meeting-{meeting.id}.xlsx")

    @get("/owners", name="meetings:staff_owners", opt=staff(*ORGANISE))
    async def owners(self, request: Request, principal: Caller, paging: Paging) -> Template:
        params = request.query_params
        return await _owners_page(request, principal, parse_id(params.get("house")), params.get("q", ""), paging)

    @post("/owners", name="meetings:staff_link", opt=staff(*ORGANISE))
    async def link(self, request: Request, principal: Caller, data: FormData) -> Response[Any]:
        owner = parse_id(form_value(data, "owner"))
        house = parse_id(form_value(data, "house"))
        q, paging = form_value(data, "q"), page_request(form_value(data, "page"), form_value(data, "size"))
        if owner is None or house is None or not await queries.owner_in_house(principal, owner, house):
            flash(request, gettext("Choose an owner of one of your houses."), "error")  # gone meanwhile
        else:
            email = form_value(data, "email")
            try:
                await actions.link_owner(principal, owner, email, ip=client_ip(request))
            except actions.NoSuchUser as refused:  # the same page again (422), said at the owner's e-mail as typed
                linking = {"owner": owner, "email": email, "error": refused.message}
                return await _owners_page(request, principal, house, q, paging, linking=linking, status_code=422)
            flash(request, gettext("The owner can now vote from the portal."))
        # Back to the page of owners the link was made on, found by the same search.
        back = {"house": house or "", "q": q, "page": paging.number}
        return see_other(request, "/staff/meetings/owners" + with_params(back, size=parse_id(form_value(data, "size"))))


async def _owners_page(
    request: Request,
    principal: Principal,
    house: int | None,
    typed: str,
    paging: PageRequest,
    *,
    linking: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    """The owners of a house (the first of the staff's unless ``house``), found by ``typed``; ``linking``: a link
    refused for its e-mail (the owner, the e-mail as typed, the message)."""
    houses = await houses_in_scope(principal)
    house = house or (houses[0].id if houses else None)
    search = rules.read_owner_search(typed)
    page = await queries.owner_links(house if house in {h.id for h in houses} else None, paging, search)
    return render(request, "meetings/staff_owners.html", status_code=status_code, houses=houses, house=house,
                  page=page, search=search, linking=linking)  # fmt: skip


async def _moderation_page(
    request: Request, meeting: queries.MeetingView, refused: dict[str, Any] | None = None, status_code: int = 200
) -> Template:
    """The paper ballots waiting and the last ones checked; ``refused``: a rejection refused, with its ballot, its
    errors and what was typed, shown again in that ballot's form."""
    waiting = await queries.ballots_of(meeting.id, statuses=[BallotStatus.MODERATION])
    waiting = queries.flag_duplicates(waiting, await queries.counted_ballots(meeting.id, [b.entry_id for b in waiting]))
    done = await queries.ballots_of(meeting.id, statuses=[BallotStatus.ACCEPTED, BallotStatus.REJECTED])
    return render(
        request,
        "meetings/staff_moderation.html",
        status_code=status_code,
        meeting=meeting,
        waiting=waiting,
        done=[b for b in done if b.source == "paper"][-30:],
        outcome=await queries.outcome(meeting),
        reasons=[(r.value, forms.rejection_choice(r)) for r in rules.Rejection],
        refused=refused,
        **LABELS,
    )


async def _scan_gone(request: Request, principal: Principal, ballot: queries.BallotRow) -> Template:
    """The page of a ballot's scan deleted at the end of its keeping term (410, saying when); 404 for a ballot that
    never had one."""
    meeting = await queries.meeting_for_staff(principal, ballot.meeting_id)
    if meeting.snils_erased_at is None:
        raise NotFoundException()
    message = forms.scan_erased(meeting.snils_erased_on)
    return gone(request, message)


async def _scan(data: dict[str, Any], errors: FormErrors) -> storage.StoredFile | None:
    """The scan of a paper ballot (a PDF or a photo) stored, or None with the reason at the field ``scan``."""
    missing = gettext("Attach the scan of the signed ballot.")
    return await storage.required_file(data, "scan", errors, missing=missing, refusal=_upload_error)


async def _new_page(
    request: Request,
    principal: Principal,
    form: forms.MeetingForm,
    initiative: int | None,
    status_code: int = 200,
    meeting: queries.MeetingView | None = None,
    version: str | None = None,
) -> Template:
    """The form of a new meeting, or of a draft ``meeting`` being changed (its house stays)."""
    if meeting is not None:
        houses = [(meeting.house_id, meeting.address)]
    else:
        houses = [(h.id, h.address) for h in await houses_in_scope(principal)]
    return render(
        request,
        "meetings/staff_new.html",
        meeting=meeting,
        houses=houses,
        forms_list=[(f.value, forms.form_label(f)) for f in rules.Form],
        typed=form.typed,
        errors=form.errors,
        initiative=initiative,
        version=version,
        status_code=status_code,
    )


async def _detail_context(meeting: queries.MeetingView, typed: Mapping[str, str]) -> dict[str, Any]:
    outcome = await queries.outcome(meeting) if meeting.register_fixed else None
    waiting = await queries.count_rows(
        queries.Ballot, (queries.Ballot.meeting == meeting.id) & (queries.Ballot.status == BallotStatus.MODERATION)
    )
    subjects = rules.subjects_on(meeting.starts_on)
    return {
        "stage": meeting.stage,
        "outcome": outcome,
        "waiting": waiting,
        "subjects": [(s.value, f"{forms.subject_label(s)} — {forms.threshold_label(t)}") for s, t in subjects.items()],
    }


async def _paper_again(
    request: Request,
    meeting: queries.MeetingView,
    data: Mapping[str, Any],
    errors: FormErrors,
    scan: storage.StoredFile | None,
) -> Template:
    """The paper-ballot form again, its errors at their fields and what was typed kept. The scan stored from it is
    not kept (its field says so): it is attached anew with the ballot, and would stay behind, of no ballot."""
    if scan is not None:
        storage.delete(scan.key)
    return await _page(request, "staff_paper", meeting, errors, dict(data), status_code=422)


async def _paper_context(meeting: queries.MeetingView, typed: Mapping[str, str]) -> dict[str, Any]:
    """The register lines the words typed find (``q``), with the one picked (``entry``) kept; the СНИЛС asked for
    only where the meeting's order has it written on the ballots."""
    search = rules.read_owner_search(typed.get("q", ""))
    choice = await queries.register_choice(meeting.id, search, parse_id(typed.get("entry", "")))
    return {"choice": choice, "invalid": forms.INVALID, "asks_snils": rules.asks_snils(meeting.starts_on)}


PAGES = {"staff_detail": _detail_context, "staff_paper": _paper_context}


async def _page(
    request: Request,
    page: str,
    meeting: queries.MeetingView,
    errors: FormErrors | None = None,
    typed: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    """A page of the meeting with a form (``PAGES``), its errors and what was typed into it kept."""
    kept = {k: (v if isinstance(v, str) else "") for k, v in (typed or {}).items()}
    return render(
        request,
        f"meetings/{page}.html",
        meeting=meeting,
        errors=errors or FormErrors(),
        typed=kept,
        status_code=status_code,
        **await PAGES[page](meeting, kept),
        **LABELS,
    )
