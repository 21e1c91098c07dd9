"""The registry's create and edit forms: ONE controller serving every entity from a declarative ``EditSpec``.

Like an object edit view specialised by its form (and without a class hierarchy): a spec names the form's
fields, its reader, the uniqueness check, the saver (an action) and where the page leads back, and two
handlers — show and submit — serve the "new" and "edit" URLs of every spec. A record in the URL is loaded only
within the user's houses (404 otherwise), and so is the record a new one belongs to (the house of a premise).
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from litestar import Request
from litestar import Response
from litestar import Router
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.response import Template

from portal.core import stale
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy
from portal.core.parse import parse_id
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other
from portal.housing import actions
from portal.housing import forms
from portal.housing import queries
from portal.housing import rules
from portal.housing.forms import Field
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise

Text = Callable[[], str]


@dataclass(frozen=True)
class Place:
    """Where a form is: the record edited (None for a new one), the record it belongs to (the house of an
    entrance or premise, the premise of a share or account), what the form shows first, and the way back."""

    record_id: int | None
    parent_id: int | None
    values: dict[str, Any]
    back: str
    intro: str = ""
    version: str | None = None  # the record's as read for the form; on save, the one the form carried


Problems = list[tuple[str, str]]
Values = Callable[[Any, Mapping[str, Any]], dict[str, Any]]  # a new record's first values: of its parent, the query
NewPlace = Callable[[Principal, int | None, Mapping[str, Any]], Awaitable[Place]]
Save = Callable[[Principal, Place, dict[str, Any], str], Awaitable[int]]  # an action, told the client's IP


@dataclass(frozen=True)
class EditSpec:
    """One entity's create and edit forms, declared."""

    entity: str  # route names <entity>_new/_create/_edit/_update
    new_path: str
    edit_path: str
    titles: tuple[Text, Text]  # new, edit
    submits: tuple[Text, Text]
    saved: Text
    fields: Callable[[Principal, Place], Awaitable[list[Field]]]
    read: Callable[[Mapping[str, Any], forms.Choices], tuple[dict[str, Any], FormErrors]]
    check: Callable[[Principal, Place, dict[str, Any]], Awaitable[Problems]]  # uniqueness (a share: its owner)
    save: Save
    new: Callable[[Principal, int | None, Mapping[str, Any]], Awaitable[Place]]  # parent id, query; 404
    edit: Callable[[Principal, int], Awaitable[Place]]  # 404 for a record outside the user's houses
    done: Callable[[int, Place], str]  # where a saved record leads
    new_role: str = "manager"  # who may create (admins always): "admin" for what changes the whole company
    found: Callable[[Principal, Mapping[str, Any]], Awaitable[Any]] | None = None  # a search field's matches
    edit_role: str = "manager"
    table: Any = None  # whose version an edit form carries (core.stale)


# --- the two handlers every spec is served by ------------------------------------------------------------


def _spec(request: Request) -> tuple[EditSpec, bool]:
    opt = request.route_handler.opt
    return opt["edit_spec"], opt["edit_new"]


async def _place(request: Request, principal: Principal) -> Place:
    """The form's place; an edit's with the record's version, read before its values (a change landing between the
    two reads is refused on save, never lost)."""
    spec, new = _spec(request)
    path_id = next(iter(request.path_params.values()), None)
    if new:
        return await spec.new(principal, path_id, request.query_params)
    version = await stale.current(spec.table, path_id)
    return replace(await spec.edit(principal, path_id), version=version)


def _changed(fields: list[Field], place: Place, change: stale.Change, errors: FormErrors) -> None:
    """The form refused as stale: what was typed is kept; the message says who changed the record and when, and
    each field they changed says what it holds now (the audit names a share's two numbers, the form one field)."""
    errors.general.append(change.message())
    for f in fields:
        if any(name == f.name or name.startswith(f"{f.name}_") for name in change.fields):
            now = forms.shown(f, place.values.get(f.name))
            errors.add(
                f.name, _("Changed meanwhile; saved now: “%(value)s”.", value=now) if now else _("Changed meanwhile.")
            )


async def _page(
    request: Request,
    place: Place,
    fields: list[Field],
    values: dict[str, Any],
    errors: FormErrors | None = None,
    found: Any = None,
    status: int | None = None,
) -> Template:
    spec, new = _spec(request)
    for f in fields if errors else ():
        # The summary above the form names each field: «Заполните это поле.» alone did not say which.
        if f.name in errors.fields and not errors.labels.get(f.name):
            errors.labels[f.name] = f.label
    return render(
        request,
        "housing/form.html",
        title=spec.titles[0 if new else 1](),
        intro=place.intro,
        fields=fields,
        form=values,
        errors=errors,
        found=found,
        search_url=request.url.path,
        submit=spec.submits[0 if new else 1](),
        back=place.back,
        version=place.version,
        status_code=status or (422 if errors else 200),
    )


async def _found(request: Request, principal: Principal, fields: list[Field], data: Mapping[str, Any]) -> Any:
    spec, _new = _spec(request)
    return await spec.found(principal, data) if spec.found and any(f.search for f in fields) else None


async def show_form(request: Request, principal: NamedDependency[Principal]) -> Template:
    """The empty form of a new record, or the form of one to edit; a search field's words in the query (typed
    there: HTMX asks for the matches) list what they find."""
    place = await _place(request, principal)
    spec, _new = _spec(request)
    fields = await spec.fields(principal, place)
    return await _page(
        request, place, fields, place.values, found=await _found(request, principal, fields, place.values)
    )


async def submit_form(
    request: Request, principal: NamedDependency[Principal], data: FormData
) -> Template | Response[Any]:
    """Read, check, save through the spec's action; the form again with the errors and what was typed (422)."""
    place = await _place(request, principal)
    spec, _new = _spec(request)
    fields = await spec.fields(principal, place)
    values, errors = spec.read(data, forms.choices(fields))
    for name, message in [] if errors else await spec.check(principal, place, values):
        errors.add(name, message)
    read, status = _as_read(place, data), None  # shown again after a mistake, the form keeps the version it had
    if not errors:
        try:
            saved = await spec.save(principal, read, values, client_ip(request))
        except actions.Invalid as exc:
            errors.add(exc.field, exc.message)
        except stale.Stale as exc:  # shown again with the version now: saved once more, it is the user's choice
            _changed(fields, place, exc.change, errors)
            read, status = place, 409
    if errors:
        found = await _found(request, principal, fields, data)
        return await _page(request, read, fields, forms.typed(data, fields), errors, found, status)
    flash(request, spec.saved())
    return see_other(request, spec.done(saved, place))


def _as_read(place: Place, data: Mapping[str, Any]) -> Place:
    """The place to save at, with the version the form was read at (None for a new record, or a form without one)."""
    return replace(place, version=stale.typed(data, editing=place.record_id is not None))


def _served(spec: EditSpec) -> list[Any]:
    def opt(role: str, new: bool) -> dict[str, Any]:
        return {**staff(role), "edit_spec": spec, "edit_new": new}

    name = spec.entity
    return [
        get(spec.new_path, name=f"{name}_new", opt=opt(spec.new_role, True))(show_form),
        post(spec.new_path, name=f"{name}_create", opt=opt(spec.new_role, True), status_code=200)(submit_form),
        get(spec.edit_path, name=f"{name}_edit", opt=opt(spec.edit_role, False))(show_form),
        post(spec.edit_path, name=f"{name}_update", opt=opt(spec.edit_role, False), status_code=200)(submit_form),
    ]


# --- what the specs share --------------------------------------------------------------------------------


def _taken(name: str, message: Text, taken: Callable[[Place, dict[str, Any]], Awaitable[bool]]) -> Any:
    """A uniqueness check: ``message`` on field ``name`` when ``taken`` finds another record with these values."""

    async def check(principal: Principal, place: Place, values: dict[str, Any]) -> Problems:
        return [(name, message())] if await taken(place, values) else []

    return check


def _saves(action: Callable[..., Awaitable[int]], parent: str | None = None) -> Save:
    """The spec's saver: ``action`` told the record, the values read (with the record they belong to under the name
    ``parent``), the client's IP and the version the form was read at."""

    async def save(principal: Principal, place: Place, values: dict[str, Any], ip: str) -> int:
        row = {**values, parent: place.parent_id} if parent else values
        return await action(principal, place.record_id, row, ip=ip, version=place.version)

    return save


async def _house(principal: Principal, house_id: int | None) -> queries.HouseView:
    return found(await queries.get_house(principal, house_id) if house_id else None)


async def _premise(principal: Principal, premise_id: int | None) -> queries.PremiseView:
    return found(await queries.get_premise(principal, premise_id) if premise_id else None)


def _new_in(parent: Callable[[Principal, int | None], Awaitable[Any]], page: str, values: Values) -> NewPlace:
    """A new record of the house or premise in the path: the form starts from ``values`` (of the parent and the
    query) and leads back to the parent's page."""

    async def new(principal: Principal, parent_id: int | None, query: Mapping[str, Any]) -> Place:
        record = await parent(principal, parent_id)
        return Place(None, record.id, values(record, query), f"{page}/{record.id}", intro=record.address)

    return new


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


# --- complexes -------------------------------------------------------------------------------------------


async def _complex_fields(principal: Principal, place: Place) -> list[Field]:
    return [
        Field("name", _("Name"), required=True, hint=_("As residents know it, e.g. ЖК «Салгирный парк»")),
        Field("city", _("City")),
    ]


async def _complex_new(principal: Principal, parent: int | None, query: Mapping[str, Any]) -> Place:
    return Place(None, None, {}, "/staff/housing")


async def _complex_edit(principal: Principal, complex_id: int) -> Place:
    record = found(await queries.get_complex(complex_id))
    return Place(complex_id, None, {"name": record.name, "city": record.city}, "/staff/housing")


COMPLEX = EditSpec(
    table=Complex,
    entity="complex",
    new_path="/staff/housing/complexes/new",
    edit_path="/staff/housing/complexes/{complex_id:int}/edit",
    titles=(lazy("New residential complex"), lazy("Edit the complex")),
    submits=(lazy("Create the complex"), lazy("Save the complex")),
    saved=lazy("The complex is saved."),
    fields=_complex_fields,
    read=forms.read_complex,
    check=_taken(
        "name",
        lazy("A complex with this name already exists."),
        lambda place, v: queries.complex_name_taken(v["name"], place.record_id),
    ),
    save=_saves(actions.save_complex),
    new=_complex_new,
    edit=_complex_edit,
    done=lambda saved, place: "/staff/housing",
    new_role="admin",
    edit_role="admin",
)


# --- houses ----------------------------------------------------------------------------------------------


async def _house_fields(principal: Principal, place: Place) -> list[Field]:
    # a manager moves their house only among the complexes of their houses; admins among every complex
    complexes = [(c.id, c.name) for c in await queries.complexes(principal)]
    return [
        Field("complex", _("Residential complex"), "select", required=True, options=complexes, blank=True),
        Field("address", _("Address"), required=True, hint=_("City, street, house number")),
        Field("floors", _("Floors"), required=True, inputmode="numeric"),
        Field("fias_id", _("FIAS/GAR id"), hint=_("Optional, 36 characters")),
        Field("developer_name", _("Developer"), hint=_("The builder who answers for defects under its warranty")),
        Field("developer_email", _("Developer's e-mail for warranty claims"), type="email", autocomplete="off"),
        Field(
            "commissioned_on",
            _("Commissioned on"),
            type="date",
            hint=_("The date of the permit to put the house into operation: the warranty terms run from it"),
        ),
    ]


async def _house_new(principal: Principal, parent: int | None, query: Mapping[str, Any]) -> Place:
    return Place(None, None, {"complex": parse_id(query.get("complex")) or "", "floors": "9"}, "/staff/housing")


async def _house_edit(principal: Principal, house_id: int) -> Place:
    house = await _house(principal, house_id)
    values = {
        "complex": house.complex_id,
        "address": house.address,
        "floors": house.floors,
        "fias_id": house.fias_id,
        "developer_name": house.developer_name,
        "developer_email": house.developer_email,
        "commissioned_on": _iso(house.commissioned_on),
    }
    return Place(house.id, None, values, f"/staff/houses/{house.id}")


HOUSE = EditSpec(
    table=House,
    entity="house",
    new_path="/staff/houses/new",
    edit_path="/staff/houses/{house_id:int}/edit",
    titles=(lazy("New house"), lazy("Edit the house")),
    submits=(lazy("Create the house"), lazy("Save the house")),
    saved=lazy("The house is saved."),
    fields=_house_fields,
    read=forms.read_house,
    check=_taken(
        "address",
        lazy("A house with this address is already in the registry."),
        lambda place, v: queries.house_address_taken(v["address"], place.record_id),
    ),
    save=_saves(actions.save_house),
    new=_house_new,
    edit=_house_edit,
    done=lambda saved, place: f"/staff/houses/{saved}",
    new_role="admin",
)


# --- entrances -------------------------------------------------------------------------------------------


async def _entrance_fields(principal: Principal, place: Place) -> list[Field]:
    return [
        Field("number", _("Entrance number"), required=True, inputmode="numeric"),
        Field("floors", _("Floors"), required=True, inputmode="numeric"),
    ]


async def _entrance_new(principal: Principal, house_id: int | None, query: Mapping[str, Any]) -> Place:
    house = await _house(principal, house_id)
    numbers = [e.number for e in await queries.entrances_of(house.id)]
    values = {"number": str(max(numbers, default=0) + 1), "floors": str(house.floors)}
    return Place(None, house.id, values, f"/staff/houses/{house.id}", intro=house.address)


async def _entrance_edit(principal: Principal, entrance_id: int) -> Place:
    entrance = found(await queries.get_entrance(principal, entrance_id))
    house = await _house(principal, entrance.house_id)
    values = {"number": entrance.number, "floors": entrance.floors}
    return Place(entrance.id, house.id, values, f"/staff/houses/{house.id}", intro=house.address)


ENTRANCE = EditSpec(
    table=Entrance,
    entity="entrance",
    new_path="/staff/houses/{house_id:int}/entrances/new",
    edit_path="/staff/entrances/{entrance_id:int}/edit",
    titles=(lazy("New entrance"), lazy("Edit the entrance")),
    submits=(lazy("Add the entrance"), lazy("Save the entrance")),
    saved=lazy("The entrance is saved."),
    fields=_entrance_fields,
    read=forms.read_entrance,
    check=_taken(
        "number",
        lazy("This house already has an entrance with this number."),
        lambda place, v: queries.entrance_taken(place.parent_id or 0, v["number"], place.record_id),
    ),
    save=_saves(actions.save_entrance, parent="house"),
    new=_entrance_new,
    edit=_entrance_edit,
    done=lambda saved, place: f"/staff/houses/{place.parent_id}",
)


# --- premises --------------------------------------------------------------------------------------------


async def _premise_fields(principal: Principal, place: Place) -> list[Field]:
    house_id = place.parent_id or 0
    entrances = [(e.id, _("Entrance %(n)s", n=e.number)) for e in await queries.entrances_of(house_id)]
    return [
        Field("kind", _("Kind"), "select", required=True, options=rules.kind_options()),
        Field("number", _("Number"), required=True, hint=_("Flat or premise number, e.g. 12 or 3Н")),
        Field("entrance", _("Entrance"), "select", options=entrances, blank=_("No entrance")),
        Field("floor", _("Floor"), inputmode="numeric"),
        Field("area", _("Area, m²"), required=True, inputmode="decimal", hint=_("Up to two decimals, e.g. 54.35")),
        Field("risers", _("Risers"), "checkboxes", options=[(r.id, r.code) for r in await queries.risers_of(house_id)]),
    ]


async def _premise_edit(principal: Principal, premise_id: int) -> Place:
    premise = await _premise(principal, premise_id)
    values = {
        "kind": premise.kind,
        "number": premise.number,
        "entrance": premise.entrance_id or "",
        "floor": "" if premise.floor is None else premise.floor,
        "area": premise.area,
        "risers": [str(r.id) for r in await queries.risers_of_premise(premise.id)],
    }
    return Place(premise.id, premise.house_id, values, f"/staff/premises/{premise.id}", intro=premise.house_address)


async def _save_premise(principal: Principal, place: Place, values: dict[str, Any], ip: str) -> int:
    risers = values.pop("risers")
    values = {**values, "house": place.parent_id}
    return await actions.save_premise(principal, place.record_id, values, risers, ip=ip, version=place.version)


PREMISE = EditSpec(
    table=Premise,
    entity="premise",
    new_path="/staff/houses/{house_id:int}/premises/new",
    edit_path="/staff/premises/{premise_id:int}/edit",
    titles=(lazy("New premise"), lazy("Edit the premise")),
    submits=(lazy("Add the premise"), lazy("Save the premise")),
    saved=lazy("The premise is saved."),
    fields=_premise_fields,
    read=forms.read_premise,
    check=_taken(
        "number",
        lazy("This house already has a premise of this kind with this number."),
        lambda place, v: queries.premise_taken(place.parent_id or 0, v["kind"], v["number"], place.record_id),
    ),
    save=_save_premise,
    new=_new_in(_house, "/staff/houses", lambda house, query: {"kind": "flat", "risers": []}),
    edit=_premise_edit,
    done=lambda saved, place: f"/staff/premises/{saved}",
)


# --- owners ----------------------------------------------------------------------------------------------


async def _owner_fields(principal: Principal, place: Place) -> list[Field]:
    return [
        Field("kind", _("Owner is"), "select", required=True, options=rules.owner_kind_options()),
        Field("name", _("Full name or organisation name"), required=True, autocomplete="off"),
        Field("inn", _("INN"), inputmode="numeric", hint=_("10 digits for an organisation, 12 for a person")),
        Field("phone", _("Phone"), type="tel", autocomplete="off"),
        Field("email", _("E-mail"), type="email", autocomplete="off"),
    ]


async def _owner_new(principal: Principal, parent: int | None, query: Mapping[str, Any]) -> Place:
    return Place(None, None, {"kind": "person"}, "/staff/owners")


async def _owner_edit(principal: Principal, owner_id: int) -> Place:
    owner = found(await queries.get_owner(principal, owner_id))
    values = {"kind": owner.kind, "name": owner.name, "inn": owner.inn, "phone": owner.phone, "email": owner.email}
    return Place(owner.id, None, values, f"/staff/owners/{owner.id}")


OWNER = EditSpec(
    table=Owner,
    entity="owner",
    new_path="/staff/owners/new",
    edit_path="/staff/owners/{owner_id:int}/edit",
    titles=(lazy("New owner"), lazy("Edit the owner")),
    submits=(lazy("Add the owner"), lazy("Save the owner")),
    saved=lazy("The owner is saved."),
    fields=_owner_fields,
    read=forms.read_owner,
    check=_taken(
        "name",
        lazy("An owner with this name and INN is already in the registry."),
        lambda place, v: queries.owner_taken(v["name"], v["inn"], place.record_id),
    ),
    save=_saves(actions.save_owner),
    new=_owner_new,
    edit=_owner_edit,
    done=lambda saved, place: f"/staff/owners/{saved}",
)


# --- ownership shares ------------------------------------------------------------------------------------


async def _ownership_fields(principal: Principal, place: Place) -> list[Field]:
    owner = Field(
        "owner",
        _("Owner"),
        required=True,
        autocomplete="off",
        search=True,
        hint=_(
            "The owner's name, phone or INN, or the number from the Owners list: the owners found are listed below."
        ),
    )
    return [
        *([owner] if place.record_id is None else []),
        Field("share", _("Share"), required=True, hint=_("A fraction such as 1/2, or 1 for the whole premise")),
        Field("joint", _("Joint ownership (e.g. spouses)"), "checkbox"),
        Field("document", _("Ownership document"), hint=_("E.g. the EGRN record number and date")),
        Field("valid_from", _("Owner since"), type="date"),
    ]


async def _owners_found(principal: Principal, data: Mapping[str, Any]) -> queries.OwnerChoice:
    return await queries.owner_choice(principal, form_value(data, "owner"), parse_id(form_value(data, "owner_id")))


async def _ownership_edit(principal: Principal, ownership_id: int) -> Place:
    share = found(await queries.get_ownership(principal, ownership_id))
    values = {
        "owner": share.owner_id,
        "share": share.share,
        "joint": "1" if share.joint else "",
        "document": share.document,
        "valid_from": _iso(share.valid_from),
    }
    return Place(share.id, share.premise_id, values, f"/staff/premises/{share.premise_id}", intro=share.owner_name)


async def _ownership_check(principal: Principal, place: Place, values: dict[str, Any]) -> Problems:
    """A new share names its owner (the number or INN typed, or the one picked among the owners the words find),
    among the owners the user may see, once per premise."""
    typed, picked = values.pop("owner"), values.pop("owner_id")
    if place.record_id is not None:  # an edit keeps the share's owner
        values["owner"] = place.values["owner"]
        return []
    found = await queries.owner_choice(principal, typed, picked)
    if found.owner is None:
        if found.matches:
            return [("owner", _("Choose the owner among those found."))]
        if typed:
            return [("owner", _("No owner matches. Check the words, or add the owner on the Owners page first."))]
        return [("owner", _("Enter the owner's name, phone or INN."))]
    values["owner"] = found.owner.id
    if await queries.ownership_exists(place.parent_id or 0, found.owner.id):
        return [("owner", _("This owner already holds a share of this premise; edit that share instead."))]
    return []


OWNERSHIP = EditSpec(
    table=Ownership,
    entity="ownership",
    new_path="/staff/premises/{premise_id:int}/ownerships/new",
    edit_path="/staff/ownerships/{ownership_id:int}/edit",
    titles=(lazy("Add an owner to the premise"), lazy("Edit the share")),
    submits=(lazy("Add the owner"), lazy("Save the share")),
    saved=lazy("The share is saved."),
    fields=_ownership_fields,
    read=forms.read_ownership,
    check=_ownership_check,
    save=_saves(actions.save_ownership, parent="premise"),
    new=_new_in(
        _premise, "/staff/premises", lambda premise, query: {"owner": str(query.get("owner") or "")[:100], "share": "1"}
    ),
    edit=_ownership_edit,
    done=lambda saved, place: f"/staff/premises/{place.parent_id}",
    found=_owners_found,
)


# --- personal accounts -----------------------------------------------------------------------------------


async def _account_fields(principal: Principal, place: Place) -> list[Field]:
    return [
        Field("number", _("Account number"), required=True, inputmode="numeric", hint=_("Digits only, up to 20")),
        Field("payer_name", _("Payer"), autocomplete="off"),
        Field("opened_on", _("Opened on"), type="date"),
        Field("closed_on", _("Closed on"), type="date"),
    ]


async def _account_edit(principal: Principal, account_id: int) -> Place:
    account = found(await queries.get_account(principal, account_id))
    values = {
        "number": account.number,
        "payer_name": account.payer_name,
        "opened_on": _iso(account.opened_on),
        "closed_on": _iso(account.closed_on),
    }
    return Place(account.id, account.premise_id, values, f"/staff/accounts/{account.id}", intro=account.address)


ACCOUNT = EditSpec(
    table=PersonalAccount,
    entity="account",
    new_path="/staff/premises/{premise_id:int}/accounts/new",
    edit_path="/staff/accounts/{account_id:int}/edit",
    titles=(lazy("New personal account"), lazy("Edit the personal account")),
    submits=(lazy("Open the account"), lazy("Save the account")),
    saved=lazy("The personal account is saved."),
    fields=_account_fields,
    read=forms.read_account,
    check=_taken(
        "number",
        lambda: rules.message(rules.Problem.ACCOUNT_TAKEN),
        lambda place, v: queries.account_number_taken(v["number"], place.record_id),
    ),
    save=_saves(actions.save_account, parent="premise"),
    new=_new_in(_premise, "/staff/premises", lambda premise, query: {}),
    edit=_account_edit,
    done=lambda saved, place: f"/staff/accounts/{saved}",
)

SPECS = (COMPLEX, HOUSE, ENTRANCE, PREMISE, OWNER, OWNERSHIP, ACCOUNT)

registry_forms = Router(path="/", route_handlers=[handler for spec in SPECS for handler in _served(spec)])
