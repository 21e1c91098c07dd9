"""Staff pages of inspection rounds: the list with its filters and the houses' last rounds, starting a round, a
round's page walked on a phone (each point its own form, saved on its own), its completion, its act and photos."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.response import Template

from portal.core import clock
from portal.core import stale
from portal.core import storage
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.pagination import Paging
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import is_fragment_request
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import houses_in_scope
from portal.inspections import actions
from portal.inspections import deps
from portal.inspections import forms
from portal.inspections import pdf
from portal.inspections import queries
from portal.inspections import rules
from portal.inspections.deps import Caller
from portal.inspections.deps import LoadedPhoto
from portal.inspections.deps import LoadedPoint
from portal.inspections.deps import LoadedPointEdit
from portal.inspections.deps import LoadedRound
from portal.inspections.queries import RoundRow
from portal.inspections.tables import ChecklistPoint
from portal.settings import get_settings
from portal.tickets import queries as ticket_queries
from portal.tickets.actions import store_photos
from portal.tickets.forms import files_of
from portal.tickets.rules import CATEGORIES

# Who walks a house: its manager and its executors (the comendant, the technician); the administrator as everyone.
WALK = (StaffRole.MANAGER, StaffRole.EXECUTOR)


async def _round_page(
    request: Request, principal: Principal, round_: RoundRow, status_code: int = 200, **extra: Any
) -> Template:
    """The round's page; the requests its remarks filed are linked only for a caller who may open them."""
    points = await queries.points()
    answers = await queries.answers_of(round_.id)
    filed = [a.ticket_id for a in answers.values() if a.ticket_id]
    places = [(place, [p for p in points if p.place == place]) for place in rules.Place]
    return render(
        request, "inspections/round.html", status_code=status_code, round=round_, places=places, answers=answers,
        answered=sum(1 for p in points if p.id in answers), total=len(points),
        entrances=await queries.entrances_of(round_.house_id), **_words(),
        openable=await ticket_queries.openable_for_staff(principal, filed),
        **({"errors_at": None, "errors": None, "typed": None} | extra),
    )  # fmt: skip


def _words() -> dict[str, Any]:
    return {
        "kinds": rules.KIND_LABELS,
        "verdicts": rules.VERDICT_LABELS,
        "place_labels": rules.PLACE_LABELS,
        "kind_options": [(k.value, rules.KIND_LABELS(k)) for k in rules.RoundKind],
    }


class StaffInspections(Controller):
    """The rounds of the staff member's houses."""

    path = "/staff/inspections"
    opt = staff(*WALK)
    dependencies = deps.STAFF

    @get("/", name="inspections:list")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        houses = await houses_in_scope(principal)
        chosen, typed, problems = forms.read_filters(request.query_params, [h.id for h in houses])
        today, days = clock.today_local(), get_settings().inspection_overdue_days
        last = [(h, rules.overdue(h.last_on, today, days)) for h in await queries.last_rounds(principal)]
        return render(
            request, "inspections/list.html", page=await queries.rounds(principal, chosen, paging), houses=houses,
            house_options=[(h.id, h.address) for h in houses], chosen=chosen, typed=typed, problems=problems,
            last=last, overdue_days=days, **_words(),
        )  # fmt: skip

    @get("/overdue", name="inspections:overdue")
    async def overdue(self, request: Request, principal: Caller) -> Template:
        """The staff overview's section: the houses with no round in the setting's days (loaded by HTMX; without
        JavaScript the overview links to the rounds' page, which lists them)."""
        today, days = clock.today_local(), get_settings().inspection_overdue_days
        late = [h for h in await queries.last_rounds(principal) if rules.overdue(h.last_on, today, days)]
        return render(request, "inspections/_overdue.html", block=None, late=late, overdue_days=days)

    @post("/", name="inspections:start", status_code=200)
    async def start(self, request: Request, principal: Caller, data: FormData) -> Response[Any]:
        houses = [h.id for h in await houses_in_scope(principal)]
        draft, errors = forms.read_new_round(data, houses)
        if draft is None:
            flash(request, " ".join(errors.fields.values()), "error")
            return see_other(request, "/staff/inspections")
        round_id = await actions.start_round(principal, draft, clock.now(), ip=client_ip(request))
        return see_other(request, f"/staff/inspections/{round_id}")

    @get("/{round_id:int}", name="inspections:round")
    async def show(self, request: Request, principal: Caller, inspection: LoadedRound) -> Template:
        return await _round_page(request, principal, inspection)

    @post("/{round_id:int}/points/{point_id:int}", name="inspections:answer", status_code=200)
    async def answer(
        self, request: Request, principal: Caller, inspection: LoadedRound, point: LoadedPoint, data: MultipartData
    ) -> Any:
        kept = await queries.answers_of(inspection.id)
        uploads = files_of(data, "photos")
        entrances = await queries.entrances_of(inspection.house_id)
        had = len(kept[point.id].photos) if point.id in kept else 0
        answer, errors = forms.read_answer(data, [e for e, _ in entrances], len(uploads), had)
        photos = await store_photos(uploads, errors)
        if answer is None or errors:
            return await _answered(request, principal, inspection, point.id, errors, data, 422)
        with storage.dropped_unless_saved(*[p.key for p in photos]):
            await actions.answer_point(principal, inspection, point, answer, photos, clock.now(), ip=client_ip(request))
        return await _answered(request, principal, inspection, point.id, FormErrors(), None, 200)

    @post("/{round_id:int}/complete", name="inspections:complete", status_code=200)
    async def complete(self, request: Request, principal: Caller, inspection: LoadedRound) -> Response[Any]:
        numbers = await actions.complete_round(principal, inspection, clock.now(), ip=client_ip(request))
        flash(request, _completed_message(numbers))
        return see_other(request, f"/staff/inspections/{inspection.id}")

    @get("/{round_id:int}/act.pdf", name="inspections:act")
    async def act(self, inspection: LoadedRound) -> Response[bytes]:
        points, answers = await queries.points(), await queries.answers_of(inspection.id)
        entrances = dict(await queries.entrances_of(inspection.house_id))
        content = await written(pdf.act_pdf, inspection, points, answers, entrances)
        name = f"inspection-{inspection.id}.pdf"
        headers = {"content-disposition": f'attachment; filename="{name}"'}
        return Response(content, media_type="application/pdf", headers=headers)

    @get("/photos/{inspection_photo_id:int}", name="inspections:photo")
    async def photo(self, photo: LoadedPhoto) -> Any:
        return storage.response_for(photo.file_key, photo.content_type)


async def _answered(
    request: Request, principal: Principal, round_: RoundRow, point_id: int, errors: FormErrors, typed: Any, status: int
) -> Any:
    """The point's form again (its fragment to HTMX) with what was saved or the errors; a plain form post that was
    saved goes back to the point on the round's page."""
    if not is_fragment_request(request):
        if not errors:
            return see_other(request, f"/staff/inspections/{round_.id}#point-{point_id}")
        return await _round_page(request, principal, round_, status, errors_at=point_id, errors=errors, typed=typed)
    point = await queries.point(point_id)
    answers = await queries.answers_of(round_.id)
    return render(
        request, "inspections/_point.html", block=None, status_code=status, round=round_, point=point,
        answer=answers.get(point_id), errors=errors, typed=typed, saved=not errors,
        entrances=await queries.entrances_of(round_.house_id), **_words(),
    )  # fmt: skip


def _completed_message(numbers: list[int]) -> str:
    if not numbers:
        return gettext("The round is completed; no request was needed.")
    listed = ", ".join(f"№ {n}" for n in numbers)
    return ngettext(
        "The round is completed; %(num)s request filed: %(numbers)s.",
        "The round is completed; %(num)s requests filed: %(numbers)s.",
        len(numbers),
        numbers=listed,
    )


class StaffChecklist(Controller):
    """The company's checklist of a round, edited by the administrator."""

    path = "/staff/inspections/checklist"
    opt = staff(StaffRole.ADMIN)
    dependencies = deps.CHECKLIST

    @get("/", name="inspections:checklist")
    async def index(self, request: Request) -> Template:
        return await _checklist_page(request, None, {"active": True, "place": "entrance", "category": "other"})

    @post("/", name="inspections:point_create", status_code=200)
    async def create(self, request: Request, principal: Caller, data: FormData) -> Any:
        return await _save_point(request, principal, None, data)

    @get("/{point_id:int}", name="inspections:point")
    async def edit(self, request: Request, point: LoadedPointEdit) -> Template:
        typed = {k: getattr(point, k) for k in ("title", "place", "category", "position", "active")}
        return await _checklist_page(request, point, typed, version=stale.version_of(point.version))

    @post("/{point_id:int}", name="inspections:point_update", status_code=200)
    async def update(self, request: Request, principal: Caller, point: LoadedPointEdit, data: FormData) -> Any:
        return await _save_point(request, principal, point, data)


async def _checklist_page(
    request: Request, point: queries.PointEdit | None, typed: dict[str, Any], status_code: int = 200, **extra: Any
) -> Template:
    categories = [(c.code, c.label()) for c in CATEGORIES]
    return render(
        request, "inspections/checklist.html", status_code=status_code, point=point, typed=typed,
        points=await queries.checklist(), categories=categories, category_labels=dict(categories),
        place_options=[(p.value, rules.PLACE_LABELS(p)) for p in rules.Place], **_words(),
        **({"errors": FormErrors(), "version": None} | extra),
    )  # fmt: skip


async def _save_point(request: Request, principal: Any, point: queries.PointEdit | None, data: Any) -> Any:
    values, errors = forms.read_point(data)
    version = stale.typed(data, editing=point is not None)
    typed = {k: form_value(data, k) for k in ("title", "place", "category", "position")} | {"active": values["active"]}
    if errors:
        return await _checklist_page(request, point, typed, 422, errors=errors, version=version)
    try:
        point_id = point.id if point else None
        await actions.save_point(principal, point_id, values, clock.now(), ip=client_ip(request), version=version)
    except stale.Stale as exc:  # the form again, with what was typed and the point's version now
        stale.say(errors, exc.change)
        now = await stale.current(ChecklistPoint, point.id if point else None)
        return await _checklist_page(request, point, typed, 409, errors=errors, version=now)
    flash(request, gettext("The point of the checklist is saved."))
    return see_other(request, "/staff/inspections/checklist")
