"""Audit log of what people change: staff writes, and a resident's own steps that staff answer for (a request they
cancelled, confirmed, returned or rated); who, what, which record, the changed fields before and after, and the
address the person acted from.

An event is kept with codes (``ticket.status``, ``payer_name``); the administrators read them as words. Each domain
that writes events says in its ``audited`` module, with ``describe``, the words of each action it writes, of the
fields those actions name and of its record types, in its own catalog (a field's words are the label its form
already shows), and how a field's recorded value reads: a status through the domain's own status words, a moment
or a day in the reader's language and the company's zone, an amount as money. The event keeps what was written;
it is only shown this way. A code no domain describes (a row written before a code was renamed) is shown as it is.

A field that holds the id of another record (a house, an executor) is declared ``Ref("house")``: it reads as that
record's name, looked up by the domain that owns it (``namer``) once for a whole page of events (``names_of``),
never a query per row. A record people know by a number of its own (a request's «№ 1024») is declared ``numbered``:
the log names it by that number, linked to its page, in place of its id.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from portal.core import i18n
from portal.core.i18n import LazyText
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.search import normalise
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.settings import get_settings

# How one recorded value reads (``"in_work"`` → «В работе», ``150000`` kopecks → «1 500,00 ₽»).
Shows = Callable[[Any], str]
# The words and the reading of a field whose name is data, not a code (a meter's id, «zone 2»), from its name and
# the event's other changes; None when the name is not one of these.
Named = Callable[[str, Mapping[str, Any]], tuple[str, Shows | None] | None]
# The names of the records of one kind, by id, for the ids a page of events holds (``{3: "ул. Киевская, 12"}``).
Namer = Callable[[Collection[int]], Awaitable[Mapping[int, str]]]
# The names a page of events needs, by kind of record and id.
Names = Mapping[str, Mapping[int, str]]


@dataclass(frozen=True)
class Ref:
    """A recorded value that is the id of a record of ``kind`` («house», «user»): it reads as that record's name
    (``names_of`` looks the names up for a page at once); an id no longer found reads «#12»."""

    kind: str


@dataclass(frozen=True)
class Described:
    """The words of one action: what happened, and the labels of the fields its events name."""

    label: LazyText
    fields: Labels[str] = field(default_factory=lambda: Labels({}))
    values: Mapping[str, Shows | Ref] = field(default_factory=dict)
    named: Named | None = None
    lists: frozenset[str] = frozenset()


ACTIONS: dict[str, Described] = {}
ENTITIES: Labels[str] = Labels({})
NAMERS: dict[str, Namer] = {}
# The staff page of a record of a kind known by its number, by kind ("/staff/tickets/{id}").
PAGES: dict[str, str] = {}


def describe(
    actions: Mapping[str, LazyText],
    fields: Mapping[str, LazyText] | None = None,
    entities: Mapping[str, LazyText] | None = None,
    values: Mapping[str, Shows | Ref] | None = None,
    named: Named | None = None,
    lists: Collection[str] = (),
) -> None:
    """Declare the words of ``actions`` (code → what happened), of the fields their events name and of record
    types; ``values`` says how a field's recorded value reads (``status`` → the domain's status words), ``named``
    the words and the reading of fields named by data; ``lists`` the fields whose value is a list of things (the
    consents withdrawn), not a change from one value to another. A code is described once: two domains cannot both
    own it."""
    shared = Labels(dict(fields or {}))
    readings = dict(values or {})
    for code, label in actions.items():
        if code in ACTIONS:
            raise ValueError(f"the audit action {code!r} is described twice")
        ACTIONS[code] = Described(label, shared, readings, named, frozenset(lists))
    for code, label in (entities or {}).items():
        if code in ENTITIES:
            raise ValueError(f"the audit record type {code!r} is described twice")
        ENTITIES[code] = label


def namer(kind: str) -> Callable[[Namer], Namer]:
    """Declare how the domain that owns records of ``kind`` names them by id, for ``Ref(kind)`` values: one query
    for all the ids of a page."""

    def register(names: Namer) -> Namer:
        if kind in NAMERS:
            raise ValueError(f"the names of {kind!r} are looked up twice")
        NAMERS[kind] = names
        return names

    return register


def looked_up(column: Any, *more: Any, shown: Callable[[Mapping[str, Any]], str] | None = None) -> Namer:
    """A namer reading the records' ``column`` (a joined one too: ``Entrance.house.address``) by id in one query:
    the name is the column's value, or ``shown`` of the row with the ``more`` columns read as well.

        audit.namer("house")(audit.looked_up(House.address))"""
    chain = column._meta.call_chain
    table = chain[0]._meta.table if chain else column._meta.table
    key = column._meta.get_default_alias()

    async def names(ids: Collection[int]) -> Mapping[int, str]:
        if not ids:
            return {}
        rows = await table.select(table.id, column, *more).where(table.id.is_in(sorted(ids)))
        return {r["id"]: shown(r) if shown else r[key] for r in rows}

    return names


def numbered(kind: str, page: str) -> Callable[[Namer], Namer]:
    """Declare that records of ``kind`` are known by a number of their own, which the namer gives by id (one query
    for a page), and that each is at its staff ``page`` (``"/staff/tickets/{id}"``): the log names the record an
    event is about by its number, linked there, not by its id."""

    def register(names: Namer) -> Namer:
        PAGES[kind] = page
        return namer(kind)(names)

    return register


# The counts an import's event names, as the import's preview heads its columns.
IMPORT_FIELDS = {"created": lazy("New"), "updated": lazy("Changed")}

_loaded: list[bool] = []


def load_words() -> None:
    """Import every domain's ``audited`` module (once), so that each action it writes has its words."""
    if _loaded:
        return
    import portal

    for domain in sorted(m.name for m in pkgutil.iter_modules(portal.__path__) if m.ispkg):
        if importlib.util.find_spec(f"portal.{domain}.audited") is not None:
            importlib.import_module(f"portal.{domain}.audited")
    _loaded.append(True)


def action_label(action: str) -> str:
    """What happened, in the reader's language; the code itself when no domain describes it."""
    load_words()
    described = ACTIONS.get(action)
    return described.label() if described else action


def field_label(action: str, name: str, changes: Mapping[str, Any] | None = None) -> str:
    """The label of a field an event of ``action`` names, in the reader's language; the field's code when none.
    ``changes`` (the event's) lets a field named by data be named from the others («zone 2» of a two-zone meter)."""
    load_words()
    described = ACTIONS.get(action)
    if described is None:
        return name
    said = described.fields.known(name)
    if not said:
        named = _named(described, name, changes)
        said = named[0] if named else ""
    return said or name


def _named(described: Described, name: str, changes: Mapping[str, Any] | None) -> tuple[str, Shows | None] | None:
    """The words and the reading of a field named by data; None when it is not one (or not of this event's kind)."""
    if described.named is None or name in described.fields:
        return None
    try:
        return described.named(name, changes or {})
    except (ValueError, TypeError, KeyError):
        return None


def is_change(action: str, name: str, value: Any) -> bool:
    """Whether a recorded value is a change ``[before, after]``: a pair, unless the field holds a list of things
    (two consents withdrawn read as both, not as one changed into the other)."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    load_words()
    described = ACTIONS.get(action)
    return described is None or name not in described.lists


def value_shown(
    action: str, name: str, value: Any, changes: Mapping[str, Any] | None = None, names: Names | None = None
) -> Any:
    """One recorded value of field ``name`` as staff read it (each item of a list); the value as recorded when
    the action says nothing of how it reads or the value is not of its kind (an older row), and nothing set
    (None, "") as it is, for the page to show its dash. ``names``: the page's names of records (``names_of``)."""
    shows = _reading(action, name, changes)
    if shows is None:
        return value
    return _read(shows, value, names or {})


def _reading(action: str, name: str, changes: Mapping[str, Any] | None) -> Shows | Ref | None:
    load_words()
    described = ACTIONS.get(action)
    if described is None:
        return None
    shows = described.values.get(name)
    if shows is None:
        named = _named(described, name, changes)
        shows = named[1] if named else None
    return shows


def _read(shows: Shows | Ref, value: Any, names: Names) -> Any:
    if value is None or value in ("", "None"):  # "None": nothing, as an event written with ``str(value)`` says it
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [_read(shows, item, names) for item in value]
    try:
        if isinstance(shows, Ref):
            record_id = _id(value)
            return names.get(shows.kind, {}).get(record_id) or f"#{record_id}"
        return shows(value)
    except (ValueError, TypeError, KeyError, InvalidOperation, OverflowError):
        return value


def record_name(entity: str, entity_id: int | None, names: Names | None = None) -> str:
    """The name of the record an event is about (a house's address, a person's name), from the page's ``names``;
    "" when its type is not one the portal names or the record is gone."""
    if entity_id is None or entity in PAGES:  # a numbered record's name is its number (``record_ref``)
        return ""
    return (names or {}).get(entity, {}).get(entity_id, "")


def record_ref(entity: str, entity_id: int | None, names: Names | None = None) -> tuple[str, str]:
    """How the log refers to the record an event is about, and the page it links to: a numbered record by its number
    («№ 1024») and its page; any other, or one since gone, by its id («#12») and no page; none without an id."""
    if entity_id is None:
        return "", ""
    number = (names or {}).get(entity, {}).get(entity_id, "") if entity in PAGES else ""
    if not number:
        return f"#{entity_id}", ""
    return number, PAGES[entity].format(id=entity_id)


def _id(value: Any) -> int:
    """An id as recorded: a number, or its digits as text (an event written with ``str(value)``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(value)


def _ids(value: Any) -> Iterable[int]:
    if isinstance(value, list):
        for item in value:
            yield from _ids(item)
    elif value is not None and not isinstance(value, bool):
        try:
            yield _id(value)
        except ValueError:
            return


async def names_of(events: Iterable[Any]) -> Names:
    """The names of every record that the ``Ref`` fields of ``events`` (a page of the log) hold, and of the records
    the events are about when their type is a kind the portal names (a house, a user): one query for each kind of
    record, for all the page's ids of that kind (kinds one namer names, an ``account`` and a ``personal_account``,
    in one)."""
    load_words()
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.entity in NAMERS and event.entity_id is not None:
            wanted.setdefault(event.entity, set()).add(event.entity_id)
        changes = event.changes or {}
        for name, value in changes.items():
            shows = _reading(event.action, name, changes)
            if isinstance(shows, Ref):
                wanted.setdefault(shows.kind, set()).update(_ids(value))
    asked: dict[Namer, set[int]] = {}
    for kind, ids in sorted(wanted.items()):
        if ids and kind in NAMERS:
            asked.setdefault(NAMERS[kind], set()).update(ids)
    answers = {names: await names(ids) for names, ids in asked.items()}
    return {kind: answers[NAMERS[kind]] for kind, ids in wanted.items() if ids and kind in NAMERS}


# --- how values read: a domain names these (or its own status words) in ``describe(values=…)`` ---------------------


def money(value: Any) -> str:
    """An amount recorded in rubles (``"1500.00"``) as money: «1 500,00 ₽», "₽1,500.00"."""
    return i18n.format_money(Decimal(str(value)))


def kopecks(value: Any) -> str:
    """An amount recorded in kopecks (``150000``) as money in rubles: «1 500,00 ₽», "₽1,500.00"."""
    if isinstance(value, float) or not str(value).lstrip("-").isdigit():
        raise ValueError(value)
    return i18n.format_money(Decimal(int(value)) / 100)


def when(value: Any) -> str:
    """A moment recorded as ISO text as the rest of the portal shows one, in the company's zone («3 декабря 2026,
    14:05»); a day without a time as a day («3 декабря 2026»)."""
    text = str(value)
    if len(text) == 10:
        return i18n.format_day(date.fromisoformat(text))
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # written as UTC
        moment = moment.replace(tzinfo=UTC)
    return i18n.format_moment(moment, get_settings().time_zone)


def month(value: Any) -> str:
    """A billing month recorded as its first day (``"2026-11-01"``) as the month: «ноябрь 2026», "November 2026"."""
    return i18n.format_day(date.fromisoformat(str(value)[:10]), "LLLL y")


def number(value: Any) -> str:
    """A quantity recorded as text (``"1721.300"``) in the reader's way, with the decimals it was written with
    («1 721,300», "1,721.300")."""
    text = str(value)
    decimals = len(text.partition(".")[2])
    return i18n.format_number(Decimal(text), decimals, fixed=True)


def entity_label(entity: str) -> str:
    """A record type in the reader's language; the code itself when no domain describes it."""
    load_words()
    return ENTITIES.shown(entity)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as ``{field: [before, after]}``."""
    keys = set(before) | set(after)
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in sorted(keys)
        if _plain(before.get(k)) != _plain(after.get(k))
    }


async def record(
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: int | None,
    changes: Mapping[str, Any] | None = None,
    ip: str = "",
    *,
    now: datetime | None = None,
) -> None:
    """Write one audit event (inside the caller's transaction) at ``now``, the moment of the action that writes it
    (``clock.now()`` read once for the whole action), so that its rows agree on when it happened; the database's
    own clock where none is given."""
    moment = {} if now is None else {"created_at": now}
    await AuditEvent.insert(
        AuditEvent(
            **moment,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.name if actor else "",
            actor_search=normalise(actor.name) if actor else "",
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes={
                k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v] for k, v in (changes or {}).items()
            },
            ip=ip,
        )
    )
