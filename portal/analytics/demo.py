"""Demo analytics: two NPS waves answered in every complex (eleven and five months ago, so the next one is a
month away), by residents of each house who are asked through the portal, and the NPS rising between them; the
same residents connect to the portal over the year (their owner's residency) and from then on pay through it
(card, СБП, autopay: the bank payments of their accounts become portal payments); then the dashboard's aggregates
are counted for the twelve months."""

from __future__ import annotations

import random
import uuid
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from portal.accounts import rules as account_rules
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.analytics import aggregates
from portal.analytics import rules
from portal.analytics.tables import NpsAnswer
from portal.analytics.tables import NpsWave
from portal.billing import notes
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.core.security import ResidentRole
from portal.demo import DemoContext
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.payments.tables import Payment
from portal.payments.tables import PaymentKind
from portal.payments.tables import PaymentStatus

RESPONDENTS_PER_HOUSE = 40
# Scores drawn for the first and the second wave: the second one better (the NPS rises).
FIRST = [10, 10, 9, 9, 8, 8, 7, 7, 6, 5, 4, 3, 2, 9, 10, 0, 6, 8]
SECOND = [10, 10, 10, 9, 9, 9, 8, 8, 7, 7, 6, 5, 3, 9, 10, 9, 6, 8]
COMMENTS = {
    "low": ["Долго ждали сантехника", "Грязно в подъезде после ремонта", "Не дозвониться в диспетчерскую"],
    "mid": ["В целом нормально, но лифт часто стоит", "Хотелось бы быстрее отвечать в приложении"],
    "high": ["Удобно платить и передавать показания", "Быстро починили домофон, спасибо", "Чисто во дворе"],
}


def _comment(rng: object, score: int) -> str:
    group = "low" if score <= rules.DETRACTOR_UP_TO else "high" if score >= rules.PROMOTER_FROM else "mid"
    return rng.choice(COMMENTS[group]) if rng.random() < 0.35 else ""  # type: ignore[attr-defined]


async def seed(ctx: DemoContext) -> None:
    houses = list(ctx.shared.get("houses", []))
    if not houses:
        return
    rng = ctx.rng
    # The accounts someone already holds on the portal (the demo residents' flats) are left out: their owner is
    # connected already, and a second user of the same person would list them twice among the people with access.
    held: dict[int, int] = {}
    for r in await Residency.select(Residency.account, Residency.user).where(Residency.revoked_at.is_null()):
        held.setdefault(r["account"], r["user"])
    by_house: dict[int, list[int]] = {
        int(k): [a for a in v if a not in held] for k, v in ctx.shared.get("accounts_by_house", {}).items()
    }
    complex_of = {
        r["id"]: r["complex"] for r in await House.select(House.id, House.complex).where(House.id.is_in(houses))
    }
    payers = {
        r["id"]: r["payer_name"]
        for r in await PersonalAccount.select(PersonalAccount.id, PersonalAccount.payer_name).where(
            PersonalAccount.id.is_in([a for h in houses for a in by_house.get(h, [])[:RESPONDENTS_PER_HOUSE]] or [-1])
        )
    }
    # The people who answer: residents asked through the portal (no password: they sign in by invitation).
    respondents: dict[int, list[int]] = {}
    for house in houses:
        accounts = by_house.get(house, [])[:RESPONDENTS_PER_HOUSE]
        users = [User(full_name=payers.get(a, ""), password_hash="", is_active=True) for a in accounts]
        if users:
            rows = await User.insert(*users).returning(User.id)
            respondents[house] = [r["id"] for r in rows]
    opened = [rules.add_months(ctx.today.replace(day=1), -11), rules.add_months(ctx.today.replace(day=1), -5)]
    answers = 0
    for complex_id in sorted(set(complex_of.values())):
        for index, opens_on in enumerate(opened):
            wave = NpsWave(complex=complex_id, opens_on=opens_on, closes_on=rules.wave_closes(opens_on))
            await wave.save()
            scores = FIRST if index == 0 else SECOND
            rows = []
            for house in (h for h in houses if complex_of[h] == complex_id):
                for n, user in enumerate(respondents.get(house, [])):
                    if rng.random() < 0.3:  # not everyone answers
                        continue
                    score = scores[(n + house) % len(scores)]
                    day = opens_on + timedelta(days=rng.randint(0, rules.WAVE_DAYS - 1))
                    moment = datetime.combine(day, time(rng.randint(8, 21), rng.randint(0, 59)), tzinfo=UTC)
                    rows.append(
                        NpsAnswer(
                            wave=wave.id, user=user, house=house, score=score, comment=_comment(rng, score),
                            answered_at=moment,
                        )
                    )  # fmt: skip
            if rows:
                await NpsAnswer.insert(*rows)
                answers += len(rows)
    ctx.say(f"analytics: {len(opened)} NPS waves per complex, {answers} answers")
    connected, paid = await _portal_uptake(ctx, respondents, by_house)
    paid += await _paid_by_holders(ctx, held)
    ctx.say(f"analytics: {connected} owners connected over the year, {paid} payments through the portal")
    this_month = ctx.today.replace(day=1)
    for back in range(rules.DEFAULT_MONTHS, -1, -1):
        await aggregates.refresh(rules.add_months(this_month, -back))
    ctx.say("analytics: the dashboard's aggregates counted for 13 months")


async def _portal_uptake(ctx: DemoContext, respondents: dict[int, list[int]], by_house: dict[int, list[int]]) -> Any:
    """Each respondent becomes the owner of their account on the portal, the first of them a year ago and the
    last this month (so the share connected rises month by month); every bank payment of their account after that
    day becomes a portal payment — by card, by СБП or by autopay."""
    rng = ctx.rng
    first = rules.add_months(ctx.today.replace(day=1), -11)
    since: dict[int, tuple[int, datetime]] = {}
    rows = []
    for house, users in sorted(respondents.items()):
        accounts = by_house.get(house, [])[: len(users)]
        for n, (user, account) in enumerate(zip(users, accounts, strict=False)):
            month = rules.add_months(first, min(11, n * 12 // len(users)))
            day = rng.randint(1, 27)
            if month == ctx.today.replace(day=1):  # this month: by today, and before the demo is loaded
                day = 1 + (day - 1) * (ctx.today.day - 1) // 26
            moment = min(datetime.combine(month.replace(day=day), time(12), tzinfo=UTC), ctx.now - timedelta(hours=1))
            since[account] = (user, moment)
            rows.append(
                Residency(
                    user=user, account=account, role=ResidentRole.OWNER,
                    rights=account_rules.rights_for(ResidentRole.OWNER, []), created_at=moment,
                )
            )  # fmt: skip
    if rows:
        await Residency.insert(*rows)
    return len(rows), await _portal_payments(rng, since)


async def _paid_by_holders(ctx: DemoContext, held: dict[int, int]) -> int:
    """The accounts the demo residents hold (left out of the respondents) pay through the portal too, by their
    holder, from a year ago: their payment history is not empty. A random sequence of their own, so that the rest
    of the demo stays as it was."""
    first = rules.add_months(ctx.today.replace(day=1), -11)
    moment = datetime.combine(first, time(12), tzinfo=UTC)
    return await _portal_payments(random.Random("the demo residents"), {a: (u, moment) for a, u in held.items()})


async def _portal_payments(rng: random.Random, since: dict[int, tuple[int, datetime]]) -> int:
    """Every bank payment of these accounts after the day each was connected becomes a portal payment of its user."""
    entries = await LedgerEntry.select(
        LedgerEntry.id, LedgerEntry.account, LedgerEntry.amount_kopecks, LedgerEntry.occurred_at
    ).where(
        (LedgerEntry.kind == EntryKind.PAYMENT)
        & LedgerEntry.account.is_in(sorted(since) or [-1])
        & LedgerEntry.reference.like("demo-payment:%")
    )
    payments = []
    for e in entries:
        user, moment = since[e["account"]]
        occurred = e["occurred_at"]
        occurred = datetime.fromisoformat(occurred) if isinstance(occurred, str) else occurred
        if (occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)) < moment:
            continue
        draw = rng.random()
        kind, method = (
            (PaymentKind.AUTOPAY, "card") if draw < 0.2 else (PaymentKind.CHECKOUT, "sbp" if draw < 0.5 else "card")
        )
        uid = str(uuid.UUID(int=rng.getrandbits(128)))
        payments.append(
            Payment(
                uid=uid, batch=uid, kind=kind, account=e["account"], amount_kopecks=-e["amount_kopecks"],
                status=PaymentStatus.SUCCEEDED, method=method, idempotency_key=uid, created_by=user,
                description="", created_at=occurred, updated_at=occurred, paid_at=occurred, credited_at=occurred,
            )
        )  # fmt: skip
        await LedgerEntry.update(
            {LedgerEntry.reference: f"payment:{uid}", LedgerEntry.note: notes.ONLINE.write()}
        ).where(LedgerEntry.id == e["id"])
    for chunk in range(0, len(payments), 500):
        await Payment.insert(*payments[chunk : chunk + 500])
    return len(payments)
