"""The demo's mystery residents: in the first house resident@demo.ru and a neighbour check the service (three months
of reports, one remark filed as a request), and resident2@demo.ru has an invitation to answer."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from portal.accounts.rules import rights_for
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core.db import atomic
from portal.core.security import ResidentRole
from portal.housing.tables import House
from portal.mystery import actions
from portal.mystery import rules
from portal.mystery.forms import Graded
from portal.mystery.queries import CheckerRow
from portal.mystery.tables import MysteryChecker
from portal.settings import get_settings


async def seed(ctx: Any) -> None:
    houses = ctx.shared.get("houses") or []
    users = ctx.shared.get("users") or {}
    if not houses or "resident" not in users:
        return
    house = houses[0]
    address = (await House.select(House.address).where(House.id == house).first())["address"]
    accounts = ctx.shared["accounts_by_house"][house]
    neighbour = User(full_name="Лариса Викторовна Белова", email="mystery-neighbour@demo.ru", created_at=ctx.now)
    await neighbour.save()
    rights = rights_for(ResidentRole.OWNER, [])
    # An account of the house nobody signs in to yet: the neighbour is its only resident (never the owner's demo one).
    taken = {r["account"] for r in await Residency.select(Residency.account).where(Residency.account.is_in(accounts))}
    free = [a for a in accounts if a not in taken and a != ctx.shared.get("owner_account")]
    account = free[0] if free else accounts[-1]
    await Residency(user=neighbour.id, account=account, role=ResidentRole.OWNER, rights=rights).save()
    manager = users.get("manager")
    zone = ZoneInfo(get_settings().time_zone)
    this_month = rules.month_of(ctx.today)
    for seat, user, marks in (
        (1, users["resident"], (5, 4, 4, 4, 3, 5, 5, 4)),
        (2, neighbour.id, (4, 4, 5, 3, 4, 4, 4, 3)),
    ):
        invited_at = datetime.combine(rules.add_months(this_month, -4), time(10), tzinfo=zone)
        row = MysteryChecker(
            house=house, user=user, status=rules.Status.ACTIVE, seat=f"{house}:{seat}", live=f"{house}:{user}",
            invited_by=manager, invited_at=invited_at, answered_at=invited_at + timedelta(days=1),
        )  # fmt: skip
        await row.save()
        checker = CheckerRow(row.id, house, address, user, rules.Status.ACTIVE, None)
        for back in (3, 2, 1):
            month = rules.add_months(this_month, -back)
            grades = {p.code: m for p, m in zip(rules.POINTS, marks, strict=True)}
            grades["timeliness"] = max(1, grades["timeliness"] - (back == 2))  # a month of slower work
            comments = {p.code: "" for p in rules.POINTS}
            if back == 1 and seat == 1:  # the remark: filed as a request to dispatch, without his name
                grades["garbage"] = 2
                comments["garbage"] = "Контейнеры переполнены с понедельника, мусор лежит вокруг площадки."
            graded = Graded(grades, comments, "")
            moment = datetime.combine(month.replace(day=18 + seat), time(19), tzinfo=zone)
            async with atomic():
                await actions.write_report(checker, month, graded, (), moment)
    await MysteryChecker(
        house=house, user=users["resident2"], status=rules.Status.INVITED, seat=f"{house}:3",
        live=f"{house}:{users['resident2']}", invited_by=manager, invited_at=ctx.now - timedelta(days=2),
    ).save()  # fmt: skip
