"""Changes of the housing registry: one function per staff intent, each one transaction with its audit event.

The staff forms save one record at a time (``save_house``, ``save_premise`` …); the registry import writes a
whole file as ONE upsert by natural keys (``import_registry``): the same ``_upsert`` serves every entity, told by
a ``Natural`` what its key is, which columns an import sets, and how a stored row and a file's row combine.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from fractions import Fraction
from typing import Any

from portal.core import stale
from portal.core.audit import diff
from portal.core.audit import record
from portal.core.db import atomic
from portal.core.i18n import gettext
from portal.core.imports import Checked
from portal.core.security import Principal
from portal.core.values import placeholders
from portal.housing import registry
from portal.housing import rules
from portal.housing.queries import shares_of_premise
from portal.housing.registry import RegistryRow
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import OwnerHouse
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.housing.tables import PremiseRiser
from portal.housing.tables import Riser

Row = dict[str, Any]


class Invalid(Exception):
    """A form's value that cannot be saved as it is: the field and the words to show next to it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _now() -> datetime:
    return datetime.now(UTC)


def _same(stored: Any, wanted: Any) -> bool:
    """Equal as the database holds them: SQLite hands NUMERIC back as 54.7 for 54.70, booleans as 0/1."""
    return stale.as_written(stored, wanted) == wanted


def _columns(table: Any) -> set[str]:
    return {c._meta.name for c in table._meta.columns}


# --- staff forms: one record at a time -------------------------------------------------------------------


# The audit actions of each record the staff forms write: (created, changed).
_AUDITED = {
    "complex": ("housing.complex.create", "housing.complex.update"),
    "house": ("housing.house.create", "housing.house.update"),
    "entrance": ("housing.entrance.create", "housing.entrance.update"),
    "premise": ("housing.premise.create", "housing.premise.update"),
    "owner": ("housing.owner.create", "housing.owner.update"),
    "ownership": ("housing.ownership.create", "housing.ownership.update"),
    "account": ("housing.account.create", "housing.account.update"),
}


def _stamped(table: Any, update: Row, now: datetime) -> dict[Any, Any]:
    """An update's columns with the record's next version: ``updated_at`` set to ``now``, or its number raised."""
    if "updated_at" in _columns(table):
        update = {**update, "updated_at": now}
    return {**{getattr(table, k): v for k, v in update.items()}, **stale.bump(table)}


async def _save(
    table: Any,
    actor: Principal | None,
    entity: str,
    record_id: int | None,
    values: Row,
    *,
    ip: str = "",
    version: str | None = None,
) -> int:
    """Insert (``record_id`` None) or update a row with ``values``, and audit what changed; an edit whose form was
    read at another ``version`` than the record's is refused (``stale.Stale``), nothing written. An edit that
    changes nothing of the record as it is now writes nothing, whatever its version (core.stale)."""
    created, changed = _AUDITED[entity]
    async with atomic():
        if record_id is None:
            instance = table(**values)
            await table.insert(instance)
            new_id = int(instance.id)
            await record(actor, created, entity, new_id, diff({}, values), ip)
            return new_id
        changes = await stale.changes(table, record_id, values)
        if changes:
            await stale.check(table, record_id, entity, version)
            now = _now()  # the version and its audit event alike: a form read at it is told of later ones only
            await table.update(_stamped(table, values, now)).where(table.id == record_id)
            await record(actor, changed, entity, record_id, changes, ip, now=now)
        return record_id


async def save_complex(
    actor: Principal | None, complex_id: int | None, values: Row, *, ip: str = "", version: str | None = None
) -> int:
    async with atomic():
        saved = await _save(Complex, actor, "complex", complex_id, values, ip=ip, version=version)
        if complex_id is not None:  # the complex's name is in the search text of its houses
            await refresh_house_search(r["id"] for r in await House.select(House.id).where(House.complex == saved))
        return saved


async def save_house(
    actor: Principal | None, house_id: int | None, values: Row, *, ip: str = "", version: str | None = None
) -> int:
    async with atomic():
        saved = await _save(House, actor, "house", house_id, values, ip=ip, version=version)
        await refresh_house_search([saved])
        if house_id is not None:  # the address is in the search text of the house's accounts
            accounts = PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.premise.house == saved)
            await refresh_account_search(r["id"] for r in await accounts)
        return saved


async def save_entrance(
    actor: Principal | None, entrance_id: int | None, values: Row, *, ip: str = "", version: str | None = None
) -> int:
    return await _save(Entrance, actor, "entrance", entrance_id, values, ip=ip, version=version)


async def save_premise(
    actor: Principal | None,
    premise_id: int | None,
    values: Row,
    riser_ids: list[int],
    *,
    ip: str = "",
    version: str | None = None,
) -> int:
    """A premise and the risers it hangs on (only risers of its own house)."""
    async with atomic():
        saved = await _save(Premise, actor, "premise", premise_id, values, ip=ip, version=version)
        allowed = {
            r["id"]
            for r in await Riser.select(Riser.id).where(
                (Riser.house == values["house"]) & Riser.id.is_in(riser_ids or [-1])
            )
        }
        current = {
            r["riser"] for r in await PremiseRiser.select(PremiseRiser.riser).where(PremiseRiser.premise == saved)
        }
        if allowed != current:
            if current - allowed:
                await PremiseRiser.delete().where(
                    (PremiseRiser.premise == saved) & PremiseRiser.riser.is_in(sorted(current - allowed))
                )
            if allowed - current:
                await PremiseRiser.insert(*[PremiseRiser(premise=saved, riser=r) for r in sorted(allowed - current)])
            now = _now()  # the risers are on the premise's form: a change of them is a new version too
            await Premise.update({Premise.updated_at: now}).where(Premise.id == saved)
            risers = {"risers": [sorted(current), sorted(allowed)]}
            await record(actor, "housing.premise.risers", "premise", saved, risers, ip, now=now)
        if premise_id is not None:  # the premise number is in the search text of its accounts
            accounts = PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.premise == saved)
            await refresh_account_search(r["id"] for r in await accounts)
        return saved


async def save_owner(
    actor: Principal | None, owner_id: int | None, values: Row, *, ip: str = "", version: str | None = None
) -> int:
    """A new owner is recorded as entered by ``actor`` for the actor's houses: until the owner holds a share, only
    the actor, staff of those houses and admins find them (``queries.owner_scope``). An edit keeps both."""
    async with atomic():
        if owner_id is None:
            values = {**values, "entered_by": actor.user_id if actor else None}
        saved = await _save(Owner, actor, "owner", owner_id, values, ip=ip, version=version)
        if owner_id is None and actor is not None and actor.house_ids:
            await OwnerHouse.insert(*[OwnerHouse(owner=saved, house=house) for house in sorted(actor.house_ids)])
        await refresh_owner_search([saved])
        return saved


async def save_ownership(
    actor: Principal | None, ownership_id: int | None, values: Row, *, ip: str = "", version: str | None = None
) -> int:
    """Save a share; ``Invalid`` (nothing written) when the premise's shares would exceed the whole.

    The check and the write share one transaction, so two staff members cannot together push a premise past 1.
    """
    async with atomic():
        existing = await shares_of_premise(values["premise"], except_id=ownership_id, on=values.get("valid_from"))
        share = (Fraction(values["share_numerator"], values["share_denominator"]), bool(values["joint"]))
        if not rules.shares_fit(existing, share):
            raise Invalid("share", rules.message(rules.Problem.SHARES_EXCEED))
        return await _save(Ownership, actor, "ownership", ownership_id, values, ip=ip, version=version)


async def save_account(
    actor: Principal | None, account_id: int | None, values: Row, *, ip: str = "", version: str | None = None
) -> int:
    async with atomic():
        saved = await _save(PersonalAccount, actor, "account", account_id, values, ip=ip, version=version)
        await refresh_account_search([saved])
        return saved


# --- search texts kept in step with every write ----------------------------------------------------------

SEARCH_CHUNK = 300


async def _write_search(table: Any, texts: dict[int, str]) -> None:
    """Set ``search_text`` of many rows: one statement per chunk on both engines."""
    name = table._meta.tablename
    items = sorted(texts.items())
    for start in range(0, len(items), SEARCH_CHUNK):
        chunk = items[start : start + SEARCH_CHUNK]
        cases = " ".join("WHEN {} THEN {}" for _ in chunk)
        ids = placeholders(chunk)
        args = [v for pair in chunk for v in pair] + [i for i, _text in chunk]
        await table.raw(
            f"UPDATE {name} SET search_text = CASE id {cases} END WHERE id IN ({ids})",  # noqa: S608 (no input)
            *args,
        )


async def _refresh(table: Any, ids: Iterable[int], columns: Iterable[Any], text: Callable[[Row], str]) -> None:
    """Rebuild the search text of these rows of ``table`` where it differs from what is stored."""
    rows = await _select_in(table.select(table.id, table.search_text, *columns), table.id, ids)
    stored = {r["id"]: r["search_text"] for r in rows}
    texts = {r["id"]: text(r) for r in rows}
    await _write_search(table, {i: t for i, t in texts.items() if t != stored[i]})


async def refresh_house_search(house_ids: Iterable[int]) -> None:
    """After the house or its complex changed."""
    await _refresh(
        House,
        house_ids,
        [House.address, House.complex.name.as_alias("complex_name")],
        lambda r: rules.house_search_text(r["address"], r["complex_name"] or ""),
    )


async def refresh_account_search(account_ids: Iterable[int]) -> None:
    """After the account, its premise or its house changed."""
    await _refresh(
        PersonalAccount,
        account_ids,
        [
            PersonalAccount.number,
            PersonalAccount.payer_name,
            PersonalAccount.premise.kind.as_alias("premise_kind"),
            PersonalAccount.premise.number.as_alias("premise_number"),
            PersonalAccount.premise.house.address.as_alias("address"),
        ],
        lambda r: rules.account_search_text(
            r["number"], r["payer_name"] or "", r["address"] or "", r["premise_kind"] or "", r["premise_number"] or ""
        ),
    )


async def refresh_owner_search(owner_ids: Iterable[int]) -> None:
    await _refresh(
        Owner,
        owner_ids,
        [Owner.name, Owner.inn, Owner.phone, Owner.email],
        lambda r: rules.owner_search_text(r["name"], r["inn"], r["phone"] or "", r["email"] or ""),
    )


# --- the registry import: one upsert by natural keys -----------------------------------------------------

CHUNK = 500
IMPORT_ENTITIES = ("complexes", "houses", "entrances", "risers", "premises", "owners", "ownerships", "accounts")


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    items = list(values)
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


async def _select_in(query: Any, column: Any, values: Iterable[Any]) -> list[Row]:
    """``query`` where ``column`` is one of ``values``, in chunks (bounded parameter lists on both engines)."""
    found: list[Row] = []
    for chunk in _chunks(sorted(set(values), key=str)):
        found.extend(await query.where(column.is_in(chunk)))
    return found


def _keep(*names: str) -> Callable[[Row, Row], Row]:
    """Merge rule: the file's value, or the stored one where the file leaves ``names`` empty."""
    return lambda stored, wanted: {**wanted, **{n: wanted[n] or stored[n] for n in names}}


def _grow(*names: str) -> Callable[[Row, Row], Row]:
    """Merge rule: ``names`` only grow (a house's floors: the highest floor any file or form gave)."""
    return lambda stored, wanted: {**wanted, **{n: max(stored[n] or 0, wanted[n]) for n in names}}


@dataclass(frozen=True)
class Natural:
    """How the import matches and writes one entity: by its natural key, never by id.

    ``fields`` are compared with the stored row and updated when they differ (``merge`` decides what to write from
    the stored row and the file's); ``created_with`` are written only for a new row; ``fixed`` must equal the
    stored value (else ``problem`` names the line) — an account never moves to another premise.
    """

    entity: str  # the report's word; "" for links not counted (premise ↔ riser)
    table: Any
    key: tuple[str, ...]  # looked up by the first column
    fields: tuple[str, ...] = ()
    created_with: tuple[str, ...] = ()
    merge: Callable[[Row, Row], Row] | None = None
    search: Callable[[Row], str] | None = None
    fixed: str = ""
    problem: Callable[[Row], str] | None = None


Wanted = dict[tuple[Any, ...], Row]  # natural key → the file's values (with "line": the first line naming it)


async def _upsert(spec: Natural, wanted: Wanted, report: Checked, now: datetime) -> dict[tuple[Any, ...], int]:
    """Create what ``wanted`` names and the database lacks, update what differs; the ids by natural key."""
    table = spec.table
    names = [*spec.key, *spec.fields, *([spec.fixed] if spec.fixed else [])]
    columns = [table.id, *(getattr(table, n) for n in names)] + ([table.search_text] if spec.search else [])
    stored = await _select_in(table.select(*columns), getattr(table, spec.key[0]), {k[0] for k in wanted})
    ids: dict[tuple[Any, ...], int] = {}
    for row in stored:
        key = tuple(row[n] if row[n] != "" else None for n in spec.key)
        if key in wanted and key not in ids:
            ids[key] = row["id"]
            await _update(spec, row, wanted[key], report, now)
    new = [(key, values) for key, values in wanted.items() if key not in ids]
    instances = [table(**_written(spec, values, (*spec.key, *spec.fields, *spec.created_with))) for _k, values in new]
    for chunk in _chunks(instances):
        await table.insert(*chunk)
    ids.update({key: instance.id for (key, _values), instance in zip(new, instances, strict=True)})
    if spec.entity:
        report.created[spec.entity] += len(instances)
    return ids


def _written(spec: Natural, values: Row, names: Iterable[str]) -> Row:
    written = {n: values[n] for n in names}
    if spec.search:
        written["search_text"] = spec.search(values)
    return written


async def _update(spec: Natural, stored: Row, values: Row, report: Checked, now: datetime) -> None:
    if spec.fixed and stored[spec.fixed] != values[spec.fixed]:
        assert spec.problem is not None
        report.problems.append(registry.line_problem(values["line"], spec.problem(values)))
        return
    wanted = {n: values[n] for n in spec.fields}
    merged = spec.merge(stored, wanted) if spec.merge else wanted
    update = {n: v for n, v in merged.items() if not _same(stored[n], v)}
    changed = bool(update)
    if spec.search:
        text = spec.search({**values, **merged})
        if text != stored["search_text"]:  # a text left empty by an older write is filled in passing
            update["search_text"] = text
    if update:
        stamped = (
            _stamped(spec.table, update, now) if changed else {getattr(spec.table, k): v for k, v in update.items()}
        )
        await spec.table.update(stamped).where(spec.table.id == stored["id"])
    if spec.entity:
        report.updated[spec.entity] += int(changed)


def _first(
    rows: Iterable[RegistryRow], key: Callable[[RegistryRow], Any], values: Callable[[RegistryRow], Row]
) -> Wanted:
    """The values of each natural key from the first row naming it (registry.parse_lines refused contradictions)."""
    wanted: Wanted = {}
    for x in rows:
        k = key(x)
        if k is not None and k not in wanted:
            wanted[k] = {"line": x.line, **values(x)}
    return wanted


async def import_registry(
    rows: list[RegistryRow],
    actor: Principal | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    ip: str = "",
) -> Checked:
    """Write checked registry rows as one upsert keyed by natural keys, in ONE transaction.

    A re-import of the same rows changes nothing. A row that contradicts the database (an account of another
    premise, shares past the whole) is reported with its line and nothing is written. ``dry_run`` computes the
    same report and rolls back (the preview).
    """
    report = Checked.counting(len(rows), IMPORT_ENTITIES)
    try:
        async with atomic():
            await _apply(rows, report, progress or (lambda _step: None))
            if report.problems or dry_run:
                raise _Rollback
            changes = {"rows": report.rows, "created": report.created, "updated": report.updated}
            await record(actor, "housing.registry.import", "registry", None, changes, ip)
    except _Rollback:
        return report
    report.applied = True
    return report


async def _apply(rows: list[RegistryRow], report: Checked, say: Callable[[str], None]) -> None:
    now = _now()

    say("complexes")
    complexes = await _upsert(
        Natural("complexes", Complex, ("name",)),
        _first(rows, lambda x: (x.complex,), lambda x: {"name": x.complex}),
        report,
        now,
    )
    complex_names = {complex_id: name for (name,), complex_id in complexes.items()}

    say("houses")
    floors: dict[str, int] = {}
    for x in rows:
        floors[x.house_address] = max(floors.get(x.house_address, 1), x.floor or 1)
    houses_wanted = _first(
        rows,
        lambda x: (x.house_address,),
        lambda x: {"address": x.house_address, "complex": complexes[(x.complex,)], "floors": floors[x.house_address]},
    )
    house_search = lambda v: rules.house_search_text(v["address"], complex_names[v["complex"]])  # noqa: E731
    houses = await _upsert(
        Natural("houses", House, ("address",), ("complex", "floors"), merge=_grow("floors"), search=house_search),
        houses_wanted,
        report,
        now,
    )
    house_of = {address: house_id for (address,), house_id in houses.items()}

    say("entrances")
    entrance_floors: dict[tuple[int, int], int] = {}
    for x in rows:
        if x.entrance is not None:
            key = (house_of[x.house_address], x.entrance)
            entrance_floors[key] = max(entrance_floors.get(key, 1), x.floor or 1)
    entrances = await _upsert(
        Natural("entrances", Entrance, ("house", "number"), ("floors",), merge=_grow("floors")),
        {k: {"line": 0, "house": k[0], "number": k[1], "floors": f} for k, f in entrance_floors.items()},
        report,
        now,
    )

    def entrance_of(x: RegistryRow) -> int | None:
        return entrances.get((house_of[x.house_address], x.entrance)) if x.entrance else None

    say("risers")
    riser_entrances: dict[tuple[int, str], set[int | None]] = {}
    for x in rows:
        for code in x.risers:
            riser_entrances.setdefault((house_of[x.house_address], code), set()).add(entrance_of(x))
    risers = await _upsert(
        Natural("risers", Riser, ("house", "code"), created_with=("kind", "entrance")),
        {
            (house, code): {
                "line": 0,
                "house": house,
                "code": code,
                "kind": rules.riser_kind(code),
                "entrance": next(iter(found)) if len(found) == 1 else None,
            }
            for (house, code), found in riser_entrances.items()
        },
        report,
        now,
    )

    say("premises")
    premises = await _upsert(
        Natural("premises", Premise, ("house", "kind", "number"), ("entrance", "floor", "area")),
        _first(
            rows,
            lambda x: (house_of[x.house_address], x.premise_kind, x.premise_number),
            lambda x: {
                "house": house_of[x.house_address],
                "kind": x.premise_kind,
                "number": x.premise_number,
                "entrance": entrance_of(x),
                "floor": x.floor,
                "area": x.area,
            },
        ),
        report,
        now,
    )

    def premise_of(x: RegistryRow) -> int:
        return premises[(house_of[x.house_address], x.premise_kind, x.premise_number)]

    links = {(premise_of(x), risers[(house_of[x.house_address], c)]) for x in rows for c in x.risers}
    await _upsert(
        Natural("", PremiseRiser, ("premise", "riser")),
        {k: {"line": 0, "premise": k[0], "riser": k[1]} for k in sorted(links)},
        report,
        now,
    )

    say("owners")
    owner_rows = [x for x in rows if x.owner_name]
    owner_search = lambda v: rules.owner_search_text(v["name"], v["inn"], v["phone"], v["email"])  # noqa: E731
    owners = await _upsert(
        Natural(
            "owners",
            Owner,
            ("name", "inn"),
            ("kind", "phone", "email"),
            merge=_keep("phone", "email"),
            search=owner_search,
        ),
        _first(
            owner_rows,
            lambda x: x.owner_key,
            lambda x: {
                "name": x.owner_name,
                "inn": x.owner_inn,
                "kind": x.owner_kind,
                "phone": x.owner_phone,
                "email": x.owner_email,
            },
        ),
        report,
        now,
    )

    say("ownerships")
    shares = _first(
        owner_rows,
        lambda x: (premise_of(x), owners[x.owner_key]),
        lambda x: {
            "premise": premise_of(x),
            "owner": owners[x.owner_key],
            "share_numerator": x.share.numerator,
            "share_denominator": x.share.denominator,
            "joint": x.owner_joint,
        },
    )
    await _check_shares(shares, report)
    if report.problems:
        return
    await _upsert(
        Natural("ownerships", Ownership, ("premise", "owner"), ("share_numerator", "share_denominator", "joint")),
        shares,
        report,
        now,
    )

    say("accounts")
    account_search = lambda v: rules.account_search_text(  # noqa: E731
        v["number"], v["payer_name"], v["address"], v["premise_kind"], v["premise_number"]
    )
    await _upsert(
        Natural(
            "accounts",
            PersonalAccount,
            ("number",),
            ("payer_name",),
            created_with=("premise",),
            merge=_keep("payer_name"),
            search=account_search,
            fixed="premise",
            problem=lambda v: gettext("account %(n)s already belongs to another premise.", n=v["number"]),
        ),
        _first(
            rows,
            lambda x: (x.account_number,) if x.account_number else None,
            lambda x: {
                "number": x.account_number,
                "premise": premise_of(x),
                "payer_name": x.payer_name,
                "address": x.house_address,
                "premise_kind": x.premise_kind,
                "premise_number": x.premise_number,
            },
        ),
        report,
        now,
    )


async def _check_shares(wanted: Wanted, report: Checked) -> None:
    """The file's shares with the other owners already registered must keep each premise at most whole."""
    stored = await _select_in(
        Ownership.select(
            Ownership.premise, Ownership.owner, Ownership.share_numerator, Ownership.share_denominator, Ownership.joint
        ),
        Ownership.premise,
        {premise for premise, _owner in wanted},
    )
    held: dict[int, list[tuple[Fraction, bool]]] = {}
    for r in stored:
        if (r["premise"], r["owner"]) not in wanted:
            held.setdefault(r["premise"], []).append(
                (Fraction(r["share_numerator"], r["share_denominator"]), bool(r["joint"]))
            )
    lines: dict[int, int] = {}
    for (premise, _owner), v in wanted.items():
        held.setdefault(premise, []).append((Fraction(v["share_numerator"], v["share_denominator"]), v["joint"]))
        lines[premise] = min(lines.get(premise, v["line"]), v["line"])
    for premise, line in sorted(lines.items(), key=lambda kv: kv[1]):
        if rules.total_share(held[premise]) > 1:
            message = gettext(
                "with the owners already registered, the shares of this premise would add up to more than 1."
            )
            report.problems.append(registry.line_problem(line, message))
