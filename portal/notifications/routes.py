"""A person's notification settings: which topics by which channels, and this browser's web push."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.response import Template

from portal.core import cookies
from portal.core.head import is_head
from portal.core.home import register_nav_count
from portal.core.home import register_section
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.pagination import Paging
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import public
from portal.core.security import signed_in
from portal.core.web import FormData
from portal.core.web import flash
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other
from portal.notifications import actions
from portal.notifications import channels
from portal.notifications import forms
from portal.notifications import queries
from portal.notifications.rules import CHANNEL_LABELS
from portal.notifications.rules import CHOSEN
from portal.notifications.rules import TOPIC_LABELS
from portal.notifications.rules import Topic
from portal.notifications.rules import unreachable
from portal.notifications.rules import wants


class NotificationSettings(Controller):
    path = "/notifications"
    opt = signed_in()

    @get("/settings", name="notifications:settings")
    async def settings(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        user_id = principal.user_id or 0
        choices = (await queries.choices_of([user_id]))[user_id]
        grid = [(t, [(c, wants(t, c, choices)) for c in CHOSEN]) for t in Topic]
        contacts = await queries.contacts_of(user_id)
        endpoints = await queries.push_endpoints(user_id)
        return render(
            request,
            "notifications/settings.html",
            grid=grid,
            unreachable=unreachable(email=contacts.email, phone=contacts.phone, email_on=contacts.email_on),
            contacts=contacts,
            channels=CHOSEN,
            topic_label=TOPIC_LABELS,
            channel_label=CHANNEL_LABELS,
            browsers=len(endpoints),
            this_browser=forms.browser_endpoint(request.cookies) in endpoints,
            vapid_key=channels.vapid_public_key(),
        )

    @post("/settings", name="notifications:save")
    async def save(self, request: Request, principal: NamedDependency[Principal], data: FormData) -> Response[Any]:
        await actions.save_choices(
            principal.user_id or 0, forms.read_choices(data), by=principal, ip=client_ip(request)
        )
        flash(request, gettext("Notification settings saved."))
        return see_other(request, "/notifications/settings")

    @post("/push", name="notifications:push_subscribe", status_code=201)
    async def subscribe(self, request: Request, principal: NamedDependency[Principal]) -> Response[Any]:
        """The browser's PushSubscription as JSON (``{"endpoint", "keys": {"p256dh", "auth"}}``)."""
        subscription = forms.read_subscription(await request.body())
        if subscription is None:
            return Response({"ok": False}, status_code=400)
        await actions.subscribe(principal.user_id or 0, subscription.endpoint, subscription.p256dh,
                                subscription.auth, request.headers.get("user-agent", ""))  # fmt: skip
        # The cookie naming the endpoint this browser subscribed with, for a year.
        kept = cookies.cookie(forms.PUSH_COOKIE, forms.endpoint_cookie(subscription.endpoint))
        return Response({"ok": True}, status_code=201, cookies=[kept])

    @post("/push/off", name="notifications:push_unsubscribe", status_code=303)
    async def unsubscribe(self, request: Request, principal: NamedDependency[Principal]) -> Response[Any]:
        """«Выключить в этом браузере»: the subscription the browser's cookie names is forgotten (push.js has also
        unsubscribed it in the browser)."""
        await actions.unsubscribe(principal.user_id or 0, forms.browser_endpoint(request.cookies))
        flash(request, gettext("Push notifications are turned off in this browser."))
        answer = see_other(request, "/notifications/settings")
        answer.set_cookie(cookies.expired(forms.PUSH_COOKIE))
        return answer


class InAppMessages(Controller):
    """The person's in-app messages (channel «inapp», read from the outbox itself) and marking them read."""

    path = "/notifications"
    opt = signed_in()

    @get("/", name="notifications:list")
    async def index(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        messages = await queries.inapp_messages(principal.user_id or 0, paging)
        return render(request, "notifications/list.html", page=messages)

    @get("/{message_id:int}/open", name="notifications:open")
    async def open(
        self, request: Request, principal: NamedDependency[Principal], message_id: FromPath[int]
    ) -> Redirect:
        """A message's title: marks that one read and goes on to its page. A GET, as a link must be: marking read
        is idempotent, and only the person's own message; a HEAD (a link checker's) marks nothing."""
        target = found(await queries.opened(principal.user_id or 0, message_id))
        if not is_head(request):
            await actions.mark_read(principal.user_id or 0, message_id)
        return Redirect(path=target.link or "/notifications", status_code=303)

    @post("/read", name="notifications:read")
    async def read(self, request: Request, principal: NamedDependency[Principal]) -> Response[Any]:
        await actions.mark_read(principal.user_id or 0)
        return see_other(request, "/notifications")


unsubscribe_label = Labels(
    {
        Topic.EMERGENCY: lazy("E-mails about emergencies and outages"),
        Topic.NOTICE: lazy("E-mails with the notices of the house"),
        Topic.NEWS: lazy("E-mails about the news of the house"),
        Topic.ACCOUNT: lazy("E-mails about your payments, requests and readings"),
    }
)


async def provide_unsubscribing(token: FromPath[str]) -> queries.Unsubscribing:
    """The person and topic of an e-mail's unsubscribe address; 404 for a token not ours or of a deleted person."""
    return found(await queries.unsubscribing(token))


def _unsubscribe_page(request: Request, token: str, topic: Topic, state: str) -> Template:
    """The page of an unsubscribe address: ``ask`` (GET: what would stop, and the button), ``off`` (done, with the
    undo), ``on`` (undone, with the button again)."""
    what = str(unsubscribe_label(topic))
    inner = what[:1].lower() + what[1:]  # «Готово: письма о новостях дома больше не придут»
    return render(request, "notifications/unsubscribe.html", token=token, what=what, inner=inner, state=state)


def _unknown_link(request: Request, exc: NotFoundException) -> Template:
    return render(request, "notifications/unsubscribe_unknown.html", status_code=404)


class Unsubscribe(Controller):
    """The address at the end of every e-mail a person may turn off, and its ``List-Unsubscribe`` (RFC 8058): no
    sign-in, the signed token names the person and the topic. GET and HEAD (a mail scanner's too) only show the
    page; its POST turns e-mail of that topic off, as does the mail provider's one-click POST without cookies (the
    one request the CSRF check lets through, ``accounts.csrf.one_click_unsubscribe``); ``/undo`` turns it back on."""

    path = "/unsubscribe"
    opt = public()
    dependencies = {"unsubscribing": Provide(provide_unsubscribing)}
    exception_handlers = {NotFoundException: _unknown_link}

    @get("/{token:str}", name="notifications:unsubscribe")
    async def ask(
        self, request: Request, token: FromPath[str], unsubscribing: NamedDependency[queries.Unsubscribing]
    ) -> Template:
        return _unsubscribe_page(request, token, unsubscribing.topic, "ask")

    @post("/{token:str}", name="notifications:unsubscribe_off", status_code=200)
    async def off(
        self, request: Request, token: FromPath[str], unsubscribing: NamedDependency[queries.Unsubscribing]
    ) -> Template:
        await actions.set_email(unsubscribing.user_id, unsubscribing.topic, on=False, ip=client_ip(request))
        return _unsubscribe_page(request, token, unsubscribing.topic, "off")

    @post("/{token:str}/undo", name="notifications:unsubscribe_undo", status_code=200)
    async def undo(
        self, request: Request, token: FromPath[str], unsubscribing: NamedDependency[queries.Unsubscribing]
    ) -> Template:
        await actions.set_email(unsubscribing.user_id, unsubscribing.topic, on=True, ip=client_ip(request))
        return _unsubscribe_page(request, token, unsubscribing.topic, "on")


async def _unread(principal: Principal) -> int:
    """The count of unread in-app messages at «Ещё» and «Уведомления» (one statement a page, shared with the home
    page's section)."""
    return await queries.unread_count(principal.user_id or 0)


async def _home_section(principal: Principal) -> dict[str, int] | None:
    """The home page tells of unread in-app messages (the count its navigation shows: read once)."""
    unread = await _unread(principal)
    return {"unread": unread} if unread else None


register_section("notifications", 15, "notifications/_home.html", _home_section)
register_nav_count("unread", _unread)


QUERY_BUDGETS: dict[str, int] = {
    "/notifications/settings": 4,  # + the unread count at «Ещё» (the navigation)
    "/notifications": 4,  # + the unread count at «Ещё» (the navigation)
}
