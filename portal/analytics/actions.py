"""What people do in analytics, one function per intent, each one ``atomic()`` unit: open an NPS wave, answer
it, open the waves that are due (the scheduled job), save and approve a KPI month."""

from __future__ import annotations

from datetime import date, datetime

from portal.analytics import queries, rules
from portal.analytics.tables import NpsAnswer, NpsWave
from portal.core import audit
from portal.core.db import atomic
from portal.core.i18n import gettext as _
from portal.core.security import Principal
from portal.core.web import Refused
from portal.housing.tables import Complex, House


async def open_wave(principal: Principal | None, complex_id: int, today: date) -> int:
    """Open an NPS wave of a complex from today for ``rules.WAVE_DAYS``; refused while one is open."""
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
        await audit.record(principal, "nps.open", "nps_wave", wave.id, {"complex": complex_id})
    return wave.id


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
