"""Staff pages of identity: invitations and access codes (managers, operators, accountants), and the
administrators' staff users, audit log and outbox."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath
from litestar.params import FromQuery
from litestar.response import Template

from portal.accounts import actions
from portal.accounts import forms
from portal.accounts import mail
from portal.accounts import privacy
from portal.accounts import queries
from portal.accounts import rules
from portal.core import audit
from portal.core import clock
from portal.core import i18n
from portal.core import jobs
from portal.core import stale
from portal.core.i18n import gettext as _
from portal.core.pagination import PageRequest
from portal.core.pagination import Paging
from portal.core.security import Principal
from portal.core.security import ResidentRole
from portal.core.security import StaffRole
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import question
from portal.core.web import render
from portal.core.web import see_other

INVITE_ROLES = (StaffRole.MANAGER, StaffRole.OPERATOR)
CODE_ROLES = (StaffRole.MANAGER, StaffRole.OPERATOR, StaffRole.ACCOUNTANT)
# Who reads a person's page with the evidence of their consents and enters what they bring on paper: the office
# roles that already see residents' contacts to invite them (administrators always); not dispatchers, executors,
# accountants or moderators.
PEOPLE_ROLES = INVITE_ROLES
JOBS_FAILURES_PAGE = 50  # the failed runs of the page of jobs: one page holds a bad week of a few jobs


class StaffInvitations(Controller):
    """Managers and operators invite residents to accounts of their houses (as owners: staff confirm it)."""

    path = "/staff/invitations"
    opt = staff(*INVITE_ROLES)

    @get("/")
    async def invite_page(self, request: Request, account: FromQuery[str] = "") -> Template:
        return _invite_page(
            request, {"account": account[:20], "role": ResidentRole.OWNER, "locale": i18n.DEFAULT_LOCALE}, None
        )

    @post("/", status_code=200)
    async def invite_submit(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        values, errors = forms.staff_invite_form(data)
        # The number typed is looked up whatever else is wrong: a mistyped e-mail alone does not make the account
        # «not in your houses»; a number that is not there is said first, at the first field, as the form shows it.
        account = await queries.account_in_scope(principal, values["account"]) if values["account"] else None
        if values["account"] and account is None:
            errors.fields = {"account": _("There is no such account in your houses."), **errors.fields}
        if errors or account is None:
            return _invite_page(request, values, errors, 422)
        await actions.invite_to_account(
            principal, account, values["email"], values["role"], [], ip=client_ip(request), locale=values["locale"]
        )
        said = {"n": account.number, "email": values["email"]}
        sent = _("The invitation to account %(n)s is sent to %(email)s.", **said)
        waiting = _(
            "The invitation to account %(n)s will be sent to %(email)s as soon as the mail server answers: "
            "it is not answering now.",
            **said,
        )
        flash(request, *await mail.told(sent, waiting))
        return see_other(request, "/staff/invitations")


def _invite_page(request: Request, values: dict[str, Any], errors: FormErrors | None, status: int = 200) -> Template:
    return render(
        request,
        "accounts/staff_invite.html",
        values=values,
        errors=errors,
        roles=forms.resident_roles(),
        languages=forms.language_options(),
        status_code=status,
    )


class StaffAccessCodes(Controller):
    """A new access code for an account of the user's houses (the old one stops working)."""

    path = "/staff/access-codes"
    opt = staff(*CODE_ROLES)

    @get("/")
    async def codes_page(self, request: Request) -> Template:
        return render(request, "accounts/staff_codes.html", values={}, errors=None, code=None)

    @post("/", status_code=200)
    async def codes_submit(self, request: Request, principal: NamedDependency[Principal], data: FormData) -> Template:
        values, errors = forms.account_number_form(data)
        account = await queries.account_in_scope(principal, values["account"]) if not errors else None
        if account is None:
            errors.add("account", _("There is no such account in your houses."))
            typed = {"account": form_value(data, "account")[:40]}  # as typed, letters and all, to be corrected
            return render(request, "accounts/staff_codes.html", values=typed, errors=errors, code=None, status_code=422)
        code = await actions.regenerate_access_code(principal, account, ip=client_ip(request))
        return render(
            request,
            "accounts/staff_codes.html",
            values={},
            errors=None,
            code=rules.format_access_code(code),
            account=account,
        )


class StaffAdmin(Controller):
    """Administrators: staff users with their roles and houses, the audit log, the outbox, the background jobs."""

    path = "/staff"
    opt = staff(StaffRole.ADMIN)

    @get("/users")
    async def users(self, request: Request, paging: Paging) -> Template:
        listing = await queries.list_staff(paging)
        return render(request, "accounts/staff_users.html", page=listing, role_names=dict(forms.staff_roles()))

    @get("/users/new")
    async def user_new(self, request: Request) -> Template:
        return await _user_page(request, None, {"roles": [], "houses": [], "locale": i18n.DEFAULT_LOCALE}, None)

    @post("/users/new", status_code=200)
    async def user_create(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        values, errors = forms.staff_user_form(data, {h.id for h in await queries.houses()}, new=True)
        if not errors and await queries.email_taken(values["email"]):
            errors.add("email", _("A user with this e-mail already exists."))
        if errors:
            return await _user_page(request, None, values, errors, 422)
        await actions.create_staff_user(principal, values, ip=client_ip(request))
        sent = _("The staff member is added; an invitation is sent to %(email)s.", email=values["email"])
        waiting = _(
            "The staff member is added; the invitation will be sent to %(email)s as soon as the mail server "
            "answers: it is not answering now.",
            email=values["email"],
        )
        flash(request, *await mail.told(sent, waiting))
        return see_other(request, "/staff/users")

    @get("/users/{user_id:int}")
    async def user_edit(self, request: Request, user_id: FromPath[int]) -> Template:
        user = found(await queries.staff_user(user_id))
        values = {"roles": user.roles, "houses": user.house_ids, "active": user.is_active}
        return await _user_page(request, user, values, None, version=stale.version_of(user.scope_changed_at))

    @post("/users/{user_id:int}", status_code=200)
    async def user_save(
        self, request: Request, principal: NamedDependency[Principal], user_id: FromPath[int], data: FormData
    ) -> Template | Response[Any]:
        user = found(await queries.staff_user(user_id))
        values, errors = forms.staff_user_form(data, {h.id for h in await queries.houses()}, new=False)
        if user_id == principal.user_id and (StaffRole.ADMIN not in values["roles"] or not values["active"]):
            errors.add("roles", _("You cannot take away your own administrator role or block yourself."))
        typed = stale.typed(data)
        if errors:
            return await _user_page(request, user, values, errors, 422, typed)
        try:
            await actions.save_staff_user(principal, user, values, ip=client_ip(request), version=typed)
        except stale.Stale as exc:  # the form again, with what was ticked and the scope's version now
            stale.say(errors, exc.change, ("roles", "houses", "active"), {"is_active": "active"})
            return await _user_page(request, user, values, errors, 409, stale.version_of(user.scope_changed_at))
        flash(request, _("Saved."))
        return see_other(request, "/staff/users")

    @get("/audit")
    async def audit(self, request: Request, paging: Paging) -> Template:
        q = request.query_params
        typed, chosen = forms.audit_query(q)
        if not await queries.audit_entity_known(chosen.entity):  # a type of no event: not read, not an empty list
            chosen = replace(chosen, entity="")
        listing = await queries.audit_page(paging, chosen)
        codes = await queries.audit_entities()
        if chosen.entity and chosen.entity not in codes:  # beyond the dropdown's: kept, selected
            codes.append(chosen.entity)
        # The option's value is the record type's code, its text the type in the reader's words, in their order.
        entities = sorted(((e, audit.entity_label(e)) for e in codes), key=lambda option: option[1].casefold())
        days, problems = forms.audit_days(q, chosen.entity)
        names = await audit.names_of(listing.items)  # houses, people… of the whole page, one query per kind
        return render(
            request, "accounts/staff_audit.html", page=listing, entities=entities, filters=typed | days,
            problems=problems, action_label=audit.action_label, field_label=audit.field_label,
            value_shown=partial(audit.value_shown, names=names), entity_label=audit.entity_label,
            is_change=audit.is_change, record_name=partial(audit.record_name, names=names),
            record_ref=partial(audit.record_ref, names=names),
        )  # fmt: skip

    @get("/outbox")
    async def outbox(self, request: Request, paging: Paging) -> Template:
        q = request.query_params
        status = forms.outbox_status(q)
        listing = await queries.outbox_page(paging, status)
        return render(
            request,
            "accounts/staff_outbox.html",
            page=listing,
            status=status,
            problems=forms.outbox_status_problems(q, status),
            status_label=forms.outbox_status_label,
        )

    @get("/jobs")
    async def job_runs(self, request: Request, paging: Paging) -> Template:
        """Each background job with its last run and last failure (or the run going on, and whether it looks hung),
        the failures of the last days a page of 50 at a time, and the outbox's messages given up."""
        now, registered = clock.now(), jobs.registered()
        failures = await queries.failed_runs(PageRequest(paging.number, JOBS_FAILURES_PAGE), now)
        last = await queries.job_states()
        expected = {name: rules.expected_run(job.every_seconds, job.timeout) for name, job in registered.items()}
        hung = {n for n, run in last.items() if n in expected and rules.looks_hung(run.running_since, now, expected[n])}
        return render(
            request, "accounts/staff_jobs.html", names=sorted(registered), last=last, hung=hung,
            page=failures, undelivered=await queries.undelivered_messages(), job_label=forms.job_label,
            job_error=forms.job_error,
            kept_days=jobs.FAILURES_KEPT_DAYS,
        )  # fmt: skip

    @get("/outbox/{message_id:int}")
    async def outbox_message(self, request: Request, message_id: FromPath[int]) -> Template:
        message = found(await queries.outbox_message(message_id))
        return render(
            request, "accounts/staff_outbox_message.html", message=message, status_label=forms.outbox_status_label
        )


class StaffPersonalData(Controller):
    """Administrators' list of the duties under 152-ФЗ: erasure dates after withdrawals, access and correction
    requests with their deadlines (DOMAIN.md §6)."""

    path = "/staff/personal-data"
    opt = staff(StaffRole.ADMIN)

    @get("/")
    async def list_page(self, request: Request) -> Template:
        pending, done = await privacy.staff_list()
        return render(request, "accounts/staff_personal_data.html", pending=pending, done=done)

    @get("/{request_id:int}")
    async def answer_page(self, request: Request, request_id: FromPath[int]) -> Template:
        return _answer_page(request, found(await privacy.request_for_staff(request_id)))

    @post("/{request_id:int}/done", status_code=303)
    async def mark_done(
        self, request: Request, principal: NamedDependency[Principal], request_id: FromPath[int], data: FormData
    ) -> Template | Response[Any]:
        duty = found(await privacy.request_for_staff(request_id))
        values, errors = forms.read_data_answer(data)
        if errors:
            return _answer_page(request, duty, values, errors, 422)
        outcome = rules.CorrectionOutcome(values["outcome"])
        if await privacy.answer_request(principal, request_id, outcome, values["answer"], ip=client_ip(request)):
            flash(request, _("The answer is saved and sent to the person."))
        else:
            flash(request, _("This request is already answered."), "error")
        return see_other(request, "/staff/personal-data")


def _answer_page(
    request: Request,
    duty: privacy.Request,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    """A correction demand with the form of its answer (the words typed kept on a refusal)."""
    return render(
        request,
        "accounts/staff_personal_data_answer.html",
        duty=duty,
        values=values or {},
        errors=errors,
        outcomes=forms.CORRECTION_OUTCOMES,
        status_code=status_code,
    )


async def provide_person(principal: NamedDependency[Principal], user_id: FromPath[int]) -> queries.PersonView:
    """The person of the path if this staff member may see them, else 404 (missing and out of scope alike)."""
    return found(await queries.person_for_staff(principal, user_id))


class StaffPeople(Controller):
    """A person's page for the office: contacts, accounts, the consents with their evidence (152-ФЗ), and the
    consents and withdrawals they bring on paper."""

    path = "/staff/people/{user_id:int}"
    opt = staff(*PEOPLE_ROLES)
    dependencies = {"person": Provide(provide_person)}

    @get("/")
    async def person_page(self, request: Request, person: NamedDependency[queries.PersonView]) -> Template:
        return await _person_page(request, person)

    @post("/consents", status_code=200)
    async def paper_consent(
        self, request: Request, principal: NamedDependency[Principal], person: NamedDependency[queries.PersonView],
        data: FormData,
    ) -> Template | Response[Any]:  # fmt: skip
        withdrawn = await queries.withdrawal_days(person.id)
        values, errors = forms.paper_consent_form(data, clock.today_local(), withdrawn)
        if errors:
            return await _person_page(request, person, consent_form=(values["typed"], errors))
        given, day, locale = values["edition"], values["signed_on"], values["locale"]
        if await actions.record_paper_consent(principal, person.id, given, day, locale, ip=client_ip(request)):
            flash(request, _("The consent signed on paper is entered."))
        else:
            flash(request, _("This edition of the consent already stands for the person: nothing is entered."), "info")
        return see_other(request, f"/staff/people/{person.id}#consents")

    @post("/withdrawal", status_code=200)
    async def paper_withdrawal(
        self, request: Request, principal: NamedDependency[Principal], person: NamedDependency[queries.PersonView],
        data: FormData,
    ) -> Template | Response[Any]:  # fmt: skip
        given = await privacy.standing_consents(person.id)
        last_given = clock.local(max(given.values())).date() if given else None
        values, errors = forms.paper_withdrawal_form(data, clock.today_local(), last_given)
        if errors:
            return await _person_page(request, person, withdrawal_form=(values["typed"], errors))
        received, channel = values["received_on"], values["channel"]
        if form_value(data, "confirm") != "1":  # the person's portal closes and their data goes: asked once more
            how, due = forms.CONSENT_CHANNELS.shown(channel), rules.erasure_due(received)
            page = {"person": person, "channel": channel, "how": how, "received": received, "due": due}
            return question(request, "accounts/staff_withdraw.html", **page)
        due = await actions.withdraw_on_paper(principal, person.id, received, channel, ip=client_ip(request))
        if due is None:
            flash(request, _("No consent of the person stands: nothing is withdrawn."), "info")
        else:
            day = i18n.format_day(due)
            flash(request, _("The withdrawal is entered. The person's data will be deleted by %(day)s.", day=day))
        return see_other(request, f"/staff/people/{person.id}#consents")


async def _person_page(
    request: Request,
    person: queries.PersonView,
    consent_form: tuple[dict[str, str], FormErrors] | None = None,
    withdrawal_form: tuple[dict[str, str], FormErrors] | None = None,
) -> Template:
    """The person's page; a form sent back with its errors keeps what was typed (and the other form is blank)."""
    today = clock.today_local()
    consent_values, consent_errors = consent_form or (
        {"edition": "", "locale": "ru", "signed_on": today.isoformat()},
        None,
    )
    withdrawal_values, withdrawal_errors = withdrawal_form or ({"channel": "", "received_on": today.isoformat()}, None)
    records = await queries.consent_evidence(person.id)
    return render(
        request, "accounts/staff_person.html", person=person, records=records,
        standing=any(r.withdrawn_at is None for r in records), role_label=forms.role_label,
        channel_label=forms.CONSENT_CHANNELS.known, kind_label=forms.CONSENT_LABELS.known,
        editions=forms.edition_options(), languages=forms.language_options(), channels=forms.withdrawal_channels(),
        consent_values=consent_values, consent_errors=consent_errors, withdrawal_values=withdrawal_values,
        withdrawal_errors=withdrawal_errors, today=today.isoformat(),
        status_code=422 if consent_errors or withdrawal_errors else 200,
    )  # fmt: skip


async def _user_page(
    request: Request,
    user: queries.StaffScope | None,
    values: dict[str, Any],
    errors: FormErrors | None,
    status: int = 200,
    version: str | None = None,
) -> Template:
    """A staff member's roles, houses and activity; an edit's form carries ``version`` (core.stale)."""
    return render(
        request,
        "accounts/staff_user.html",
        user=user,
        values=values,
        version=version,
        errors=errors,
        roles=forms.staff_roles(),
        houses=[(h.id, h.address) for h in await queries.houses()],
        languages=forms.language_options(),
        status_code=status,
    )
