"""Staff pages of the housing registry: overview, complexes and houses, premises, accounts, owners, import.

Reading is open to staff of any role, writing to managers (admins always); every record is looked up within
the user's houses, so a house outside them is "not found". Creating complexes and houses and importing the
registry change the company as a whole and are for admins.
"""

from __future__ import annotations

import secrets
from fractions import Fraction
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.response import Template

from portal.core.i18n import get_locale
from portal.core.i18n import gettext as _
from portal.core.pagination import page_request
from portal.core.security import Principal, principal_of, staff
from portal.core.web import FormData, FormErrors, MultipartData, flash, form_value, render, see_other
from portal.housing import forms, queries, registry, rules
from portal.housing.forms import form_values
from portal.settings import get_settings

READ = staff()
WRITE = staff("manager")
COMPANY = staff("admin")


def _q(request: Request, name: str) -> str:
    return (request.query_params.get(name) or "").strip()[:100]


def _int_q(request: Request, name: str) -> int | None:
    value = _q(request, name)
    return int(value) if value.lstrip("-").isdigit() and len(value) < 7 else None


def _page(request: Request) -> Any:
    return page_request(request.query_params.get("page"), request.query_params.get("size"))


def _kind_options() -> list[tuple[str, str]]:
    return [(k, label()) for k, label in rules.PREMISE_KINDS.items()]


def _owner_kind_options() -> list[tuple[str, str]]:
    return [(k, label()) for k, label in rules.OWNER_KINDS.items()]


def _area(value: Any) -> str:
    """An area always with two decimals: «54,70»."""
    return format_decimal(value or 0, format="#,##0.00", locale=get_locale())


def _helpers() -> dict[str, Any]:
    return {
        "area": _area,
        "kind_label": rules.kind_label,
        "owner_kind_label": rules.owner_kind_label,
        "riser_kind_label": rules.riser_kind_label,
    }


def _show(request: Request, template: str, **context: Any) -> Template:
    return render(request, template, **_helpers(), **context)


def _form(
    request: Request,
    *,
    title: str,
    fields: list[dict[str, Any]],
    values: dict[str, Any],
    submit: str,
    back: str,
    errors: FormErrors | None = None,
    crumbs: list[tuple[str, str]] | None = None,
    intro: str = "",
) -> Template:
    return render(
        request,
        "housing/form.html",
        title=title,
        fields=fields,
        form=values,
        errors=errors,
        submit=submit,
        back=back,
        crumbs=crumbs or [],
        intro=intro,
        status_code=422 if errors else 200,
    )


def _field(name: str, label: str, kind: str = "text", **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "kind": kind, **extra}


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


# --- overview and lists --------------------------------------------------------------------------------


@get("/staff", name="staff_overview", opt=READ)
async def overview(request: Request) -> Template:
    principal = await principal_of(request)
    counts = await queries.overview_counts(principal.house_ids)
    return _show(request, "housing/overview.html", counts=counts, may_write=principal.has_role("manager"))


@get("/staff/housing", name="housing_list", opt=READ)
async def housing_list(request: Request) -> Template:
    principal = await principal_of(request)
    q = _q(request, "q")
    complex_id = _int_q(request, "complex")
    complexes = await queries.complexes(principal.house_ids)
    page = await queries.list_houses(principal.house_ids, _page(request), q=q, complex_id=complex_id)
    return _show(
        request,
        "housing/properties.html",
        complexes=complexes,
        houses=page,
        q=q,
        complex_id=complex_id,
        is_admin=principal.house_ids is None and principal.has_role("admin"),
        may_write=principal.has_role("manager"),
    )


async def _house_or_404(principal: Principal, house_id: int) -> dict[str, Any]:
    house = await queries.get_house(principal.house_ids, house_id)
    if house is None:
        raise NotFoundException()
    return house


@get("/staff/houses/{house_id:int}", name="house_page", opt=READ)
async def house_page(request: Request, house_id: int) -> Template:
    principal = await principal_of(request)
    house = await _house_or_404(principal, house_id)
    entrances = await queries.entrances_of(house_id)
    entrance_id = _int_q(request, "entrance")
    if entrance_id not in {e["id"] for e in entrances}:
        entrance_id = None
    kind = _q(request, "kind")
    if kind not in rules.PREMISE_KINDS:
        kind = ""
    floor = _int_q(request, "floor")
    premises = await queries.premises_of(house_id, _page(request), entrance_id=entrance_id, floor=floor, kind=kind)
    return _show(
        request,
        "housing/house.html",
        house=house,
        entrances=entrances,
        risers=await queries.risers_of(house_id),
        totals=await queries.house_totals(house_id),
        premises=premises,
        entrance_id=entrance_id,
        floor=floor,
        kind=kind,
        kind_options=_kind_options(),
        may_write=principal.has_role("manager"),
    )


@get("/staff/premises/{premise_id:int}", name="premise_page", opt=READ)
async def premise_page(request: Request, premise_id: int) -> Template:
    principal = await principal_of(request)
    premise = await queries.get_premise(principal.house_ids, premise_id)
    if premise is None:
        raise NotFoundException()
    ownerships = await queries.ownerships_of_premise(premise_id)
    total = rules.total_share(
        (Fraction(o["share_numerator"], o["share_denominator"]), bool(o["joint"])) for o in ownerships
    )
    return _show(
        request,
        "housing/premise.html",
        premise=premise,
        risers=await queries.risers_of_premise(premise_id),
        ownerships=ownerships,
        owned=rules.share_text(total.numerator, total.denominator) if total else "0",
        accounts=await queries.accounts_of_premise(premise_id),
        may_write=principal.has_role("manager"),
    )


@get("/staff/accounts", name="account_list", opt=READ)
async def account_list(request: Request) -> Template:
    principal = await principal_of(request)
    q = _q(request, "q")
    page = await queries.list_accounts(principal.house_ids, _page(request), q=q)
    return _show(request, "housing/accounts.html", accounts=page, q=q)


@get("/staff/accounts/{account_id:int}", name="account_page", opt=READ)
async def account_page(request: Request, account_id: int) -> Template:
    principal = await principal_of(request)
    account = await queries.get_account(principal.house_ids, account_id)
    if account is None:
        raise NotFoundException()
    return _show(
        request,
        "housing/account.html",
        account=account,
        ownerships=await queries.ownerships_of_premise(account["premise_id"]),
        may_write=principal.has_role("manager"),
    )


@get("/staff/owners", name="owner_list", opt=READ)
async def owner_list(request: Request) -> Template:
    principal = await principal_of(request)
    q = _q(request, "q")
    page = await queries.list_owners(principal.house_ids, _page(request), q=q)
    return _show(request, "housing/owners.html", owners=page, q=q, may_write=principal.has_role("manager"))


@get("/staff/owners/{owner_id:int}", name="owner_page", opt=READ)
async def owner_page(request: Request, owner_id: int) -> Template:
    principal = await principal_of(request)
    owner = await queries.get_owner(principal.house_ids, owner_id)
    if owner is None:
        raise NotFoundException()
    return _show(
        request,
        "housing/owner.html",
        owner=owner,
        ownerships=await queries.ownerships_of_owner(principal.house_ids, owner_id),
        may_write=principal.has_role("manager"),
    )


# --- complexes -----------------------------------------------------------------------------------------


def _complex_fields() -> list[dict[str, Any]]:
    return [
        _field("name", _("Name"), required=True, hint=_("As residents know it, e.g. ЖК «Салгирный парк»")),
        _field("city", _("City")),
    ]


async def _complex_or_404(complex_id: int) -> dict[str, Any]:
    found = await queries.get_complex(complex_id)
    if found is None:
        raise NotFoundException()
    return found


@get("/staff/housing/complexes/new", name="complex_new", opt=COMPANY)
async def complex_new(request: Request) -> Template:
    return _form(
        request,
        title=_("New residential complex"),
        fields=_complex_fields(),
        values={},
        submit=_("Create the complex"),
        back="/staff/housing",
    )


@get("/staff/housing/complexes/{complex_id:int}/edit", name="complex_edit", opt=COMPANY)
async def complex_edit(request: Request, complex_id: int) -> Template:
    found = await _complex_or_404(complex_id)
    return _form(
        request,
        title=_("Edit the complex"),
        fields=_complex_fields(),
        values=found,
        submit=_("Save the complex"),
        back="/staff/housing",
    )


async def _save_complex(request: Request, data: dict[str, Any], complex_id: int | None) -> Response[Any] | Template:
    values, errors = forms.read_complex(data)
    if not errors and await queries.complex_name_taken(values["name"], complex_id):
        errors.add("name", _("A complex with this name already exists."))
    if errors:
        return _form(
            request,
            title=_("Edit the complex") if complex_id else _("New residential complex"),
            fields=_complex_fields(),
            values=form_values(data, ["name", "city"]),
            errors=errors,
            submit=_("Save the complex") if complex_id else _("Create the complex"),
            back="/staff/housing",
        )
    await queries.save_complex(await principal_of(request), complex_id, values)
    flash(request, _("The complex is saved."))
    return see_other(request, "/staff/housing")


@post("/staff/housing/complexes/new", name="complex_create", opt=COMPANY, status_code=200)
async def complex_create(request: Request, data: FormData) -> Response[Any] | Template:
    return await _save_complex(request, data, None)


@post("/staff/housing/complexes/{complex_id:int}/edit", name="complex_update", opt=COMPANY, status_code=200)
async def complex_update(request: Request, complex_id: int, data: FormData) -> Response[Any] | Template:
    await _complex_or_404(complex_id)
    return await _save_complex(request, data, complex_id)


# --- houses --------------------------------------------------------------------------------------------


async def _house_fields(principal: Principal) -> tuple[list[dict[str, Any]], set[int]]:
    complexes = await queries.complexes(None)
    options = [(c["id"], c["name"]) for c in complexes]
    return [
        _field("complex", _("Residential complex"), "select", options=options, required=True, blank=""),
        _field("address", _("Address"), required=True, hint=_("City, street, house number")),
        _field("floors", _("Floors"), inputmode="numeric", required=True),
        _field("fias_id", _("FIAS/GAR id"), hint=_("Optional, 36 characters")),
    ], {c["id"] for c in complexes}


HOUSE_NAMES = ("complex", "address", "floors", "fias_id")


@get("/staff/houses/new", name="house_new", opt=COMPANY)
async def house_new(request: Request) -> Template:
    fields, _ids = await _house_fields(await principal_of(request))
    return _form(
        request,
        title=_("New house"),
        fields=fields,
        values={"complex": _q(request, "complex"), "floors": "9"},
        submit=_("Create the house"),
        back="/staff/housing",
    )


@get("/staff/houses/{house_id:int}/edit", name="house_edit", opt=WRITE)
async def house_edit(request: Request, house_id: int) -> Template:
    principal = await principal_of(request)
    house = await _house_or_404(principal, house_id)
    fields, _ids = await _house_fields(principal)
    return _form(
        request,
        title=_("Edit the house"),
        fields=fields,
        values={**house, "complex": house["complex_id"], "fias_id": house["fias_id"] or ""},
        submit=_("Save the house"),
        back=f"/staff/houses/{house_id}",
    )


async def _save_house(request: Request, data: dict[str, Any], house_id: int | None) -> Response[Any] | Template:
    principal = await principal_of(request)
    fields, complex_ids = await _house_fields(principal)
    values, errors = forms.read_house(data, complex_ids)
    if not errors and await queries.house_address_taken(values["address"], house_id):
        errors.add("address", _("A house with this address is already in the registry."))
    if errors:
        return _form(
            request,
            title=_("Edit the house") if house_id else _("New house"),
            fields=fields,
            values=form_values(data, HOUSE_NAMES),
            errors=errors,
            submit=_("Save the house") if house_id else _("Create the house"),
            back=f"/staff/houses/{house_id}" if house_id else "/staff/housing",
        )
    saved = await queries.save_house(principal, house_id, values)
    flash(request, _("The house is saved."))
    return see_other(request, f"/staff/houses/{saved}")


@post("/staff/houses/new", name="house_create", opt=COMPANY, status_code=200)
async def house_create(request: Request, data: FormData) -> Response[Any] | Template:
    return await _save_house(request, data, None)


@post("/staff/houses/{house_id:int}/edit", name="house_update", opt=WRITE, status_code=200)
async def house_update(request: Request, house_id: int, data: FormData) -> Response[Any] | Template:
    await _house_or_404(await principal_of(request), house_id)
    return await _save_house(request, data, house_id)


# --- entrances -----------------------------------------------------------------------------------------


def _entrance_fields() -> list[dict[str, Any]]:
    return [
        _field("number", _("Entrance number"), inputmode="numeric", required=True),
        _field("floors", _("Floors"), inputmode="numeric", required=True),
    ]


@get("/staff/houses/{house_id:int}/entrances/new", name="entrance_new", opt=WRITE)
async def entrance_new(request: Request, house_id: int) -> Template:
    house = await _house_or_404(await principal_of(request), house_id)
    entrances = await queries.entrances_of(house_id)
    return _form(
        request,
        title=_("New entrance"),
        intro=house["address"],
        fields=_entrance_fields(),
        values={"number": str(max((e["number"] for e in entrances), default=0) + 1), "floors": str(house["floors"])},
        submit=_("Add the entrance"),
        back=f"/staff/houses/{house_id}",
    )


@get("/staff/entrances/{entrance_id:int}/edit", name="entrance_edit", opt=WRITE)
async def entrance_edit(request: Request, entrance_id: int) -> Template:
    principal = await principal_of(request)
    entrance = await queries.get_entrance(principal.house_ids, entrance_id)
    if entrance is None:
        raise NotFoundException()
    return _form(
        request,
        title=_("Edit the entrance"),
        fields=_entrance_fields(),
        values=entrance,
        submit=_("Save the entrance"),
        back=f"/staff/houses/{entrance['house']}",
    )


async def _save_entrance(
    request: Request, data: dict[str, Any], house_id: int, entrance_id: int | None
) -> Response[Any] | Template:
    values, errors = forms.read_entrance(data)
    if not errors and await queries.entrance_taken(house_id, values["number"], entrance_id):
        errors.add("number", _("This house already has an entrance with this number."))
    if errors:
        return _form(
            request,
            title=_("Edit the entrance") if entrance_id else _("New entrance"),
            fields=_entrance_fields(),
            values=form_values(data, ["number", "floors"]),
            errors=errors,
            submit=_("Save the entrance") if entrance_id else _("Add the entrance"),
            back=f"/staff/houses/{house_id}",
        )
    await queries.save_entrance(await principal_of(request), entrance_id, {**values, "house": house_id})
    flash(request, _("The entrance is saved."))
    return see_other(request, f"/staff/houses/{house_id}")


@post("/staff/houses/{house_id:int}/entrances/new", name="entrance_create", opt=WRITE, status_code=200)
async def entrance_create(request: Request, house_id: int, data: FormData) -> Response[Any] | Template:
    await _house_or_404(await principal_of(request), house_id)
    return await _save_entrance(request, data, house_id, None)


@post("/staff/entrances/{entrance_id:int}/edit", name="entrance_update", opt=WRITE, status_code=200)
async def entrance_update(request: Request, entrance_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    entrance = await queries.get_entrance(principal.house_ids, entrance_id)
    if entrance is None:
        raise NotFoundException()
    return await _save_entrance(request, data, entrance["house"], entrance_id)


# --- premises ------------------------------------------------------------------------------------------

PREMISE_NAMES = ("kind", "number", "entrance", "floor", "area", "risers")


async def _premise_fields(house_id: int) -> tuple[list[dict[str, Any]], set[int], set[int]]:
    entrances = await queries.entrances_of(house_id)
    risers = await queries.risers_of(house_id)
    return (
        [
            _field("kind", _("Kind"), "select", options=_kind_options(), required=True),
            _field("number", _("Number"), required=True, hint=_("Flat or premise number, e.g. 12 or 3Н")),
            _field(
                "entrance",
                _("Entrance"),
                "select",
                options=[(e["id"], _("Entrance %(n)s", n=e["number"])) for e in entrances],
                blank=_("No entrance"),
            ),
            _field("floor", _("Floor"), inputmode="numeric"),
            _field("area", _("Area, m²"), inputmode="decimal", required=True, hint=_("Up to two decimals, e.g. 54.35")),
            _field("risers", _("Risers"), "checkboxes", options=[(r["id"], r["code"]) for r in risers]),
        ],
        {e["id"] for e in entrances},
        {r["id"] for r in risers},
    )


@get("/staff/houses/{house_id:int}/premises/new", name="premise_new", opt=WRITE)
async def premise_new(request: Request, house_id: int) -> Template:
    house = await _house_or_404(await principal_of(request), house_id)
    fields, _e, _r = await _premise_fields(house_id)
    return _form(
        request,
        title=_("New premise"),
        intro=house["address"],
        fields=fields,
        values={"kind": "flat", "risers": []},
        submit=_("Add the premise"),
        back=f"/staff/houses/{house_id}",
    )


@get("/staff/premises/{premise_id:int}/edit", name="premise_edit", opt=WRITE)
async def premise_edit(request: Request, premise_id: int) -> Template:
    principal = await principal_of(request)
    premise = await queries.get_premise(principal.house_ids, premise_id)
    if premise is None:
        raise NotFoundException()
    fields, _e, _r = await _premise_fields(premise["house_id"])
    risers = await queries.risers_of_premise(premise_id)
    return _form(
        request,
        title=_("Edit the premise"),
        intro=premise["address"],
        fields=fields,
        values={
            **premise,
            "entrance": premise["entrance_id"] or "",
            "floor": "" if premise["floor"] is None else premise["floor"],
            "risers": [str(r["id"]) for r in risers],
        },
        submit=_("Save the premise"),
        back=f"/staff/premises/{premise_id}",
    )


async def _save_premise(
    request: Request, data: dict[str, Any], house_id: int, premise_id: int | None
) -> Response[Any] | Template:
    fields, entrance_ids, riser_ids = await _premise_fields(house_id)
    values, risers, errors = forms.read_premise(data, entrance_ids, riser_ids)
    if not errors and await queries.premise_taken(house_id, values["kind"], values["number"], premise_id):
        errors.add("number", _("This house already has a premise of this kind with this number."))
    if errors:
        return _form(
            request,
            title=_("Edit the premise") if premise_id else _("New premise"),
            fields=fields,
            values=form_values(data, PREMISE_NAMES),
            errors=errors,
            submit=_("Save the premise") if premise_id else _("Add the premise"),
            back=f"/staff/premises/{premise_id}" if premise_id else f"/staff/houses/{house_id}",
        )
    saved = await queries.save_premise(await principal_of(request), premise_id, {**values, "house": house_id}, risers)
    flash(request, _("The premise is saved."))
    return see_other(request, f"/staff/premises/{saved}")


@post("/staff/houses/{house_id:int}/premises/new", name="premise_create", opt=WRITE, status_code=200)
async def premise_create(request: Request, house_id: int, data: FormData) -> Response[Any] | Template:
    await _house_or_404(await principal_of(request), house_id)
    return await _save_premise(request, data, house_id, None)


@post("/staff/premises/{premise_id:int}/edit", name="premise_update", opt=WRITE, status_code=200)
async def premise_update(request: Request, premise_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    premise = await queries.get_premise(principal.house_ids, premise_id)
    if premise is None:
        raise NotFoundException()
    return await _save_premise(request, data, premise["house_id"], premise_id)


# --- owners --------------------------------------------------------------------------------------------

OWNER_NAMES = ("kind", "name", "inn", "phone", "email")


def _owner_fields() -> list[dict[str, Any]]:
    return [
        _field("kind", _("Owner is"), "select", options=_owner_kind_options(), required=True),
        _field("name", _("Full name or organisation name"), required=True, autocomplete="off"),
        _field("inn", _("INN"), inputmode="numeric", hint=_("10 digits for an organisation, 12 for a person")),
        _field("phone", _("Phone"), type="tel", autocomplete="off"),
        _field("email", _("E-mail"), type="email", autocomplete="off"),
    ]


@get("/staff/owners/new", name="owner_new", opt=WRITE)
async def owner_new(request: Request) -> Template:
    return _form(
        request,
        title=_("New owner"),
        fields=_owner_fields(),
        values={"kind": "person"},
        submit=_("Add the owner"),
        back="/staff/owners",
    )


@get("/staff/owners/{owner_id:int}/edit", name="owner_edit", opt=WRITE)
async def owner_edit(request: Request, owner_id: int) -> Template:
    principal = await principal_of(request)
    owner = await queries.get_owner(principal.house_ids, owner_id)
    if owner is None:
        raise NotFoundException()
    return _form(
        request,
        title=_("Edit the owner"),
        fields=_owner_fields(),
        values={**owner, "inn": owner["inn"] or ""},
        submit=_("Save the owner"),
        back=f"/staff/owners/{owner_id}",
    )


async def _save_owner(request: Request, data: dict[str, Any], owner_id: int | None) -> Response[Any] | Template:
    values, errors = forms.read_owner(data)
    if not errors and await queries.owner_taken(values["name"], values["inn"], owner_id):
        errors.add("name", _("An owner with this name and INN is already in the registry."))
    if errors:
        return _form(
            request,
            title=_("Edit the owner") if owner_id else _("New owner"),
            fields=_owner_fields(),
            values=form_values(data, OWNER_NAMES),
            errors=errors,
            submit=_("Save the owner") if owner_id else _("Add the owner"),
            back=f"/staff/owners/{owner_id}" if owner_id else "/staff/owners",
        )
    saved = await queries.save_owner(await principal_of(request), owner_id, values)
    flash(request, _("The owner is saved."))
    return see_other(request, f"/staff/owners/{saved}")


@post("/staff/owners/new", name="owner_create", opt=WRITE, status_code=200)
async def owner_create(request: Request, data: FormData) -> Response[Any] | Template:
    return await _save_owner(request, data, None)


@post("/staff/owners/{owner_id:int}/edit", name="owner_update", opt=WRITE, status_code=200)
async def owner_update(request: Request, owner_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    if await queries.get_owner(principal.house_ids, owner_id) is None:
        raise NotFoundException()
    return await _save_owner(request, data, owner_id)


# --- ownerships ----------------------------------------------------------------------------------------

OWNERSHIP_NAMES = ("owner", "share", "joint", "document", "valid_from")


def _ownership_fields(new: bool) -> list[dict[str, Any]]:
    fields = [
        _field("share", _("Share"), required=True, hint=_("A fraction such as 1/2, or 1 for the whole premise")),
        _field("joint", _("Joint ownership (e.g. spouses)"), "checkbox"),
        _field("document", _("Ownership document"), hint=_("E.g. the EGRN record number and date")),
        _field("valid_from", _("Owner since"), type="date"),
    ]
    if new:
        owner = _field(
            "owner",
            _("Owner"),
            inputmode="numeric",
            required=True,
            hint=_("The owner's number from the Owners list, or the INN"),
        )
        fields.insert(0, owner)
    return fields


async def _premise_or_404(principal: Principal, premise_id: int) -> dict[str, Any]:
    premise = await queries.get_premise(principal.house_ids, premise_id)
    if premise is None:
        raise NotFoundException()
    return premise


def _premise_title(premise: dict[str, Any]) -> str:
    return f"{premise['address']}, {rules.kind_label(premise['kind']).lower()} {premise['number']}"


@get("/staff/premises/{premise_id:int}/ownerships/new", name="ownership_new", opt=WRITE)
async def ownership_new(request: Request, premise_id: int) -> Template:
    premise = await _premise_or_404(await principal_of(request), premise_id)
    return _form(
        request,
        title=_("Add an owner to the premise"),
        intro=_premise_title(premise),
        fields=_ownership_fields(True),
        values={"owner": _q(request, "owner"), "share": "1"},
        submit=_("Add the owner"),
        back=f"/staff/premises/{premise_id}",
    )


@get("/staff/ownerships/{ownership_id:int}/edit", name="ownership_edit", opt=WRITE)
async def ownership_edit(request: Request, ownership_id: int) -> Template:
    principal = await principal_of(request)
    found = await queries.get_ownership(principal.house_ids, ownership_id)
    if found is None:
        raise NotFoundException()
    return _form(
        request,
        title=_("Edit the share"),
        intro=found["owner_name"],
        fields=_ownership_fields(False),
        values={
            **found,
            "share": rules.share_text(found["share_numerator"], found["share_denominator"]),
            "valid_from": found["valid_from"].isoformat() if found["valid_from"] else "",
            "joint": "1" if found["joint"] else "",
        },
        submit=_("Save the share"),
        back=f"/staff/premises/{found['premise_id']}",
    )


async def _save_ownership(
    request: Request, data: dict[str, Any], premise: dict[str, Any], ownership_id: int | None, owner_id: int | None
) -> Response[Any] | Template:
    values, errors = forms.read_ownership(data)
    if ownership_id is None:
        owner = await queries.find_owner(form_value(data, "owner")) if form_value(data, "owner") else None
        if owner is None:
            errors.add("owner", _("No such owner. Give the number from the Owners list or the INN."))
        else:
            owner_id = owner["id"]
            if await queries.ownership_exists(premise["id"], owner_id):
                errors.add("owner", _("This owner already holds a share of this premise; edit that share instead."))
    saved = None
    if not errors:
        saved = await queries.save_ownership(
            await principal_of(request), ownership_id, {**values, "premise": premise["id"], "owner": owner_id}
        )
        if saved is None:
            errors.add("share", rules.message(rules.Problem.SHARES_EXCEED))
    if errors:
        typed = form_values(data, OWNERSHIP_NAMES)
        return _form(
            request,
            title=_("Edit the share") if ownership_id else _("Add an owner to the premise"),
            intro=_premise_title(premise),
            fields=_ownership_fields(ownership_id is None),
            values=typed,
            errors=errors,
            submit=_("Save the share") if ownership_id else _("Add the owner"),
            back=f"/staff/premises/{premise['id']}",
        )
    flash(request, _("The share is saved."))
    return see_other(request, f"/staff/premises/{premise['id']}")


@post("/staff/premises/{premise_id:int}/ownerships/new", name="ownership_create", opt=WRITE, status_code=200)
async def ownership_create(request: Request, premise_id: int, data: FormData) -> Response[Any] | Template:
    premise = await _premise_or_404(await principal_of(request), premise_id)
    return await _save_ownership(request, data, premise, None, None)


@post("/staff/ownerships/{ownership_id:int}/edit", name="ownership_update", opt=WRITE, status_code=200)
async def ownership_update(request: Request, ownership_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    found = await queries.get_ownership(principal.house_ids, ownership_id)
    if found is None:
        raise NotFoundException()
    premise = await _premise_or_404(principal, found["premise_id"])
    return await _save_ownership(request, data, premise, ownership_id, found["owner_id"])


# --- personal accounts ---------------------------------------------------------------------------------

ACCOUNT_NAMES = ("number", "payer_name", "opened_on", "closed_on")


def _account_fields() -> list[dict[str, Any]]:
    return [
        _field("number", _("Account number"), inputmode="numeric", required=True, hint=_("Digits only, up to 20")),
        _field("payer_name", _("Payer"), autocomplete="off"),
        _field("opened_on", _("Opened on"), type="date"),
        _field("closed_on", _("Closed on"), type="date"),
    ]


@get("/staff/premises/{premise_id:int}/accounts/new", name="account_new", opt=WRITE)
async def account_new(request: Request, premise_id: int) -> Template:
    premise = await _premise_or_404(await principal_of(request), premise_id)
    return _form(
        request,
        title=_("New personal account"),
        intro=_premise_title(premise),
        fields=_account_fields(),
        values={},
        submit=_("Open the account"),
        back=f"/staff/premises/{premise_id}",
    )


@get("/staff/accounts/{account_id:int}/edit", name="account_edit", opt=WRITE)
async def account_edit(request: Request, account_id: int) -> Template:
    principal = await principal_of(request)
    account = await queries.get_account(principal.house_ids, account_id)
    if account is None:
        raise NotFoundException()
    return _form(
        request,
        title=_("Edit the personal account"),
        intro=account["address"],
        fields=_account_fields(),
        values={
            **account,
            "opened_on": account["opened_on"].isoformat() if account["opened_on"] else "",
            "closed_on": account["closed_on"].isoformat() if account["closed_on"] else "",
        },
        submit=_("Save the account"),
        back=f"/staff/accounts/{account_id}",
    )


async def _save_account(
    request: Request, data: dict[str, Any], premise: dict[str, Any], account_id: int | None
) -> Response[Any] | Template:
    values, errors = forms.read_account(data)
    if not errors and await queries.account_number_taken(values["number"], account_id):
        errors.add("number", rules.message(rules.Problem.ACCOUNT_TAKEN))
    if errors:
        return _form(
            request,
            title=_("Edit the personal account") if account_id else _("New personal account"),
            intro=_premise_title(premise),
            fields=_account_fields(),
            values=form_values(data, ACCOUNT_NAMES),
            errors=errors,
            submit=_("Save the account") if account_id else _("Open the account"),
            back=f"/staff/accounts/{account_id}" if account_id else f"/staff/premises/{premise['id']}",
        )
    saved = await queries.save_account(await principal_of(request), account_id, {**values, "premise": premise["id"]})
    flash(request, _("The personal account is saved."))
    return see_other(request, f"/staff/accounts/{saved}")


@post("/staff/premises/{premise_id:int}/accounts/new", name="account_create", opt=WRITE, status_code=200)
async def account_create(request: Request, premise_id: int, data: FormData) -> Response[Any] | Template:
    premise = await _premise_or_404(await principal_of(request), premise_id)
    return await _save_account(request, data, premise, None)


@post("/staff/accounts/{account_id:int}/edit", name="account_update", opt=WRITE, status_code=200)
async def account_update(request: Request, account_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    account = await queries.get_account(principal.house_ids, account_id)
    if account is None:
        raise NotFoundException()
    premise = await _premise_or_404(principal, account["premise_id"])
    return await _save_account(request, data, premise, account_id)


# --- registry import -----------------------------------------------------------------------------------


def _upload_dir() -> Path:
    folder = Path(get_settings().var_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _import_page(request: Request, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("report", None)
    context.setdefault("problems", [])
    context.setdefault("token", "")
    context.setdefault("filename", "")
    return render(
        request,
        "housing/import.html",
        columns=registry.COLUMNS,
        required=registry.REQUIRED_COLUMNS,
        entities=queries.IMPORT_ENTITIES,
        entity_labels=_entity_labels(),
        status_code=status_code,
        **context,
    )


def _entity_labels() -> dict[str, str]:
    return {
        "complexes": _("Residential complexes"),
        "houses": _("Houses"),
        "entrances": _("Entrances"),
        "risers": _("Risers"),
        "premises": _("Premises"),
        "owners": _("Owners"),
        "ownerships": _("Ownership shares"),
        "accounts": _("Personal accounts"),
    }


@get("/staff/housing/import", name="registry_import", opt=COMPANY)
async def registry_import(request: Request) -> Template:
    return _import_page(request)


@post("/staff/housing/import", name="registry_preview", opt=COMPANY, status_code=200)
async def registry_preview(request: Request, data: MultipartData) -> Template:
    """First step: read the file, check every row and show what an import would change (nothing is written)."""
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(request, 422, problems=[_("Choose a CSV or XLSX file.")])
    content = await upload.read(registry.MAX_BYTES + 1)
    parsed = registry.parse_file(upload.filename, content)
    if not parsed.ok:
        return _import_page(request, 422, problems=parsed.problems, filename=upload.filename)
    report = await queries.apply_registry(parsed.rows, dry_run=True)
    if report.problems:
        return _import_page(request, 422, problems=report.problems, filename=upload.filename)
    token = secrets.token_hex(16)
    suffix = ".xlsx" if content[:2] == b"PK" else ".csv"
    (_upload_dir() / f"{token}{suffix}").write_bytes(content)
    return _import_page(request, report=report, token=token + suffix, filename=upload.filename)


@post("/staff/housing/import/apply", name="registry_apply", opt=COMPANY, status_code=200)
async def registry_apply(request: Request, data: FormData) -> Response[Any] | Template:
    """Second step: import the previewed file in one transaction."""
    token = form_value(data, "token")
    name, _dot, suffix = token.partition(".")
    path = _upload_dir() / token
    if len(name) != 32 or not all(c in "0123456789abcdef" for c in name) or suffix not in ("csv", "xlsx"):
        raise NotFoundException()
    if not path.exists():
        return _import_page(request, 422, problems=[_("The preview has expired. Upload the file again.")])
    parsed = registry.parse_file(path.name, path.read_bytes())
    report = await queries.apply_registry(parsed.rows, await principal_of(request)) if parsed.ok else None
    problems = parsed.problems or (report.problems if report else [])
    if problems:
        return _import_page(request, 422, problems=problems)
    path.unlink(missing_ok=True)
    assert report is not None
    flash(
        request,
        _(
            "The registry is imported: %(rows)s rows, %(changes)s records created or changed.",
            rows=report.rows,
            changes=report.changes,
        ),
    )
    return see_other(request, "/staff/housing")
