"""Templating (Jinja env, filters), page-or-fragment rendering, redirects, flash messages, form helpers."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from typing import Annotated
from typing import Any
from typing import Generic
from typing import TypeVar
from urllib.parse import urlsplit

from jinja2 import Environment
from jinja2 import Template as JinjaTemplate
from jinja2 import nodes
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.runtime import new_context
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import MediaType
from litestar import Request
from litestar import Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import MethodNotAllowedException
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.plugins.htmx import ClientRedirect
from litestar.plugins.htmx import HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.response import Template
from litestar.response.base import ASGIResponse
from markupsafe import Markup

from portal.core import i18n
from portal.core.address import address_markup
from portal.core.address import full_address
from portal.core.address import house_choices
from portal.core.address import premise_name
from portal.core.assets import asset
from portal.core.hyphens import hyphenated
from portal.core.i18n import gettext
from portal.core.pagination import PAGE_SIZES
from portal.core.pagination import PastTheEnd
from portal.core.pagination import with_params
from portal.core.parse import parse_id
from portal.core.parse import past_kopecks
from portal.core.security import ANONYMOUS
from portal.core.security import Access
from portal.core.security import Principal
from portal.core.security import is_allowed
from portal.core.storage import MAX_SIDE as PHOTO_SIDE
from portal.core.typography import bound_html
from portal.settings import get_settings

T = TypeVar("T")
V = TypeVar("V")

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

FLASH_KEY = "_flash"
# A form taken (not refused): said to the page's script (static/js/drafts.js), which then forgets what was typed
# into it. The answer to the post says so in its header; a post answered with a redirect leaves a note in the
# session, and the page it leads to says so in its header and its ``<meta name="form-taken">``.
TAKEN_KEY = "_form_taken"
TAKEN_HEADER = "Form-Taken"

# The request whose page is being rendered: macros imported without context (``{% from … import pagination %}``)
# still build their links from its query string.
_rendering: ContextVar[Request | None] = ContextVar("rendering", default=None)


@dataclass
class FormErrors:
    """Errors of a submitted form: one message per field, in the order the form shows them; ``labels`` name a
    field in the summary above the form where one message stands at several fields (the zones of meters)."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str, label: str = "") -> None:
        if name not in self.fields and label:
            self.labels[name] = label
        self.fields.setdefault(name, message)

    def order(self, names: Sequence[str]) -> None:
        """The messages in the order of ``names`` (the form's fields, top to bottom); a field not named goes last."""
        place = {name: n for n, name in enumerate(names)}
        self.fields = dict(sorted(self.fields.items(), key=lambda item: place.get(item[0], len(place))))

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


# The filters that write a value in the reader's language, with their arguments as a template passes them
# (``number(2, true)``: digits, fixed); the reader's language is never one of them. Each takes the context first
# only so that Jinja never runs it when it compiles a template: a constant (``50000 | number(0)``) would be written
# once, in the language of the first reader, for everyone after. Each is called as it is, with no wrapper between
# the template and the formatting (a page uses them tens of times).
_READER_FILTERS: dict[str, Callable[..., Any]] = {
    "money": lambda _context, value: i18n.format_money(value),
    "day": lambda _context, value, style="long": i18n.format_day(value, style),
    "moment": lambda _context, value, held=False: i18n.format_moment(value, get_settings().time_zone, held=held),
    "clock": lambda _context, value: i18n.format_clock(value, get_settings().time_zone),
    "number": lambda _context, value, digits=2, fixed=False: i18n.format_number(value, digits, fixed=fixed),
    # «12,345 м³», «37,80 м²», «38,89 %»: a number and its unit never parted by a line break
    "quantity": lambda _context, value, unit, digits=3: i18n.format_quantity(value, unit, digits),
    "area": lambda _context, value, fixed=True: i18n.format_area(value, fixed=fixed),
    "percent": lambda _context, value, digits=2, fixed=True: i18n.format_percent(value, digits, fixed=fixed),
    "typed": lambda _context, value: i18n.format_typed(value),
    # a record's own text (``service | own("title")``): ``own_html`` in a page's text marks the Russian text standing
    # in for a missing English one ``lang="ru"``; ``own_lang`` is that "ru" for an element that cannot hold a <span>
    "own": lambda _context, record, name="title": i18n.own_words(record, name),
    "own_html": lambda _context, record, name="title": i18n.own_markup(record, name),
    "own_lang": lambda _context, record, name="title": i18n.own_lang(record, name),
}


def _bound_words(value: str) -> str:
    """``{{ post | own_html("title") | bound_words }}``: the HTML's short words bound to the next one
    (``typography.bound_html``, in its text only); markup stays markup, a sanitised string (a post's body, then
    ``| safe``) stays a string."""
    said = bound_html(str(value))
    return Markup(said) if isinstance(value, Markup) else said  # noqa: S704 (only spaces of the text changed)


@pass_context
def _query(context: Any, **changes: Any) -> str:
    request = context.get("request") or _rendering.get()
    params: dict[str, Any] = {}
    if request is not None:
        own = getattr(request.state, "link_params", None)
        for key in request.query_params if own is None else own:
            values = request.query_params.getall(key) if own is None else own[key]
            params[key] = values if len(values) > 1 else values[0]
    return with_params(params, **changes)


def links_start_from(request: Request, params: Mapping[str, list[str]]) -> None:
    """The page's links (``query()``: tabs, sorting, pages, print, export) start from ``params`` rather than the
    request's own query: a list leaves out what it did not apply (a filter not read), so that no link carries it
    on."""
    request.state.link_params = params


def may_open(request: Request, principal: Principal, path: str) -> bool:
    """Whether ``principal`` may open ``path``: the access rule of its route, as the guard applies it (a page
    reads what a link of it would show only for those the link is shown to)."""
    try:
        handler = request.app.asgi_router.handle_routing(urlsplit(path).path, "GET")[1]
    except (NotFoundException, MethodNotAllowedException):
        return False
    access = handler.opt.get("access")
    return isinstance(access, Access) and is_allowed(access, principal)


@pass_context
def _may_open(context: Any, path: str) -> bool:
    """``may_open`` for the person seeing the page. Menus and links show only what answers; the route's handler
    still checks again."""
    request = context.get("request") or _rendering.get()
    if request is None:
        return False
    principal = context.get("principal") or request.scope.get("state", {}).get("principal") or ANONYMOUS
    return may_open(request, principal, path)


def _flashes(request: Request, at: str | None = None) -> list[dict[str, str]]:
    """The messages flashed for this page: those said for a place in it (``at``, a section's id) in that section,
    the rest at the top. The session gives them up once; the page's second call reads what the first took."""
    taken = getattr(request.state, "flashes", None)
    if taken is None:
        try:
            session = request.session
        except Exception:  # no session middleware on this route
            return []
        taken = list((session.pop(FLASH_KEY, None) if session else None) or [])
        request.state.flashes = taken
    return [m for m in taken if m.get("at") == at]


@pass_context
def _template_gettext(context: Any, message: str, **variables: Any) -> str:
    """``_()`` in a template: the catalog of the template's domain first (``tickets/…`` → tickets)."""
    return i18n.fill(i18n.translate(i18n.domain_of_template(context.name), message), variables)


@pass_context
def _template_ngettext(context: Any, singular: str, plural: str, n: int, **variables: Any) -> str:
    return i18n.fill(
        i18n.translate_plural(i18n.domain_of_template(context.name), singular, plural, n), {"num": n, **variables}
    )


@pass_context
def _template_pgettext(context: Any, msgctxt: str, message: str, **variables: Any) -> str:
    return i18n.fill(i18n.translate_context(i18n.domain_of_template(context.name), msgctxt, message), variables)


def configure_jinja(engine: JinjaTemplateEngine) -> None:
    """Engine callback: i18n, filters and globals shared by every template."""
    env = engine.engine
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        get_locale=i18n.get_locale,
        LOCALES=i18n.LOCALES,
        language_name=i18n.language_name,
        query=_query,
        may_open=_may_open,
        flashes=_flashes,
        PAGE_SIZES=PAGE_SIZES,
        settings=get_settings,
        address=full_address,
        premise_name=premise_name,
        asset=asset,
        # The long side a photo is kept at: a form's photos are made that size before they are sent (photos.js).
        PHOTO_SIDE=PHOTO_SIDE,
    )
    env.filters.update({name: pass_context(write) for name, write in _READER_FILTERS.items()})
    env.filters.update(
        units=i18n.keep_units,
        russian=i18n.russian_markup,
        russian_lang=i18n.russian_lang,
        address=address_markup,
        phone=i18n.format_phone,
        tel=i18n.tel_href,
        house_choices=house_choices,
        hyphenated=hyphenated,
        bound_words=_bound_words,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True


_TOP_LEVEL = (nodes.Import, nodes.FromImport, nodes.Macro, nodes.Assign)
_preludes: weakref.WeakKeyDictionary[JinjaTemplate, JinjaTemplate | None] = weakref.WeakKeyDictionary()


def _prelude(env: Environment, template: JinjaTemplate) -> JinjaTemplate | None:
    """The top-level imports, macros and ``set``s of ``template`` alone, as a template of the same name."""
    if template not in _preludes:
        prelude = None
        if env.loader is not None and template.name:
            source, filename, _ = env.loader.get_source(env, template.name)
            body = [node for node in env.parse(source, template.name, filename).body if isinstance(node, _TOP_LEVEL)]
            if body:
                code = env.compile(nodes.Template(body, lineno=1), template.name, filename)
                prelude = env.template_class.from_code(env, code, env.make_globals(None))  # type: ignore[arg-type]
        _preludes[template] = prelude
    return _preludes[template]


def top_level_names(env: Environment, template: JinjaTemplate, context: Mapping[str, Any]) -> dict[str, Any]:
    """What a block of ``template`` sees when the whole page renders: its imports, macros and top-level ``set``s,
    and those of the templates it extends (each runs after the one extending it, as in the whole page).

    A block rendered alone (an HTMX fragment) does not run the template's top level, so these are computed
    here and handed to the block with its context."""
    names: dict[str, Any] = {}
    for each in lineage(env, template):
        prelude = _prelude(env, each)
        if prelude is not None:
            run = prelude.new_context({**context, **names})
            for _ in prelude.root_render_func(run):
                pass
            names.update(run.vars)
    return names


_parents: weakref.WeakKeyDictionary[JinjaTemplate, JinjaTemplate | None] = weakref.WeakKeyDictionary()


def lineage(env: Environment, template: JinjaTemplate) -> list[JinjaTemplate]:
    """``template`` and the templates it extends, nearest first (an ``extends`` of a name fixed in the source)."""
    chain = [template]
    while chain[-1] not in _parents or _parents[chain[-1]] is not None:
        current = chain[-1]
        if current not in _parents:
            _parents[current] = None
            if env.loader is not None and current.name:
                source, filename, _ = env.loader.get_source(env, current.name)
                for node in env.parse(source, current.name, filename).find_all(nodes.Extends):
                    if isinstance(node.template, nodes.Const):
                        _parents[current] = env.get_template(node.template.value)
        parent = _parents[current]
        if parent is None:
            break
        chain.append(parent)
    return chain


class _Fragment(JinjaTemplate):
    """A template whose blocks, its own and those it takes from the templates it extends, each render alone as they
    do in the whole page: a block of the template it extends calls the blocks this one fills."""

    ancestors: tuple[JinjaTemplate, ...] = ()

    def new_context(
        self, vars: dict[str, Any] | None = None, shared: bool = False, locals: Mapping[str, Any] | None = None
    ) -> Context:
        context = new_context(self.environment, self.name, self.own_blocks, vars, shared, self.globals, locals)
        for ancestor in self.ancestors:  # as Jinja's ``extends`` does: each block's own, then the ones it overrides
            for name, block in ancestor.blocks.items():
                context.blocks.setdefault(name, []).append(block)
        return context


_fragments: weakref.WeakKeyDictionary[JinjaTemplate, JinjaTemplate] = weakref.WeakKeyDictionary()


def fragment_template(env: Environment, template: JinjaTemplate) -> JinjaTemplate:
    """``template`` as its blocks render alone (an HTMX fragment): itself, or where it extends a template other than
    the page's layout, with the blocks it inherits (a page of a family, such as a resident's application, whose
    ``main`` its family's template writes and the page fills in)."""
    if template not in _fragments:
        ancestors = tuple(lineage(env, template)[1:])
        found = template
        if ancestors:
            found = object.__new__(_Fragment)
            found.__dict__.update(template.__dict__)
            found.own_blocks = template.blocks  # type: ignore[attr-defined]
            found.ancestors = ancestors
            found.blocks = {n: b for t in reversed((template, *ancestors)) for n, b in t.blocks.items()}
        _fragments[template] = found
    return _fragments[template]


class PageTemplate(HTMXBlockTemplate):
    """A page or one of its blocks; a block sees the template's imports and macros as the full page does."""

    # A full page with the resident's navigation: whose counts it shows, and the request's shared reads.
    nav_for: tuple[Principal, dict[Hashable, Any]] | None = None

    def create_template_context(self, request: Request) -> dict[str, Any]:
        context = super().create_template_context(request)
        engine = request.app.template_engine
        if self.block_name and self.template_name and engine is not None:
            env = engine.engine  # type: ignore[attr-defined]
            template = engine.get_template(self.template_name)
            context = {**context, **top_level_names(env, template, context)}
        return context

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> ASGIResponse:
        token = _rendering.set(request)
        engine = request.app.template_engine
        if self.block_name and isinstance(self.template_name, str) and engine is not None:
            # the template object itself (Jinja takes one for its name): a block it inherits renders too
            env = engine.engine  # type: ignore[attr-defined]
            self.template_name = fragment_template(env, engine.get_template(self.template_name))  # type: ignore[assignment]
        try:
            return super().to_asgi_response(app, request, **kwargs)
        finally:
            _rendering.reset(token)


def is_fragment_request(request: Request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(
    request: Request,
    template: str,
    *,
    block: str | None = "main",
    status_code: int = 200,
    **context: Any,
) -> Template:
    """The full page, or only ``block`` of the same template for an HTMX request; a full page with the resident's
    navigation is given its counts after the handler (``PageTemplate.nav_for``)."""
    principal = context.setdefault("principal", request.scope.get("state", {}).get("principal"))
    context.setdefault("banners", request.scope.get("state", {}).get("banners", ()))
    headers = {"Vary": "HX-Request"}
    context["form_taken"] = status_code < 400 and form_taken(request)
    if context["form_taken"]:
        headers[TAKEN_HEADER] = "1"
    htmx = getattr(request, "htmx", None)
    if status_code >= 400 and request.method == "POST" and htmx and htmx.boosted:
        # A form refused with its errors stays at the page's own address: htmx would otherwise show the form's
        # action (…/messages, …/ballots/7) in the address bar, which a reload answers with 405.
        headers["HX-Push-Url"] = "false"
    page = PageTemplate(
        template_name=template,
        block_name=block if block and is_fragment_request(request) else None,
        context=context,
        status_code=status_code,
        headers=headers,
        # Said here, not left to the handler: a handler annotated ``-> Any`` would otherwise send a page as JSON.
        media_type=MediaType.HTML,
    )
    if page.block_name is None and shows_resident_nav(principal, request.url.path):
        page.nav_for = (principal, request_reads(request))
    return page


def gone(request: Request, message: str) -> Template:
    """The page of a file deleted at the end of its keeping term (152-ФЗ ст. 5 ч. 7): 410, saying when."""
    return render(request, "error.html", status_code=410, status=410, message=message, error_page=True)


def shows_resident_nav(principal: Principal | None, path: str) -> bool:
    """Whether a page shows the resident's navigation: as base.html decides it (a resident's page, not a staff page
    of someone who is both)."""
    return principal is not None and principal.is_resident and not (principal.is_staff and path.startswith("/staff"))


def request_reads(request: Request) -> dict[Hashable, Any]:
    """The answers of ``memo.read_once`` kept for the whole request: a read the page's handler made is not made
    again for its navigation."""
    return request.scope.setdefault("state", {}).setdefault("shared_reads", {})  # type: ignore[no-any-return]


def unread_filters(
    query: Mapping[str, Any],
    read: Mapping[str, tuple[Any, str, str]],
    ranges: Iterable[tuple[str, str] | tuple[str, str, str, str]] = (),
    *,
    backwards: str = "",
) -> tuple[dict[str, str], FormErrors]:
    """A list's filters as typed (shown again in their fields) and a message at each one typed but not read:
    ``read`` maps a field to (the value the list's filter read from it or None, the field's label, the message).
    The list is shown without that filter, and the user is told rather than left to think it applied.

    ``ranges``: pairs of fields (start, end) of one range of dates (``read_range``); where both ends are read and
    the end comes before the start, the list is shown without the range, as said at the end's field (``backwards``:
    the message there, when not the list's) and above the list. A range of other values (a rating from … to) gives
    its own two messages after its fields: (start, end, the message at the end, the message above the list)."""
    typed = {name: form_value(query, name)[:40] for name in read}
    errors = FormErrors()
    for name, (value, label, message) in read.items():
        if typed[name] and value is None:
            errors.add(name, message, label)
    for start, end, *said in ranges:
        if Range(read[start][0], read[end][0]).backwards:
            at_end, above = said or (
                backwards or gettext("The end is before the start; the list is shown without this period."),
                gettext(
                    "Not applied: “%(start)s” – “%(end)s”, as the end is before the start.",
                    start=read[start][1],
                    end=read[end][1],
                ),
            )
            errors.add(end, at_end)
            errors.general.append(above)
    return typed, errors


@dataclass(frozen=True)
class Range(Generic[V]):
    """The two ends of a list's range filter (dates, moments, months, numbers) as read; an end not typed or not
    read is None. A range whose end comes before its start is applied as no range at all (``start`` and ``end``
    are None): the list is shown without it, and ``unread_filters`` says so, rather than find nothing."""

    low: V | None
    high: V | None

    @property
    def backwards(self) -> bool:
        return self.low is not None and self.high is not None and self.high < self.low  # type: ignore[operator]

    @property
    def start(self) -> V | None:
        return None if self.backwards else self.low

    @property
    def end(self) -> V | None:
        return None if self.backwards else self.high


def read_range(query: Mapping[str, Any], start: str, end: str, parse: Callable[[str], Any]) -> Range[Any]:
    """The range of the fields ``start`` and ``end`` of a list's query, each read by ``parse`` (``parse_date``…)."""
    return Range(parse(form_value(query, start)), parse(form_value(query, end)))


def shown_days(typed: Mapping[str, str], days: Mapping[str, Any]) -> dict[str, str]:
    """The date filters as their date fields show them again: a day read (from DD.MM.YYYY too) as ISO, which a date
    field holds; one not read as typed (shown in a text field with its message)."""
    return {name: day.isoformat() if day is not None else typed.get(name, "") for name, day in days.items()}


def among(value: T | None, choices: Iterable[object]) -> T | None:
    """``value`` when it is one of a list's ``choices`` (the ids of its dropdown), else None. A filter from the
    address that reads as an id but is none of the dropdown's (a house that is not there or not among the user's,
    a person no longer on staff) counts as not read (``unread_filters``): never applied while its field shows
    «any», and whether such a record exists is never told."""
    return value if value is not None and value in set(choices) else None


def several(params: Mapping[str, Any], name: str) -> list[str]:
    """Every value of a filter of several (``house=1&house=2``), as typed."""
    getall = getattr(params, "getall", None)
    raw = getall(name, []) if getall else params.get(name, [])
    return [str(v).strip()[:40] for v in ([raw] if isinstance(raw, str) else raw or []) if str(v).strip()]


def houses_read(query: Mapping[str, Any], chosen: Iterable[int]) -> bool | None:
    """A list's filter of several houses for ``unread_filters``: None (not read, said) when a house typed is none of
    those ``chosen`` (the user's, ``among``), the others still applied."""
    kept = set(chosen)
    return None if any(parse_id(v) not in kept for v in several(query, "house")) else True


def no_such_house() -> str:
    """The message at a list's house filter that is none of its dropdown's (``among``)."""
    return gettext("There is no such house in the list; the list is shown without this filter.")


def money_error(typed: str, otherwise: str) -> str:
    """The message at a sum that could not be read: when it has more than two digits after its comma or point
    («1,005», «0,001»), how to write it, with the digits typed where they look like a thousands group («1005 or
    1005,50»); ``otherwise`` the field's own message."""
    whole = past_kopecks(typed)
    if whole is None:
        return otherwise
    return gettext(
        "Use at most two digits after the decimal point (kopecks): write the sum as %(whole)s or %(kopecks)s.",
        **_written(whole),
    )


def unread_sum(query: Mapping[str, Any], name: str) -> str:
    """The message at a list's money filter ``name`` that does not read (``unread_filters``): how to write the sum,
    as a form's ``money_error`` tells it («1,005»: «1005 or 1005,50»), and that the list is shown without it."""
    whole = past_kopecks(form_value(query, name))
    if whole is None:
        return gettext("Enter an amount in rubles, e.g. 1 500,00; the list is shown without this filter.")
    return gettext(
        "Use at most two digits after the decimal point (kopecks): write the sum as %(whole)s or %(kopecks)s; "
        "the list is shown without this filter.",
        **_written(whole),
    )


def _written(whole: str) -> dict[str, str]:
    """A sum's two ways of writing it: whole rubles, and with kopecks after the reader's decimal mark."""
    mark = "," if i18n.get_locale() == "ru" else "."
    return {"whole": whole, "kopecks": f"{whole}{mark}50"}


def not_a_day() -> str:
    """The message at a list's date filter that does not read as a date."""
    return gettext("Enter a date as DD.MM.YYYY; the list is shown without this filter.")


def no_such_choice(query: Mapping[str, Any], name: str) -> str:
    """The message at a list's filter ``name`` whose value in the address is none of its choices, naming the value
    as typed (cut to 40 characters)."""
    value = form_value(query, name)[:40]
    return gettext("There is no such choice: “%(value)s”; the list is shown without this filter.", value=value)


def no_such_status(query: Mapping[str, Any], name: str = "status") -> str:
    """``no_such_choice`` for a status filter: the message at a value in the address that is none of the list's
    statuses, naming it as typed (cut to 40 characters)."""
    value = form_value(query, name)[:40]
    return gettext("There is no status “%(value)s”; the list is shown without this filter.", value=value)


def question(request: Request, template: str, **context: Any) -> Template:
    """The page that asks once more before a final action (cancel, delete), answering the action's POST: the
    browser keeps the address of the page it came from, since reloading the action's address would answer 405."""
    request.scope["state"]["not_taken"] = True  # asked, not yet done: what was typed is still the person's
    page = render(request, template, **context)
    page.headers["HX-Push-Url"] = "false"
    return page


def found(record: T | None) -> T:
    """The record a handler read, or 404 Not Found when there is none (or none this user may see)."""
    if record is None:
        raise NotFoundException()
    return record


def see_other(request: Request, path: str) -> Response[Any]:
    """303 after a successful post; an HTMX request that targets part of a page gets a client redirect.

    A boosted form sent back to a place in a page («/meetings/2#line-7») is told where to go instead: the browser
    follows a 303 inside htmx's request and drops the «#…», so the resident landed at the top of a long page with
    the ballot just saved (and its «saved» line) out of sight. htmx fetches the page as a boosted one and scrolls
    to the place."""
    taken = form_taken(request)
    headers = {TAKEN_HEADER: "1"} if taken else {}
    if is_fragment_request(request):
        answer = ClientRedirect(redirect_to=path)
        answer.headers.update(headers)
        return answer
    htmx = getattr(request, "htmx", None)
    if "#" in path and htmx and htmx.boosted:
        # Written by hand: litestar's HXLocation names the request headers «hx_headers», which htmx does not read.
        where = {"path": path, "target": "body", "headers": {"HX-Boosted": "true"}}
        return Response(content=b"", status_code=200, headers={"HX-Location": json.dumps(where), **headers})
    if taken:
        mark_taken(request)  # the page the browser is sent to says so
    return Redirect(path=path, status_code=303, headers=headers)


def form_taken(request: Request) -> bool:
    """Whether the answer being made says a form was taken: a post not refused (no error flashed, no question asked
    back), or the first page made after a taken form was sent on with a redirect (``taken_before``)."""
    if request.method == "POST":
        return not request.scope.get("state", {}).get("not_taken")
    return request.method == "GET" and taken_before(request)


def taken_before(request: Request) -> bool:
    """A page of a GET: whether a form taken before was sent on here (``TAKEN_KEY``, left by ``mark_taken``), told
    once — by the first page made, not by a redirect on the way (a payment's return from the gateway)."""
    state = request.scope.setdefault("state", {})
    if "form_taken" not in state:
        try:
            state["form_taken"] = request.session.pop(TAKEN_KEY, None) is not None if request.session else False
        except Exception:  # no session middleware on this route
            state["form_taken"] = False
    return bool(state["form_taken"])


def mark_taken(request: Request) -> None:
    """A form taken, answered with a redirect (to a page of the portal or to the payment gateway's): the next page
    of the portal made for this person says so (``taken_before``)."""
    request.session[TAKEN_KEY] = True


def flash(request: Request, message: str, kind: str = "success", at: str | None = None, russian: str = "") -> None:
    """A message shown once at the top of the next page («Показания переданы»), or in its section ``at`` when the
    person is sent back to that place («/consent#optional»): at the top it was out of sight on a phone. ``russian``:
    the words of it that stay Russian on an English page (a co-owner's name), marked so (the ``russian`` filter)."""
    if kind == "error":  # a refusal: the form is not taken, what was typed in it is kept (static/js/drafts.js)
        request.scope["state"]["not_taken"] = True
    messages = list(request.session.get(FLASH_KEY, []))
    messages.append(
        {"message": message, "kind": kind} | ({"at": at} if at else {}) | ({"ru": russian} if russian else {})
    )
    request.session[FLASH_KEY] = messages


def to_gateway(request: Request, url: str) -> Response[Any]:
    """To the payment gateway's own page (another site) after a POST: a 303, or for a boosted form htmx's full-page
    redirect (following a 303 to another site inside htmx's request would fail)."""
    if getattr(request, "htmx", None):
        answer = ClientRedirect(redirect_to=url)
        answer.headers[TAKEN_HEADER] = "1"
        return answer
    mark_taken(request)  # the portal's first page after the gateway's says the form was taken
    return Redirect(path=url, status_code=303)


class Refused(Exception):
    """An action refuses what was asked, with words for the person who asked («Заявку уже закрыли»).

    Raised by ``actions`` when a rule says no; the app answers with the message as a flash and a 303 back to the
    page the request came from (or ``back``), so handlers never catch it themselves.
    """

    def __init__(self, message: str, *, back: str | None = None, russian: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.back = back
        self.russian = russian  # words of the message that stay Russian (a payer's name), as ``flash`` takes them


def refused_back(request: Request, exc: Refused) -> Response[Any]:
    """Exception handler of ``Refused``: the message flashed as an error, then back where the user was."""
    flash(request, exc.message, "error", russian=exc.russian)
    target = exc.back or _same_site_referer(request) or "/"
    return see_other(request, target)


def to_last_page(request: Request, exc: PastTheEnd) -> Response[Any]:
    """Exception handler of ``PastTheEnd``: the same list, filters kept, at its last page, with a sentence saying
    the page asked for is not there (none for an empty list: its own words say there is nothing). A visitor who has
    no session (a public list) gets no sentence: a note is not worth a session stored for every passer-by."""
    if exc.total and request.session:
        message = gettext("There is no page %(n)s: the list ends on page %(last)s.", n=exc.asked, last=exc.last)
        flash(request, message, "info")
    query = with_params(request.query_params.dict(), page=exc.last if exc.last > 1 else None)
    return see_other(request, request.url.path + (query if query != "?" else ""))


def _same_site_referer(request: Request) -> str | None:
    from urllib.parse import urlsplit

    from portal.core.security import safe_next

    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.url.netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path, default="") or None


def form_value(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip() if value is not None else ""


__all__ = [
    "FormData",
    "FormErrors",
    "HTMXRequest",
    "MultipartData",
    "Refused",
    "configure_jinja",
    "flash",
    "form_value",
    "render",
    "see_other",
    "to_gateway",
    "to_last_page",
]
