"""What people do in analytics, one function per intent, each one ``atomic()`` unit: open an NPS wave (and invite
the complex's residents by their channels), answer it, open the waves that are due (the scheduled job), save and
approve a KPI month."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.accounts.rules import may_send
from portal.analytics import forms
from portal.analytics import queries
from portal.analytics import rules
from portal.analytics.messages import NPS_INVITATION
from portal.analytics.messages import SURVEY_LINK
from portal.analytics.tables import KpiBonus
from portal.analytics.tables import KpiMonth
from portal.analytics.tables import KpiStatus
from portal.analytics.tables import NpsAnswer
from portal.analytics.tables import NpsWave
from portal.core import audit
from portal.core import outbox
from portal.core import stale
from portal.core.db import atomic
from portal.core.i18n import gettext as _
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.notifications import queries as recipients
from portal.notifications.messages import Message
from portal.notifications.messages import inapp_context
from portal.notifications.messages import render
from portal.notifications.messages import unsubscribable
from portal.notifications.rules import Audience
from portal.notifications.rules import Channel

INVITE_PAGE = 2000
EVERY_CHANNEL = frozenset(Channel)


async def open_wave(principal: Principal | None, complex_id: int, today: date, *, ip: str = "") -> int:
    """Open an NPS wave of a complex from today for ``rules.WAVE_DAYS`` and invite its residents (``invite``,
    in the same transaction); refused while one is open."""
    async with atomic():
        running = await NpsWave.exists().where(
            (NpsWave.complex == complex_id) & (NpsWave.closes_on >= today) & (NpsWave.opens_on <= today)
        )
        if running:
            raise Refused(_("A survey of this complex is already open."))
        wave = NpsWave(
            complex=complex_id,
            opens_on=today,
            closes_on=rules.wave_closes(today),
            created_by=principal.user_id if principal else None,
        )
        await wave.save()
        invited = await invite(wave.id, complex_id, wave.closes_on, today)
        await audit.record(principal, "nps.open", "nps_wave", wave.id, {"complex": complex_id, "invited": invited}, ip)
    queries.forget_open_waves()  # the residents' pages of this process ask again (after the commit)
    return wave.id


def _invitation(
    wave_id: int, person: recipients.Recipient, channel: Channel, message: Message, words: dict[str, Any]
) -> OutboxMessage:
    recipient = {Channel.EMAIL: person.email, Channel.SMS: person.phone}.get(channel) or str(person.user_id)
    email = channel is Channel.EMAIL
    mailed = unsubscribable(message, person.user_id, NPS_INVITATION.topic, person.locale) if email else message
    body = {
        Channel.EMAIL: mailed.text,
        Channel.INAPP: message.inapp,  # the in-app list's words: its title links to the survey
        Channel.SMS: f"{message.short} {message.link}",
    }.get(channel, message.short)
    context = {
        Channel.EMAIL: mailed.email_context(),
        # the in-app title links to the survey's path, which holds if the portal's address changes; the list
        # words it again from the context in the language the person reads it in
        Channel.INAPP: inapp_context(SURVEY_LINK, words),
    }.get(channel, {"link": message.link})
    return OutboxMessage(
        channel=channel.value,
        recipient=recipient,
        user_id=person.user_id,
        template=NPS_INVITATION.name,
        subject=message.subject,
        body=body,
        context=context,
        dedupe_key=f"nps:{wave_id}:{channel.value}:{person.user_id}",
        ref=f"nps:{wave_id}",
    )


async def invite(wave_id: int, complex_id: int, closes_on: date, today: date) -> int:
    """Invite every resident of the complex to the wave: one message per person and channel they allow, in their
    language, linking to the survey page. Nobody who has not given (or has withdrawn) the processing consent is
    invited (152-ФЗ, ``may_send("survey", …)``). The residents are read a page at a time (one query, then their
    channel choices and browsers in one query each) and each page's messages go in one insert; the key
    ``nps:<wave>:<channel>:<user>`` keeps a second run from sending anything twice. Returns the messages queued."""
    audience = Audience.of(complexes=[complex_id])
    context = {"until": closes_on.isoformat(), "link": SURVEY_LINK}
    rendered: dict[str, Message] = {}
    queued, after = 0, 0
    while page := await recipients.resolve_audience(audience, after_user=after, limit=INVITE_PAGE, today=today):
        after = page[-1].user_id
        people = [p for p in page if may_send("survey", p.consents)]
        reach = await recipients.channels_of(people, NPS_INVITATION.topic, EVERY_CHANNEL)
        rows = []
        for person in people:
            wanted = reach[person.user_id]
            if person.locale not in rendered:
                rendered[person.locale] = render(NPS_INVITATION, person.locale, context)
            rows.extend(_invitation(wave_id, person, channel, rendered[person.locale], context) for channel in wanted)
        queued += await outbox.enqueue_many(rows)
        if len(page) < INVITE_PAGE:
            break
    return queued


async def answer(principal: Principal, wave: queries.OpenWave, score: int, comment: str, now: datetime) -> None:
    """The resident's answer in the open wave; a second answer replaces the first (one per person and wave)."""
    assert principal.user_id is not None
    async with atomic():
        updated = (
            await NpsAnswer.update({NpsAnswer.score: score, NpsAnswer.comment: comment, NpsAnswer.answered_at: now})
            .where((NpsAnswer.wave == wave.wave_id) & (NpsAnswer.user == principal.user_id))
            .returning(NpsAnswer.id)
        )
        if not updated:
            await NpsAnswer(
                wave=wave.wave_id,
                user=principal.user_id,
                house=wave.house_id,
                score=score,
                comment=comment,
                answered_at=now,
            ).save()


async def open_due_waves(today: date, every_months: int = rules.NPS_EVERY_MONTHS) -> list[int]:
    """Open a wave in every complex with houses whose last wave is ``every_months`` old or that never had one
    (the scheduled job; running it twice the same day opens nothing more)."""
    complexes = [r["id"] for r in await Complex.select(Complex.id).order_by(Complex.id).limit(500)]
    with_houses = {
        r["complex"] for r in await House.select(House.complex).where(House.complex.is_in(complexes or [-1]))
    }
    last = await queries.last_waves(complexes)
    opened = []
    for complex_id in complexes:
        if complex_id in with_houses and rules.wave_due(last.get(complex_id), today, every_months):
            try:
                opened.append(await open_wave(None, complex_id, today))
            except Refused:
                continue
    return opened


# --- KPI and bonus -----------------------------------------------------------------------------------------


def achievements(measured: queries.Measured, draft: forms.KpiDraft) -> dict[rules.Kpi, Decimal | None]:
    """Each KPI's achievement: measured by the portal where it can, else as the manager entered it."""
    nps = measured.nps_trend if measured.nps_trend is not None else draft.nps
    receivables = measured.receivables if measured.receivables is not None else draft.receivables
    return {
        rules.Kpi.NPS: nps,
        rules.Kpi.PLAN: draft.plan,
        rules.Kpi.RECEIVABLES: receivables,
        rules.Kpi.DISPATCH: rules.dispatch_achievement(measured.on_time, draft.acts),
    }


def _kopecks(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _bonus_line(line: forms.LineDraft, total: Decimal) -> dict[str, Any]:
    """A staff member's bonus line as written: their own efficiency, else the complex's."""
    own = line.efficiency if line.efficiency is not None else total
    return {
        "user": line.user_id,
        "position": line.position,
        "maximum_kopecks": _kopecks(line.maximum),
        "efficiency_pct": line.efficiency,
        "bonus_kopecks": _kopecks(rules.bonus(line.maximum, own)),
    }


async def _kpi_changes(kpi_id: int, values: dict[Any, Any], lines: list[dict[str, Any]]) -> bool:
    """Whether a save changes the month's figures or its bonus lines as they are now."""
    if await stale.changes(KpiMonth, kpi_id, {c._meta.name: v for c, v in values.items()}):
        return True
    stored = await (
        KpiBonus.select(*[getattr(KpiBonus, n) for n in _LINE])
        .where(KpiBonus.kpi_month == kpi_id)
        .order_by(KpiBonus.id)
        .limit(len(lines) + 1)
    )
    written = [{n: stale.as_written(r[n], w[n]) for n in _LINE} for r, w in zip(stored, lines, strict=False)]
    return len(stored) != len(lines) or written != lines


_LINE = ("user", "position", "maximum_kopecks", "efficiency_pct", "bonus_kopecks")


async def save_kpi(
    principal: Principal,
    complex_id: int,
    period: date,
    measured: queries.Measured,
    draft: forms.KpiDraft,
    now: datetime,
    *,
    ip: str = "",
    version: str | None = None,
) -> int:
    """Save a complex's KPI month as a draft: achievements, the efficiency, and each staff member's bonus from
    their maximum and their own efficiency (the complex's when none is given). Refused once approved, and
    (``stale.Stale``) when the form was read at another ``version`` of the month ("": before it had a draft)."""
    found = achievements(measured, draft)
    known = {k: v for k, v in found.items() if v is not None}
    total = rules.efficiency(known)
    async with atomic():
        row = (
            await KpiMonth.select(KpiMonth.id, KpiMonth.status)
            .where((KpiMonth.complex == complex_id) & (KpiMonth.period == period))
            .first()
        )
        if row and row["status"] == KpiStatus.APPROVED:
            raise Refused(_("This month is approved already; it cannot be changed."))
        values = {
            KpiMonth.nps_pct: found[rules.Kpi.NPS],
            KpiMonth.plan_pct: found[rules.Kpi.PLAN],
            KpiMonth.acts_pct: draft.acts,  # kept as entered, so that the form shows it again
            KpiMonth.receivables_pct: found[rules.Kpi.RECEIVABLES],
            KpiMonth.dispatch_pct: found[rules.Kpi.DISPATCH],
            KpiMonth.efficiency_pct: total,
        }
        lines = [_bonus_line(line, total) for line in draft.lines]
        if row and not await _kpi_changes(row["id"], values, lines):
            return int(row["id"])  # the month as it is now: nothing to write, whatever the form's version
        if row:
            await stale.check(KpiMonth, row["id"], "kpi_month", version)
        values[KpiMonth.updated_at] = now
        if row:
            kpi_id = row["id"]
            await KpiMonth.update(values).where(KpiMonth.id == kpi_id)
            await KpiBonus.delete().where(KpiBonus.kpi_month == kpi_id)
        else:
            month = KpiMonth(complex=complex_id, period=period, **{c._meta.name: v for c, v in values.items()})
            await month.save()
            kpi_id = month.id
        if lines:
            await KpiBonus.insert(*[KpiBonus(kpi_month=kpi_id, **line) for line in lines])
        await audit.record(
            principal,
            "kpi.save",
            "kpi_month",
            kpi_id,
            {"efficiency": str(total), "lines": len(lines), "period": period.isoformat()},
            ip,
            now=now,
        )
    return kpi_id


async def approve_kpi(principal: Principal, kpi_id: int, now: datetime, *, ip: str = "") -> None:
    """Approve a KPI month for the payroll; an approved month no longer changes."""
    async with atomic():
        updated = (
            await KpiMonth.update(
                {
                    KpiMonth.status: KpiStatus.APPROVED,
                    KpiMonth.approved_by: principal.user_id,
                    KpiMonth.approved_at: now,
                }
            )
            .where((KpiMonth.id == kpi_id) & (KpiMonth.status == KpiStatus.DRAFT))
            .returning(KpiMonth.id)
        )
        if not updated:
            raise Refused(_("This month is approved already."))
        await audit.record(
            principal, "kpi.approve", "kpi_month", kpi_id, {"status": ["draft", "approved"]}, ip, now=now
        )
