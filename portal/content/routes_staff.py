"""Staff pages of content: the list of posts with the back office's columns and filters, the post form, the
post's page with its review, delivery log and actions."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template

from portal.content import actions
from portal.content import forms
from portal.content import pdf
from portal.content import queries
from portal.content import rules
from portal.content.routes import kind_label
from portal.content.rules import Move
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.core import clock
from portal.core import outbox
from portal.core import stale
from portal.core import storage
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.pagination import Paging
from portal.core.parse import parse_date
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
from portal.core.web import question
from portal.core.web import read_range
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import houses_in_scope
from portal.notifications.channels import deliver_soon
from portal.notifications.messages import absolute
from portal.notifications.queries import PostAudience
from portal.notifications.queries import count_audience

STATUS_LABELS = forms.STATUS_LABELS  # a post's state in words (also in a refused step's message)
status_label = STATUS_LABELS.shown


def post_state(post: Any) -> str:
    """A post's state as staff read it (``rules.shown_status``; its words: ``status_label``)."""
    return rules.shown_status(post.status, post.publish_at, post.ends_at, clock.now())


# The delivery log's words for an outbox message's channel (the codes are the outbox's; its states are worded
# by the outbox itself, ``core.outbox.STATUS_LABELS``).
CHANNEL_LABELS = Labels(
    {"email": lazy("E-mail"), "sms": lazy("SMS"), "push": lazy("Push notification"), "inapp": lazy("In the portal")}
)


def offered(principal: Principal, post: Any) -> dict[str, bool]:
    """What a post's pages offer ``principal`` to do to it — each move, «edit» and «extend» — by the rules its
    actions are guarded by: nothing to one who may only read it (``rules.may_change``)."""
    if not rules.may_change(principal, post.audience_names.elsewhere):
        return {**{m.value: False for m in Move}, "edit": False, "extend": False}
    state = post_state(post)
    may = {m.value: rules.may_move(principal, m, post.status, post.kind, post.needs_review, ended=state == rules.ENDED)
           for m in Move}  # fmt: skip
    edit = rules.may_edit(principal, post.status, post.kind)
    return {**may, "edit": edit, "extend": rules.may_extend(principal, state)}


def _filter(request: Request) -> queries.StaffFilter:
    q = request.query_params
    days = read_range(q, "from", "to", parse_date)  # a period that ends before it starts: none
    return queries.StaffFilter(
        q=(q.get("q") or "")[:100],
        kind=kind if (kind := q.get("kind") or "") in PostKind.__members__.values() else "",
        status=status if (status := q.get("status") or "") in PostStatus.__members__.values() else "",
        published=published if (published := q.get("published") or "") in ("yes", "no") else "",
        date_from=days.start,
        date_to=days.end,
    )


async def provide_staff_post(principal: NamedDependency[Principal], post_id: FromPath[int]) -> queries.PostView:
    return await queries.post_for_staff(principal, post_id)


async def provide_changeable_post(principal: NamedDependency[Principal], post_id: FromPath[int]) -> queries.PostView:
    """The post of the path if the caller may also change it (``rules.may_change``); 403 for one they may only
    read, so that a change they cannot make is not even offered as a form."""
    post = await queries.post_for_staff(principal, post_id)
    if not rules.may_change(principal, post.audience_names.elsewhere):
        raise PermissionDeniedException()
    return post


def _words() -> dict[str, Any]:
    return {
        "kind_label": kind_label,
        "status_label": status_label,
        "post_state": post_state,
        "channel_label": CHANNEL_LABELS.shown,
        "delivery_label": outbox.STATUS_LABELS.shown,
        "kinds": [(k.value, kind_label(k)) for k in PostKind],
        "statuses": [(s.value, status_label(s)) for s in PostStatus],
    }


# What a handler declares to receive: the caller, and the post of its path (the caller's to work on; for a
# handler that changes it, ``CHANGEABLE``: one the caller may also change).
Caller = NamedDependency[Principal]
LoadedPost = NamedDependency[queries.PostView]
CHANGEABLE = {"post": Provide(provide_changeable_post)}


class StaffPosts(Controller):
    path = "/staff/posts"
    opt = staff(*rules.STAFF_ROLES)
    dependencies = {"post": Provide(provide_staff_post)}

    @get("/", name="content:staff_list")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        q, f = request.query_params, _filter(request)
        typed, problems = forms.staff_filter_problems(q, f)
        page = await queries.staff_posts(principal, f, paging)
        return render(request, "content/staff_list.html", page=page, f=f, typed=typed, problems=problems,
                      offered=partial(offered, principal), scoped=principal.house_ids is not None,
                      **_words())  # fmt: skip

    @get("/new", name="content:staff_new")
    async def new(self, request: Request, principal: Caller) -> Template:
        kind = request.query_params.get("kind") or (
            PostKind.EMERGENCY if not principal.has_role(*rules.WRITERS) else ""
        )
        return await _form_page(request, principal, forms.new_form(kind or PostKind.NEWS), None)

    @post("/new", name="content:staff_create", status_code=200)
    async def create(self, request: Request, principal: Caller, data: MultipartData) -> Any:
        return await _save(request, principal, data, None)

    @get("/{post_id:int}", name="content:staff_post")
    async def show(self, request: Request, principal: Caller, post: LoadedPost) -> Template:
        return await _post_page(request, principal, post)

    @get("/{post_id:int}/edit", name="content:staff_edit")
    async def edit(self, request: Request, principal: Caller, post: LoadedPost) -> Template:
        if reason := _edit_refusal(principal, post):  # what its save would answer, said instead of a form
            return render(request, "content/staff_not_editable.html", post=post, reason=reason, status_code=403)
        choice = await queries.form_choice(post.id, principal.house_ids)
        return await _form_page(request, principal, _form_of(post, choice), post, version=stale.carried(post))

    @post("/{post_id:int}/edit", name="content:staff_update", status_code=200)
    async def update(self, request: Request, principal: Caller, post: LoadedPost, data: MultipartData) -> Any:
        return await _save(request, principal, data, post)

    @post("/{post_id:int}/move", name="content:staff_move", status_code=200, dependencies=CHANGEABLE)
    async def move(
        self, request: Request, principal: Caller, post: LoadedPost, data: FormData
    ) -> Response[Any] | Template:
        step = Move(data.get("step")) if data.get("step") in Move.__members__.values() else None
        if step is None:
            return see_other(request, f"/staff/posts/{post.id}")
        if step is Move.DELETE and data.get("confirm") != "1":  # final: asked once more on a page of its own
            return question(request, "content/staff_delete.html", post=post)
        comment = str(data.get("comment", ""))
        if step is Move.RETURN and not comment.strip():  # the page again (422), said at the comment's box
            errors = FormErrors()
            errors.add("comment", forms.return_comment_missing())
            return await _post_page(request, principal, post, errors=errors, status_code=422)
        await actions.move(principal, post.id, step, comment, ip=client_ip(request))
        if step in (Move.APPROVE, Move.SEND_NOW):
            deliver_soon()
        flash(request, MOVED(step))
        return see_other(request, "/staff/posts" if step is Move.DELETE else f"/staff/posts/{post.id}")

    @post("/{post_id:int}/images/{image_id:int}/delete", name="content:staff_image_delete", dependencies=CHANGEABLE)
    async def remove_image(self, request: Request, principal: Caller, post: LoadedPost, image_id: FromPath[int]) -> Any:
        await actions.remove_image(principal, post.id, image_id, ip=client_ip(request))
        flash(request, gettext("The picture is removed."))
        return see_other(request, f"/staff/posts/{post.id}")

    @post("/{post_id:int}/duplicate", name="content:staff_duplicate")
    async def duplicate(self, request: Request, principal: Caller, post: LoadedPost) -> Any:
        copy = await actions.duplicate(principal, post.id, ip=client_ip(request))
        flash(request, gettext("A copy is saved as a draft."))
        return see_other(request, f"/staff/posts/{copy}/edit")

    @get("/{post_id:int}/board", name="content:staff_board")
    async def board(self, request: Request, principal: Caller, post: LoadedPost) -> Response[bytes]:
        """The post printed for the boards of a house's entrances (``content.pdf``): a house of the caller's the
        post reaches, the one there is or the one chosen (``house``); a house not theirs, or one it does not reach,
        is 404. Refused, said on the post's page, for a post that is not out or scheduled."""
        if reason := rules.board_refusal(post.status, post.publish_at, post.ends_at, clock.now()):
            raise Refused(reason, back=f"/staff/posts/{post.id}")
        typed = request.query_params.get("house")
        house = parse_id(typed) if typed else None
        if typed and house is None:
            raise NotFoundException()
        reach = await queries.board_reach(post.id)
        houses = rules.board_houses(reach, await queries.board_houses(principal.house_ids, house))
        if house is not None and not houses:
            raise NotFoundException()
        if len(houses) != 1:
            raise Refused(str(BOARD_NO_HOUSE if not houses else BOARD_CHOOSE), back=f"/staff/posts/{post.id}#board")
        return await _board_pdf(post, rules.board_pages(reach, houses[0]), houses[0].id)

    @get("/images/{image_id:int}", name="content:staff_image")
    async def image(self, principal: Caller, image_id: FromPath[int]) -> Any:
        from portal.core.storage import response_for

        return response_for(await queries.image_for_staff(principal, image_id), "image/jpeg", "picture.jpg")


async def _post_page(
    request: Request,
    principal: Principal,
    post: queries.PostView,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    """A post's staff page: its delivery, readers and moves; ``errors``: the return to the author refused."""
    log = await queries.delivery_log(post.id, principal.house_ids)
    changeable = rules.may_change(principal, post.audience_names.elsewhere)
    may = offered(principal, post)
    # Joined where stored, never sent; a reader of part of the audience counts their part.
    reach = await count_audience(PostAudience(post.id), houses=None if changeable else principal.house_ids)
    post = (await queries.in_readers_words([post]))[0]
    readers = await queries.readers(post.id, principal.house_ids)
    read_only = None if changeable else actions.read_only_reason()
    not_editable = _edit_refusal(principal, post)
    sent_out = not log and await queries.sent_out(post.id)
    going = await _going(principal, post)
    asks = rules.sends_on_approval(post.publish_at, (post.by_email, post.by_sms, post.by_push), clock.now())
    return render(request, "content/staff_post.html", status_code=status_code, post=post, log=log, may=may,
                  reach=reach, readers=readers, sent_out=sent_out, read_only=read_only, not_editable=not_editable,
                  errors=errors, going=going, approval_sends=asks, board=await _board(principal, post),
                  **_words())  # fmt: skip


async def _going(principal: Principal, post: queries.PostView) -> tuple[int, list[queries.Goer]] | None:
    """An event's answers as its staff page shows them: how many are going in all, and who (by name, with their
    flats, in the staff member's houses) for the organiser to count chairs and tea; None for another kind."""
    if post.kind != PostKind.EVENT:
        return None
    return await queries.going_count(post.id), await queries.goers(post.id, principal.house_ids)


def _edit_refusal(principal: Principal, post: queries.PostView) -> str | None:
    """Why ``principal`` may not change the post's words (``actions.edit_refusal``, the rule its save is refused by)."""
    return actions.edit_refusal(principal, post.status, post.kind, post.audience_names.elsewhere)


async def _board_pdf(post: queries.PostView, pages: list[rules.BoardPage], house: int) -> Response[bytes]:
    """The post's board sheets for ``pages``, in Russian whoever prints them (an outage notice said from its outage)."""
    with in_locale(pdf.DOCUMENT_LOCALE):
        words = (await queries.in_readers_words([post]))[0]
        sheet = pdf.BoardPost(
            kind=post.kind, title=words.title, body=words.body, url=absolute(f"/news/{post.id}"),
            published=post.publish_at or post.published_at, ends_at=post.ends_at,
            event_starts_at=post.event_starts_at, event_ends_at=post.event_ends_at, event_place=post.event_place,
        )  # fmt: skip
        content = await written(pdf.board_pdf, sheet, pages)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="board-{post.id}-{house}.pdf"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip


BOARD_CHOOSE = lazy("Choose the house to print it for.")
BOARD_NO_HOUSE = lazy("It reaches none of your houses: there is nothing to print for their boards.")


async def _board(principal: Principal, post: queries.PostView) -> dict[str, Any]:
    """What the post's page offers for the boards: why not (``refusal``), or the caller's houses it reaches."""
    refusal = rules.board_refusal(post.status, post.publish_at, post.ends_at, clock.now())
    if refusal:
        return {"refusal": refusal, "houses": []}
    reach = await queries.board_reach(post.id)
    houses = rules.board_houses(reach, await queries.board_houses(principal.house_ids))
    return {"refusal": None, "houses": [(h.id, h.address) for h in houses]}


# What the person who made a move is told.
MOVED = Labels(
    {
        Move.SUBMIT: lazy("Sent to the moderator."),
        Move.APPROVE: lazy("Published."),
        Move.RETURN: lazy("Returned to the author with your comment."),
        Move.SEND_NOW: lazy("Sent out to the residents."),
        Move.REVIEWED: lazy("Marked as reviewed."),
        Move.UNPUBLISH: lazy("Unpublished: residents no longer see it."),
        Move.REPUBLISH: lazy("Published again: residents see it as before."),
        Move.DELETE: lazy("The draft is deleted."),
    }
)


def _form_of(post: queries.PostView, choice: forms.AudienceChoice | None) -> forms.PostForm:
    """The form of a post being edited, its audience as stored (``choice``; None: one the form cannot show, kept
    unless a new one is chosen)."""
    local = clock.local
    audience = choice or forms.AudienceChoice(keep=True)
    typed = {
        "kind": post.kind,
        "title": post.title,
        "body": post.body,
        "title_en": post.title_en,
        "body_en": post.body_en,
        "publish_at": local(post.publish_at).strftime("%Y-%m-%dT%H:%M") if post.publish_at else "",
        "ends_at": local(post.ends_at).strftime("%Y-%m-%dT%H:%M") if post.ends_at else "",
        "houses": [str(h) for h in audience.houses],
        "parts": {p.house: forms.typed_part(p) for p in audience.parts},
        "risers": ", ".join(audience.risers),
        "accounts": ", ".join(audience.accounts),
        "keep_audience": "1" if audience.keep else "",
        **_event_typed(post),
    }
    return forms.PostForm(kind=post.kind, title=post.title, body=post.body, title_en=post.title_en,
                          body_en=post.body_en, by_email=post.by_email,
                          by_sms=post.by_sms, by_push=post.by_push, audience=audience, typed=typed)  # fmt: skip


def _event_typed(post: queries.PostView) -> dict[str, str]:
    """An event's fields as its edit form shows them (empty for another kind)."""
    times = (post.event_starts_at, post.event_ends_at)
    moment = (clock.local(m).strftime("%Y-%m-%dT%H:%M") if m else "" for m in times)
    capacity = "" if post.event_capacity is None else str(post.event_capacity)
    return dict(zip(forms.EVENT_FIELDS, (*moment, post.event_place, capacity), strict=True))


async def _form_page(
    request: Request,
    principal: Principal,
    form: forms.PostForm,
    post: queries.PostView | None,
    status_code: int = 200,
    houses: list[tuple[int, str]] | None = None,
    version: str | None = None,
) -> Template:
    """The post's form; an edit's carries ``version``: the post's as read, or as the form shown again had it."""
    houses = houses if houses is not None else await _houses(principal)
    kinds = [(k.value, kind_label(k)) for k in PostKind if rules.may_write(principal, k)]
    return render(request, "content/staff_form.html", form=form, post=post, houses=houses, writable_kinds=kinds,
                  everyone=principal.house_ids is None, status_code=status_code, version=version,
                  **_words())  # fmt: skip


async def _houses(principal: Principal) -> list[tuple[int, str]]:
    """The houses the form offers, each with its own entrances and floors: the caller's, by address."""
    return [(h.id, h.address) for h in await houses_in_scope(principal)]


async def _save(request: Request, principal: Principal, data: dict[str, Any], post: queries.PostView | None) -> Any:
    typed = stale.typed(data, editing=post is not None)
    form = forms.read_post(data, now=clock.now(), stored_start=post.event_starts_at if post else None)
    audience, missing = await queries.audience_of(form.audience, principal.house_ids)
    if form.audience.keep and post is not None:
        audience = None  # the stored audience, which the form could not show, stays
    elif form.audience.keep:
        form.errors.add("houses", gettext("Choose who it is for: houses, account numbers or the whole company."))
    forms.add_missing(form, missing)
    # A post that reaches houses the writer does not work with (widened since their form was opened) is not theirs
    # to change: refused as before, but on the form, with what they typed.
    read_only = post is not None and not rules.may_change(principal, post.audience_names.elsewhere)
    if read_only:
        form.errors.general.append(actions.read_only_reason())
    image = None
    if not form.errors and storage.is_upload(data.get("image")):
        try:  # before the post is saved: a refused picture is said on the form, not a post saved without it
            image = await storage.save_image(data["image"])
        except storage.UploadRefused as refused:
            form.errors.add("image", storage.image_refusal(refused))
    if form.errors:
        houses = await _houses(principal)
        forms.name_houses(form.errors, dict(houses))
        form.errors.order(forms.fields([h for h, _address in houses]))
        status = 403 if read_only else 422  # shown again for a mistake, the form keeps the version it was read at
        return await _form_page(request, principal, form, post, status_code=status, houses=houses, version=typed)
    data_in = actions.PostInput(
        kind=PostKind(form.kind), title=form.title, body=form.body, audience=audience, publish_at=form.publish_at,
        ends_at=form.ends_at, by_email=form.by_email, by_sms=form.by_sms, by_push=form.by_push,
        title_en=form.title_en, body_en=form.body_en, event=form.event,
    )  # fmt: skip
    try:
        post_id = await actions.save_post(
            principal, data_in, post.id if post else None, ip=client_ip(request), version=typed
        )
    except stale.Stale as exc:  # the form again, with what was typed and the post's version now (the audit of an
        form.errors.general.append(exc.change.message())  # edit names no fields: who and when are said)
        return await _form_page(request, principal, form, post, status_code=409, version=stale.carried(post))
    if image is not None:
        await actions.add_image(principal, post_id, image, ip=client_ip(request))
    flash(request, gettext("Saved."))
    return see_other(request, f"/staff/posts/{post_id}")


# The session, the count and the page of posts, their deliveries, their reads, their audiences, the words of the
# outages its outage notices tell of and the answers to its events (one query each for the page, none when it holds
# no outage notice, no event).
# A post's page (tests/content/test_board.py): the session, the post, its audience's houses and words, its images,
# its delivery log, its audience's count, its readers' count and names, whether it was sent out, and the board
# card's two reads (where its audience lives; the caller's houses with their entrances); an event's answers add two.
QUERY_BUDGETS: dict[str, int] = {
    "/staff/posts": 8,
    "/staff/posts/{post_id:int}": 12,
}
