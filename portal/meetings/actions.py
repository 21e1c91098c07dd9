"""Changes of meetings: one function per intent, each one ``atomic()`` unit with its audit event (staff writes)
and its outbox rows. A rule that says no raises ``Refused`` with words for the person."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from fractions import Fraction
from typing import Any

from portal.accounts.notify import notify
from portal.accounts.tables import User
from portal.core import bulk
from portal.core import clock
from portal.core import jobs
from portal.core import outbox
from portal.core import stale
from portal.core import storage
from portal.core.address import premise_name
from portal.core.audit import diff
from portal.core.audit import record
from portal.core.db import atomic
from portal.core.db import is_sqlite
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.i18n import ngettext
from portal.core.security import Principal
from portal.core.storage import StoredFile
from portal.core.web import Refused
from portal.meetings import forms
from portal.meetings import messages
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.tables import AgendaItem
from portal.meetings.tables import Ballot
from portal.meetings.tables import BallotCode
from portal.meetings.tables import BallotStatus
from portal.meetings.tables import Initiative
from portal.meetings.tables import InitiativeStatus
from portal.meetings.tables import InitiativeSupport
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingReminder
from portal.meetings.tables import MeetingStatus
from portal.meetings.tables import OwnerLink
from portal.meetings.tables import RegisterEntry
from portal.meetings.tables import Source
from portal.meetings.tables import Vote
from portal.notifications.actions import outbox_rows
from portal.notifications.queries import choices_of
from portal.notifications.queries import people as notified_people
from portal.settings import get_settings

CODE_MINUTES = 15
CODE_ATTEMPTS = 5  # wrong codes typed before a code dies (SECURITY.md: brute force)
CODES_PER_HOUR = 5  # codes sent to one owner for one meeting within an hour: 5 × 5 guesses of a million


def _link(path: str) -> str:
    return get_settings().base_url + path


# --- preparing a meeting (staff) -----------------------------------------------------------------------------------


async def create_meeting(principal: Principal, values: dict[str, Any], *, ip: str = "") -> int:
    """A draft meeting of a house the staff member works with."""
    if not principal.may_see_house(values["house"]):
        raise Refused(gettext("You do not work with this house."))
    starts, ends = forms.voting_moments(values["starts_on"], values["voting_ends"], clock.zone())
    # The form's fields are the meeting's columns, but for the last day of voting: its moment is kept instead.
    meeting = Meeting(
        **{name: values[name] for name in forms.MEETING_FIELDS if name != "voting_ends"},
        notice_on=clock.today_local(),
        voting_starts_at=starts,
        voting_ends_at=ends,
        initiative=values.get("initiative"),
        created_by=principal.user_id,
    )
    async with atomic():
        await meeting.save()
        await record(principal, "meeting.create", "meeting", meeting.id, {k: str(v) for k, v in values.items()}, ip)
    return meeting.id


def draft_only(meeting: queries.MeetingView) -> None:
    if meeting.status != MeetingStatus.DRAFT:
        raise Refused(gettext("The meeting is announced: its agenda and dates can no longer change."))


async def update_draft(
    principal: Principal,
    meeting: queries.MeetingView,
    values: dict[str, Any],
    *,
    ip: str = "",
    version: str | None = None,
) -> None:
    """A draft's details and dates, changed before it is announced (its house stays); each question's threshold is
    the one the law in force on the new first day sets for its subject. A form read at another ``version`` than the
    meeting's is refused (``stale.Stale``), nothing written; one that changes nothing of the draft as it is now
    writes nothing, whatever its version."""
    draft_only(meeting)
    changed = diff(_details(meeting), {k: v for k, v in values.items() if k != "house"})
    if not changed:
        return
    thresholds = {}
    for item in meeting.items:
        threshold = rules.threshold_for(item.subject, values["starts_on"])
        if threshold is None:
            raise Refused(gettext("The law in force on the meeting date has no such item."))
        thresholds[item.id] = threshold
    starts, ends = forms.voting_moments(values["starts_on"], values["voting_ends"], clock.zone())
    kept = [name for name in forms.MEETING_FIELDS if name not in ("house", "voting_ends")]
    changes: dict[Any, Any] = {getattr(Meeting, name): values[name] for name in kept}
    now = clock.now()  # the new version and its audit event alike
    async with atomic():
        await stale.check(Meeting, meeting.id, "meeting", version)
        await Meeting.update(
            {**changes, Meeting.voting_starts_at: starts, Meeting.voting_ends_at: ends, Meeting.updated_at: now}
        ).where((Meeting.id == meeting.id) & (Meeting.status == MeetingStatus.DRAFT))
        for item in meeting.items:
            if thresholds[item.id] != item.threshold:
                await AgendaItem.update({AgendaItem.threshold: thresholds[item.id]}).where(AgendaItem.id == item.id)
        await record(principal, "meeting.edit", "meeting", meeting.id, changed, ip, now=now)


def _details(meeting: queries.MeetingView) -> dict[str, Any]:
    """A draft's details as its form reads them, to say in the audit log which of them changed."""
    kept = {name: getattr(meeting, name) for name in forms.MEETING_FIELDS if name not in ("house", "voting_ends")}
    in_person = meeting.in_person_at.astimezone(clock.zone()) if meeting.in_person_at else None
    return {**kept, "voting_ends": meeting.voting_ends_on, "in_person_at": in_person}


async def add_item(
    principal: Principal,
    meeting: queries.MeetingView,
    text: str,
    subject: rules.Subject,
    material: StoredFile | None,
    *,
    text_en: str = "",
    ip: str = "",
) -> int:
    """A question of the agenda, with its English twin if staff wrote one; its threshold is the one the law in force
    on the first day sets for its subject."""
    draft_only(meeting)
    threshold = rules.threshold_for(subject, meeting.starts_on)
    if threshold is None:
        raise Refused(gettext("The law in force on the meeting date has no such item."))
    item = AgendaItem(
        meeting=meeting.id,
        position=len(meeting.items) + 1,
        text=text,
        text_en=text_en,
        subject=subject,
        threshold=threshold,
        material_key=material.key if material else "",
        material_name=gettext("Materials to question %(n)s", n=len(meeting.items) + 1) if material else "",
    )
    async with atomic():
        await item.save()
        await record(
            principal,
            "meeting.item",
            "meeting",
            meeting.id,
            {"text": text, **({"text_en": text_en} if text_en else {}), "subject": subject, "threshold": threshold},
            ip,
        )
    return item.id


async def remove_item(principal: Principal, meeting: queries.MeetingView, item_id: int, *, ip: str = "") -> None:
    """A question off a draft agenda, the others renumbered; its materials' file goes once the question is gone."""
    draft_only(meeting)
    async with atomic():
        gone = (
            await AgendaItem.delete()
            .where((AgendaItem.id == item_id) & (AgendaItem.meeting == meeting.id))
            .returning(AgendaItem.material_key)
        )
        for position, item in enumerate([i for i in meeting.items if i.id != item_id], start=1):
            await AgendaItem.update({AgendaItem.position: position}).where(AgendaItem.id == item.id)
        # The question is gone with it: its words are kept in the event (its id would name nothing).
        removed = next((i.text for i in meeting.items if i.id == item_id), "")
        await record(principal, "meeting.item_removed", "meeting", meeting.id, {"item": item_id, "text": removed}, ip)
    for row in gone:
        if row["material_key"]:
            storage.delete(row["material_key"])


async def fix_register(meeting_id: int, house_id: int, register_on: date) -> Fraction:
    """Fix the register of owners from the housing registry as it stands on ``register_on`` (pure rules.register),
    and the house's total votes; returns the total."""
    holdings = await queries.holdings_of_house(house_id, register_on)
    lines = rules.register(holdings)
    total = rules.total_votes(await queries.house_areas(house_id))
    details = await _holding_details([h.ownership_id for h in holdings])
    by_id = {h.ownership_id: h for h in holdings}
    rows = []
    for line in lines:
        h, d = by_id[line.ownership_id], details[line.ownership_id]
        rows.append(
            RegisterEntry(
                meeting=meeting_id,
                ownership=line.ownership_id,
                owner=line.owner_id,
                premise=line.premise_id,
                owner_name=d["owner_name"],
                premise_kind=d["premise_kind"],
                premise_number=d["premise_number"],
                area=h.area,
                share_num=h.numerator,
                share_den=h.denominator,
                joint=h.joint,
                document=d["document"],
                weight_num=line.weight.numerator,
                weight_den=line.weight.denominator,
                group=line.group,
                key=f"{meeting_id}:{line.ownership_id}",
            )
        )
    await RegisterEntry.delete().where(RegisterEntry.meeting == meeting_id)
    for start in range(0, len(rows), 500):
        await RegisterEntry.insert(*rows[start : start + 500])
    await Meeting.update(
        {
            Meeting.total_num: total.numerator,
            Meeting.total_den: total.denominator,
            Meeting.register_fixed_at: clock.now(),
        }
    ).where(Meeting.id == meeting_id)
    return total


async def _holding_details(ownership_ids: list[int]) -> dict[int, dict[str, Any]]:
    from portal.housing.tables import Ownership

    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ownership_ids), 500):
        rows = await Ownership.select(
            Ownership.id,
            Ownership.document,
            Ownership.owner.name.as_alias("owner_name"),
            Ownership.premise.kind.as_alias("premise_kind"),
            Ownership.premise.number.as_alias("premise_number"),
        ).where(Ownership.id.is_in(ownership_ids[start : start + 500]))
        out.update({r["id"]: r for r in rows})
    return out


async def publish(principal: Principal, meeting: queries.MeetingView, *, ip: str = "") -> int:
    """Announce the meeting: the dates must satisfy the law counted from today (the notice day), the register is
    fixed, and every owner and resident of the house is told in the app and by e-mail. Returns how many were told."""
    draft_only(meeting)
    today = clock.today_local()
    plan = rules.Plan(
        meeting.form,
        today,
        meeting.starts_on,
        meeting.voting_ends_on,
        administrator_notified_on=meeting.administrator_notified_on,
        questions=len(meeting.items),
        in_person_on=clock.local(meeting.in_person_at).date() if meeting.in_person_at else None,
    )
    errors = rules.check_plan(plan)
    if errors:
        raise Refused(" ".join(forms.plan_error(e)[1] for e in errors))
    async with atomic():
        await fix_register(meeting.id, meeting.house_id, meeting.register_on)
        await Meeting.update(
            {
                Meeting.status: MeetingStatus.PUBLISHED,
                Meeting.notice_on: today,
                Meeting.published_at: clock.now(),
                Meeting.updated_at: clock.now(),
            }
        ).where(Meeting.id == meeting.id)
        await record(principal, "meeting.publish", "meeting", meeting.id, {"notice_on": today}, ip)
        return await _tell_house(meeting, "notice")


async def _tell_house(meeting: queries.MeetingView, event: str) -> int:
    """The notice of the meeting, or its results, to every owner of the house, each in their own language
    (meetings.messages)."""
    told = 0
    context = {
        "title": meeting.title,
        "title_en": meeting.title_en,
        "address": meeting.address,
        "form": meeting.form,
        "starts_on": meeting.starts_on,
        "voting_ends_on": meeting.voting_ends_on,
        "url": _link(f"/meetings/{meeting.id}"),
    }
    for user_id in await queries.user_ids_of_house(meeting.house_id):
        told += await notify(
            user_id,
            f"meetings/{event}",
            context=context,
            dedupe_key=f"meeting:{meeting.id}:{event}",
            link=f"/meetings/{meeting.id}",
        )
    return told


async def close(principal: Principal, meeting: queries.MeetingView, *, ip: str = "") -> None:
    """Close the count after voting ended and every paper ballot is moderated: the protocol is formed from the
    accepted ballots and the results go to the house."""
    if meeting.stage != rules.Stage.COUNTING:
        raise Refused(gettext("The meeting can be closed only after the voting has ended."))
    waiting = await queries.count_rows(
        Ballot, (Ballot.meeting == meeting.id) & (Ballot.status == BallotStatus.MODERATION)
    )
    if waiting:
        raise Refused(gettext("Some paper ballots are still waiting for moderation."))
    now = clock.now()
    number = f"{meeting.id}/{clock.local(now).year}"
    async with atomic():
        await Meeting.update(
            {
                Meeting.status: MeetingStatus.CLOSED,
                Meeting.closed_at: now,
                Meeting.protocol_number: number,
                Meeting.updated_at: now,
            }
        ).where(Meeting.id == meeting.id)
        await record(principal, "meeting.close", "meeting", meeting.id, {"protocol_number": number}, ip)
        await _tell_house(meeting, "results")


async def record_documents(
    principal: Principal, meeting: queries.MeetingView, received_on: date | None, sent_on: date | None, *, ip: str = ""
) -> None:
    """The originals received from the initiator and sent to the housing inspectorate (ст. 46 ч. 1, 1.1)."""
    async with atomic():
        await Meeting.update(
            {Meeting.originals_received_on: received_on, Meeting.sent_to_inspectorate_on: sent_on}
        ).where(Meeting.id == meeting.id)
        await record(
            principal,
            "meeting.documents",
            "meeting",
            meeting.id,
            {
                "originals_received_on": [meeting.originals_received_on, received_on],
                "sent_to_inspectorate_on": [meeting.sent_to_inspectorate_on, sent_on],
            },
            ip,
        )


class NoSuchUser(Refused):
    """The e-mail typed to link an owner is no user's: said at the field, with what was typed."""


async def link_owner(principal: Principal, owner_id: int, email: str, *, ip: str = "") -> None:
    """Staff confirm (against the documents) that the user with ``email`` is this registry owner."""
    user = await User.select(User.id).where(User.email == email.strip().lower()).first()
    if user is None:
        raise NoSuchUser(gettext("No user has this e-mail. Invite the owner to the portal first."))
    if await OwnerLink.exists().where(OwnerLink.owner == owner_id):
        raise Refused(gettext("This owner is already linked to a user."))
    async with atomic():
        await OwnerLink.insert(OwnerLink(user=user["id"], owner=owner_id, linked_by=principal.user_id))
        await record(principal, "meeting.owner_link", "owner", owner_id, {"user": user["id"]}, ip)


async def link_new_owner(principal: Principal, owner_id: int, user_id: int, *, ip: str = "") -> None:
    """Staff applying a change of owner checked the applicant's documents (the extract of the register of rights),
    and the application names the applicant as the new owner (``tickets.rules.applicant_is_owner``; a relative
    applying for them is not linked): the applicant is this registry owner, linked as ``link_owner`` links one, so
    that the new owner votes in the meetings registered from the day ownership passed. A record already linked (to
    them or anyone) stays as it is. Inside the caller's transaction."""
    if await OwnerLink.exists().where(OwnerLink.owner == owner_id):
        return
    await OwnerLink.insert(OwnerLink(user=user_id, owner=owner_id, linked_by=principal.user_id))
    await record(principal, "meeting.owner_link", "owner", owner_id, {"user": user_id}, ip)


# --- voting (owners) ---------------------------------------------------------------------------------------------


def _voting_open(meeting: queries.MeetingView) -> None:
    if meeting.stage != rules.Stage.VOTING:
        raise Refused(gettext("Voting is not open: it runs from %(start)s to %(end)s.", start=format_day(
            meeting.starts_on), end=format_day(meeting.voting_ends_on)))  # fmt: skip
    if not meeting.online:
        raise Refused(gettext("This meeting is held in person: vote at the meeting."))


async def _line_of(principal: Principal, meeting: queries.MeetingView, entry_id: int) -> queries.Line:
    for line in await queries.voter_lines(principal, meeting.id):
        if line.id == entry_id:
            return line
    # Tenants, family members and anyone not linked to this owner: voting is never delegated through access.
    raise Refused(gettext("Only the owner of this premise can vote for it."))


async def save_answers(
    principal: Principal, meeting: queries.MeetingView, entry_id: int, answers: dict[int, rules.Choice | None]
) -> int:
    """Keep the owner's answers for one ownership (a draft until confirmed with the code)."""
    _voting_open(meeting)
    line = await _line_of(principal, meeting, entry_id)
    if line.locked:
        raise Refused(gettext("A ballot for %(premise)s has already been received.", premise=line.premise))
    async with atomic():
        if line.ballot_id is None:
            ballot = Ballot(
                meeting=meeting.id,
                entry=entry_id,
                source=Source.ELECTRONIC,
                status=BallotStatus.DRAFT,
                voter=principal.user_id,
                voter_name=principal.name,
                electronic_key=f"{meeting.id}:{entry_id}",
            )
            await ballot.save()
            ballot_id = ballot.id
        else:
            ballot_id = line.ballot_id
            await Vote.delete().where(Vote.ballot == ballot_id)
            await Ballot.update({Ballot.updated_at: clock.now(), Ballot.voter: principal.user_id}).where(
                Ballot.id == ballot_id
            )
        await Vote.insert(*[Vote(ballot=ballot_id, item=item, choice=choice) for item, choice in answers.items()])
    return ballot_id


def _hash(code: str) -> str:
    return hmac.new(get_settings().secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()


async def send_code(principal: Principal, meeting: queries.MeetingView) -> list[queries.Line]:
    """Send a one-time code by e-mail for the owner's complete drafts; returns the lines it confirms."""
    _voting_open(meeting)
    lines = [
        line
        for line in await queries.voter_lines(principal, meeting.id)
        if line.ballot_status == BallotStatus.DRAFT and len(line.answers) == len(meeting.items)
    ]
    if not lines:
        raise Refused(gettext("Answer every question for at least one premise first."))
    user = await User.select(User.email, User.locale).where(User.id == principal.user_id).first()
    if not user or not user["email"]:
        raise Refused(gettext("Add an e-mail address to your profile to receive the confirmation code."))
    now = clock.now()
    code = f"{secrets.randbelow(10**6):06d}"
    async with atomic():
        await _codes_within_limit(principal, meeting.id, now)
        await BallotCode.update({BallotCode.used_at: now}).where(
            (BallotCode.meeting == meeting.id) & (BallotCode.user == principal.user_id) & BallotCode.used_at.is_null()
        )
        row = BallotCode(
            meeting=meeting.id,
            user=principal.user_id,
            code_hash=_hash(code),
            ballots=",".join(str(line.ballot_id) for line in lines),
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            created_at=now,
        )
        await row.save()
        await mail_code(principal.user_id, user["email"], user["locale"], meeting, lines, code, row)
    return lines


async def mail_code(
    user_id: int | None,
    email: str,
    locale: str,
    meeting: queries.MeetingView,
    lines: list[queries.Line],
    code: str,
    row: BallotCode,
) -> None:
    """The code (kept as ``row``) that confirms ``lines``, by e-mail to the owner in their language (the premises
    named in it, not in the language of the page the code was asked from); never sent after the code expires."""
    from portal.notifications.messages import render

    confirmed = {line.id for line in lines}
    owners = await queries.linked_owners(user_id)
    with in_locale(locale):
        worded = (await queries.lines_of_owners(owners, [meeting.id], with_answers=False)).get(meeting.id, [])
        premises = [x.premise for x in worded if x.id in confirmed]
    context = {"code": code, "title": meeting.title, "title_en": meeting.title_en, "premises": ", ".join(premises),
               "minutes": CODE_MINUTES}  # fmt: skip
    message = render(messages.CODE, locale, context)
    await outbox.enqueue(
        "email",
        email,
        messages.CODE.name,
        {"meeting": meeting.id, "html": message.html, "locale": message.locale},
        f"meetings:code:{row.id}",
        subject=message.subject,
        body=message.text,
        user_id=user_id,
        expires_at=row.expires_at,
    )


async def _codes_within_limit(principal: Principal, meeting_id: int, now: datetime) -> None:
    """Refuse a new code when the owner had ``CODES_PER_HOUR`` within the last hour, saying when the next may be
    asked for: each code allows ``CODE_ATTEMPTS`` guesses, so new codes on demand would allow guessing without end.
    Counted in the transaction that adds the code, the owner's row locked: clicks at the same moment (two tabs)
    each counted the same codes, and all went through (SQLite's write transactions are serial)."""
    if not is_sqlite():
        await User.select(User.id).where(User.id == principal.user_id).lock_rows()
    recent = (
        await BallotCode.select(BallotCode.created_at)
        .where((BallotCode.meeting == meeting_id) & (BallotCode.user == principal.user_id))
        .order_by(BallotCode.id, ascending=False)
        .limit(CODES_PER_HOUR)
    )
    again = recent[-1]["created_at"] + timedelta(hours=1) if recent else now
    if len(recent) >= CODES_PER_HOUR and again > now:
        raise Refused(gettext("You have asked for %(num)s codes within an hour. A new code can be sent after %(time)s.",
                              num=CODES_PER_HOUR, time=format_moment(again, get_settings().time_zone)))  # fmt: skip


async def _waiting_code(principal: Principal, meeting_id: int) -> dict[str, Any] | None:
    """The owner's last code for the meeting while it can still confirm: not used, not expired, attempts left."""
    row = await _last_code(principal, meeting_id)
    if row is None or row["expires_at"] < clock.now() or row["attempts"] >= CODE_ATTEMPTS:
        return None
    return row


async def code_waiting(principal: Principal, meeting_id: int) -> bool:
    """Whether a code sent to the owner can still be typed: the confirmation page then asks for it, also when the
    owner left it to read the e-mail and came back by the ballot's link."""
    return await _waiting_code(principal, meeting_id) is not None


async def _last_code(principal: Principal, meeting_id: int) -> dict[str, Any] | None:
    return (
        await BallotCode.select()
        .where(
            (BallotCode.meeting == meeting_id) & (BallotCode.user == principal.user_id) & BallotCode.used_at.is_null()
        )
        .order_by(BallotCode.id, ascending=False)
        .first()
    )


def _no_code_message(row: dict[str, Any] | None) -> str:
    """Why no code can be typed: the last one was typed wrong too often, or it has expired."""
    if row is not None and row["attempts"] >= CODE_ATTEMPTS:
        return ngettext(
            "The code was typed wrong %(num)s time and no longer works. Ask for a new one.",
            "The code was typed wrong %(num)s times and no longer works. Ask for a new one.",
            CODE_ATTEMPTS,
        )
    return gettext("The code has expired. Ask for a new one.")


def wrong_code_message(left: int) -> str:
    """What the owner is told at the field of a wrong code: how many attempts the code still allows."""
    return ngettext(
        "The code is wrong. Check the e-mail and try again: %(num)s attempt left.",
        "The code is wrong. Check the e-mail and try again: %(num)s attempts left.",
        left,
    )


class WrongCode(Refused):
    """The code typed is not the one sent (or not six digits): the confirmation page says so at its field."""


@dataclass(frozen=True)
class Confirmed:
    """What a code confirmed: how many ballots it locked, and why it left out each other premise it was sent for."""

    locked: int
    kept_out: list[str] = field(default_factory=list)


async def confirm(principal: Principal, meeting: queries.MeetingView, code: str | None) -> Confirmed:
    """Lock the ballots the code was sent for: received now, counted from now on, never changed again. The code is
    read and used in one transaction with the owner's row locked (as ``send_code`` locks it): two confirmations at
    the same moment (a double click, two tabs) both read it waiting, and both confirmed."""
    _voting_open(meeting)
    async with atomic():
        if not is_sqlite():
            await User.select(User.id).where(User.id == principal.user_id).lock_rows()
        row = await _waiting_code(principal, meeting.id)
        if row is None:
            raise Refused(await _why_no_code(principal, meeting.id))
        # The attempt is counted before the code is compared, in one statement: a burst of guesses cannot slip past.
        counted = (
            await BallotCode.update({BallotCode.attempts: BallotCode.attempts + 1})
            .where((BallotCode.id == row["id"]) & (BallotCode.attempts < CODE_ATTEMPTS) & BallotCode.used_at.is_null())
            .returning(BallotCode.attempts)
        )
        if not counted:
            raise Refused(_no_code_message(row))
        if code is not None and hmac.compare_digest(row["code_hash"], _hash(code)):
            return await _use_code(principal, meeting, row)
    # A wrong code: raised after the transaction, so that the attempt it counted stays counted.
    left = CODE_ATTEMPTS - counted[0]["attempts"]
    if not left:  # the page then offers a new code instead of the field
        raise Refused(gettext("The code is wrong, and that was the last attempt: this code no longer works. "
                              "Ask for a new one."))  # fmt: skip
    raise WrongCode(wrong_code_message(left))


async def _use_code(principal: Principal, meeting: queries.MeetingView, row: dict[str, Any]) -> Confirmed:
    """Mark the code used (if nothing used it meanwhile) and accept its drafts, in ``confirm``'s transaction; a draft
    of an ownership whose paper ballot was received first stays a draft (``rules.confirmable``), and the owner reads
    why. Read under the lock of the drafts' register lines, the one a moderator accepting a paper ballot takes
    (``_refuse_uncountable``; SQLite's write transactions are serial): a paper ballot accepted at the same moment is
    seen here, or sees this vote. With nothing left to confirm, nothing is written: the code is not spent."""
    drafts = await _drafts(principal, meeting.id, [int(x) for x in row["ballots"].split(",") if x])
    lines = RegisterEntry.select(RegisterEntry.id, RegisterEntry.premise_kind, RegisterEntry.premise_number).where(
        RegisterEntry.id.is_in(sorted(set(drafts.values())) or [-1])
    )
    premises = {
        r["id"]: premise_name(r["premise_kind"], r["premise_number"])
        for r in await (lines.order_by(RegisterEntry.id).lock_rows() if not is_sqlite() else lines)
    }
    ids, decided = rules.confirmable(drafts, await queries.paper_decisions(sorted(premises)))
    kept_out = [forms.already_decided(premises[entry], received) for entry, received in decided.items()]
    if not ids:
        raise Refused(" ".join(kept_out) or gettext("This code has already been used: your vote is received."))
    now = clock.now()
    used = (
        await BallotCode.update({BallotCode.used_at: now})
        .where((BallotCode.id == row["id"]) & BallotCode.used_at.is_null())
        .returning(BallotCode.id)
    )
    if not used:
        raise Refused(gettext("This code has already been used: your vote is received."))
    locked = (
        await Ballot.update({Ballot.status: BallotStatus.ACCEPTED, Ballot.received_at: now, Ballot.updated_at: now})
        .where(Ballot.id.is_in(ids) & (Ballot.status == BallotStatus.DRAFT))
        .returning(Ballot.id)
    )
    return Confirmed(len(locked), kept_out)


async def _drafts(principal: Principal, meeting_id: int, ids: list[int]) -> dict[int, int]:
    """The owner's drafts of the meeting among the ballots ``ids`` a code was sent for: their register lines, by id."""
    rows = await Ballot.select(Ballot.id, Ballot.entry).where(
        Ballot.id.is_in(ids or [-1])
        & (Ballot.status == BallotStatus.DRAFT)
        & (Ballot.voter == principal.user_id)
        & (Ballot.meeting == meeting_id)
    )
    return {r["id"]: r["entry"] for r in rows}


async def _why_no_code(principal: Principal, meeting_id: int) -> str:
    """No code can be typed: the owner's last code already confirmed the vote (a second click), or it was typed wrong
    too often, or it has expired. A code replaced by a newer one is never the last."""
    last = (
        await BallotCode.select(BallotCode.used_at)
        .where((BallotCode.meeting == meeting_id) & (BallotCode.user == principal.user_id))
        .order_by(BallotCode.id, ascending=False)
        .first()
    )
    if last is not None and last["used_at"] is not None:
        return gettext("This code has already been used: your vote is received.")
    return _no_code_message(await _last_code(principal, meeting_id))


# --- paper ballots and moderation (staff) ----------------------------------------------------------------------


async def enter_paper(
    principal: Principal,
    meeting: queries.MeetingView,
    entry_id: int,
    voter_name: str,
    received_at: datetime,
    answers: dict[int, rules.Choice | None],
    scan: StoredFile,
    snils: str = "",
    *,
    ip: str = "",
) -> int:
    """A paper ballot with its scan, waiting for the moderator. A ballot for an ownership that already has a counted
    one, or received after the closing time, is flagged so the moderator sees it (it is never counted twice). The
    СНИЛС kept with it is decided from the meeting and its owner (``_ballot_snils``), whatever the caller asked.
    Refused for any reason (the meeting closed meanwhile, no such owner, no СНИЛС) or failed, it removes the stored
    scan, which would otherwise stay behind with no ballot."""
    with storage.dropped_unless_saved(scan.key):
        if meeting.status != MeetingStatus.PUBLISHED:
            raise Refused(gettext("Paper ballots are entered while the meeting is open."))
        line = await queries.entry_of(meeting.id, entry_id)
        if line is None:
            raise Refused(gettext("Choose an owner from the register."))
        snils = await _ballot_snils(meeting, line, snils)
        counted = await Ballot.exists().where(
            (Ballot.entry == entry_id) & (Ballot.status.is_in([BallotStatus.ACCEPTED, BallotStatus.MODERATION]))
        )
        ballot = Ballot(
            meeting=meeting.id,
            entry=entry_id,
            source=Source.PAPER,
            status=BallotStatus.MODERATION,
            voter_name=voter_name or line.owner_name,
            entered_by=principal.user_id,
            scan_key=scan.key,
            scan_type=scan.content_type,
            snils=snils,  # personal data: not in the audit below
            received_at=received_at,
            duplicate=counted,
            late=received_at > meeting.voting_ends_at,
        )
        async with atomic():
            await ballot.save()
            await Vote.insert(*[Vote(ballot=ballot.id, item=item, choice=choice) for item, choice in answers.items()])
            await record(
                principal,
                "ballot.enter",
                "ballot",
                ballot.id,
                {"entry": entry_id, "received_at": received_at, "duplicate": counted, "late": ballot.late},
                ip,
            )
        return ballot.id


class SnilsRefused(Refused):
    """The СНИЛС a paper ballot must carry is missing or is no СНИЛС: the entry page says so at its field."""


async def _ballot_snils(meeting: queries.MeetingView, line: queries.Line, typed: str) -> str:
    """The СНИЛС kept with a paper ballot (its digits). None where the decision carries none (``rules.snils_required``:
    a meeting under 44/пр, an organisation): one sent anyway is personal data nothing asks for, dropped. A natural
    person's under 266/пр is required and checked: a ballot without it lacks what the order has it carry."""
    if not rules.snils_required(meeting.starts_on, await queries.is_person(line.owner_id)):
        return ""
    if not typed.strip():
        raise SnilsRefused(gettext("Enter the SNILS written on the ballot: under Order No. 266/пр the decision of an "
                                   "owner who is a natural person carries it. A ballot without it is not entered: ask "
                                   "the owner to hand in one with it before voting closes."))  # fmt: skip
    if not rules.snils_valid(typed):
        raise SnilsRefused(gettext("This is no SNILS: 11 digits, the last two its check number. Check it against "
                                   "the ballot."))  # fmt: skip
    return rules.snils_digits(typed)


async def _moderated(ballot_id: int) -> Refused:
    """A second moderation refused, saying what the ballot is now, who decided and when (two moderators on one
    ballot: the second learns the first one's decision, not a bare «already»)."""
    row = await (
        Ballot.select(Ballot.status, Ballot.moderated_by.full_name.as_alias("by"), Ballot.moderated_at)
        .where(Ballot.id == ballot_id)
        .first()
    )
    when = format_moment(row["moderated_at"], get_settings().time_zone) if row else ""
    if row and row["status"] == BallotStatus.ACCEPTED and when:
        return Refused(gettext("This ballot is already accepted: %(who)s, %(when)s.", who=row["by"] or "—", when=when))
    if row and row["status"] == BallotStatus.REJECTED and when:
        return Refused(gettext("This ballot is already rejected: %(who)s, %(when)s.", who=row["by"] or "—", when=when))
    return Refused(gettext("This ballot has already been moderated."))


async def accept(principal: Principal, ballot: queries.BallotRow, *, ip: str = "") -> None:
    if ballot.status != BallotStatus.MODERATION:
        raise await _moderated(ballot.id)
    await _moderate(principal, ballot, BallotStatus.ACCEPTED, None, "", ip=ip)


async def _refuse_uncountable(ballot: queries.BallotRow) -> None:
    """Refuses to count a ballot whose ownership has a counted one now (ЖК ст. 48: one decision per ownership), or
    one received late. Read in the transaction that counts, under the ownership's register line's lock (PostgreSQL
    ``FOR UPDATE``; SQLite's write transactions are serial): two moderators accepting the ballot and its repeat at
    once take turns, the second refused, as do a moderator and the owner confirming the vote online (``_use_code``).
    The flag set at entry may be stale (the ballot waiting then since rejected, and this one the owner's signed
    copy)."""
    if not is_sqlite():
        await RegisterEntry.select(RegisterEntry.id).where(RegisterEntry.id == ballot.entry_id).lock_rows()
    # Not this ballot itself: accepted meanwhile by another moderator, the update below says so, by whom and when.
    counted = (Ballot.entry == ballot.entry_id) & (Ballot.status == BallotStatus.ACCEPTED) & (Ballot.id != ballot.id)
    if await Ballot.exists().where(counted):
        raise Refused(gettext("This ownership already has a counted ballot: reject this one as a duplicate."))
    if ballot.late:
        raise Refused(gettext("This ballot was received after the voting closed: reject it as late."))


async def reject(
    principal: Principal, ballot: queries.BallotRow, reason: rules.Rejection | None, note: str, *, ip: str = ""
) -> None:
    if ballot.status != BallotStatus.MODERATION:
        raise await _moderated(ballot.id)
    if reason is None:
        raise Refused(gettext("Choose the reason for rejecting the ballot."))
    await _moderate(principal, ballot, BallotStatus.REJECTED, reason, note, ip=ip)


async def _moderate(
    principal: Principal,
    ballot: queries.BallotRow,
    status: BallotStatus,
    reason: rules.Rejection | None,
    note: str,
    *,
    ip: str = "",
) -> None:
    now = clock.now()
    async with atomic():
        if status == BallotStatus.ACCEPTED:
            await _refuse_uncountable(ballot)
        changed = (
            await Ballot.update(
                {
                    Ballot.status: status,
                    Ballot.rejection: reason,
                    Ballot.rejection_note: note,
                    Ballot.moderated_by: principal.user_id,
                    Ballot.moderated_at: now,
                    Ballot.updated_at: now,
                }
            )
            .where((Ballot.id == ballot.id) & (Ballot.status == BallotStatus.MODERATION))
            .returning(Ballot.id)
        )
        if not changed:
            raise await _moderated(ballot.id)
        await record(
            principal,
            "ballot.accept" if status == BallotStatus.ACCEPTED else "ballot.reject",
            "ballot",
            ballot.id,
            {"status": [ballot.status, status], "rejection": reason or "", "note": note},
            ip,
            now=now,
        )
        if reason is not None:
            await _tell_rejected(ballot, reason, note)


async def _tell_rejected(ballot: queries.BallotRow, reason: rules.Rejection, note: str) -> None:
    """The owner whose paper ballot is rejected learns it and why, in their own language: the ballot would otherwise
    vanish from their page without a word (SECURITY.md: a rejected paper ballot records who and why)."""
    entry = (
        await RegisterEntry.select(RegisterEntry.owner, RegisterEntry.premise_kind, RegisterEntry.premise_number)
        .where(RegisterEntry.id == ballot.entry_id)
        .first()
    )
    meeting = await Meeting.select(Meeting.title, Meeting.title_en).where(Meeting.id == ballot.meeting_id).first()
    if entry is None or meeting is None:
        return
    context = {**meeting, "premise_kind": entry["premise_kind"], "premise_number": entry["premise_number"],
               "reason": reason.value, "note": note}  # fmt: skip
    for link in await OwnerLink.select(OwnerLink.user).where(OwnerLink.owner == entry["owner"]).limit(20):
        await notify(link["user"], "meetings/ballot_rejected", context=context,
                     dedupe_key=f"ballot:{ballot.id}:rejected", link=f"/meetings/{ballot.meeting_id}")  # fmt: skip


# --- owners' initiative -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Supported:
    reached: bool
    support: Fraction
    total: Fraction


async def _owner_lines_of_house(principal: Principal, house_id: int) -> list[rules.RegisterLine]:
    owners = set(await queries.linked_owners(principal.user_id))
    holdings = await queries.holdings_of_house(house_id, clock.today_local())
    return [line for line in rules.register(holdings) if line.owner_id in owners]


async def start_initiative(principal: Principal, house_id: int, title: str, agenda: str) -> int:
    lines = await _owner_lines_of_house(principal, house_id)
    if not lines:
        raise Refused(gettext("Only an owner of a premise in this house can demand a meeting."))
    total = rules.total_votes(await queries.house_areas(house_id))
    initiative = Initiative(
        house=house_id,
        author=principal.user_id,
        author_owner=lines[0].owner_id,
        title=title,
        agenda=agenda,
        total_num=total.numerator,
        total_den=total.denominator,
    )
    async with atomic():
        await initiative.save()
    view = await queries.initiative_for_resident(principal, initiative.id)
    await support(principal, view)
    return initiative.id


async def support(principal: Principal, initiative: queries.InitiativeView) -> Supported:
    """The owner's ownerships in the house support the demand; at 10 % of all votes it becomes the company's duty."""
    if initiative.status not in (InitiativeStatus.COLLECTING, InitiativeStatus.REACHED):
        raise Refused(gettext("This initiative no longer collects support."))
    lines = await _owner_lines_of_house(principal, initiative.house_id)
    if not lines:
        raise Refused(gettext("Only an owner of a premise in this house can support the demand."))
    already = await queries.supported_by(principal, initiative.id)
    async with atomic():
        for line in lines:
            if line.ownership_id in already:
                continue
            await InitiativeSupport.insert(
                InitiativeSupport(
                    initiative=initiative.id,
                    ownership=line.ownership_id,
                    user=principal.user_id,
                    group=line.group,
                    weight_num=line.weight.numerator,
                    weight_den=line.weight.denominator,
                    key=f"{initiative.id}:{line.ownership_id}",
                )
            )
        view = await queries.initiative_for_resident(principal, initiative.id)
        reached = rules.demand_reached(view.support, view.total)
        if reached and view.status == InitiativeStatus.COLLECTING:
            await Initiative.update(
                {
                    Initiative.status: InitiativeStatus.REACHED,
                    Initiative.reached_on: clock.today_local(),
                    Initiative.updated_at: clock.now(),
                }
            ).where(Initiative.id == initiative.id)
    return Supported(reached=reached, support=view.support, total=view.total)


async def initiative_held(principal: Principal, initiative_id: int, meeting_id: int, *, ip: str = "") -> None:
    async with atomic():
        await Initiative.update({Initiative.status: InitiativeStatus.HELD, Initiative.updated_at: clock.now()}).where(
            Initiative.id == initiative_id
        )
        await record(principal, "initiative.held", "initiative", initiative_id, {"meeting": meeting_id}, ip)


# --- the ballots' СНИЛС and scans kept no longer than their term (the daily job) ---------------------------------

SNILS_MEETINGS_PER_READ = 50
SNILS_BALLOTS_PER_READ = 500


@jobs.register("ballot-snils-erasure", 86400, key=lambda now: clock.local(now).date().isoformat())
async def ballot_snils_erasure(now: datetime) -> int:
    return await erase_snils(now, get_settings().ballot_snils_keep_years)


async def erase_snils(now: datetime, keep_years: int) -> int:
    """Erase the СНИЛС typed from the paper ballots of every meeting whose keeping term ended, with the ballots'
    scans, which show the same СНИЛС and the signature (``rules.snils_erased_on``, 152-ФЗ ст. 5 ч. 7): each meeting
    in its own transaction with its audit row, so a run stopped halfway leaves the meetings done done and the next
    run takes the rest; a meeting done is not read again. Returns how many meetings were done."""
    today = clock.local(now).date()
    # Every protocol whose term may have ended (two days' margin for 29 February); the rule decides each.
    before = clock.day_start(rules.years_after(today, -keep_years) + timedelta(days=2))
    done = after = 0
    while meetings := await queries.keeping_snils(before, after=after, limit=SNILS_MEETINGS_PER_READ):
        after = meetings[-1].id
        for meeting in meetings:
            protocol_day = clock.local(meeting.closed_at or now).date()
            if rules.snils_erased_on(protocol_day, keep_years) <= today:
                await _erase_meeting_snils(meeting.id, now)
                done += 1
    return done


async def _erase_meeting_snils(meeting_id: int, now: datetime) -> None:
    """One meeting's СНИЛС and scans, a batch of ballots at a time in one transaction. The rows forget their scans
    in it and the files are deleted only once it commits (as ``storage.dropped_unless_saved`` keeps them until
    then): a failure leaves every row with its file, a crash after the commit a file of no row, never a row
    pointing at nothing. A file already gone is no error."""
    keeping = (Ballot.meeting == meeting_id) & ((Ballot.snils != "") | (Ballot.scan_key != ""))
    snils, scans = 0, []
    async with atomic():
        # A batch done no longer matches: the next read takes the rest.
        while (
            rows := await Ballot.select(Ballot.id, Ballot.snils, Ballot.scan_key)
            .where(keeping)
            .limit(SNILS_BALLOTS_PER_READ)
        ):
            await Ballot.update({Ballot.snils: "", Ballot.scan_key: "", Ballot.scan_type: ""}).where(
                Ballot.id.is_in([r["id"] for r in rows])
            )
            snils += sum(1 for r in rows if r["snils"])
            scans += [r["scan_key"] for r in rows if r["scan_key"]]
        await Meeting.update({Meeting.snils_erased_at: now}).where(
            (Meeting.id == meeting_id) & Meeting.snils_erased_at.is_null()
        )
        if snils or scans:
            changes = {"snils_erased": snils, "scans_deleted": len(scans)}
            await record(None, "meeting.snils_erased", "meeting", meeting_id, changes)
    for key in scans:
        storage.delete(key)


# --- reminders before the voting ends (the scheduled job) ------------------------------------------------------


@jobs.register("meeting-reminders", 3600)
async def meeting_reminders(now: datetime) -> int:
    return await send_reminders(now, get_settings().meeting_reminder_days)


async def send_reminders(now: datetime, days: int, *, limit: int = 500) -> int:
    """Remind each owner who may vote from the portal and has not voted that a meeting's voting ends in ``days``
    days or fewer (``rules.reminder_days_left``): a page of owners at a time, each reminder kept once per owner and
    meeting (``MeetingReminder``'s unique key) in the transaction of its outbox rows, so a run repeated, or run on
    two workers at once, reminds nobody twice. Returns how many owners were reminded."""
    today = clock.local(now).date()
    sent = 0
    for meeting in await queries.meetings_ending(now, now + timedelta(days=days + 1)):
        left = rules.reminder_days_left(meeting.voting_ends_on, today, days)
        if left is None:
            continue
        after = 0
        while users := await queries.owners_not_voted(meeting.id, after=after, limit=limit):
            after = users[-1]
            sent += await remind(meeting, left, users, now)
    return sent


async def remind(meeting: queries.MeetingView, days_left: int, user_ids: list[int], now: datetime) -> int:
    """Remind these owners of the meeting's voting (those not reminded of it yet), each in their language by the
    channels they chose for the house's notices; returns how many were reminded."""
    people = {p.user_id: p for p in await notified_people(user_ids)}
    choices = await choices_of(sorted(people))
    context = {"title": meeting.title, "title_en": meeting.title_en, "days": days_left,
               "url": _link(f"/meetings/{meeting.id}"), "link": f"/meetings/{meeting.id}"}  # fmt: skip
    kept = ((meeting.id, user, f"{meeting.id}:{user}", now) for user in sorted(people))
    async with atomic():
        written = await bulk.insert_rows(
            MeetingReminder, ("meeting", '"user"', "key", "created_at"), kept, returning=("id", '"user"'),
            conflict="(key) DO NOTHING",
        )  # fmt: skip
        rows = [
            row
            for w in written
            for row in outbox_rows(
                people[w["user"]], messages.REMINDER, context, f"meeting-reminder:{w['id']}", choices[w["user"]]
            )
        ]
        await outbox.enqueue_many(rows)
    return len(written)
