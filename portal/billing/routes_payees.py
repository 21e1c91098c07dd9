"""Staff pages of the payees' requisites (admins and accountants): the list, and one payee's form.

The requisites are checked as DOMAIN.md §3 has them (the BIC and each account with the Bank of Russia control
key) before anything is written; a refused form comes back with everything typed and the error at its field.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from portal.billing import forms
from portal.billing import payees
from portal.billing import queries
from portal.billing.tables import Payee
from portal.core import stale
from portal.core.i18n import gettext as _
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import flash
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other

PATH = "/staff/billing/payees"


class StaffPayees(Controller):
    path = PATH
    opt = staff("accountant")

    @get("/", name="billing:payees")
    async def list_page(self, request: Request) -> Template:
        return render(request, "billing/staff_payees.html", payees=await queries.payees())

    @get("/{payee_id:int}", name="billing:payee")
    async def edit_page(self, request: Request, payee_id: FromPath[int]) -> Template:
        version = await stale.current(Payee, payee_id)  # read before the values (core.stale)
        found = await _payee(payee_id)
        values = {name: str(getattr(found, name)) for name in forms.PAYEE_FIELDS}
        return _form_page(request, found, forms.PayeeForm(values), version=version)

    @post("/{payee_id:int}", name="billing:payee_save", status_code=200)
    async def save(
        self, request: Request, principal: NamedDependency[Principal], payee_id: FromPath[int], data: FormData
    ) -> Response[Any]:
        found = await _payee(payee_id)
        form, typed = forms.payee_form(data), stale.typed(data)
        if form.errors:  # shown again for a mistake: the version it had
            return _form_page(request, found, form, 422, version=typed)
        try:
            changes = await payees.update(principal, payee_id, form.values, client_ip(request), version=typed)
        except stale.Stale as exc:  # the form again, with what was typed and the payee's version now
            stale.say(form.errors, exc.change)
            version = await stale.current(Payee, payee_id)
            return _form_page(request, await _payee(payee_id), form, 409, version=version)
        _saved(request, form.values["name"] if changes else None)
        return see_other(request, PATH)


async def _payee(payee_id: int) -> queries.PayeeInfo:
    return found(await queries.payee(payee_id))


def _saved(request: Request, name: str | None) -> None:
    """The message after a save: the requisites saved (by the payee's name), or nothing changed (None)."""
    if name is None:
        flash(request, _("Nothing has changed."), "info")
    else:
        flash(request, _("The requisites of %(name)s are saved; receipts issued from now on carry them.", name=name))


def _form_page(
    request: Request, found: queries.PayeeInfo, form: forms.PayeeForm, status: int = 200, version: str | None = None
) -> Template:
    """The payee's form; it carries ``version`` (the payee's as read, or the one the form had)."""
    return render(request, "billing/staff_payee.html", status_code=status, payee=found, form=form, version=version)
