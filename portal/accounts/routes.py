"""Pages of identity for visitors and residents: sign-in and out, password reset, registration, invitations,
consent, profile, linking accounts, and the people of an owner's account. Staff pages are in ``routes_staff``."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.params import FromQuery
from litestar.response import Redirect
from litestar.response import Template

from portal.accounts import actions
from portal.accounts import consent as consent_text
from portal.accounts import export
from portal.accounts import forms
from portal.accounts import mail
from portal.accounts import privacy
from portal.accounts import queries
from portal.accounts import rules
from portal.accounts.principal import SESSION_EPOCH
from portal.accounts.principal import SESSION_USER
from portal.accounts.rules import TokenPurpose
from portal.core import clock
from portal.core import cookies
from portal.core import i18n
from portal.core import limits
from portal.core.home import register_section
from portal.core.i18n import gettext as _
from portal.core.security import Principal
from portal.core.security import ResidentRole
from portal.core.security import client_ip
from portal.core.security import guest
from portal.core.security import public
from portal.core.security import resident
from portal.core.security import safe_next
from portal.core.security import signed_in
from portal.core.security import start_session
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import question
from portal.core.web import render
from portal.core.web import see_other
from portal.notifications import actions as push_actions
from portal.notifications import forms as push_forms
from portal.settings import get_settings

# The session's key for the language a visitor chose with the switch, and when: ``rules.language_at_sign_in``.
_CHOSEN_LANGUAGE = "lang_chosen"


async def _sign_in(
    request: Request, user: queries.UserInfo, *, epoch: int | None = None, remember: bool = False
) -> Cookie:
    """A new session under a new id: nothing of the visitor's session is carried over. Every way in (the password,
    a confirmation link, an invitation) takes this browser's push subscription from whoever had it before, and
    speaks the person's saved language (or the one they chose with the switch just before, saved now): the answer
    sets this browser's language cookie, which this gives, to it."""
    await push_actions.hand_over_browser(user.id, push_forms.browser_endpoint(request.cookies))
    chosen = request.session.get(_CHOSEN_LANGUAGE)
    locale = await actions.start_in_language(user, chosen, ip=client_ip(request))
    data = {SESSION_USER: user.id, SESSION_EPOCH: user.session_epoch if epoch is None else epoch}
    start_session(request, data, remember=remember)
    i18n.speak(request.scope.setdefault("state", {}), locale)  # the message after signing in speaks it too
    return cookies.cookie(i18n.COOKIE, locale)


def _ua(request: Request) -> str:
    return request.headers.get("user-agent", "")[:255]


def _notice(request: Request, title: str, text: str, **extra: Any) -> Template:
    return render(request, "accounts/notice.html", title=title, text=text, **extra)


def _email_taken(request: Request) -> Template:
    """A new login address that became another account's login while its link was on the way."""
    text = _(
        "This address has meanwhile become the login of another account, so your login stays as it was. "
        "If the address is yours, call the management company."
    )
    return _notice(request, _("The e-mail is not changed"), text, action=("/login", _("Sign in")), status_code=409)


def _link_button(request: Request, title: str, text: str, label: str, action: str) -> Template:
    """The page of an e-mailed link that changes something: one button that POSTs it back."""
    return render(request, "accounts/link_confirm.html", title=title, text=text, label=label, action=action)


def _link_gone(request: Request, purpose: TokenPurpose) -> Template:
    """The page of a one-time link that no longer works, with what its reader can do next: a new reset, or (an
    invitation, a confirmation) signing in if it was used, else a new invitation or registering again."""
    if purpose is TokenPurpose.INVITE:
        text = _(
            "The invitation has expired or has already been used. If you have set your password with it, sign in; "
            "if not, ask whoever invited you to send a new invitation."
        )
    elif purpose is TokenPurpose.CONFIRM:
        text = _(
            "The link has expired or has already been used. If you have confirmed your e-mail with it, sign in; "
            "if not, register again and we will send a new link."
        )
    elif purpose is TokenPurpose.EMAIL:
        text = _(
            "The link has expired or has already been used. If you have confirmed your new e-mail with it, sign in "
            "with the new address; if not, ask for the change again on your profile."
        )
    else:
        text = _("The link has expired or has already been used. Ask for a new one.")
    action = ("/password/forgot", _("Reset the password again")) if purpose is TokenPurpose.RESET else None
    return _notice(
        request,
        _("The link no longer works"),
        text,
        action=action or ("/login", _("Sign in")),
        status_code=410,
    )


@get("/privacy", name="privacy_terms", opt=public())
async def privacy_terms(request: Request) -> Template:
    """How long the portal keeps each kind of personal data (152-ФЗ ст. 5 ч. 7, ст. 18.1 ч. 2), for anyone: the
    terms as the settings that carry them out say."""
    return render(request, "accounts/privacy_terms.html", terms=privacy.kept_terms(get_settings()))


@post("/lang", name="set_language", opt=public(), status_code=303)
async def set_language(request: Request, data: FormData, principal: NamedDependency[Principal]) -> Response[None]:
    """Remember the chosen language in a cookie for a year and go back to the same page; a signed-in user's pages on
    every device and messages (e-mail, SMS, push) follow it from now on, and so do those of whoever signs in here
    next, soon (a choice made on the sign-in page)."""
    locale = form_value(data, "lang")
    if locale not in i18n.LOCALES:
        locale = i18n.DEFAULT_LOCALE
    await actions.choose_language(principal, locale, ip=client_ip(request))
    if not principal.is_authenticated:  # a choice the next sign-in here saves (rules.language_at_sign_in)
        request.session[_CHOSEN_LANGUAGE] = [locale, int(clock.now().timestamp())]
    target = safe_next(
        form_value(data, "next") or request.headers.get("referer", "").split(request.base_url.netloc, 1)[-1]
    )
    return Redirect(
        path=target,
        status_code=303,
        cookies=[cookies.cookie(i18n.COOKIE, locale)],
    )


class _LinkGone(Exception):
    """A one-time link that no longer works: expired, used, or never given."""

    def __init__(self, purpose: TokenPurpose) -> None:
        super().__init__(purpose)
        self.purpose = purpose


# The request's scope state key of the language a one-time link's page speaks (``_valid_token``).
_LINK_LANGUAGE = "link_locale"


async def _valid_token(request: Request, principal: Principal, token: str, purpose: TokenPurpose) -> queries.Token:
    """The token of a one-time link; the "link no longer works" page (410) otherwise. A link that keeps a language
    (its letter's) speaks it to a visitor who has not chosen one here (``i18n.link_language``: not to one signed
    in), on the page saying that it no longer works too."""
    row = await queries.link_token(token, purpose)
    if row is not None:
        spoken = i18n.link_language(row.locale, request.cookies.get(i18n.COOKIE), principal.is_authenticated)
        if spoken:
            state = request.scope.setdefault("state", {})
            i18n.speak(state, spoken)
            state[_LINK_LANGUAGE] = spoken
    if row is None or not row.works(clock.now()):
        raise _LinkGone(purpose)
    return row


def _link_language_kept(request: Request) -> list[Cookie]:
    """After a link's page spoke its language, the page it leads to (the sign-in, with its message) speaks it too:
    this browser keeps it, as signing in would make it keep the person's language. Nothing where the visitor had
    chosen one here, or was signed in."""
    spoken = request.scope.get("state", {}).get(_LINK_LANGUAGE)
    return [cookies.cookie(i18n.COOKIE, spoken)] if spoken else []


async def _invitation_told(email: str) -> mail.Told:
    return await mail.told(
        _("The invitation is sent to %(email)s.", email=email),
        _(
            "The invitation will be sent to %(email)s as soon as the mail server answers: it is not answering now.",
            email=email,
        ),
    )


def _check_email(request: Request, told: mail.Told, **extra: Any) -> Template:
    """The page after a letter asked for: «check your e-mail» only once it is sent; while it waits for the mail
    server, the heading says so."""
    if told.waits:
        return _notice(request, _("We will send the letter as soon as the mail server answers"), told.text, **extra)
    return _notice(request, _("Check your e-mail"), told.text, **extra)


async def _reset_mailed(request: Request, email: str) -> Template:
    """The page after a reset link asked for by e-mail: the address as typed, the same for an account and for none
    (a typo is seen here, not after an hour of waiting)."""
    sent = _(
        "If an account with the e-mail %(email)s exists, we have sent it a link to choose a new password. "
        "The link works once, for an hour.",
        email=email,
    )
    waiting = _(
        "If an account with the e-mail %(email)s exists, we will send it a link to choose a new password as soon "
        "as our mail server answers: it is not answering now. The link works once, for an hour from now: if no "
        "letter has come by then, ask for a new one.",
        email=email,
    )
    again = ("/password/forgot", _("Mistyped the address? Type it again"))
    return _check_email(request, await mail.told(sent, waiting), again=again)


def _reset_code_page(
    request: Request, values: dict[str, Any], errors: FormErrors | None, *, sent: bool = False, status_code: int = 200
) -> Template:
    """The page asking the code of a reset sent by SMS; right after asking (``sent``) it says where the code went,
    the same whether or not the phone is an account's."""
    return render(request, "accounts/reset_code.html", values=values, errors=errors, sent=sent, status_code=status_code)


def _code_error(errors: FormErrors, outcome: actions.CodeCheck) -> int:
    """The message and status of a refused account number and code."""
    if outcome is actions.CodeCheck.LIMITED:
        errors.general.append(forms.too_many())
        return 429
    if outcome is actions.CodeCheck.NOT_OWNER:
        errors.add(
            "role",
            _(
                "The register of owners does not name you as an owner of this premise. Choose “Tenant”, or ask the "
                "management company to confirm your ownership: they will invite you as the owner."
            ),
        )
    elif outcome is actions.CodeCheck.ALREADY:
        errors.general.append(_("This account is already linked to your profile; the access stays as it is."))
    else:
        errors.general.append(_("The account number or the access code is wrong. Check them on your receipt."))
    return 422


# --- visitors: sign-in, password reset, registration, invitations ------------------------------------

# The session's key for the e-mail of a password just reset, typed into the next sign-in form.
_RESET_LOGIN = "reset_login"


class Visitors(Controller):
    """Pages for people who are not signed in (a signed-in user is sent on) and the one-time links."""

    path = "/"
    opt = guest()
    exception_handlers = {_LinkGone: lambda request, exc: _link_gone(request, exc.purpose)}

    @get("/login", name="login")
    async def login_page(
        self, request: Request, principal: NamedDependency[Principal], next: FromQuery[str] = ""
    ) -> Template | Response[Any]:
        if principal.is_authenticated:
            return Redirect(path=safe_next(next), status_code=303)
        # Whoever just chose a new password finds their e-mail typed in (once; kept in the session, not the URL).
        values = {"login": request.session.pop(_RESET_LOGIN, "")}
        return render(request, "accounts/login.html", values=values, errors=None, next=safe_next(next, ""))

    @post("/login", status_code=200)
    async def login_submit(self, request: Request, data: FormData) -> Template | Response[Any]:
        values, errors = forms.login_form(data)
        target = safe_next(form_value(data, "next"), "")
        status = 422
        if not errors:
            result = await actions.sign_in(
                limits.counter(request), values["login"], values["password"], client_ip(request)
            )
            if result.outcome is actions.SignIn.OK and result.user is not None:
                lang = await _sign_in(request, result.user, remember=values["remember"])
                return Redirect(path=target or "/", status_code=303, cookies=[lang])
            status = 429 if result.outcome is actions.SignIn.LIMITED else 422
            errors.general.append(_sign_in_refusal(result.outcome))
        return render(request, "accounts/login.html", values=values, errors=errors, next=target, status_code=status)

    @get("/password/forgot")
    async def forgot_page(self, request: Request) -> Template:
        return render(request, "accounts/forgot.html", values={}, errors=None)

    @post("/password/forgot", status_code=200)
    async def forgot_submit(self, request: Request, data: FormData) -> Template:
        values, errors = forms.reset_form(data)
        if not errors and not await actions.request_password_reset(
            limits.counter(request), values["login"], client_ip(request)
        ):
            errors.general.append(forms.too_many())
            return render(request, "accounts/forgot.html", values=values, errors=errors, status_code=429)
        if errors:
            return render(request, "accounts/forgot.html", values=values, errors=errors, status_code=422)
        if values["phone"]:
            return _reset_code_page(request, values, None, sent=True)
        return await _reset_mailed(request, values["login"])

    @get("/password/code")
    async def reset_code_page(self, request: Request, login: FromQuery[str] = "") -> Template:
        return _reset_code_page(request, {"login": login[:32]}, None)

    @post("/password/code", status_code=200)
    async def reset_code_submit(self, request: Request, data: FormData) -> Template | Response[Any]:
        values, errors = forms.reset_code_form(data)
        if errors:
            return _reset_code_page(request, values, errors, status_code=422)
        opened = await actions.open_reset_by_code(
            limits.counter(request), values["login"], values["code"], client_ip(request)
        )
        if opened is actions.CodeReset.LIMITED:
            errors.general.append(forms.too_many())
            return _reset_code_page(request, values, errors, status_code=429)
        if opened is actions.CodeReset.WRONG:
            errors.add("code", _("The code is wrong or no longer works. Check it, or ask for a new one."))
            return _reset_code_page(request, values, errors, status_code=422)
        return Redirect(path=f"/password/reset/{opened}", status_code=303)

    @get("/password/reset/{token:str}", opt=public())
    async def reset_page(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str]
    ) -> Template:
        row = await _valid_token(request, principal, token, TokenPurpose.RESET)
        return render(request, "accounts/reset.html", errors=None, token=token, email=row.email)

    @post("/password/reset/{token:str}", opt=public(), status_code=200)
    async def reset_submit(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str], data: FormData
    ) -> Template | Response[Any]:
        row = await _valid_token(request, principal, token, TokenPurpose.RESET)
        values, errors = forms.new_password_form(data, row.email)
        if errors:
            return render(request, "accounts/reset.html", errors=errors, token=token, email=row.email, status_code=422)
        if not await actions.reset_password(row, values["password"]):
            return _link_gone(request, TokenPurpose.RESET)
        start_session(request, {_RESET_LOGIN: row.email})  # whatever session this browser had ends here
        flash(request, _("Your password has been changed. Sign in with the new password."))
        return Redirect(path="/login", status_code=303, cookies=_link_language_kept(request))

    @get("/register")
    async def register_page(self, request: Request, principal: NamedDependency[Principal]) -> Template | Response[Any]:
        if principal.is_authenticated:
            return Redirect(path="/accounts/link", status_code=303)
        return _register_page(request, {"role": ResidentRole.OWNER}, None)

    @post("/register", status_code=200)
    async def register_submit(self, request: Request, data: FormData) -> Template:
        values, errors = forms.register_form(data)
        if errors:
            return _register_page(request, values, errors, 422)
        locale = i18n.get_locale()
        outcome = await actions.register(limits.counter(request), values, ip=client_ip(request), locale=locale)
        if outcome is not actions.CodeCheck.OK:
            return _register_page(request, values, errors, _code_error(errors, outcome))
        sent = _("We have sent a link to %(email)s. Open it to finish the registration.", email=values["email"])
        waiting = _(
            "We will send a link to %(email)s as soon as our mail server answers: it is not answering now. "
            "Open it to finish the registration.",
            email=values["email"],
        )
        return _check_email(request, await mail.told(sent, waiting))

    @get("/register/confirm/{token:str}", opt=public())
    async def register_confirm_page(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str]
    ) -> Template:
        """The link in the confirmation e-mail only shows a button: mail scanners open links before the person does,
        and a plain GET must not spend the token or sign anyone in."""
        row = await _valid_token(request, principal, token, TokenPurpose.CONFIRM)
        text = _("Press the button to confirm %(email)s and finish the registration.", email=row.email)
        return _link_button(
            request, _("Confirm your e-mail"), text, _("Confirm the e-mail"), f"/register/confirm/{token}"
        )

    @post("/register/confirm/{token:str}", opt=public(), status_code=200)
    async def register_confirm(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str]
    ) -> Template | Response[Any]:
        row = await _valid_token(request, principal, token, TokenPurpose.CONFIRM)
        user = await actions.confirm_registration(row, client_ip(request))
        if user is None:
            return _link_gone(request, TokenPurpose.CONFIRM)
        lang = await _sign_in(request, user)
        flash(request, _("Your e-mail is confirmed. Welcome!"))
        return Redirect(path="/", status_code=303, cookies=[lang])

    @get("/email/confirm/{token:str}", opt=public())
    async def email_confirm_page(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str]
    ) -> Template:
        """The link sent to a new login address only shows a button (a mail scanner's GET changes nothing)."""
        row = await _valid_token(request, principal, token, TokenPurpose.EMAIL)
        text = _("Press the button to make %(email)s the login of your account.", email=row.email)
        return _link_button(
            request, _("Confirm your new e-mail"), text, _("Make it my login"), f"/email/confirm/{token}"
        )

    @post("/email/confirm/{token:str}", opt=public(), status_code=200)
    async def email_confirm(
        self, request: Request, token: FromPath[str], principal: NamedDependency[Principal]
    ) -> Template | Response[Any]:
        """The link sent to a new login address, opened signed in or not: the address is the login from now on.
        Every session of the user ends, as on a password change; the one that opened it, if it is theirs,
        continues under a new id."""
        row = await _valid_token(request, principal, token, TokenPurpose.EMAIL)
        outcome, epoch = await actions.confirm_email_change(row, ip=client_ip(request))
        if outcome is actions.EmailSwitch.GONE:
            return _link_gone(request, TokenPurpose.EMAIL)
        if outcome is actions.EmailSwitch.TAKEN:
            return _email_taken(request)
        user = found(await queries.get_user(row.user or 0))
        if principal.user_id != user.id:
            flash(request, _("Your login is now %(email)s. Sign in with it.", email=row.email))
            return Redirect(path="/login", status_code=303, cookies=_link_language_kept(request))
        lang = await _sign_in(request, user, epoch=epoch)
        text = _("Your login is now %(email)s. You stay signed in here; other devices are signed out.", email=row.email)
        flash(request, text)
        return Redirect(path="/profile", status_code=303, cookies=[lang])

    @get("/invite/{token:str}", opt=public())
    async def invite_page(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str]
    ) -> Template:
        row = await _valid_token(request, principal, token, TokenPurpose.INVITE)
        user = await queries.get_user(row.user) if row.user else None
        name = user.full_name if user else ""
        staff = bool(row.user) and await queries.is_staff(row.user)
        context = {"token": token, "email": row.email, "name": name, "staff": staff}
        return render(request, "accounts/invite.html", errors=None, **context)

    @post("/invite/{token:str}", opt=public(), status_code=200)
    async def invite_submit(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str], data: FormData
    ) -> Template | Response[Any]:
        row = await _valid_token(request, principal, token, TokenPurpose.INVITE)
        values, errors = forms.invite_accept_form(data, row.email)
        if errors:
            staff = bool(row.user) and await queries.is_staff(row.user)
            context = {"token": token, "email": row.email, "name": values["full_name"], "staff": staff}
            return render(request, "accounts/invite.html", errors=errors, status_code=422, **context)
        outcome, user = await actions.accept_invitation(
            row, values["full_name"], values["password"], ip=client_ip(request), locale=i18n.get_locale()
        )
        if outcome is actions.InviteAccepted.GONE or user is None:
            return _link_gone(request, TokenPurpose.INVITE)
        if outcome is actions.InviteAccepted.LINKED:
            flash(request, _("The account has been added to your profile. Sign in with your password."))
            return Redirect(path="/login", status_code=303, cookies=_link_language_kept(request))
        return Redirect(path="/", status_code=303, cookies=[await _sign_in(request, user)])


def _sign_in_refusal(outcome: actions.SignIn) -> str:
    return {
        actions.SignIn.LIMITED: forms.too_many(),
        actions.SignIn.UNCONFIRMED: _(
            "Confirm your e-mail first: open the link in the message we sent you. No message? Register again with "
            "the same e-mail and we will send a new link."
        ),
        actions.SignIn.BLOCKED: _("This account is blocked. Call the management company."),
    }.get(outcome, _("The e-mail, phone or password is wrong."))


def _code_form(
    request: Request, template: str, values: dict[str, Any], errors: FormErrors | None, status: int, **context: Any
) -> Template:
    """A form of an account's number and access code, and the person's role there (owner or tenant)."""
    roles = forms.resident_roles(ResidentRole.OWNER, ResidentRole.TENANT)
    return render(request, template, values=values, errors=errors, roles=roles, status_code=status, **context)


def _register_page(request: Request, values: dict[str, Any], errors: FormErrors | None, status: int = 200) -> Template:
    consent = consent_text.text(i18n.get_locale(), i18n.own_words(get_settings(), "company_name"))
    edition = consent_text.current_edition()
    return _code_form(request, "accounts/register.html", values, errors, status, consent_text=consent, edition=edition)


# --- signed-in users: sign-out, consent, profile, linking accounts -----------------------------------


async def provide_me(principal: NamedDependency[Principal]) -> queries.UserInfo:
    """The signed-in user's own record."""
    return found(await queries.get_user(principal.user_id or 0))


class SignedIn(Controller):
    """Pages of any signed-in user, resident or staff."""

    path = "/"
    opt = signed_in()
    dependencies = {"me": Provide(provide_me)}

    @post("/logout", opt=signed_in(before_consent=True), status_code=303)
    async def logout(self, request: Request, principal: NamedDependency[Principal]) -> Redirect:
        # The session ends (its id is deleted from the store); a fresh one, without the user, carries the message
        # to the next page. This browser's push subscription for the person ends with it: on a shared computer the
        # next person would otherwise get their notices.
        endpoint = push_forms.browser_endpoint(request.cookies)
        await push_actions.unsubscribe(principal.user_id or 0, endpoint)
        start_session(request, {})
        flash(request, _("You have signed out."))
        return Redirect(path="/", status_code=303, cookies=[cookies.expired(push_forms.PUSH_COOKIE)])

    @get("/consent", opt=signed_in(before_consent=True))
    async def consent_page(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return await _consent_page(request, principal, None)

    @post("/consent", opt=signed_in(before_consent=True), status_code=200)
    async def consent_accept(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        if form_value(data, "agree") != "yes":
            errors = FormErrors()
            errors.add("agree", _("Tick the box to give your consent."))
            return await _consent_page(request, principal, errors, 422)
        await actions.accept_consent(
            principal, ip=client_ip(request), user_agent=_ua(request), locale=i18n.get_locale()
        )
        return Redirect(path=safe_next(form_value(data, "next")), status_code=303)

    @post("/consent/withdraw", opt=signed_in(before_consent=True), status_code=200)
    async def consent_withdraw(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        """Withdrawing asks once more (the dialog's «OK», or without JavaScript a page): the portal closes at once."""
        if form_value(data, "confirm") != "1":
            return question(request, "accounts/withdraw.html")
        due = await actions.withdraw_consent(principal, ip=client_ip(request))
        if due is not None:
            message = _(
                "Your consent is withdrawn. Your personal data will be deleted by %(day)s.", day=i18n.format_day(due)
            )
            flash(request, message, "info")
        return see_other(request, "/consent")

    @post("/consent/optional", opt=signed_in(before_consent=True), status_code=303)
    async def consent_optional(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Response[Any]:
        kind = next((k for k in privacy.OPTIONAL if k.value == form_value(data, "consent_type")), None)
        if kind is None:
            raise NotFoundException()
        give = form_value(data, "give") == "yes"
        if give and principal.consent_required:
            flash(request, _("First give the consent to the processing of personal data."), "error")
            return see_other(request, "/consent")
        changed = await privacy.set_optional_consent(
            principal, kind, give, ip=client_ip(request), user_agent=_ua(request), locale=i18n.get_locale()
        )
        if changed:
            flash(request, _("Your consent is given.") if give else _("Your consent is withdrawn."), at="optional")
        return see_other(request, "/consent#optional")

    @get("/consent/text/{consent_type:str}/{edition:int}", opt=signed_in(before_consent=True))
    async def consent_edition(self, request: Request, consent_type: FromPath[str], edition: FromPath[int]) -> Template:
        """One edition of a consent's text, as it was published: what a person accepted, to read again."""
        shown = found(consent_text.edition_numbered(consent_type, edition))
        company = i18n.own_words(get_settings(), "company_name")
        text = shown.text(i18n.get_locale(), company)
        later = consent_text.next_edition(shown)
        return render(request, "accounts/consent_text.html", edition=shown, text=text, later=later)

    @get("/consent/export", opt=signed_in(before_consent=True))
    async def consent_export_page(self, request: Request) -> Template:
        """The address of the download, opened (a bookmark, a link preview, a prefetch): its button, nothing done."""
        return render(request, "accounts/export.html")

    @post("/consent/export", opt=signed_in(before_consent=True), status_code=200)
    async def consent_export(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        """The person's data as a file, on the press of «Скачать мои данные»: an access request answered at once."""
        await privacy.record_access(principal, ip=client_ip(request))
        data = await export.subject_data(principal.user_id or 0)
        name = f"personal-data-{clock.today_local():%Y-%m-%d}.json"
        return Response(
            await written(export.as_json, data),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
        )

    @post("/consent/correction", opt=signed_in(before_consent=True), status_code=200)
    async def consent_correction(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        details, errors = forms.read_correction(data)
        if errors:
            return await _consent_page(request, principal, errors, 422, typed=details)
        due = await privacy.request_correction(principal, details, ip=client_ip(request))
        flash(request, _("Your request is sent. The data will be corrected by %(day)s.", day=i18n.format_day(due)))
        return see_other(request, "/consent#requests")

    @get("/more")
    async def more_page(self, request: Request) -> Template:
        return render(request, "accounts/more.html")

    @get("/profile")
    async def profile_page(self, request: Request, me: NamedDependency[queries.UserInfo]) -> Template:
        return await _profile_page(request, me)

    @post("/profile", status_code=200)
    async def profile_submit(
        self, request: Request, me: NamedDependency[queries.UserInfo], data: FormData
    ) -> Template | Response[Any]:
        values, errors = forms.profile_form(data)
        if errors:
            return await _profile_page(request, me, values, errors, status=422)
        saved = await actions.save_profile(limits.counter(request), me, values, ip=client_ip(request))
        i18n.set_locale(values["locale"])
        _say_saved(request, saved, values["phone"])
        return Redirect(path="/profile", status_code=303, cookies=[cookies.cookie(i18n.COOKIE, values["locale"])])

    @post("/profile/phone", status_code=200)
    async def phone_confirm(
        self, request: Request, me: NamedDependency[queries.UserInfo], data: FormData
    ) -> Template | Response[Any]:
        values, errors = forms.phone_code_form(data)
        outcome = await actions.confirm_phone(me, values["code"], ip=client_ip(request)) if not errors else None
        if outcome is actions.PhoneConfirm.DONE:
            flash(request, _("The phone number is confirmed."))
            return Redirect(path="/profile", status_code=303)
        if outcome is not None:
            errors.add("code", _phone_refusal(outcome))
        return await _profile_page(request, me, phone_errors=errors, status=422)

    @post("/profile/email", status_code=200)
    async def email_change(
        self, request: Request, me: NamedDependency[queries.UserInfo], data: FormData
    ) -> Template | Response[Any]:
        values, errors = forms.email_change_form(data, me.email or "")
        status = 422
        if not errors:
            outcome = await actions.request_email_change(
                limits.counter(request), me, values["new_email"], values["current_password"]
            )
            if outcome is actions.EmailChange.SENT:
                text = _(
                    "We have sent a link to %(email)s. Your login changes to it when you open the link and confirm.",
                    email=values["new_email"],
                )
                flash(request, text, "info")
                return Redirect(path="/profile", status_code=303)
            if outcome is actions.EmailChange.TOO_MANY:
                errors.general.append(
                    _("Too many links were asked for this hour; the e-mail is not changed. Try later.")
                )
            else:
                limited = outcome is actions.EmailChange.LIMITED
                errors.add("current_password", forms.too_many() if limited else _("The current password is wrong."))
            status = 422 if outcome is actions.EmailChange.WRONG else 429
        return await _profile_page(request, me, email_values=values, email_errors=errors, status=status)

    @post("/profile/password", status_code=200)
    async def profile_password(
        self, request: Request, me: NamedDependency[queries.UserInfo], data: FormData
    ) -> Template | Response[Any]:
        values, errors = forms.change_password_form(data, me.email or "")
        if errors:
            return await _profile_page(request, me, password_errors=errors, status=422)
        outcome, epoch = await actions.change_password(
            limits.counter(request), me, values["current_password"], values["password"]
        )
        if outcome is not actions.PasswordChange.DONE:
            limited = outcome is actions.PasswordChange.LIMITED
            errors.add("current_password", forms.too_many() if limited else _("The current password is wrong."))
            return await _profile_page(request, me, password_errors=errors, status=429 if limited else 422)
        # Other sessions of this user end (their epoch is older); this one continues under a new id.
        lang = await _sign_in(request, me, epoch=epoch)
        flash(request, _("The password is changed. You stay signed in here; other devices are signed out."))
        return Redirect(path="/profile", status_code=303, cookies=[lang])

    @get("/accounts/link")
    async def link_page(self, request: Request, me: NamedDependency[queries.UserInfo]) -> Template:
        return await _link_page(request, me, {"role": ResidentRole.OWNER}, None)

    @post("/accounts/link", status_code=200)
    async def link_submit(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        me: NamedDependency[queries.UserInfo],
        data: FormData,
    ) -> Template | Response[Any]:
        values, errors = forms.link_form(data)
        if errors:
            return await _link_page(request, me, values, errors, 422)
        outcome, account = await actions.link_by_code(limits.counter(request), principal, values, client_ip(request))
        if outcome is not actions.CodeCheck.OK or account is None:
            return await _link_page(request, me, values, errors, _code_error(errors, outcome))
        flash(request, _("Personal account %(n)s is linked.", n=account.number))
        return see_other(request, "/")


def _say_saved(request: Request, saved: actions.ProfileSaved, phone: str | None) -> None:
    """The flash of a saved profile, true to what was saved: a new phone is not saved until its code is typed, so
    when it was the only change only the code is spoken of."""
    if saved.phone is actions.PhoneChange.NONE:
        flash(request, _("The profile is saved."))
        return
    if saved.changed:
        flash(request, _("The other changes are saved."))
    if saved.phone is actions.PhoneChange.CODE_SENT:
        text = _(
            "We have sent a code to %(phone)s. The phone number changes once you type the code below.",
            phone=i18n.format_phone(phone),
        )
        flash(request, text, "info")
    else:
        flash(request, _("Too many codes were asked for this hour; the phone is not changed. Try later."), "error")


def _phone_refusal(outcome: actions.PhoneConfirm) -> str:
    return {
        actions.PhoneConfirm.WRONG: _("The code is wrong. Check the message and type it again."),
        actions.PhoneConfirm.TAKEN: _("This number cannot be used. Call the management company."),
    }.get(outcome, _("The code no longer works. Save the profile with the new number again to get a new one."))


async def _consent_page(
    request: Request, principal: Principal, errors: FormErrors | None, status: int = 200, typed: str = ""
) -> Template:
    user_id = principal.user_id or 0
    history = await queries.consent_history(user_id)
    current = consent_text.current_version()
    standing = next(
        (r for r in history if r.consent_type == consent_text.CONSENT_TYPE and r.text_version == current
         and r.withdrawn_at is None),
        None,
    )  # fmt: skip
    requests = await privacy.requests_of(user_id)
    erasure = next((r for r in requests if r.kind == rules.DataRequestKind.ERASURE and r.done_at is None), None)
    company = i18n.own_words(get_settings(), "company_name")
    given = await privacy.standing_consents(user_id)
    locale = i18n.get_locale()
    optional = [(kind, consent_text.optional_text(kind, locale, company), kind in given) for kind in privacy.OPTIONAL]
    return render(
        request,
        "accounts/consent.html",
        text=consent_text.text(i18n.get_locale(), company),
        edition=consent_text.current_edition(),
        channel_label=forms.CONSENT_CHANNELS.known,
        standing=standing,
        history=history,
        deletion_due=erasure.due_on if erasure and standing is None else None,
        optional=optional,
        requests=requests,
        errors=errors,
        typed=typed,
        next=safe_next(request.query_params.get("next"), "/"),
        status_code=status,
    )


async def _profile_page(
    request: Request,
    user: queries.UserInfo,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    *,
    password_errors: FormErrors | None = None,
    phone_errors: FormErrors | None = None,
    email_values: dict[str, Any] | None = None,
    email_errors: FormErrors | None = None,
    status: int = 200,
) -> Template:
    if values is None:
        values = {
            "full_name": user.full_name,
            "phone_raw": i18n.format_phone(user.phone, in_field=True),
            # The language the page is read in (the header's switch or the browser's), not the one last saved: a
            # resident reading Russian who saved the profile for a new phone had the portal turn English.
            "locale": i18n.get_locale(),
            "notify_email": user.notify_email,
        }
    return render(
        request,
        "accounts/profile.html",
        user=user,
        values=values,
        errors=errors,
        password_errors=password_errors,
        phone_errors=phone_errors,
        email_values=email_values or {},
        email_errors=email_errors,
        pending=await queries.pending_changes(user.id),
        languages=forms.language_options(),
        channels=[("email", _("E-mail"))],
        status_code=status,
    )


async def _link_page(
    request: Request, me: queries.UserInfo, values: dict[str, Any], errors: FormErrors | None, status: int = 200
) -> Template:
    accounts = await queries.accounts_of_user(me.id)
    return _code_form(request, "accounts/link.html", values, errors, status, accounts=accounts)


# --- an owner's account: who has access ---------------------------------------------------------------


async def provide_owned_account(
    principal: NamedDependency[Principal], account_id: FromPath[int]
) -> queries.LinkedAccount:
    """The account in the path, if the caller is its owner; 404 otherwise (missing and forbidden alike)."""
    return found(await queries.owned_account(principal, account_id))


class AccountPeople(Controller):
    """An owner sees who has access to the account, invites family members and tenants, and revokes them."""

    path = "/accounts/{account_id:int}"
    opt = resident()
    dependencies = {"account": Provide(provide_owned_account)}

    @get("/people")
    async def people_page(
        self, request: Request, account: NamedDependency[queries.LinkedAccount], principal: NamedDependency[Principal]
    ) -> Template:
        return await _people_page(request, account, principal)

    @post("/people", status_code=200)
    async def people_invite(
        self,
        request: Request,
        account: NamedDependency[queries.LinkedAccount],
        principal: NamedDependency[Principal],
        data: FormData,
    ) -> Template | Response[Any]:
        values, errors = forms.invite_person_form(data, _inviter_language(principal))
        if errors:
            return await _people_page(request, account, principal, values, errors, 422)
        await actions.invite_to_account(
            principal,
            account,
            values["email"],
            values["role"],
            values["rights"],
            ip=client_ip(request),
            locale=values["locale"],
        )
        flash(request, *await _invitation_told(values["email"]))
        return see_other(request, f"/accounts/{account.id}/people")

    @post("/people/{residency_id:int}/revoke", status_code=200)
    async def people_revoke(
        self,
        request: Request,
        account: NamedDependency[queries.LinkedAccount],
        principal: NamedDependency[Principal],
        residency_id: FromPath[int],
        data: FormData,
    ) -> Template | Response[Any]:
        """Revoking asks once more (the dialog's «OK», or without JavaScript a page): the person loses the account
        at once. 404 for a person the owner may not revoke, asked or not."""
        if form_value(data, "confirm") != "1":
            person = found(await queries.revocable_person(account, residency_id, principal.user_id))
            return question(request, "accounts/revoke.html", account=account, person=person)
        if not await actions.revoke(principal, account, residency_id, ip=client_ip(request)):
            raise NotFoundException()
        flash(request, _("The access is revoked."))
        return see_other(request, f"/accounts/{account.id}/people")

    @post("/invitations/{invitation_id:int}/cancel", status_code=303)
    async def invitation_cancel(
        self,
        request: Request,
        account: NamedDependency[queries.LinkedAccount],
        principal: NamedDependency[Principal],
        invitation_id: FromPath[int],
    ) -> Response[Any]:
        if not await actions.cancel_invitation(principal, account, invitation_id, ip=client_ip(request)):
            raise NotFoundException()
        flash(request, _("The invitation is cancelled."))
        return see_other(request, f"/accounts/{account.id}/people")


def _inviter_language(principal: Principal) -> str:
    """The language an owner's invitation is preselected in: the owner's own (a family member or a tenant is likely
    to share it)."""
    return principal.locale if principal.locale in i18n.LOCALES else i18n.DEFAULT_LOCALE


async def _people_page(
    request: Request,
    account: queries.LinkedAccount,
    principal: Principal,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "accounts/people.html",
        account=account,
        people=await queries.people_of_account(account.id),
        invitations=await queries.pending_invitations(account.id),
        values=values
        or {
            "role": ResidentRole.FAMILY,
            "rights": list(rules.DELEGABLE_RIGHTS),
            "locale": _inviter_language(principal),
        },
        errors=errors,
        role_label=forms.role_label,
        invite_roles=forms.resident_roles(ResidentRole.TENANT, ResidentRole.FAMILY),
        rights=forms.rights_labels(),
        languages=forms.language_options(),
        me=principal.user_id,
        status_code=status,
    )


async def _home_accounts(principal: Principal) -> dict[str, Any] | None:
    if not principal.user_id or not principal.is_resident:
        return None
    return {"accounts": await queries.accounts_of_user(principal.user_id), "role_label": forms.role_label}


register_section("accounts", 90, "accounts/_home_accounts.html", _home_accounts)


async def _home_left(principal: Principal) -> dict[str, Any] | None:
    """A person with no account left (a family member or tenant of a closed one) is told why, not «link an account»."""
    if not principal.user_id or principal.is_resident:
        return None
    left = await queries.accounts_left(principal.user_id)
    return {"left": left} if left else None


register_section("accounts_left", 1, "accounts/_home_left.html", _home_left)


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/accounts/{account_id:int}/people": 5,  # + the unread count at «Ещё» (the navigation)
    "/more": 2,  # + the unread count at «Ещё» (the navigation)
    "/profile": 4,  # the user, and the phone code and e-mail link waiting; the unread count at «Ещё»
}
