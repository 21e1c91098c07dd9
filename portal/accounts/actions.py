"""Every change of identity, one function per intent, each one transaction with its audit event and its
messages: sign-in, password reset and change, registration, invitations, shared access to accounts, consent,
profile and phone, and the staff's invitations, access codes and users.

Shared access to an account (linking, inviting, revoking) follows ``rules``: a link never changes a standing
residency, "owner" comes only from the register of owners or from staff, owners are never revoked by others;
every change is in the audit log and every owner of the account is told by a message.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any

from portal.accounts import consent as consent_text
from portal.accounts import mail
from portal.accounts import messages
from portal.accounts import passwords
from portal.accounts import privacy
from portal.accounts import queries
from portal.accounts import rules
from portal.accounts.notify import notify
from portal.accounts.privacy import consent_given
from portal.accounts.rules import TokenPurpose
from portal.accounts.tables import AccessCode
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import DataRequest
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import Residency
from portal.accounts.tables import StaffHouse
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core import audit
from portal.core import clock
from portal.core import limits
from portal.core import stale
from portal.core.db import atomic
from portal.core.db import unique_violations
from portal.core.i18n import LOCALES
from portal.core.i18n import gettext as _
from portal.core.security import Principal
from portal.core.security import ResidentRole
from portal.core.web import Refused
from portal.settings import get_settings

TOKEN_TTL = {
    TokenPurpose.RESET: timedelta(hours=1),
    TokenPurpose.RESET_CODE: timedelta(minutes=15),
    TokenPurpose.INVITE: timedelta(days=7),
    TokenPurpose.CONFIRM: timedelta(days=2),
    TokenPurpose.PHONE: timedelta(minutes=15),
    TokenPurpose.EMAIL: timedelta(days=1),
}


# --- small writes shared by the intents below (each runs inside the caller's transaction) ----------------


async def _create_token(
    purpose: TokenPurpose,
    *,
    user_id: int | None = None,
    sent_to: str = "",
    account_id: int | None = None,
    role: str = "",
    rights: list[str] | None = None,
    created_by: int | None = None,
    token_hash: str | None = None,
    locale: str = "",
    lives: timedelta | None = None,
) -> rules.Issued:
    """A new one-time token; only its hash is stored, the token itself goes into the message, which is not sent
    after the token expires. ``sent_to`` is the e-mail address it goes to (the new phone number for a phone
    code); ``locale`` is the language its message is written in, which the page its link opens speaks too
    (``i18n.link_language``). It lives ``lives``, or as long as its purpose's tokens do (``TOKEN_TTL``)."""
    token = rules.new_token()
    now = clock.now()
    expires_at = now + (lives or TOKEN_TTL[purpose])
    await OneTimeToken.insert(
        OneTimeToken(
            purpose=purpose,
            token_hash=token_hash or rules.token_hash(token),
            user=user_id,
            email=sent_to if purpose is TokenPurpose.PHONE else rules.normalize_email(sent_to),
            account=account_id,
            role=role,
            rights=list(rights or []),
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
            locale=locale,
        )
    )
    return rules.Issued(token, expires_at)


async def _use_token(token_id: int) -> bool:
    """Mark the token used; False when another request used it first (a token works once)."""
    done = (
        await OneTimeToken.update({OneTimeToken.used_at: clock.now()})
        .where((OneTimeToken.id == token_id) & OneTimeToken.used_at.is_null())
        .returning(OneTimeToken.id)
    )
    return bool(done)


async def _cancel_tokens(purpose: TokenPurpose, user_id: int) -> None:
    await OneTimeToken.update({OneTimeToken.used_at: clock.now()}).where(
        (OneTimeToken.purpose == purpose) & (OneTimeToken.user == user_id) & OneTimeToken.used_at.is_null()
    )


async def _next_epoch(user_id: int) -> int:
    user = await User.select(User.session_epoch).where(User.id == user_id).first()
    return (user["session_epoch"] or 0) + 1 if user else 1


async def _set_password_hash(user_id: int, password_hash: str) -> int:
    """Store a new password and sign the user out everywhere else; returns the new session epoch. A change of the
    login e-mail still waiting for its link is called off: whoever asked for it with the old password no longer
    has it (the owner of a hijacked account stops the change by choosing a new password)."""
    epoch = await _next_epoch(user_id)
    await User.update(
        {User.password_hash: password_hash, User.session_epoch: epoch, User.updated_at: clock.now()}
    ).where(User.id == user_id)
    await _cancel_tokens(TokenPurpose.EMAIL, user_id)
    return epoch


async def _create_user(
    values: dict[str, Any], *, password_hash: str = "", locale: str = "ru", active: bool, confirmed: bool
) -> int:
    """A new user of ``values``' e-mail and full name."""
    now = clock.now()
    user = User(
        email=rules.normalize_email(values["email"]),
        full_name=values["full_name"].strip(),
        password_hash=password_hash,
        locale=locale,
        is_active=active,
        email_confirmed_at=now if confirmed else None,
    )
    await user.save()
    return user.id


async def _confirm_email(user_id: int) -> None:
    await User.update({User.email_confirmed_at: clock.now(), User.is_active: True}).where(User.id == user_id)


async def _access_changed(
    actor: Principal | None,
    account: queries.AccountInfo,
    action: str,
    changes: dict[str, Any],
    *,
    event: str,
    ip: str,
    what: dict[str, Any],
) -> None:
    """A change of who may use an account: the audit event, and a message to each owner of the account (the
    one who made the change excepted), in the owner's language. ``what`` says what happened, as the context of
    ``messages.ACCESS_CHANGED`` (worded in each reader's language, in the portal's list in the language they read
    it in); ``event`` makes the message's key unique."""
    account_id = account.id
    await audit.record(actor, action, "personal_account", account_id, changes, ip=ip)
    for owner in await queries.owners_of_account(account_id):
        if actor is not None and owner == actor.user_id:
            continue
        await notify(
            owner,
            messages.ACCESS_CHANGED.name,
            context={"account_id": account_id, "number": account.number, **what},
            dedupe_key=f"access:{account_id}:{event}",
            link=f"/accounts/{account_id}/people",
        )


async def _grant(
    user_id: int, account_id: int, role: str, rights: list[str], granted_by: int | None
) -> queries.ResidencyInfo | None:
    """A new residency, only where the user has none (a standing one is never raised, lowered or changed).
    Returns the new residency, or None when the user already had one."""
    standing = await queries.residency_of(user_id, account_id)
    if not rules.may_link(standing.role if standing else None):
        return None
    granted = rules.rights_for(role, rights)
    row = Residency(user=user_id, account=account_id, role=role, rights=granted, granted_by=granted_by)
    await row.save()
    return queries.ResidencyInfo(id=row.id, user=user_id, account=account_id, role=role, rights=granted)


async def _named_owner(user: queries.UserInfo, premise_id: int) -> bool:
    owners = await queries.owners_in_registry(premise_id, clock.today_local())
    return rules.registry_names(owners, email=user.confirmed_email, phone=user.confirmed_phone)


# --- sign-in ----------------------------------------------------------------------------------------------


class SignIn(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LIMITED = "limited"
    UNCONFIRMED = "unconfirmed"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignIn
    user: queries.UserInfo | None = None


async def sign_in(counter: limits.Counter, login: str, password: str, ip: str) -> SignInResult:
    """Check a login and password. The attempt is counted first — per IP, and per user whichever of their
    e-mail or phone was typed — and over the limit no password is checked at all; the check itself runs on the
    hashing threads. An unknown login costs the same time as a wrong password."""
    user = await queries.user_by_login(login)
    bucket = rules.sign_in_bucket(user.id if user else None, login)
    if not await counter.take(rules.SIGN_IN_PER_IP, ip) or not await counter.take(rules.SIGN_IN_PER_USER, bucket):
        return SignInResult(SignIn.LIMITED)
    if not await passwords.verify_async(user.password_hash if user else None, password) or user is None:
        return SignInResult(SignIn.WRONG)
    if not user.is_active:
        return SignInResult(SignIn.UNCONFIRMED if user.email_confirmed_at is None else SignIn.BLOCKED)
    await counter.clear(rules.SIGN_IN_PER_USER, bucket)
    await counter.give_back(rules.SIGN_IN_PER_IP, ip)  # the IP's limit counts the failures
    values: dict[Any, Any] = {User.last_login_at: clock.now()}
    if passwords.needs_rehash(user.password_hash):
        values[User.password_hash] = await passwords.hash_async(password)
    async with atomic():
        await User.update(values).where(User.id == user.id)
    return SignInResult(SignIn.OK, user)


# --- password reset and change ----------------------------------------------------------------------------


async def request_password_reset(counter: limits.Counter, login: str, ip: str) -> bool:
    """Send a reset link to an e-mail, or a reset code by SMS to a phone, if the login is a user's; False when the
    login or the IP asked too often. Known and unknown logins are answered alike."""
    kind = rules.login_kind(login)
    if kind is None:
        return True
    if not await counter.take(rules.RESET_PER_IP, ip) or not await counter.take(rules.RESET_PER_EMAIL, kind[1]):
        return False
    async with atomic():
        user = await queries.user_by_login(kind[1])
        if kind[0] == "phone":
            if user is not None and user.is_active and user.phone_confirmed_at is not None:
                await _send_reset_code(user, kind[1])
        elif user is not None and (user.is_active or user.email_confirmed_at is None):
            token = await _create_token(TokenPurpose.RESET, user_id=user.id, sent_to=kind[1], locale=user.locale)
            await mail.send_reset(kind[1], token, user.locale, user.id)
    mail.deliver_soon()
    return True


async def _send_reset_code(user: queries.UserInfo, phone: str) -> None:
    """A new reset code to the login phone; the codes sent before it stop working (and are dropped: a code's hash is
    bound to the user only, so a new code equal to an old one would otherwise collide with it)."""
    await OneTimeToken.delete().where(
        (OneTimeToken.purpose == TokenPurpose.RESET_CODE) & (OneTimeToken.user == user.id)
    )
    code = rules.new_confirm_code()
    issued = await _create_token(
        TokenPurpose.RESET_CODE,
        user_id=user.id,
        sent_to=phone,
        token_hash=rules.reset_code_hash(user.id, code),
        locale=user.locale,
    )
    await mail.send_reset_code(phone, rules.Issued(code, issued.expires_at), user.locale, user.id)


class CodeReset(StrEnum):
    WRONG = "wrong"  # wrong, expired, used, dead after too many tries, or the phone is nobody's: all alike
    LIMITED = "limited"  # too many codes typed for this phone or from this IP


async def open_reset_by_code(counter: limits.Counter, login: str, code: str, ip: str) -> str | CodeReset:
    """The code of a reset sent by SMS, typed back: it is used up and exchanged for a reset link of the user (the
    token of ``/password/reset/…``), where the new password is set as through an e-mailed link; the person is on the
    page now, so it lives ``rules.RESET_BY_CODE_TTL``, not an e-mailed link's hour. Every try is counted
    per phone and per IP before the check; a code dies after a few wrong tries."""
    kind = rules.login_kind(login)
    if kind is None or kind[0] != "phone":
        return CodeReset.WRONG
    phone = kind[1]
    if not await counter.take(rules.RESET_CODE_PER_IP, ip) or not await counter.take(rules.RESET_CODE_PER_PHONE, phone):
        return CodeReset.LIMITED
    user = await queries.user_by_login(phone)
    pending = await queries.pending_code(user.id, TokenPurpose.RESET_CODE) if user else None
    if user is None or pending is None or pending.attempts >= rules.PHONE_CODE_TRIES:
        return CodeReset.WRONG
    if not await _code_holds(pending, rules.reset_code_hash(user.id, code)):
        return CodeReset.WRONG
    async with atomic():
        if not await _use_token(pending.id):
            return CodeReset.WRONG
        issued = await _create_token(
            TokenPurpose.RESET, user_id=user.id, sent_to=phone, locale=user.locale, lives=rules.RESET_BY_CODE_TTL
        )
    await counter.clear(rules.RESET_CODE_PER_PHONE, phone)
    return issued.token


async def reset_password(token: queries.Token, password: str) -> bool:
    """Set a new password through a reset link (e-mailed, or given for a code sent by SMS), once; every session of
    the user ends, and every other reset link or code of theirs stops working."""
    password_hash = await passwords.hash_async(password)
    async with atomic():
        if token.user is None or not await _use_token(token.id):
            return False
        epoch = await _set_password_hash(token.user, password_hash)
        await _cancel_tokens(TokenPurpose.RESET, token.user)
        await _cancel_tokens(TokenPurpose.RESET_CODE, token.user)
        await _password_changed(token.user, epoch)
    mail.deliver_soon()
    return True


async def _password_changed(user_id: int, epoch: int) -> None:
    """Tell the person their password changed (by e-mail whatever they chose: ``rules.always_mailed``), so that a
    stranger's change is seen; ``epoch`` makes each change its own message."""
    await notify(
        user_id,
        messages.PASSWORD_CHANGED.name,
        context={"url": mail.link("/password/forgot")},
        dedupe_key=f"password:{user_id}:{epoch}",
        link="/profile",
    )


class PasswordChange(StrEnum):
    DONE = "done"
    WRONG = "wrong"
    LIMITED = "limited"


async def change_password(
    counter: limits.Counter, user: queries.UserInfo, current: str, new: str
) -> tuple[PasswordChange, int]:
    """Change the password after checking the current one (counted against a limit before the check);
    returns the outcome and the new session epoch (other sessions end)."""
    if not await counter.take(rules.PASSWORD_CHECK_PER_USER, str(user.id)):
        return PasswordChange.LIMITED, user.session_epoch
    if not await passwords.verify_async(user.password_hash, current):
        return PasswordChange.WRONG, user.session_epoch
    await counter.clear(rules.PASSWORD_CHECK_PER_USER, str(user.id))
    password_hash = await passwords.hash_async(new)
    async with atomic():
        epoch = await _set_password_hash(user.id, password_hash)
        await _password_changed(user.id, epoch)
    mail.deliver_soon()
    return PasswordChange.DONE, epoch


# --- registration with an account number and its access code ------------------------------------------


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LIMITED = "limited"
    NOT_OWNER = "not_owner"
    ALREADY = "already"


async def _account_by_code(counter: limits.Counter, number: str, code: str) -> queries.AccountInfo | CodeCheck:
    """The account named by number and code; every attempt on an account is counted against guessing."""
    if not await counter.take(rules.CODE_PER_ACCOUNT, number):
        return CodeCheck.LIMITED
    account = await queries.account_by_number(number)
    if account is None or account.closed_on is not None or not await queries.access_code_matches(account.id, code):
        return CodeCheck.WRONG
    await counter.clear(rules.CODE_PER_ACCOUNT, number)
    return account


async def register(counter: limits.Counter, values: dict[str, Any], *, ip: str, locale: str) -> CodeCheck:
    """Self-registration with the account's number and code: an unconfirmed user and a confirmation link
    (the account is linked when the e-mail is confirmed). As the owner only if the register names the e-mail.
    An e-mail that already has a user gets a warning instead, and the answer is the same."""
    if not await counter.take(rules.REGISTER_PER_IP, ip):
        return CodeCheck.LIMITED
    account = await _account_by_code(counter, values["account"], values["code"])
    if not isinstance(account, queries.AccountInfo):
        return account
    owners = await queries.owners_in_registry(account.premise_id, clock.today_local())
    named = rules.registry_names(owners, email=values["email"], phone=None)
    if rules.role_on_link(values["role"], named_owner=named) is None:
        return CodeCheck.NOT_OWNER
    password_hash = await passwords.hash_async(values["password"])
    async with atomic():
        existing = await queries.user_by_email(values["email"])
        if existing is not None and (existing.is_active or existing.email_confirmed_at is not None):
            await mail.send_already_registered(values["email"], existing.locale, existing.id)
        else:
            user_id = await _register_user(existing, values, password_hash, locale)
            token = await _create_token(
                TokenPurpose.CONFIRM,
                user_id=user_id,
                sent_to=values["email"],
                account_id=account.id,
                role=values["role"],
                locale=locale,
            )
            await mail.send_confirmation(values["email"], token, locale, user_id)
    mail.deliver_soon()
    return CodeCheck.OK


async def _register_user(
    existing: queries.UserInfo | None, values: dict[str, Any], password_hash: str, locale: str
) -> int:
    user_id = await _named_user(existing.id if existing else None, values, password_hash, locale, confirmed=False)
    if existing is not None:  # registered before but never confirmed: the new attempt replaces the old one
        await _cancel_tokens(TokenPurpose.CONFIRM, existing.id)
    return user_id


async def _named_user(
    user_id: int | None, values: dict[str, Any], password_hash: str, locale: str, *, confirmed: bool
) -> int:
    """The user ``user_id`` given this name, password and language (that of the link's letter), or a new one of
    ``values`` (e-mail and name); one whose e-mail is ``confirmed`` is active, one still to confirm it is not."""
    if user_id is None:
        return await _create_user(
            values, password_hash=password_hash, locale=locale, active=confirmed, confirmed=confirmed
        )
    await _set_password_hash(user_id, password_hash)
    await User.update({User.full_name: values["full_name"], User.locale: locale}).where(User.id == user_id)
    if confirmed:
        await _confirm_email(user_id)
    return user_id


async def confirm_registration(token: queries.Token, ip: str) -> queries.UserInfo | None:
    """The confirmation link: the e-mail is confirmed, the user is active, and the account is linked — as the
    owner only if the register (checked again now) names the confirmed e-mail. None if the link was used."""
    if token.user is None:
        return None
    async with atomic():
        if not await _use_token(token.id):
            return None
        await _confirm_email(token.user)
        user = await queries.get_user(token.user)
        assert user is not None
        account = await queries.account_by_id(token.account) if token.account else None
        if account is not None:
            named = await _named_owner(user, account.premise_id)
            role = rules.role_on_link(token.role, named_owner=named)
            if role is not None:
                await _link(Principal(user_id=user.id, name=user.full_name), user, account, role, ip, "register")
    return user


async def _link(
    actor: Principal, user: queries.UserInfo, account: queries.AccountInfo, role: str, ip: str, how: str
) -> queries.ResidencyInfo | None:
    granted = await _grant(user.id, account.id, role, [], None)
    if granted is not None:
        name = user.full_name
        await _access_changed(
            actor,
            account,
            "residency.link",
            {"user": user.id, "role": role, "by": how},
            event=f"residency:{granted.id}",
            ip=ip,
            what={"what": "linked", "name": name, "role": role},
        )
    return granted


async def link_by_code(
    counter: limits.Counter, principal: Principal, values: dict[str, Any], ip: str
) -> tuple[CodeCheck, queries.AccountInfo | None]:
    """A signed-in user adds an account with its number and code. Never changes a standing link; "owner" only
    when the register names the user's confirmed e-mail or phone as an owner of the premise."""
    account = await _account_by_code(counter, values["account"], values["code"])
    if not isinstance(account, queries.AccountInfo):
        return account, None
    user = await queries.get_user(principal.user_id or 0)
    assert user is not None
    standing = await queries.residency_of(user.id, account.id)
    if not rules.may_link(standing.role if standing else None):
        return CodeCheck.ALREADY, account
    role = rules.role_on_link(values["role"], named_owner=await _named_owner(user, account.premise_id))
    if role is None:
        return CodeCheck.NOT_OWNER, account
    async with atomic():
        granted = await _link(principal, user, account, role, ip, "code")
    return (CodeCheck.OK if granted else CodeCheck.ALREADY), account


# --- invitations ------------------------------------------------------------------------------------------


async def invite_to_account(
    actor: Principal,
    account: queries.AccountInfo,
    email: str,
    role: str,
    rights: list[str],
    *,
    ip: str,
    locale: str,
) -> None:
    """An owner (family or tenant) or staff (any role; staff confirm ownership this way) invite someone to an
    account: a user who has a password gets the access at once, told in their own language, anyone else a
    one-time link in ``locale``, the inviter's choice, which becomes the person's language when they accept.
    Someone who already has access keeps it exactly as it is (Refused)."""
    async with atomic():
        existing = await queries.user_by_email(email)
        if existing is not None and existing.has_password:
            granted = await _grant(existing.id, account.id, role, rights, actor.user_id)
            if granted is None:
                raise Refused(_("%(email)s already has access to this account; it stays as it is.", email=email))
            await mail.send_access_granted(email, existing.locale, account.number, account.address, existing.id)
            event, action, changes = f"residency:{granted.id}", "residency.grant", {"user": existing.id}
            invited = False
        else:
            token = await _create_token(
                TokenPurpose.INVITE,
                sent_to=email,
                account_id=account.id,
                role=role,
                rights=rights,
                created_by=actor.user_id,
                locale=locale,
            )
            await mail.send_invitation(email, token, locale, account.number, account.address)
            event, action = f"invite:{rules.token_hash(token.token)[:16]}", "invitation.send"
            changes = {"locale": locale}
            invited = True  # the access opens when the invitation is accepted (the owners are told then as well)
        await _access_changed(
            actor,
            account,
            action,
            {**changes, "email": email, "role": role, "rights": sorted(rights)},
            event=event,
            ip=ip,
            what={"what": "invited" if invited else "granted", "actor": actor.name or "", "email": email, "role": role},
        )
    mail.deliver_soon()


class InviteAccepted(StrEnum):
    SIGNED_IN = "signed_in"  # a new password was set: the person is signed in
    LINKED = "linked"  # the person already had a password: they sign in with it
    GONE = "gone"  # the link was used meanwhile


async def accept_invitation(
    token: queries.Token, full_name: str, password: str, *, ip: str, locale: str
) -> tuple[InviteAccepted, queries.UserInfo | None]:
    """An invited person sets a name and password (or, if they signed up meanwhile, just gets the access);
    their e-mail is confirmed by the link. A new user speaks the invitation's language (``locale``, the page's,
    for an invitation that kept none); a staff member's was saved when they were added. A standing residency is
    never changed."""
    password_hash = await passwords.hash_async(password)
    async with atomic():
        if not await _use_token(token.id):
            return InviteAccepted.GONE, None
        existing = await queries.user_by_email(token.email) if token.user is None else None
        if existing is not None and existing.has_password:
            # The person signed up in the meantime: give the access, but never overwrite their password.
            await _accept_into_account(token, existing, ip)
            return InviteAccepted.LINKED, existing
        values = {"email": token.email, "full_name": full_name.strip()}
        user_id = await _named_user(
            token.user or (existing.id if existing else None),
            values,
            password_hash,
            token.locale or locale,
            confirmed=True,
        )
        user = await queries.get_user(user_id)
        assert user is not None
        await _accept_into_account(token, user, ip)
    return InviteAccepted.SIGNED_IN, user


async def _accept_into_account(token: queries.Token, user: queries.UserInfo, ip: str) -> None:
    account = await queries.account_by_id(token.account) if token.account else None
    if account is None:
        return
    role = token.role or ResidentRole.FAMILY
    granted = await _grant(user.id, account.id, role, token.rights, token.created_by)
    if granted is None:
        return
    name = user.full_name
    await _access_changed(
        Principal(user_id=user.id, name=name),
        account,
        "invitation.accept",
        {"user": user.id, "role": role, "rights": granted.rights},
        event=f"residency:{granted.id}",
        ip=ip,
        what={"what": "accepted", "name": name, "role": role},
    )


async def revoke(actor: Principal, account: queries.LinkedAccount, residency_id: int, *, ip: str) -> bool:
    """An owner ends a family member's or a tenant's access (never an owner's, never their own): False when
    there is no such residency on this account or the rules do not allow it."""
    target = await queries.residency_on_account(account.id, residency_id)
    if target is None or not rules.may_revoke(
        actor_role=account.role, target_role=target.role, own=target.user == actor.user_id
    ):
        return False
    person = await queries.get_user(target.user)
    name = person.full_name if person else ""
    async with atomic():
        await Residency.update({Residency.revoked_at: clock.now()}).where(
            (Residency.id == target.id) & Residency.revoked_at.is_null()
        )
        await _access_changed(
            actor,
            account,
            "residency.revoke",
            {"user": target.user, "role": target.role},
            event=f"residency:{target.id}:revoked",
            ip=ip,
            what={"what": "revoked", "actor": actor.name, "name": name},
        )
    return True


async def hand_over(actor: Principal, account_id: int, new_owner: int, now: datetime, *, ip: str) -> None:
    """Staff apply a new owner's documents: the new owner is linked as the owner of their new account (a standing
    link of another role gives way to it). Inside the caller's transaction, with its audit event. The previous
    owners keep their own account, closed, with its history and debt."""
    standing = await queries.residency_of(new_owner, account_id)
    if standing is not None and standing.role != ResidentRole.OWNER:
        await Residency.update({Residency.revoked_at: now}).where(Residency.id == standing.id)
    if standing is None or standing.role != ResidentRole.OWNER:
        granted = await _grant(new_owner, account_id, ResidentRole.OWNER, [], actor.user_id)
        assert granted is not None
        linked = {"user": new_owner, "role": ResidentRole.OWNER, "by": "handover"}
        await audit.record(actor, "residency.link", "personal_account", account_id, linked, ip=ip, now=now)


async def cancel_invitation(actor: Principal, account: queries.LinkedAccount, invitation_id: int, *, ip: str) -> bool:
    invitation = await queries.invitation_of_account(account.id, invitation_id)
    if invitation is None:
        return False
    async with atomic():
        if not await _use_token(invitation.id):
            return False
        email = invitation.email
        await _access_changed(
            actor,
            account,
            "invitation.cancel",
            {"email": email},
            event=f"invite:{invitation.id}:cancelled",
            ip=ip,
            what={"what": "cancelled", "actor": actor.name, "email": email},
        )
    return True


# --- consent --------------------------------------------------------------------------------------------


async def accept_consent(principal: Principal, *, ip: str, user_agent: str, locale: str) -> None:
    """Record the acceptance of the current text; earlier records (other versions, withdrawals) are kept. The
    first one is the consent given on signing up; later ones (a new text, after a withdrawal) on the portal's page.
    An erasure still waiting after a withdrawal is cancelled: the person gave the consent again."""
    async with atomic():
        before = await ConsentRecord.exists().where(
            (ConsentRecord.user == principal.user_id) & (ConsentRecord.consent_type == consent_text.CONSENT_TYPE)
        )
        await consent_given(
            principal.user_id,
            consent_text.CONSENT_TYPE,
            consent_text.current_version(),
            clock.now(),
            ip=ip,
            user_agent=user_agent,
            locale=locale,
            channel=rules.ConsentChannel.PORTAL if before else rules.ConsentChannel.REGISTRATION,
        ).save()
        await audit.record(
            principal, "consent.give", "user", principal.user_id, {"consent_type": consent_text.CONSENT_TYPE}, ip=ip
        )
        await _cancel_erasure(principal, principal.user_id or 0, ip=ip)


async def _cancel_erasure(actor: Principal, user_id: int, *, received_before: datetime | None = None, ip: str) -> None:
    """The person gave the processing consent again (on the portal or on paper): an erasure still waiting after
    their withdrawal is cancelled, with its audit event. A consent signed on paper cancels only an erasure whose
    withdrawal came before the day after it was signed (``received_before``): a form signed before the withdrawal
    and entered late does not undo it. Inside the caller's transaction."""
    waiting = (
        (DataRequest.user == user_id)
        & (DataRequest.kind == rules.DataRequestKind.ERASURE)
        & DataRequest.done_at.is_null()
    )
    if received_before is not None:
        waiting &= DataRequest.received_at < received_before
    done = {DataRequest.done_at: clock.now(), DataRequest.outcome: rules.ErasureOutcome.CANCELLED}
    cancelled = await DataRequest.update(done).where(waiting).returning(DataRequest.id)
    if cancelled:
        await audit.record(actor, "personal_data.erasure_cancelled", "user", user_id, ip=ip)


async def withdraw_consent(principal: Principal, *, ip: str = "") -> date | None:
    """The person withdraws on the portal: every standing consent (processing, and with it dissemination and
    marketing) ends and the erasure of their data is scheduled (``_withdraw``); returns the erasure date, or None
    when nothing stood. Staff see the date on the «Персональные данные» page."""
    now = clock.now()
    async with atomic():
        return await _withdraw(
            principal, principal.user_id or 0, now, clock.local(now).date(), rules.ConsentChannel.PORTAL, ip=ip
        )


async def withdraw_on_paper(
    actor: Principal, user_id: int, received_on: date, channel: rules.ConsentChannel, *, ip: str = ""
) -> date | None:
    """Staff enter a withdrawal the person brought on a paper form or sent by letter, received on ``received_on``
    (today or earlier): the same effects as the person's own on the portal, the 30 days counted from that day. The
    moment it is kept at is ``rules.paper_moment``: on the day received, never before a consent it ends."""
    now = clock.now()
    async with atomic():
        given = await privacy.standing_consents(user_id)
        when = rules.paper_moment(clock.day_start(received_on), now, max(given.values(), default=None))
        return await _withdraw(actor, user_id, when, received_on, channel, ip=ip)


async def _withdraw(
    actor: Principal, user_id: int, when: datetime, received_on: date, channel: rules.ConsentChannel, *, ip: str
) -> date | None:
    """End every standing consent of the person at ``when``, noting how the withdrawal came and who entered it
    (nobody but the person on the portal), and schedule the erasure of their data from ``received_on`` (ст. 21
    ч. 5, ``rules.erasure_due``) unless one is already waiting; with the audit event. Inside the caller's
    transaction."""
    by_staff = actor.user_id != user_id
    done = (
        await ConsentRecord.update(
            {
                ConsentRecord.withdrawn_at: when,
                ConsentRecord.withdrawn_channel: channel,
                ConsentRecord.withdrawn_by: actor.user_id if by_staff else None,
            }
        )
        .where((ConsentRecord.user == user_id) & ConsentRecord.withdrawn_at.is_null())
        .returning(ConsentRecord.id, ConsentRecord.consent_type)
    )
    if not any(r["consent_type"] == consent_text.CONSENT_TYPE for r in done):
        return None
    pending = (
        await DataRequest.select(DataRequest.due_on)
        .where(
            (DataRequest.user == user_id)
            & (DataRequest.kind == rules.DataRequestKind.ERASURE)
            & DataRequest.done_at.is_null()
        )
        .first()
    )
    if pending:
        due = pending["due_on"]
    else:
        due = rules.erasure_due(received_on)
        await DataRequest(user=user_id, kind=rules.DataRequestKind.ERASURE, received_at=when, due_on=due).save()
    types = sorted({r["consent_type"] for r in done})
    changes = {"consent_type": types, "erasure_due": due, "channel": channel.value}
    await audit.record(actor, "consent.withdraw", "user", user_id, changes, ip=ip)
    return due


async def record_paper_consent(
    actor: Principal, user_id: int, given: consent_text.Edition, signed_on: date, locale: str, *, ip: str = ""
) -> bool:
    """Staff enter a consent the person signed on paper at the office: its edition, the language of the text signed
    (``locale``, as a portal consent keeps the language its text was shown in), the day signed (kept at
    ``rules.paper_moment``: never before the withdrawal it follows), who entered it. False (nothing written) when
    that very edition already stands for the person."""
    async with atomic():
        if await ConsentRecord.exists().where(
            (ConsentRecord.user == user_id)
            & (ConsentRecord.consent_type == given.consent_type)
            & (ConsentRecord.text_version == given.version)
            & ConsentRecord.withdrawn_at.is_null()
        ):
            return False
        ended = await queries.last_withdrawal(user_id, (given.consent_type, consent_text.CONSENT_TYPE))
        given_at = rules.paper_moment(clock.day_start(signed_on), clock.now(), ended)
        record = consent_given(
            user_id, given.consent_type, given.version, given_at, ip="", user_agent="",
            locale=locale, channel=rules.ConsentChannel.PAPER,
        )  # fmt: skip
        record.recorded_by = actor.user_id
        await record.save()
        changes = {
            "consent_type": given.consent_type,
            "edition": given.number,
            "signed_on": signed_on,
            "locale": locale,
        }
        await audit.record(actor, "consent.paper", "user", user_id, changes, ip=ip)
        if given.consent_type == consent_text.CONSENT_TYPE:
            day_after = clock.day_start(signed_on + timedelta(days=1))
            await _cancel_erasure(actor, user_id, received_before=day_after, ip=ip)
    return True


# --- profile and phone ------------------------------------------------------------------------------------


class PhoneChange(StrEnum):
    NONE = "none"  # the phone stays as it was (or was removed)
    CODE_SENT = "code_sent"  # a code is on its way to the new number (whoever holds it: the answer is alike)
    LIMITED = "limited"  # too many codes asked for this hour


@dataclass(frozen=True)
class ProfileSaved:
    """What saving the profile did: whether anything but a new phone changed, and what became of a new phone."""

    changed: bool
    phone: PhoneChange


async def choose_language(principal: Principal, locale: str, *, ip: str = "") -> None:
    """The language a signed-in user chose in the header is theirs for messages too: a resident who reads the
    portal in English gets English e-mail and SMS, not the language their profile was once saved in; the change is
    in the audit log as one saved in the profile is."""
    if principal.user_id is None or principal.locale == locale:
        return
    now = clock.now()
    async with atomic():
        await User.update({User.locale: locale, User.updated_at: now}).where(User.id == principal.user_id)
        changes = {"locale": [principal.locale, locale]}
        await audit.record(principal, "user.profile", "user", principal.user_id, changes, ip, now=now)


async def start_in_language(user: queries.UserInfo, chosen: object, *, ip: str = "") -> str:
    """The language ``user``'s new session speaks (``rules.language_at_sign_in``): their saved one, or the one
    ``chosen`` with the switch just before signing in, which is saved as the switch saves it signed in."""
    locale = rules.language_at_sign_in(user.locale, chosen, clock.now().timestamp(), LOCALES)
    if locale != user.locale:
        await choose_language(Principal(user_id=user.id, name=user.full_name, locale=user.locale), locale, ip=ip)
    return locale


async def save_profile(
    counter: limits.Counter, user: queries.UserInfo, values: dict[str, Any], *, ip: str = ""
) -> ProfileSaved:
    """Save name, language and the switch for e-mail. A new phone is not stored until the code sent to it is typed back;
    whether the number belongs to another account is never said (no code goes to another account's phone)."""
    changed = (values["full_name"], values["locale"], values["notify_email"]) != (
        user.full_name,
        user.locale,
        user.notify_email,
    ) or (values["phone"] is None and user.phone is not None)
    changes: dict[Any, Any] = {
        User.full_name: values["full_name"],
        User.locale: values["locale"],
        User.notify_email: values["notify_email"],
        User.updated_at: clock.now(),
    }
    phone = values["phone"]
    outcome = PhoneChange.NONE
    if phone is None:
        changes.update({User.phone: None, User.phone_confirmed_at: None})
    elif phone != user.phone:
        outcome = PhoneChange.CODE_SENT
        if not await counter.take(rules.PHONE_CODES_PER_USER, str(user.id)):
            outcome = PhoneChange.LIMITED
    async with atomic():
        await User.update(changes).where(User.id == user.id)
        await _profile_changed(user, values, ip, changes[User.updated_at])
        if phone is None and user.phone is not None:
            await _phone_changed(user, None, ip, changes[User.updated_at])
        if outcome is PhoneChange.CODE_SENT:
            await _send_phone_code(user, phone, values["locale"])
    return ProfileSaved(changed=changed, phone=outcome)


async def _profile_changed(user: queries.UserInfo, values: dict[str, Any], ip: str, now: datetime) -> None:
    """The name, the language and the switch for e-mail a user changed in their profile, before and after, in the
    audit log (staff answer for whom they write to, in which language and how); a save changing none writes nothing."""
    before = {"full_name": user.full_name, "locale": user.locale, "notify_email": user.notify_email}
    changes = {name: [was, values[name]] for name, was in before.items() if values[name] != was}
    if changes:
        actor = Principal(user_id=user.id, name=values["full_name"])
        await audit.record(actor, "user.profile", "user", user.id, changes, ip, now=now)


async def _send_phone_code(user: queries.UserInfo, phone: str, locale: str) -> None:
    await _cancel_tokens(TokenPurpose.PHONE, user.id)
    code = rules.new_confirm_code()
    issued = await _create_token(
        TokenPurpose.PHONE,
        user_id=user.id,
        sent_to=phone,
        token_hash=rules.confirm_code_hash(user.id, code),
        locale=locale,
    )
    if await queries.phone_holder(phone) is None:
        await mail.send_phone_code(phone, rules.Issued(code, issued.expires_at), locale, user.id)


class PhoneConfirm(StrEnum):
    DONE = "done"
    WRONG = "wrong"
    NO_CODE = "no_code"  # nothing pending (expired, used, or too many wrong tries)
    TAKEN = "taken"  # the number went to another account after the code was sent


async def _code_holds(pending: queries.Token, typed_hash: str) -> bool:
    """A code typed back, checked against the one sent (``pending``): a wrong one counts a try (atomically), so
    that the code dies after ``rules.PHONE_CODE_TRIES`` of them."""
    if hmac.compare_digest(typed_hash, pending.token_hash):
        return True
    await OneTimeToken.update({OneTimeToken.attempts: OneTimeToken.attempts + 1}).where(OneTimeToken.id == pending.id)
    return False


async def confirm_phone(user: queries.UserInfo, code: str, *, ip: str = "") -> PhoneConfirm:
    """The code sent to the new phone, typed back: the phone is stored as confirmed, and, as it signs in like the
    e-mail, the change is in the audit log as the e-mail's is. A code dies after a few wrong tries (counted
    atomically)."""
    pending = await queries.pending_code(user.id, TokenPurpose.PHONE)
    if pending is None or pending.attempts >= rules.PHONE_CODE_TRIES:
        return PhoneConfirm.NO_CODE
    if not await _code_holds(pending, rules.confirm_code_hash(user.id, code)):
        return PhoneConfirm.WRONG
    async with atomic():
        if not await _use_token(pending.id):
            return PhoneConfirm.NO_CODE
        if await queries.phone_holder(pending.email) not in (None, user.id):
            return PhoneConfirm.TAKEN
        now = clock.now()
        await User.update({User.phone: pending.email, User.phone_confirmed_at: now, User.updated_at: now}).where(
            User.id == user.id
        )
        await _phone_changed(user, pending.email, ip, now)
    return PhoneConfirm.DONE


async def _phone_changed(user: queries.UserInfo, phone: str | None, ip: str, now: datetime) -> None:
    """The login phone changed (confirmed, or removed from the profile), in the audit log as the e-mail's change."""
    actor = Principal(user_id=user.id, name=user.full_name)
    await audit.record(actor, "user.phone", "user", user.id, {"phone": [user.phone, phone]}, ip, now=now)


# --- the login e-mail -------------------------------------------------------------------------------------


class EmailChange(StrEnum):
    SENT = "sent"  # a link is on its way to the new address (or, to another user's login, a notice: alike)
    WRONG = "wrong"  # the current password is wrong
    LIMITED = "limited"  # too many password checks in a quarter of an hour
    TOO_MANY = "too_many"  # too many links asked for this hour


async def request_email_change(
    counter: limits.Counter, user: queries.UserInfo, new_email: str, password: str
) -> EmailChange:
    """Ask to make ``new_email`` the login, proven by the current password (counted as on the password change).
    The login stays the old one until the link sent to the new address is opened; the old address is told of the
    request, so that a stranger's change is seen. An address that is another user's login gets no link but a
    notice that nothing changes — as registration answers it — and the asker is answered alike (SECURITY.md:
    enumeration)."""
    if not await counter.take(rules.PASSWORD_CHECK_PER_USER, str(user.id)):
        return EmailChange.LIMITED
    if not await passwords.verify_async(user.password_hash, password):
        return EmailChange.WRONG
    await counter.clear(rules.PASSWORD_CHECK_PER_USER, str(user.id))
    if not await counter.take(rules.EMAIL_LINKS_PER_USER, str(user.id)):
        return EmailChange.TOO_MANY
    async with atomic():
        await _cancel_tokens(TokenPurpose.EMAIL, user.id)
        token = await _create_token(TokenPurpose.EMAIL, user_id=user.id, sent_to=new_email, locale=user.locale)
        holder = await queries.user_by_email(new_email)
        if holder is None:
            await mail.send_email_change(new_email, token, user.locale, user.id)
        else:
            await mail.send_email_taken(new_email, holder.locale, holder.id)
        if user.email:
            await mail.send_email_change_asked(user.email, new_email, user.locale, user.id)
    mail.deliver_soon()
    return EmailChange.SENT


class EmailSwitch(StrEnum):
    DONE = "done"
    GONE = "gone"  # the link was used meanwhile, or its user is blocked
    TAKEN = "taken"  # the address became another user's login after the link was sent


async def confirm_email_change(token: queries.Token, *, ip: str) -> tuple[EmailSwitch, int]:
    """The link sent to the new address, opened: the address is the login from now on (confirmed), the change is
    in the audit log, and every session of the user ends as on a password change (returns the new session
    epoch). Reset links sent to the old address stop working. An address that another account took in the
    meantime (even in a race the check below cannot see: the unique constraint) is TAKEN, nothing changed."""
    if token.user is None:
        return EmailSwitch.GONE, 0
    try:
        return await _switch_email(token, token.user, ip=ip)
    except unique_violations():
        return EmailSwitch.TAKEN, 0


async def _switch_email(token: queries.Token, user_id: int, *, ip: str) -> tuple[EmailSwitch, int]:
    async with atomic():
        if not await _use_token(token.id):
            return EmailSwitch.GONE, 0
        user = await queries.get_user(user_id)
        if user is None or not user.is_active:
            return EmailSwitch.GONE, 0
        if await queries.email_taken(token.email):
            return EmailSwitch.TAKEN, 0
        epoch = await _next_epoch(user.id)
        now = clock.now()
        await User.update(
            {User.email: token.email, User.email_confirmed_at: now, User.session_epoch: epoch, User.updated_at: now}
        ).where(User.id == user.id)
        await _cancel_tokens(TokenPurpose.RESET, user.id)
        await _cancel_tokens(TokenPurpose.EMAIL, user.id)
        actor = Principal(user_id=user.id, name=user.full_name)
        await audit.record(actor, "user.email", "user", user.id, {"email": [user.email, token.email]}, ip=ip)
        if user.email:
            await mail.send_email_changed(user.email, token.email, user.locale, user.id)
    mail.deliver_soon()
    return EmailSwitch.DONE, epoch


# --- staff: invitations, access codes, users -------------------------------------------------------------


async def regenerate_access_code(actor: Principal, account: queries.AccountInfo, *, ip: str) -> str:
    """Move the account to a new code (the old one stops working at once); returns the new code."""
    async with atomic():
        existing = (
            await AccessCode.select(AccessCode.id, AccessCode.generation)
            .where(AccessCode.account == account.id)
            .first()
        )
        generation = (int(existing["generation"]) + 1) if existing else 1
        values = {
            AccessCode.generation: generation,
            AccessCode.created_at: clock.now(),
            AccessCode.created_by: actor.user_id,
        }
        if existing:
            await AccessCode.update(values).where(AccessCode.id == existing["id"])
        else:
            await AccessCode.insert(AccessCode(account=account.id, generation=generation, created_by=actor.user_id))
        await _access_changed(
            actor,
            account,
            "access_code.regenerate",
            {"generation": generation},
            event=f"code:{generation}",
            ip=ip,
            what={"what": "code"},
        )
    return rules.derive_access_code(get_settings().secret_key, account.id, generation)


async def _set_staff_scope(
    actor: Principal, user_id: int, roles: list[str], house_ids: list[int], ip: str, now: datetime | None = None
) -> None:
    before = await queries.staff_user(user_id)
    await UserRole.delete().where(UserRole.user == user_id)
    await StaffHouse.delete().where(StaffHouse.user == user_id)
    if roles:
        await UserRole.insert(*[UserRole(user=user_id, role=role) for role in roles])
    if house_ids:
        await StaffHouse.insert(*[StaffHouse(user=user_id, house=house) for house in house_ids])
    await audit.record(
        actor,
        "staff.scope",
        "user",
        user_id,
        audit.diff(
            {"roles": sorted(before.roles if before else []), "houses": sorted(before.house_ids if before else [])},
            {"roles": sorted(roles), "houses": sorted(house_ids)},
        ),
        ip=ip,
        now=now,
    )


async def create_staff_user(actor: Principal, values: dict[str, Any], *, ip: str) -> int:
    """A new staff member with roles and houses, and an invitation to set a password, written in the language
    chosen for them, which is their saved language from the start (their pages and messages)."""
    async with atomic():
        if await queries.email_taken(values["email"]):
            raise Refused(_("A user with this e-mail already exists."))
        user_id = await _create_user(values, locale=values["locale"], active=True, confirmed=False)
        await _set_staff_scope(actor, user_id, values["roles"], values["houses"], ip)
        created = {"email": values["email"], "locale": values["locale"]}
        await audit.record(actor, "staff.create", "user", user_id, created, ip=ip)
        token = await _create_token(
            TokenPurpose.INVITE,
            user_id=user_id,
            sent_to=values["email"],
            created_by=actor.user_id,
            locale=values["locale"],
        )
        await mail.send_staff_invitation(values["email"], token, values["locale"])
    mail.deliver_soon()
    return user_id


async def save_staff_user(
    actor: Principal, user: queries.StaffScope, values: dict[str, Any], *, ip: str, version: str | None = None
) -> None:
    """Roles, houses and whether the account is active; an administrator never demotes or blocks themselves. A form
    read at another ``version`` of the staff member's scope is refused (``stale.Stale``), nothing written; one that
    changes nothing of the scope as it is now writes nothing, whatever its version."""
    if user.id == actor.user_id and ("admin" not in values["roles"] or not values["active"]):
        raise Refused(_("You cannot take away your own administrator role or block yourself."))
    now = clock.now()  # the scope's new version and its audit events alike
    wanted = {"roles": sorted(values["roles"]), "houses": sorted(values["houses"]), "active": values["active"]}
    async with atomic():
        held = await queries.staff_user(user.id)
        if held and not audit.diff(
            {"roles": sorted(held.roles), "houses": sorted(held.house_ids), "active": held.is_active}, wanted
        ):
            return
        await stale.check(User, user.id, "user", version, User.scope_changed_at)
        await _set_staff_scope(actor, user.id, values["roles"], values["houses"], ip, now)
        changes: dict[Any, Any] = {User.scope_changed_at: now}
        if values["active"] != user.is_active:
            changes.update({User.is_active: values["active"], User.updated_at: now})
            active = {"is_active": [user.is_active, values["active"]]}
            await audit.record(actor, "user.active", "user", user.id, active, ip=ip, now=now)
        await User.update(changes).where(User.id == user.id)
