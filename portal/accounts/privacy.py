"""The 152-ФЗ duties of the portal towards a person (DOMAIN.md §6), besides the processing consent itself
(``actions.accept_consent`` / ``withdraw_consent``): the separate consents to dissemination and marketing, the
access answer, corrections, the staff's list of duties with their deadlines, and the erasure job that carries out
a withdrawal on its date. Every change is one transaction with its audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.accounts import consent as consent_text
from portal.accounts import rules
from portal.accounts.notify import notify
from portal.accounts.rules import ConsentChannel
from portal.accounts.rules import ConsentType
from portal.accounts.rules import DataRequestKind
from portal.accounts.rules import ErasureOutcome
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import DataRequest
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core import audit
from portal.core import clock
from portal.core import jobs
from portal.core.db import atomic
from portal.core.i18n import format_term
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.settings import Settings
from portal.settings import get_settings

OPTIONAL = (ConsentType.DISSEMINATION, ConsentType.MARKETING)
STAFF_PAGE = 200  # rows on the staff list
ERASURES_PER_RUN = 200


# --- reads ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One duty towards a person, with its deadline."""

    id: int
    user_id: int
    name: str
    email: str
    kind: str
    received_at: datetime
    due_on: date
    details: str
    done_at: datetime | None
    outcome: str
    answer: str

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_on < clock.today_local()


# What a request says beside who made it (the person's own data download gives these too).
REQUEST_FIELDS = (
    DataRequest.kind,
    DataRequest.received_at,
    DataRequest.due_on,
    DataRequest.details,
    DataRequest.done_at,
    DataRequest.outcome,
    DataRequest.answer,
)
_COLUMNS = (
    DataRequest.id,
    DataRequest.user.as_alias("user_id"),
    DataRequest.user.full_name.as_alias("name"),
    DataRequest.user.email.as_alias("email"),
    *REQUEST_FIELDS,
)


def _request(row: dict[str, Any]) -> Request:
    return Request(**{**row, "name": row["name"] or "", "email": row["email"] or ""})


async def requests_of(user_id: int, limit: int = 20) -> list[Request]:
    """The person's own requests and scheduled erasure, newest first."""
    rows = (
        await DataRequest.select(*_COLUMNS)
        .where(DataRequest.user == user_id)
        .order_by(DataRequest.id, ascending=False)
        .limit(limit)
    )
    return [_request(r) for r in rows]


async def staff_list(limit: int = STAFF_PAGE) -> tuple[list[Request], list[Request]]:
    """The duties staff must act on, nearest deadline first, and the latest done ones (two bounded queries)."""
    open_rows = (
        await DataRequest.select(*_COLUMNS)
        .where(DataRequest.done_at.is_null())
        .order_by(DataRequest.due_on)
        .order_by(DataRequest.id)
        .limit(limit)
    )
    done_rows = (
        await DataRequest.select(*_COLUMNS)
        .where(DataRequest.done_at.is_not_null())
        .order_by(DataRequest.done_at, ascending=False)
        .limit(50)
    )
    return [_request(r) for r in open_rows], [_request(r) for r in done_rows]


async def standing_consents(user_id: int) -> dict[str, datetime]:
    """Each consent type that stands (given, not withdrawn), with when it was given (latest)."""
    rows = (
        await ConsentRecord.select(ConsentRecord.consent_type, ConsentRecord.granted_at)
        .where((ConsentRecord.user == user_id) & ConsentRecord.withdrawn_at.is_null())
        .limit(50)
    )
    found: dict[str, datetime] = {}
    for row in rows:
        if row["consent_type"] not in found or row["granted_at"] > found[row["consent_type"]]:
            found[row["consent_type"]] = row["granted_at"]
    return found


# --- the person's intents ---------------------------------------------------------------------------------------


def consent_given(
    user_id: int | None,
    consent_type: str,
    text_version: str,
    now: datetime,
    *,
    ip: str,
    user_agent: str,
    locale: str,
    channel: ConsentChannel = ConsentChannel.PORTAL,
) -> ConsentRecord:
    """A consent the person gave on the portal: which text, when, how (on signing up or later on the page), from
    where (the address and browser, cut to their columns) and in which language."""
    return ConsentRecord(
        user=user_id,
        consent_type=consent_type,
        text_version=text_version,
        granted_at=now,
        ip=ip[:64],
        user_agent=user_agent[:255],
        channel=channel,
        locale=locale,
    )


async def set_optional_consent(
    principal: Principal, consent_type: ConsentType, give: bool, *, ip: str, user_agent: str, locale: str
) -> bool:
    """Give or withdraw one separate consent (dissemination, marketing); True when something changed."""
    user_id = principal.user_id
    now = clock.now()
    async with atomic():
        standing = ConsentRecord.withdrawn_at.is_null() & (ConsentRecord.user == user_id)
        standing &= ConsentRecord.consent_type == consent_type
        if give:
            if await ConsentRecord.exists().where(standing):
                return False
            version = consent_text.optional_version(consent_type)
            await consent_given(user_id, consent_type, version, now, ip=ip, user_agent=user_agent, locale=locale).save()
        else:
            done = (
                await ConsentRecord.update(
                    {ConsentRecord.withdrawn_at: now, ConsentRecord.withdrawn_channel: ConsentChannel.PORTAL}
                )
                .where(standing)
                .returning(ConsentRecord.id)
            )
            if not done:
                return False
        action = "consent.give" if give else "consent.withdraw"
        await audit.record(principal, action, "user", user_id, {"consent_type": consent_type.value}, ip=ip)
    return True


async def record_access(principal: Principal, *, ip: str) -> None:
    """The person downloaded their data: an access request answered at once (kept for the staff's list)."""
    now = clock.now()
    today = clock.local(now).date()
    async with atomic():
        await DataRequest(
            user=principal.user_id,
            kind=DataRequestKind.ACCESS,
            received_at=now,
            due_on=rules.access_request_due(today),
            done_at=now,
            outcome="answered",
        ).save()
        await audit.record(principal, "personal_data.access", "user", principal.user_id, ip=ip)


async def request_correction(principal: Principal, details: str, *, ip: str) -> date:
    """The person asks to correct data they cannot change themselves; staff act within 7 working days."""
    now = clock.now()
    due = rules.correction_due(clock.local(now).date())
    async with atomic():
        await DataRequest(
            user=principal.user_id, kind=DataRequestKind.CORRECTION, received_at=now, due_on=due, details=details
        ).save()
        await audit.record(principal, "personal_data.correction", "user", principal.user_id, {"due": due}, ip=ip)
    return due


async def request_for_staff(request_id: int) -> Request | None:
    """One duty of the staff's list by its id (staff with the list's access see every person's)."""
    row = await DataRequest.select(*_COLUMNS).where(DataRequest.id == request_id).first()
    return _request(row) if row else None


async def answer_request(
    actor: Principal, request_id: int, outcome: rules.CorrectionOutcome, answer: str, *, ip: str
) -> bool:
    """Staff answer a demand to correct data: corrected, or refused with its reason (ст. 20 ч. 3, ст. 21 ч. 3). The
    answer is kept with the request and told to the person in their language; False when the request is not an
    open correction (answered meanwhile by another staff member, or an erasure, which the job carries out)."""
    async with atomic():
        done = (
            await DataRequest.update(
                {
                    DataRequest.done_at: clock.now(),
                    DataRequest.outcome: outcome.value,
                    DataRequest.answer: answer,
                    DataRequest.done_by: actor.user_id,
                }
            )
            .where(
                (DataRequest.id == request_id)
                & DataRequest.done_at.is_null()
                & (DataRequest.kind == DataRequestKind.CORRECTION)
            )
            .returning(DataRequest.user)
        )
        if done:
            await audit.record(
                actor, "personal_data.done", "personal_data_request", request_id, {"outcome": outcome.value}, ip=ip
            )
            await notify(
                done[0]["user"],
                "personal_data_answer",
                subject=lambda: gettext(
                    "Your request to correct your data: %(outcome)s", outcome=_OUTCOME_WORDS[outcome]()
                ),
                body=answer,
                dedupe_key=f"personal_data:{request_id}:answer",
                link="/consent#requests",
            )
    return bool(done)


_OUTCOME_WORDS = {
    rules.CorrectionOutcome.CORRECTED: lambda: gettext("corrected"),
    rules.CorrectionOutcome.REFUSED: lambda: gettext("refused"),
}


# --- the terms the portal keeps personal data for (the public page) ---------------------------------------------


@dataclass(frozen=True)
class KeptTerm:
    """A kind of personal data and how long it is kept, as the page says it."""

    what: str
    term: str


def kept_terms(settings: Settings) -> list[KeptTerm]:
    """Each kind of personal data the portal deletes at the end of a term, with the term in force: from the settings
    the daily jobs read (and ст. 21 ч. 5's 30 days after a withdrawal), never written out a second time, each in the
    unit a reader thinks in (``format_term``: 1095 days are «3 года»)."""
    days = format_term(days=settings.one_time_token_keep_days)
    return [
        KeptTerm(
            gettext("Personal data after the consent is withdrawn, where no other legal ground remains"),
            gettext("deleted no later than %(term)s after the withdrawal", term=format_term(days=rules.ERASURE_DAYS)),
        ),
        KeptTerm(
            gettext(
                "SNILS of owners typed from their paper ballots of a general meeting, and the scans of those ballots "
                "(they show the SNILS and the signature)"
            ),
            gettext(
                "%(term)s from the date of the meeting's protocol (the term the housing inspectorate keeps the "
                "meeting's documents), then deleted",
                term=format_term(years=settings.ballot_snils_keep_years),
            ),
        ),
        KeptTerm(
            gettext(
                "One-time links and codes (password reset, invitations, confirmation of an e-mail or a phone) "
                "with the address or number they were sent to"
            ),
            gettext("%(term)s after they expire, then deleted", term=days),
        ),
        KeptTerm(
            gettext("E-mails and text messages that carried such a link or code"),
            gettext("%(term)s after they were sent, then deleted", term=days),
        ),
        KeptTerm(
            gettext(
                "Documents attached to an application for a change of owner (an extract from the register, a "
                "contract): the application and its decision stay"
            ),
            gettext(
                "%(term)s after the application is applied or refused, then deleted",
                term=format_term(days=settings.owner_docs_keep_days),
            ),
        ),
        KeptTerm(
            gettext(
                "Photos and files attached to requests, the passports of meters among them: the requests, their "
                "history and texts stay"
            ),
            gettext(
                "%(term)s after the request is closed (the limitation period for claims), then deleted",
                term=format_term(years=settings.request_files_keep_years),
            ),
        ),
        KeptTerm(
            gettext("Name, phone and message of a visitor's request for a viewing of a premise for rent or sale"),
            gettext(
                "%(term)s after the request was last worked on, and no longer than the consent's year, then deleted",
                term=format_term(days=settings.viewing_keep_days),
            ),
        ),
        KeptTerm(
            gettext("Name and phone of a caller without a sign-in booked at the client centre by the call centre"),
            gettext(
                "%(term)s after the visit was to take place, then deleted with the SMS that told them of it",
                term=format_term(days=settings.caller_keep_days),
            ),
        ),
    ]


# --- the erasure on its date ------------------------------------------------------------------------------------


async def _open_account_links(user_id: int, today: date) -> int:
    return await Residency.count().where(
        (Residency.user == user_id)
        & Residency.revoked_at.is_null()
        & (Residency.account.closed_on.is_null() | (Residency.account.closed_on >= today))
    )


async def _given_again(user_id: int, since: datetime) -> bool:
    return await ConsentRecord.exists().where(
        (ConsentRecord.user == user_id)
        & (ConsentRecord.consent_type == ConsentType.PROCESSING)
        & ConsentRecord.withdrawn_at.is_null()
        & (ConsentRecord.granted_at > since)
    )


async def _forget_browsers(user_id: int) -> None:
    from portal.notifications.tables import PushSubscription

    await PushSubscription.delete().where(PushSubscription.user == user_id)
    await OneTimeToken.delete().where(OneTimeToken.user == user_id)


async def _anonymise(user_id: int, today: date) -> None:
    """Destroy what identifies the person in the portal; the rows stay (the accounts' history keeps its
    integrity) but name no one. Consent records stay as the proof of consent and withdrawal (ст. 9 ч. 3)."""
    from portal.notifications.tables import ChannelChoice
    from portal.tickets.tables import Ticket

    await _forget_browsers(user_id)
    await ChannelChoice.delete().where(ChannelChoice.user == user_id)
    await Ticket.update({Ticket.contact_name: "", Ticket.contact_phone: ""}).where(Ticket.author == user_id)
    await User.update(
        {
            User.full_name: "",
            User.email: None,
            User.phone: None,
            User.password_hash: "",
            User.is_active: False,
            User.email_confirmed_at: None,
            User.phone_confirmed_at: None,
            User.notify_email: False,
            User.session_epoch: User.session_epoch + 1,
            User.updated_at: clock.now(),
        }
    ).where(User.id == user_id)


# The audit action of each outcome of an erasure.
_ERASURE_AUDITED = {
    ErasureOutcome.CANCELLED: "personal_data.cancelled",
    ErasureOutcome.ANONYMISED: "personal_data.anonymised",
    ErasureOutcome.RESTRICTED: "personal_data.restricted",
}


async def carry_out_erasures(now: datetime | None = None) -> int:
    """Every erasure whose date has come: cancelled if the consent was given again, restricted where an open
    account keeps another legal ground, else anonymised (``rules.erasure_outcome``). Returns how many were done."""
    now = now or clock.now()
    today = clock.local(now).date()
    due = (
        await DataRequest.select(DataRequest.id, DataRequest.user, DataRequest.received_at)
        .where(
            (DataRequest.kind == DataRequestKind.ERASURE)
            & DataRequest.done_at.is_null()
            & (DataRequest.due_on <= today)
        )
        .order_by(DataRequest.due_on)
        .limit(ERASURES_PER_RUN)
    )
    for row in due:
        user_id = row["user"]
        async with atomic():
            outcome = rules.erasure_outcome(
                consent_given_again=await _given_again(user_id, row["received_at"]),
                open_account_links=await _open_account_links(user_id, today),
            )
            if outcome is ErasureOutcome.ANONYMISED:
                await _anonymise(user_id, today)
            elif outcome is ErasureOutcome.RESTRICTED:
                await _forget_browsers(user_id)
            await DataRequest.update({DataRequest.done_at: now, DataRequest.outcome: outcome}).where(
                DataRequest.id == row["id"]
            )
            await audit.record(None, _ERASURE_AUDITED[outcome], "user", user_id)
    return len(due)


@jobs.register("personal-data-erasure", 3600)
async def erasure_job(now: datetime) -> int:
    return await carry_out_erasures(now)


# --- one-time links and codes kept no longer than their purpose (the daily job) -----------------------------------

TOKENS_PER_DELETE = 500


@jobs.register("one-time-token-cleanup", 86400, key=lambda now: clock.local(now).date().isoformat())
async def token_cleanup_job(now: datetime) -> int:
    keep_days = get_settings().one_time_token_keep_days
    return await forget_expired_tokens(now, keep_days) + await forget_one_time_messages(now, keep_days)


async def forget_expired_tokens(now: datetime, keep_days: int) -> int:
    """Delete the one-time links and codes (with the address or number each was sent to) that expired more than
    ``keep_days`` days ago (152-ФЗ ст. 5 ч. 7): they open nothing any more. A batch at a time by the index of the
    expiry, each its own statement, so a run stopped halfway is taken up by the next. Returns how many."""
    before = now - timedelta(days=keep_days)
    return await _deleted_in_batches(OneTimeToken, OneTimeToken.expires_at < before, OneTimeToken.expires_at)


async def forget_one_time_messages(now: datetime, keep_days: int) -> int:
    """Delete the e-mails and text messages that carried a one-time link or code (their templates say
    ``one_time``: a password reset, an invitation, a confirmation) ``keep_days`` days after they were queued, once
    they are done with (sent, kept for the Outbox page, expired or failed): the link in them opens nothing, and with
    them goes the address they went to. By the index of the template, a batch at a time. Returns how many."""
    from portal.core.tables import OutboxMessage
    from portal.notifications.messages import registered

    templates = sorted(name for name, template in registered().items() if template.one_time)
    before = now - timedelta(days=keep_days)
    done = OutboxMessage.status.not_in(["pending", "sending"])
    return await _deleted_in_batches(
        OutboxMessage, OutboxMessage.template.is_in(templates) & (OutboxMessage.created_at < before) & done
    )


async def _deleted_in_batches(table: Any, where: Any, order_by: Any = None) -> int:
    """Delete the rows of ``table`` that ``where`` picks, ``TOKENS_PER_DELETE`` at a time (by ``order_by``, where its
    index is the way to them), each batch its own statement, so a run stopped halfway is taken up by the next.
    Returns how many."""
    deleted = 0
    while True:
        batch = table.select(table.id).where(where).limit(TOKENS_PER_DELETE)
        ids = [r["id"] for r in await (batch if order_by is None else batch.order_by(order_by))]
        if not ids:
            return deleted
        await table.delete().where(table.id.is_in(ids))
        deleted += len(ids)
