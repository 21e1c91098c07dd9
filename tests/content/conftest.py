"""Fixtures of content tests (shared with tests/notifications): a house with two entrances and a riser, residents,
staff of each role, and posts hand-picked for tens of thousands of accounts and premises."""

from __future__ import annotations

from typing import Any

import pytest

from portal.content import actions
from portal.content.tables import PostKind
from portal.content.tables import PostTarget
from portal.core.security import Principal
from portal.notifications.rules import Audience

FIRST_REF = 10_000_001  # the first id ``hand_pick`` selects: beyond any row a test makes


@pytest.fixture
def staff_principal() -> Any:
    async def make(user_id: int, *roles: str, houses: tuple[int, ...] | None = None) -> Principal:
        return Principal(
            user_id=user_id,
            name="Сотрудник",
            staff_roles=frozenset(roles),
            house_ids=None if houses is None else frozenset(houses),
        )

    return make


@pytest.fixture
def town(db: Any, make_account: Any, make_user: Any) -> Any:
    async def build() -> dict[str, Any]:
        from portal.accounts.tables import User
        from portal.housing.tables import Entrance
        from portal.housing.tables import PremiseRiser
        from portal.housing.tables import Riser

        a1 = await make_account(floor=3, premise_number="7", address="г. Симферополь, ул. Ручьевая, д. 1")
        entrance2 = Entrance(house=a1.house, number=2, floors=9)
        await entrance2.save()
        a2 = await make_account(house=a1.house, entrance=entrance2.id, floor=6, premise_number="40")
        other = await make_account(floor=3, address="г. Симферополь, ул. Другая, д. 9")
        riser = Riser(house=a1.house, code="ХВС-1", kind="cold_water", entrance=a1.entrance)
        await riser.save()
        await PremiseRiser(premise=a1.premise, riser=riser.id).save()
        first = await make_user(name="Анна Первая", email="anna@example.ru", accounts={a1.account: "owner"})
        second = await make_user(name="Борис Второй", email="boris@example.ru", accounts={a2.account: "owner"})
        third = await make_user(name="Вера Другая", email="vera@example.ru", accounts={other.account: "owner"})
        await User.update({User.phone: "+79780000001"}).where(User.id == first)
        await User.update({User.phone: "+79780000002", User.locale: "en"}).where(User.id == second)
        manager = await make_user(name="Мария Менеджер", roles=("manager",), houses=(a1.house,))
        moderator = await make_user(name="Олег Модератор", roles=("moderator",), houses=(a1.house, other.house))
        dispatcher = await make_user(name="Дина Диспетчер", roles=("dispatcher",), houses=(a1.house,))
        return {
            "house": a1.house,
            "other_house": other.house,
            "entrance2": entrance2.id,
            "riser": riser.id,
            "places": (a1, a2, other),
            "residents": (first, second, third),
            "manager": manager,
            "moderator": moderator,
            "dispatcher": dispatcher,
        }

    return build


async def hand_pick(post: int, kind: str, count: int, house: int | None = None) -> None:
    """``count`` selections of ``kind`` for ``post``, ids from ``FIRST_REF`` on (rows that need not exist), written
    by the database itself: one statement on either engine, however many more values than a query takes."""
    await PostTarget.raw(
        "WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n + 1 < {}) "
        "INSERT INTO post_target (post, kind, ref, house) SELECT {}, {}, {} + n, {} FROM g",
        count,
        post,
        kind,
        FIRST_REF,
        house,
    )


async def make_accounts(premise: int, count: int) -> list[int]:
    """``count`` personal accounts «HP1000001»… of ``premise`` (nobody lives on them), made inside the database in
    one statement: their ids."""
    await PostTarget.raw(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {}) "
        "INSERT INTO personal_account (number, premise, payer_name, search_text, created_at, updated_at) "
        "SELECT 'HP' || (1000000 + n), {}, '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM g",
        count,
        premise,
    )
    return [r["id"] for r in await PostTarget.raw("SELECT id FROM personal_account WHERE number LIKE 'HP%'")]


@pytest.fixture
def post_for_two(town: Any, staff_principal: Any) -> Any:
    """A factory: the town, and its moderator's post for the first place's account and the second place's premise
    (``PostInput`` as given, no push); gives back the town, the moderator and the post's id."""

    async def make(
        kind: str = PostKind.NOTICE, title: str = "Сверка показаний", body: str = "Передайте показания до 25 числа.",
        *, by_email: bool = False, by_sms: bool = False,
    ) -> tuple[dict[str, Any], Principal, int]:  # fmt: skip
        t = await town()
        first, second, _ = t["places"]
        moderator = await staff_principal(t["moderator"], "moderator")
        audience = Audience.of(accounts=[first.account], premises=[second.premise])
        post_id = await actions.save_post(
            moderator,
            actions.PostInput(
                kind=kind, title=title, body=body, audience=audience, by_email=by_email, by_sms=by_sms, by_push=False
            ),
        )
        return t, moderator, post_id

    return make


@pytest.fixture
def hand_picked_post(post_for_two: Any) -> Any:
    """A factory: ``post_for_two``'s notice with ``accounts`` real accounts (of the first place's premise, nobody
    lives on them) and ``premises`` premises (``hand_pick``) of the town's house added to its audience; gives back
    the town and the post's id."""

    async def make(accounts: int, premises: int) -> tuple[dict[str, Any], int]:
        t, _, post_id = await post_for_two()
        await make_accounts(t["places"][0].premise, accounts)
        await PostTarget.raw(
            "INSERT INTO post_target (post, kind, ref, house) "
            "SELECT {}, 'account', a.id, {} FROM personal_account a WHERE a.number LIKE 'HP%'",
            post_id,
            t["house"],
        )
        await hand_pick(post_id, "premise", premises, t["house"])
        return t, post_id

    return make
