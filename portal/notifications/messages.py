"""Message templates: every automatic message of the portal, one template each, rendered in the recipient's
language — a subject, a plain text and an HTML part for e-mail, the words of the portal's own list of messages
(in-app), and a short form for SMS and web push.

A domain declares its templates with ``message_template`` in its own ``messages`` module (``portal.payments.messages``
is one), so that their words live in its own catalog.

A part is a ``lazy`` text filled from the template's ``words`` — the domain's one function that turns the
stored context into the values a reader sees (money, days, labels), run in the recipient's language — or,
where the wording itself depends on the context, a function of the context.

An e-mail ends with the full address of the page it is about; the in-app list shows the message under a title
that links there already, so its ``inapp`` part is the text without the address: by default the text as the
template words it (``render`` adds the address to the e-mail's text only), or the template's own ``inapp`` where
its text carries an address itself (a meeting's «The agenda and the materials: https://…»).

``render(template, locale, context)`` switches to the recipient's language while the parts are made; the
``sample`` context renders every template in tests (an English-speaking resident gets English in each).

An in-app message is read later, perhaps after its reader has switched the portal to another language: its row
keeps the template's name and its context (``inapp_context``: dates and amounts kept as what they are), and the list
words it again in the reader's language of the moment (``reworded``). A row without them (older ones, and messages
written without a template) is shown as it was stored.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.core import i18n
from portal.core.i18n import LazyText
from portal.core.i18n import in_locale
from portal.notifications.rules import Topic
from portal.notifications.rules import unsubscribe_token
from portal.settings import get_settings

Context = dict[str, Any]
Part = Callable[[Context], str] | LazyText
Words = Callable[[Context], Context]


@dataclass(frozen=True)
class Message:
    """One message rendered for one person."""

    subject: str
    text: str
    html: str
    short: str
    link: str = ""
    inapp: str = ""  # the in-app list's words: the text without the page's address (the title links there)
    unsubscribe: str = ""  # an e-mail the person may turn off: the address that turns it off (``unsubscribable``)
    locale: str = ""  # the language it is written in: the e-mail's sender is named in it too

    def email_context(self) -> Context:
        """What the outbox's e-mail row keeps besides its text: the page, the HTML part, its language (the sender's
        name of ``channels.build_email``) and, for an e-mail the person may turn off, its unsubscribe address (the
        ``List-Unsubscribe`` header)."""
        kept = {"link": self.link, "html": self.html, "locale": self.locale}
        return {**kept, "unsubscribe": self.unsubscribe} if self.unsubscribe else kept


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    topic: Topic
    subject: Part
    text: Part
    short: Part | None = None
    html: Part | None = None
    inapp: Part | None = None  # where the text itself carries an address: the words without it
    sample: Context = field(default_factory=dict)
    words: Words | None = None
    # It carries a one-time link or code: its copy in the outbox is deleted with the link (ONE_TIME_TOKEN_KEEP_DAYS).
    one_time: bool = False

    def part(self, part: Part, context: Context, words: Context) -> str:
        return _tidy(part.format(words)) if isinstance(part, LazyText) else part(context)


def _tidy(text: str) -> str:
    """A sentence whose optional part was empty («… is 3 200,00 ₽. %(note)s If it suits you …») reads with one
    space there, not two, and no line ends in a space."""
    return _TRAILING.sub("", _SPACES.sub(" ", text))


_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
_TRAILING = re.compile(r" +(?=\n|$)")


_templates: dict[str, MessageTemplate] = {}


def message_template(name: str, topic: Topic, **parts: Any) -> MessageTemplate:
    """Declare (and register) the template of one automatic message; ``parts`` are the template's ``subject``
    and ``text``, and where it has them its ``short``, ``html``, ``inapp``, ``words`` and ``sample``."""
    made = _templates[name] = MessageTemplate(name, topic, **parts)
    return made


_loaded = {"done": False}


def load_all() -> None:
    """Import every domain's ``messages`` module (and content's delivery, showcase's notices), so that all
    templates are known."""
    if _loaded["done"]:
        return
    import importlib
    from pathlib import Path

    portal = Path(__file__).resolve().parent.parent
    for path in sorted(portal.glob("*/messages.py")):
        if path.parent.name != "notifications":
            importlib.import_module(f"portal.{path.parent.name}.messages")
    importlib.import_module("portal.content.delivery")
    importlib.import_module("portal.showcase.notices")
    _loaded["done"] = True


def registered() -> dict[str, MessageTemplate]:
    """Every message template of the portal, by name."""
    load_all()
    return dict(_templates)


def get(name: str) -> MessageTemplate:
    load_all()
    return _templates[name]


def absolute(path: str) -> str:
    return path if not path.startswith("/") else get_settings().base_url + path


def _paragraphs(text: str) -> str:
    """The text's paragraphs as HTML; a paragraph that is an address alone (the link of a reset, an invitation)
    is a link, which wraps at a phone's width instead of running off the screen."""
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    return "".join(_link(b) if _ADDRESS.fullmatch(b) else "<p>" + html.escape(b).replace("\n", "<br>") + "</p>"
                   for b in blocks)  # fmt: skip


_ADDRESS = re.compile(r"https?://\S+")


def _link(address: str) -> str:
    return f"<p>{_anchor(address)}</p>"


def _anchor(address: str) -> str:
    escaped = html.escape(address)
    return f'<a href="{escaped}" style="word-break:break-all">{escaped}</a>'


def _layout(body: str, link: str, company: str) -> str:
    button = ""
    if link:
        label = html.escape(i18n.gettext("Open in the portal"))
        button = f'<p><a href="{html.escape(link)}">{label}</a></p>'
    return (
        '<!doctype html><html><body style="font-family:system-ui,Arial,sans-serif;font-size:16px;'
        'line-height:1.5;color:#111827">'
        f'<p style="color:#4b5563">{html.escape(company)}</p>{body}{button}</body></html>'
    )


def render(template: MessageTemplate | str, locale: str | None, context: Context | None = None) -> Message:
    """The message of ``template`` for one person, in ``locale``; ``context["link"]`` (a portal path) is
    added to the e-mail's parts as a full address, never to the in-app words (whose title links there)."""
    found = get(template) if isinstance(template, str) else template
    ctx = dict(context or {})
    link = absolute(ctx.get("link", "")) if ctx.get("link") else ""
    ctx["link"] = link
    with in_locale(locale):
        words = found.words(ctx) if found.words else ctx
        subject = found.part(found.subject, ctx, words)
        text = found.part(found.text, ctx, words)
        inapp = found.part(found.inapp, ctx, words) if found.inapp else text
        short = found.part(found.short, ctx, words) if found.short else subject
        body = found.part(found.html, ctx, words) if found.html else _paragraphs(text)
        page = _layout(body, link, i18n.own_words(get_settings(), "company_name"))
    if link and link not in text:
        text = f"{text}\n\n{link}"
    locale = locale or i18n.DEFAULT_LOCALE
    return Message(subject=subject, text=text, html=page, short=short, link=link, inapp=inapp, locale=locale)


def unsubscribable(message: Message, user_id: int, topic: Topic, locale: str | None) -> Message:
    """The e-mail of ``message`` to one person about a topic they may turn off on their notification settings: its
    text and its HTML end with «Не хотите получать такие письма? Отписаться: <address>», in their language, the
    address that turns e-mail of ``topic`` off for them alone (RFC 8058, the same as its ``List-Unsubscribe``).
    Security e-mails (a reset, an invitation, a confirmation) never come through here: nobody may turn them off."""
    address = absolute(f"/unsubscribe/{unsubscribe_token(get_settings().secret_key, user_id, topic)}")
    with in_locale(locale):
        line = i18n.gettext("Don't want such e-mails? Unsubscribe: %(link)s", link="\x00")
    text_line, html_line = line.replace("\x00", address), html.escape(line).replace("\x00", _anchor(address))
    page, end, rest = message.html.rpartition("</body>")
    footer = f'<p style="color:#4b5563;font-size:14px">{html_line}</p>'
    page = f"{page}{footer}{end}{rest}" if end else message.html  # a plain-text e-mail stays plain text
    return replace(message, text=f"{message.text}\n\n{text_line}", html=page, unsubscribe=address)


# --- in-app messages worded again when they are read ----------------------------------------------------------

# The tag a kept value carries in JSON, by its type: a datetime before a date (a datetime is a date too).
_KEPT: tuple[tuple[str, type, Callable[[str], Any]], ...] = (
    ("$datetime", datetime, datetime.fromisoformat),
    ("$date", date, date.fromisoformat),
    ("$decimal", Decimal, Decimal),
)


def _keep(value: Any) -> Any:
    for tag, kind, _ in _KEPT:
        if isinstance(value, kind):
            return {tag: value.isoformat() if isinstance(value, date) else str(value)}
    if isinstance(value, dict):
        return {str(k): _keep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_keep(v) for v in value]
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            for tag, _, read in _KEPT:
                if tag in value:
                    return read(value[tag])
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def inapp_context(link: str, context: Context) -> Context:
    """What an in-app row of a template keeps in its ``context``: the page its title links to, and the template's
    context (``words``) as JSON that gives back its dates and amounts, so that the list can word it again."""
    return {"link": link, "words": _keep({k: v for k, v in context.items() if k != "link"})}


def reworded(template: str, context: Context, subject: str, body: str) -> tuple[str, str]:
    """An in-app message's title and words in the reader's language of the moment (``i18n.get_locale()``), from its
    template and kept context; as stored where the row kept no context (an older message, one written without a
    template) or its template no longer reads it (renamed, or its context changed since)."""
    kept = context.get("words")
    load_all()
    found = _templates.get(template) if isinstance(kept, dict) else None
    if found is None:
        return subject, body
    try:
        message = render(found, i18n.get_locale(), {**_restore(kept), "link": context.get("link") or ""})
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return subject, body
    return message.subject, message.inapp
