"""Routes of identity: sign-in and out, password reset, registration, invitations, consent, profile, people of an
account, and the staff pages for users, access codes, invitations, the audit log and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from portal.accounts import consent as consent_text
from portal.accounts import forms, mail, queries, rules
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.accounts.principal import SESSION_EPOCH, SESSION_USER
from portal.core import audit, i18n
from portal.core.db import atomic
from portal.core.home import register_section
from portal.core.i18n import gettext as _
from portal.core.pagination import page_request
from portal.core.security import (
    Principal,
    RateLimit,
    client_ip,
    end_session,
    guest,
    principal_of,
    public,
    rate_hit,
    rate_limited,
    rate_reset,
    resident,
    safe_next,
    signed_in,
    staff,
    start_session,
)
from portal.core.web import FormData, FormErrors, flash, form_value, render, see_other
from portal.settings import get_settings

LOGIN_PER_LOGIN = RateLimit("login", 5, 60)
LOGIN_PER_IP = RateLimit("login-ip", 20, 60)
REGISTER_PER_IP = RateLimit("register-ip", 20, 3600)
CODE_PER_ACCOUNT = RateLimit("code", 5, 900)
RESET_PER_EMAIL = RateLimit("reset", 3, 3600)
RESET_PER_IP = RateLimit("reset-ip", 20, 3600)

INVITE_ROLES = ("manager", "operator")
CODE_ROLES = ("manager", "operator", "accountant")


def _ua(request: Request) -> str:
    return request.headers.get("user-agent", "")[:255]


def _too_many() -> str:
    return _("Too many attempts. Wait a minute and try again.")


def _sign_in(request: Request, user: dict[str, Any], remember: bool = False) -> None:
    """A new session under a new id: nothing of the visitor's session is carried over."""
    start_session(request, {SESSION_USER: user["id"], SESSION_EPOCH: user["session_epoch"] or 0}, remember=remember)


def _resident_roles() -> list[tuple[str, str]]:
    return [("owner", _("Owner")), ("tenant", _("Tenant")), ("family", _("Family member"))]


def _rights_labels() -> list[tuple[str, str]]:
    return [
        ("pay", _("See balances and pay")),
        ("meters", _("Pass meter readings")),
        ("tickets", _("File requests")),
    ]


def _staff_roles() -> list[tuple[str, str]]:
    return [
        ("admin", _("Administrator")),
        ("manager", _("House manager")),
        ("dispatcher", _("Dispatcher")),
        ("executor", _("Executor")),
        ("accountant", _("Accountant")),
        ("moderator", _("Moderator")),
        ("operator", _("Call-centre operator")),
    ]


# --- sign-in and out ------------------------------------------------------------------------------------


@get("/login", name="login", opt=guest())
async def login_page(request: Request, next: str = "") -> Template | Redirect:
    principal = await principal_of(request)
    if principal.is_authenticated:
        return Redirect(path=safe_next(next), status_code=303)
    return render(request, "accounts/login.html", values={}, errors=None, next=safe_next(next, ""))


@post("/login", opt=guest(), status_code=200)
async def login_submit(request: Request, data: FormData) -> Any:
    values, errors = forms.login_form(data)
    target = safe_next(form_value(data, "next"), "")

    def again(status: int) -> Template:
        return render(request, "accounts/login.html", values=values, errors=errors, next=target, status_code=status)

    if errors:
        return again(422)
    kind = rules.login_kind(values["login"])
    login_key = kind[1] if kind else values["login"]
    ip = client_ip(request)
    if await rate_limited(request, LOGIN_PER_LOGIN, login_key) or await rate_limited(request, LOGIN_PER_IP, ip):
        errors.general.append(_too_many())
        return again(429)
    user = await queries.user_by_login(values["login"])
    ok = verify_password(user["password_hash"] if user else None, values["password"])
    if not ok or user is None:
        await rate_hit(request, LOGIN_PER_LOGIN, login_key)
        await rate_hit(request, LOGIN_PER_IP, ip)
        errors.general.append(_("The e-mail, phone or password is wrong."))
        return again(422)
    if not user["is_active"]:
        if user["email_confirmed_at"] is None:
            errors.general.append(_("Confirm your e-mail first: open the link in the message we sent you."))
        else:
            errors.general.append(_("This account is blocked. Call the management company."))
        return again(422)
    await rate_reset(request, LOGIN_PER_LOGIN, login_key)
    await queries.signed_in(
        user["id"], hash_password(values["password"]) if needs_rehash(user["password_hash"]) else None
    )
    _sign_in(request, user, remember=values["remember"])
    return Redirect(path=target or "/", status_code=303)


@post("/logout", opt=signed_in(before_consent=True), status_code=303)
async def logout(request: Request) -> Redirect:
    end_session(request)
    return Redirect(path="/", status_code=303)


# --- password reset -------------------------------------------------------------------------------------


@get("/password/forgot", opt=guest())
async def forgot_page(request: Request) -> Template:
    return render(request, "accounts/forgot.html", values={}, errors=None)


@post("/password/forgot", opt=guest(), status_code=200)
async def forgot_submit(request: Request, data: FormData) -> Template:
    values, errors = forms.email_form(data)
    if errors:
        return render(request, "accounts/forgot.html", values=values, errors=errors, status_code=422)
    ip = client_ip(request)
    if await rate_limited(request, RESET_PER_EMAIL, values["email"]) or await rate_limited(request, RESET_PER_IP, ip):
        errors.general.append(_too_many())
        return render(request, "accounts/forgot.html", values=values, errors=errors, status_code=429)
    await rate_hit(request, RESET_PER_EMAIL, values["email"])
    await rate_hit(request, RESET_PER_IP, ip)
    async with atomic():
        user = await queries.user_by_email(values["email"])
        if user is not None and (user["is_active"] or user["email_confirmed_at"] is None):
            token = await queries.create_token("reset", user_id=user["id"], email=values["email"])
            await mail.send_reset(values["email"], token, user["locale"], user["id"])
    mail.deliver_soon()
    return render(
        request,
        "accounts/notice.html",
        title=_("Check your e-mail"),
        text=_(
            "If an account with this e-mail exists, we have sent a link to choose a new password. "
            "The link works once, for an hour."
        ),
    )


def _link_gone(request: Request) -> Template:
    return render(
        request,
        "accounts/notice.html",
        title=_("The link no longer works"),
        text=_("The link has expired or has already been used. Ask for a new one."),
        action=("/password/forgot", _("Reset the password again")),
        status_code=410,
    )


@get("/password/reset/{token:str}", opt=public())
async def reset_page(request: Request, token: str) -> Template:
    row = await queries.valid_token(token, "reset")
    if row is None:
        return _link_gone(request)
    return render(request, "accounts/reset.html", errors=None, token=token)


@post("/password/reset/{token:str}", opt=public(), status_code=200)
async def reset_submit(request: Request, token: str, data: FormData) -> Any:
    row = await queries.valid_token(token, "reset")
    if row is None:
        return _link_gone(request)
    values, errors = forms.new_password_form(data, row["email"])
    if errors:
        return render(request, "accounts/reset.html", errors=errors, token=token, status_code=422)
    async with atomic():
        if not await queries.use_token(row["id"]):
            return _link_gone(request)
        await queries.set_password(row["user"], values["password"])
        await queries.cancel_tokens("reset", row["user"])
    start_session(request, {})  # whatever session this browser had ends here
    flash(request, _("Your password has been changed. Sign in with the new password."))
    return Redirect(path="/login", status_code=303)


# --- registration with an account number and its access code -----------------------------------------


def _register_page(request: Request, values: dict[str, Any], errors: FormErrors | None, status: int = 200) -> Template:
    return render(
        request,
        "accounts/register.html",
        values=values,
        errors=errors,
        roles=_resident_roles()[:2],
        consent_text=consent_text.text(i18n.get_locale(), get_settings().company_name),
        status_code=status,
    )


@get("/register", opt=guest())
async def register_page(request: Request) -> Template | Redirect:
    if (await principal_of(request)).is_authenticated:
        return Redirect(path="/accounts/link", status_code=303)
    return _register_page(request, {"role": "owner"}, None)


async def _account_by_code(request: Request, values: dict[str, Any], errors: FormErrors) -> dict[str, Any] | None:
    """The account named by number and code, with the attempts counted per account against guessing."""
    if await rate_limited(request, CODE_PER_ACCOUNT, values["account"]):
        errors.general.append(_too_many())
        return None
    account = await queries.account_by_number(values["account"])
    if (
        account is None
        or account["closed_on"] is not None
        or not await queries.access_code_matches(account["id"], values["code"])
    ):
        await rate_hit(request, CODE_PER_ACCOUNT, values["account"])
        errors.general.append(_("The account number or the access code is wrong. Check them on your receipt."))
        return None
    return account


@post("/register", opt=guest(), status_code=200)
async def register_submit(request: Request, data: FormData) -> Template:
    values, errors = forms.register_form(data)
    if errors:
        return _register_page(request, values, errors, 422)
    if await rate_limited(request, REGISTER_PER_IP, client_ip(request)):
        errors.general.append(_too_many())
        return _register_page(request, values, errors, 429)
    await rate_hit(request, REGISTER_PER_IP, client_ip(request))
    account = await _account_by_code(request, values, errors)
    if account is None:
        return _register_page(request, values, errors, 429 if errors.general[-1] == _too_many() else 422)
    locale = i18n.get_locale()
    async with atomic():
        existing = await queries.user_by_email(values["email"])
        if existing is not None and (existing["is_active"] or existing["email_confirmed_at"] is not None):
            await mail.send_already_registered(values["email"], existing["locale"], existing["id"])
        else:
            if existing is None:
                user_id = await queries.create_user(
                    email=values["email"],
                    full_name=values["full_name"],
                    password=values["password"],
                    locale=locale,
                    active=False,
                )
            else:  # registered before but never confirmed: the new attempt replaces the old one
                user_id = existing["id"]
                await queries.set_password(user_id, values["password"])
                await queries.update_profile(user_id, {"full_name": values["full_name"]})
                await queries.cancel_tokens("confirm", user_id)
            token = await queries.create_token(
                "confirm", user_id=user_id, email=values["email"], account_id=account["id"], role=values["role"]
            )
            await mail.send_confirmation(values["email"], token, locale, user_id)
    mail.deliver_soon()
    return render(
        request,
        "accounts/notice.html",
        title=_("Check your e-mail"),
        text=_("We have sent a link to %(email)s. Open it to finish the registration.", email=values["email"]),
    )


@get("/register/confirm/{token:str}", opt=public())
async def register_confirm(request: Request, token: str) -> Any:
    row = await queries.valid_token(token, "confirm")
    if row is None or row["user"] is None:
        return _link_gone(request)
    async with atomic():
        if not await queries.use_token(row["id"]):
            return _link_gone(request)
        await queries.confirm_email(row["user"])
        if row["account"]:
            await queries.link_account(row["user"], row["account"], row["role"] or "owner", [])
    user = await queries.get_user(row["user"])
    assert user is not None
    _sign_in(request, user)
    flash(request, _("Your e-mail is confirmed. Welcome!"))
    return Redirect(path="/", status_code=303)


# --- invitations ----------------------------------------------------------------------------------------


@get("/invite/{token:str}", opt=public())
async def invite_page(request: Request, token: str) -> Template:
    row = await queries.valid_token(token, "invite")
    if row is None:
        return _link_gone(request)
    user = await queries.get_user(row["user"]) if row["user"] else None
    return render(
        request, "accounts/invite.html", errors=None, token=token, email=row["email"], name=user and user["full_name"]
    )


@post("/invite/{token:str}", opt=public(), status_code=200)
async def invite_submit(request: Request, token: str, data: FormData) -> Any:
    row = await queries.valid_token(token, "invite")
    if row is None:
        return _link_gone(request)
    values, errors = forms.new_password_form(data, row["email"])
    name = form_value(data, "full_name")[:255]
    if not name:
        errors.add("full_name", _("Enter your name."))
    if errors:
        return render(
            request, "accounts/invite.html", errors=errors, token=token, email=row["email"], name=name, status_code=422
        )
    async with atomic():
        if not await queries.use_token(row["id"]):
            return _link_gone(request)
        user_id = row["user"]
        existing = await queries.user_by_email(row["email"]) if user_id is None else None
        if existing is not None and existing["password_hash"]:
            # The person signed up in the meantime: give the access, but never overwrite their password.
            await queries.link_account(existing["id"], row["account"], row["role"], row["rights"], row["created_by"])
            flash(request, _("The account has been added to your profile. Sign in with your password."))
            return Redirect(path="/login", status_code=303)
        if existing is not None:
            user_id = existing["id"]
        if user_id is None:
            user_id = await queries.create_user(
                email=row["email"],
                full_name=name,
                password=values["password"],
                locale=i18n.get_locale(),
                confirmed=True,
            )
        else:
            await queries.set_password(user_id, values["password"])
            await queries.update_profile(user_id, {"full_name": name})
            await queries.confirm_email(user_id)
        if row["account"]:
            await queries.link_account(
                user_id, row["account"], row["role"] or "family", row["rights"], row["created_by"]
            )
    user = await queries.get_user(user_id)
    assert user is not None
    _sign_in(request, user)
    return Redirect(path="/", status_code=303)


# --- consent (152-ФЗ) -----------------------------------------------------------------------------------


async def _consent_page(
    request: Request, principal: Principal, errors: FormErrors | None, status: int = 200
) -> Template:
    history = await queries.consent_history(principal.user_id or 0)
    current = consent_text.current_version()
    standing = next(
        (r for r in history if r["text_version"] == current and r["withdrawn_at"] is None),
        None,
    )
    withdrawn = next((r for r in history if r["withdrawn_at"] is not None), None)
    deletion_due = None
    if withdrawn and standing is None:
        local = withdrawn["withdrawn_at"].astimezone(ZoneInfo(get_settings().time_zone)).date()
        deletion_due = rules.consent_deletion_due(local)
    return render(
        request,
        "accounts/consent.html",
        text=consent_text.text(i18n.get_locale(), get_settings().company_name),
        version=current,
        standing=standing,
        history=history,
        deletion_due=deletion_due,
        errors=errors,
        next=safe_next(request.query_params.get("next"), "/"),
        status_code=status,
    )


@get("/consent", opt=signed_in(before_consent=True))
async def consent_page(request: Request) -> Template:
    return await _consent_page(request, await principal_of(request), None)


@post("/consent", opt=signed_in(before_consent=True), status_code=200)
async def consent_accept(request: Request, data: FormData) -> Any:
    principal = await principal_of(request)
    if form_value(data, "agree") != "yes":
        errors = FormErrors()
        errors.add("agree", _("Tick the box to give your consent."))
        return await _consent_page(request, principal, errors, 422)
    assert principal.user_id is not None
    async with atomic():
        await queries.accept_consent(
            principal.user_id, ip=client_ip(request), user_agent=_ua(request), locale=i18n.get_locale()
        )
    return Redirect(path=safe_next(form_value(data, "next")), status_code=303)


@post("/consent/withdraw", opt=signed_in(before_consent=True), status_code=303)
async def consent_withdraw(request: Request) -> Response[Any]:
    principal = await principal_of(request)
    assert principal.user_id is not None
    async with atomic():
        await queries.withdraw_consent(principal.user_id)
    due = rules.consent_deletion_due(datetime.now(ZoneInfo(get_settings().time_zone)).date())
    flash(
        request,
        _("Your consent is withdrawn. Your personal data will be deleted by %(day)s.", day=i18n.format_day(due)),
        "info",
    )
    return see_other(request, "/consent")


# --- resident pages -------------------------------------------------------------------------------------


@get("/more", opt=signed_in())
async def more_page(request: Request) -> Template:
    return render(request, "accounts/more.html")


async def _profile_page(
    request: Request,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    password_errors: FormErrors | None = None,
    status: int = 200,
) -> Template:
    principal = await principal_of(request)
    user = await queries.get_user(principal.user_id or 0)
    assert user is not None
    if values is None:
        values = {
            "full_name": user["full_name"],
            "phone_raw": user["phone"] or "",
            "locale": user["locale"],
            "notify_email": user["notify_email"],
            "notify_inapp": user["notify_inapp"],
        }
    return render(
        request,
        "accounts/profile.html",
        user=user,
        values=values,
        errors=errors,
        password_errors=password_errors,
        status_code=status,
    )


@get("/profile", opt=signed_in())
async def profile_page(request: Request) -> Template:
    return await _profile_page(request)


@post("/profile", opt=signed_in(), status_code=200)
async def profile_submit(request: Request, data: FormData) -> Any:
    principal = await principal_of(request)
    values, errors = forms.profile_form(data)
    assert principal.user_id is not None
    if not errors and values["phone"] and await queries.phone_taken(values["phone"], principal.user_id):
        errors.add("phone", _("This phone number belongs to another account."))
    if errors:
        return await _profile_page(request, values, errors, status=422)
    async with atomic():
        await queries.update_profile(principal.user_id, values)
    i18n.set_locale(values["locale"])
    flash(request, _("The profile is saved."))
    return Redirect(
        path="/profile",
        status_code=303,
        cookies=[
            Cookie(key=i18n.COOKIE, value=values["locale"], max_age=365 * 24 * 3600, httponly=True, samesite="lax")
        ],
    )


@post("/profile/password", opt=signed_in(), status_code=200)
async def profile_password(request: Request, data: FormData) -> Any:
    principal = await principal_of(request)
    user = await queries.get_user(principal.user_id or 0)
    assert user is not None
    values, errors = forms.change_password_form(data, user["email"] or "")
    if not errors and not verify_password(user["password_hash"], values["current_password"]):
        errors.add("current_password", _("The current password is wrong."))
    if errors:
        return await _profile_page(request, password_errors=errors, status=422)
    async with atomic():
        epoch = await queries.set_password(user["id"], values["password"])
    # Other sessions of this user end (their epoch is older); this one continues under a new id.
    _sign_in(request, {**user, "session_epoch": epoch})
    flash(request, _("The password is changed. You stay signed in here; other devices are signed out."))
    return Redirect(path="/profile", status_code=303)


def _link_page(request: Request, values: dict[str, Any], errors: FormErrors | None, status: int = 200) -> Template:
    return render(
        request, "accounts/link.html", values=values, errors=errors, roles=_resident_roles()[:2], status_code=status
    )


@get("/accounts/link", opt=signed_in())
async def link_page(request: Request) -> Template:
    principal = await principal_of(request)
    accounts = await queries.accounts_of_user(principal.user_id or 0)
    return render(
        request,
        "accounts/link.html",
        values={"role": "owner"},
        errors=None,
        roles=_resident_roles()[:2],
        accounts=accounts,
    )


@post("/accounts/link", opt=signed_in(), status_code=200)
async def link_submit(request: Request, data: FormData) -> Any:
    principal = await principal_of(request)
    assert principal.user_id is not None
    values, errors = forms.link_form(data)
    accounts = await queries.accounts_of_user(principal.user_id)

    def again(status: int) -> Template:
        return render(
            request,
            "accounts/link.html",
            values=values,
            errors=errors,
            roles=_resident_roles()[:2],
            accounts=accounts,
            status_code=status,
        )

    if errors:
        return again(422)
    account = await _account_by_code(request, values, errors)
    if account is None:
        return again(429 if errors.general[-1] == _too_many() else 422)
    async with atomic():
        await queries.link_account(principal.user_id, account["id"], values["role"], [])
    flash(request, _("Personal account %(n)s is linked.", n=account["number"]))
    return see_other(request, "/")


async def _owned_account(request: Request, account_id: int) -> tuple[Principal, dict[str, Any]]:
    """The account, if the caller is its owner; 404 otherwise (never loaded first and checked later)."""
    principal = await principal_of(request)
    account = await queries.account_of_user(principal.user_id or 0, account_id)
    if account is None or account["role"] != "owner":
        raise NotFoundException()
    return principal, account


async def _people_page(
    request: Request,
    account: dict[str, Any],
    principal: Principal,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "accounts/people.html",
        account=account,
        people=await queries.people_of_account(account["account_id"]),
        invitations=await queries.pending_invitations(account["account_id"]),
        values=values or {"role": "family", "rights": ["pay", "meters", "tickets"]},
        errors=errors,
        roles=dict(_resident_roles()),
        invite_roles=_resident_roles()[1:],
        rights=_rights_labels(),
        me=principal.user_id,
        status_code=status,
    )


@get("/accounts/{account_id:int}/people", opt=resident())
async def people_page(request: Request, account_id: int) -> Template:
    principal, account = await _owned_account(request, account_id)
    return await _people_page(request, account, principal)


@post("/accounts/{account_id:int}/people", opt=resident(), status_code=200)
async def people_invite(request: Request, account_id: int, data: FormData) -> Any:
    principal, account = await _owned_account(request, account_id)
    values, errors = forms.invite_person_form(data)
    if errors:
        return await _people_page(request, account, principal, values, errors, 422)
    await _invite(principal, account_id, account, values["email"], values["role"], values["rights"])
    mail.deliver_soon()
    flash(request, _("The invitation is sent to %(email)s.", email=values["email"]))
    return see_other(request, f"/accounts/{account_id}/people")


async def _invite(
    principal: Principal, account_id: int, account: dict[str, Any], email: str, role: str, rights: list[str]
) -> None:
    """Give an existing user the access at once; send anyone else a one-time link to set a password."""
    async with atomic():
        existing = await queries.user_by_email(email)
        if existing is not None and existing["password_hash"]:
            await queries.link_account(existing["id"], account_id, role, rights, principal.user_id)
            await mail.send_access_granted(
                email, existing["locale"], account["number"], account["address"], existing["id"]
            )
        else:
            token = await queries.create_token(
                "invite", email=email, account_id=account_id, role=role, rights=rights, created_by=principal.user_id
            )
            await mail.send_invitation(email, token, i18n.get_locale(), account["number"], account["address"])


@post("/accounts/{account_id:int}/people/{residency_id:int}/revoke", opt=resident(), status_code=303)
async def people_revoke(request: Request, account_id: int, residency_id: int) -> Response[Any]:
    principal, _account = await _owned_account(request, account_id)
    async with atomic():
        revoked = await queries.revoke_residency(account_id, residency_id, principal.user_id or 0)
    if revoked is None:
        raise NotFoundException()
    flash(request, _("The access is revoked."))
    return see_other(request, f"/accounts/{account_id}/people")


@post("/accounts/{account_id:int}/invitations/{invitation_id:int}/cancel", opt=resident(), status_code=303)
async def invitation_cancel(request: Request, account_id: int, invitation_id: int) -> Response[Any]:
    await _owned_account(request, account_id)
    async with atomic():
        if not await queries.cancel_invitation(account_id, invitation_id):
            raise NotFoundException()
    flash(request, _("The invitation is cancelled."))
    return see_other(request, f"/accounts/{account_id}/people")


async def _home_accounts(principal: Principal) -> dict[str, Any] | None:
    if not principal.user_id or not principal.is_resident:
        return None
    return {"accounts": await queries.accounts_of_user(principal.user_id), "roles": dict(_resident_roles())}


register_section("accounts", 90, "accounts/_home_accounts.html", _home_accounts)


# --- staff: invitations and access codes ----------------------------------------------------------------


async def _account_in_scope(principal: Principal, number: str) -> dict[str, Any] | None:
    account = await queries.account_by_number(number)
    if account is None or not principal.may_see_house(account["house_id"]):
        return None
    return account


@get("/staff/invitations", opt=staff(*INVITE_ROLES))
async def staff_invite_page(request: Request, account: str = "") -> Template:
    return render(
        request,
        "accounts/staff_invite.html",
        values={"account": account, "role": "owner"},
        errors=None,
        roles=_resident_roles(),
    )


@post("/staff/invitations", opt=staff(*INVITE_ROLES), status_code=200)
async def staff_invite_submit(request: Request, data: FormData) -> Any:
    principal = await principal_of(request)
    values, errors = forms.staff_invite_form(data)
    account = None
    if not errors:
        account = await _account_in_scope(principal, values["account"])
        if account is None:
            errors.add("account", _("There is no such account in your houses."))
    if errors or account is None:
        return render(
            request,
            "accounts/staff_invite.html",
            values=values,
            errors=errors,
            roles=_resident_roles(),
            status_code=422,
        )
    account = {**account, "account_id": account["id"]}
    await _invite(principal, account["id"], account, values["email"], values["role"], [])
    async with atomic():
        await audit.record(
            principal,
            "invite",
            "personal_account",
            account["id"],
            {"email": values["email"], "role": values["role"]},
            ip=client_ip(request),
        )
    mail.deliver_soon()
    flash(
        request, _("The invitation to account %(n)s is sent to %(email)s.", n=account["number"], email=values["email"])
    )
    return see_other(request, "/staff/invitations")


@get("/staff/access-codes", opt=staff(*CODE_ROLES))
async def staff_codes_page(request: Request) -> Template:
    return render(request, "accounts/staff_codes.html", values={}, errors=None, code=None)


@post("/staff/access-codes", opt=staff(*CODE_ROLES), status_code=200)
async def staff_codes_submit(request: Request, data: FormData) -> Template:
    principal = await principal_of(request)
    values, errors = forms.account_number_form(data)
    account = None
    if not errors:
        account = await _account_in_scope(principal, values["account"])
        if account is None:
            errors.add("account", _("There is no such account in your houses."))
    if errors or account is None:
        return render(request, "accounts/staff_codes.html", values=values, errors=errors, code=None, status_code=422)
    async with atomic():
        code = await queries.regenerate_access_code(account["id"], principal.user_id)
        await audit.record(
            principal, "access_code.regenerate", "personal_account", account["id"], ip=client_ip(request)
        )
    return render(
        request,
        "accounts/staff_codes.html",
        values={},
        errors=None,
        code=rules.format_access_code(code),
        account=account,
    )


# --- staff: users, audit log, outbox (administrators) ---------------------------------------------------


@get("/staff/users", opt=staff("admin"))
async def staff_users(request: Request) -> Template:
    page = await queries.list_staff(page_request(request.query_params.get("page"), request.query_params.get("size")))
    return render(request, "accounts/staff_users.html", page=page, role_names=dict(_staff_roles()))


async def _staff_user_page(
    request: Request, user: dict[str, Any] | None, values: dict[str, Any], errors: FormErrors | None, status: int = 200
) -> Template:
    return render(
        request,
        "accounts/staff_user.html",
        user=user,
        values=values,
        errors=errors,
        roles=_staff_roles(),
        houses=await queries.houses(),
        status_code=status,
    )


@get("/staff/users/new", opt=staff("admin"))
async def staff_user_new(request: Request) -> Template:
    return await _staff_user_page(request, None, {"roles": [], "houses": []}, None)


@post("/staff/users/new", opt=staff("admin"), status_code=200)
async def staff_user_create(request: Request, data: FormData) -> Any:
    principal = await principal_of(request)
    house_ids = {h["id"] for h in await queries.houses()}
    values, errors = forms.staff_user_form(data, house_ids, new=True)
    if not errors and await queries.email_taken(values["email"]):
        errors.add("email", _("A user with this e-mail already exists."))
    if errors:
        return await _staff_user_page(request, None, values, errors, 422)
    async with atomic():
        user_id = await queries.create_user(email=values["email"], full_name=values["full_name"], confirmed=False)
        await queries.set_staff_scope(principal, user_id, values["roles"], values["houses"], client_ip(request))
        await audit.record(
            principal, "staff.create", "user", user_id, {"email": values["email"]}, ip=client_ip(request)
        )
        token = await queries.create_token(
            "invite", user_id=user_id, email=values["email"], created_by=principal.user_id
        )
        await mail.send_invitation(values["email"], token, "ru")
    mail.deliver_soon()
    flash(request, _("The staff member is added; an invitation is sent to %(email)s.", email=values["email"]))
    return see_other(request, "/staff/users")


@get("/staff/users/{user_id:int}", opt=staff("admin"))
async def staff_user_edit(request: Request, user_id: int) -> Template:
    user = await queries.staff_user(user_id)
    if user is None:
        raise NotFoundException()
    values = {"roles": user["roles"], "houses": user["house_ids"], "active": user["is_active"]}
    return await _staff_user_page(request, user, values, None)


@post("/staff/users/{user_id:int}", opt=staff("admin"), status_code=200)
async def staff_user_save(request: Request, user_id: int, data: FormData) -> Any:
    principal = await principal_of(request)
    user = await queries.staff_user(user_id)
    if user is None:
        raise NotFoundException()
    house_ids = {h["id"] for h in await queries.houses()}
    values, errors = forms.staff_user_form(data, house_ids, new=False)
    if user_id == principal.user_id and ("admin" not in values["roles"] or not values["active"]):
        errors.add("roles", _("You cannot take away your own administrator role or block yourself."))
    if errors:
        return await _staff_user_page(request, user, values, errors, 422)
    async with atomic():
        await queries.set_staff_scope(principal, user_id, values["roles"], values["houses"], client_ip(request))
        if values["active"] != user["is_active"]:
            await queries.set_active(user_id, values["active"])
            await audit.record(
                principal,
                "user.active",
                "user",
                user_id,
                {"is_active": [user["is_active"], values["active"]]},
                ip=client_ip(request),
            )
    flash(request, _("Saved."))
    return see_other(request, "/staff/users")


def _day_start(value: str, tz: ZoneInfo) -> datetime | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=tz)
    except ValueError:
        return None
    return day.astimezone(UTC)


@get("/staff/audit", opt=staff("admin"))
async def staff_audit(request: Request) -> Template:
    q = request.query_params
    tz = ZoneInfo(get_settings().time_zone)
    day_from = _day_start(q.get("from", ""), tz)
    day_to = _day_start(q.get("to", ""), tz)
    page = await queries.audit_page(
        page_request(q.get("page"), q.get("size")),
        actor=(q.get("actor") or "").strip()[:100],
        entity=(q.get("entity") or "").strip()[:64],
        day_from=day_from,
        day_to=day_to + timedelta(days=1) if day_to else None,
    )
    return render(
        request,
        "accounts/staff_audit.html",
        page=page,
        entities=[(e, e) for e in await queries.audit_entities()],
        filters={k: q.get(k, "") for k in ("actor", "entity", "from", "to")},
    )


@get("/staff/outbox", opt=staff("admin"))
async def staff_outbox(request: Request) -> Template:
    q = request.query_params
    status = q.get("status", "")
    if status not in ("", "pending", "sending", "sent", "kept", "failed"):
        status = ""
    page = await queries.outbox_page(page_request(q.get("page"), q.get("size")), status)
    return render(request, "accounts/staff_outbox.html", page=page, status=status)


@get("/staff/outbox/{message_id:int}", opt=staff("admin"))
async def staff_outbox_message(request: Request, message_id: int) -> Template:
    message = await queries.outbox_message(message_id)
    if message is None:
        raise NotFoundException()
    return render(request, "accounts/staff_outbox_message.html", message=message)


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/accounts/{account_id:int}/people": 4,
    "/more": 1,
    "/profile": 2,
}
