"""Demo content: a dozen news, notices and emergency notices across the houses, in every state of their life;
three neighbourhood events for the demo resident's house (two to come, one past);
one emergency in force for one riser (the one the demo resident's flat hangs on); delivery logs with some
failures; reads."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.content import rules
from portal.content.tables import EventAnswer
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostRead
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.core.tables import OutboxMessage
from portal.demo import DemoContext
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.housing.tables import PremiseRiser
from portal.housing.tables import Riser
from portal.housing.tables import RiserKind

# Each post as staff would write it: a title and a Markdown text in Russian, then their English twins.
NEWS = (
    (
        "Новогодняя ёлка во дворе",
        "Во дворе **установили ёлку**. Приглашаем детей на праздник 28 декабря в 17:00.",
        "A New Year tree in the courtyard",
        "A **New Year tree is up** in the courtyard. Children are invited to the party on 28 December at 17:00.",
    ),
    (
        "Открылся пункт выдачи посылок",
        "В холле первого подъезда работает пункт выдачи. Часы работы: 9:00–21:00.",
        "A parcel pick-up point has opened",
        "The pick-up point is in the hall of the first entrance. Open 9:00–21:00.",
    ),
    (
        "Итоги конкурса «Лучший балкон»",
        "Спасибо всем участникам! Победители получат подарки от управляющей компании.",
        "Results of the “Best balcony” contest",
        "Thank you to everyone who took part! The winners get gifts from the management company.",
    ),
    (
        "Новый график уборки",
        "Уборка подъездов теперь по вторникам и пятницам.\n\n- мытьё полов\n- протирка перил",
        "New cleaning schedule",
        "The entrances are now cleaned on Tuesdays and Fridays.\n\n- floors washed\n- handrails wiped",
    ),
    (
        "Установлены камеры у входа",
        "Камеры видеонаблюдения установлены у всех подъездов. Запись хранится 30 дней.",
        "Cameras at the entrances",
        "CCTV cameras are installed at every entrance. Recordings are kept for 30 days.",
    ),
    (
        "Приложение для передачи показаний",
        "Показания можно передать в [личном кабинете](https://example.ru) с 15 по 25 число.",
        "Passing meter readings online",
        "Meter readings can be passed in the [residents' portal](https://example.ru) from the 15th to the 25th.",
    ),
    (
        "Субботник 20 апреля",
        "Приглашаем жителей на субботник. Инвентарь выдаём с 9:00 у первого подъезда.",
        "Clean-up day on 20 April",
        "Residents are invited to the clean-up day. Tools are handed out from 9:00 at the first entrance.",
    ),
    (
        "Детская площадка обновлена",
        "Заменили покрытие и горку. Площадка открыта с 8:00 до 21:00.",
        "The playground is renewed",
        "The surface and the slide are new. The playground is open from 8:00 to 21:00.",
    ),
    (
        "Благодарность дворникам",
        "Жители дома выразили благодарность за чистоту во дворе зимой.",
        "Thanks to the caretakers",
        "Residents thanked the caretakers for keeping the courtyard clean this winter.",
    ),
    (
        "Как сэкономить тепло",
        "Закройте окна на проветривание, не загораживайте радиаторы мебелью.",
        "How to keep the heat in",
        "Close windows left open for airing and do not block the radiators with furniture.",
    ),
    (
        "Консультации юриста",
        "Бесплатные консультации по вопросам собственности — в офисе УК по средам.",
        "A lawyer's advice",
        "Free advice on property questions at the management company's office on Wednesdays.",
    ),
    (
        "Новые контейнеры для раздельного сбора",
        "На площадке установлены контейнеры для пластика и бумаги.",
        "New containers for separate collection",
        "Containers for plastic and paper are now at the waste site.",
    ),
)
NOTICES = (
    (
        "Плановое отключение горячей воды",
        "Гидравлические испытания: горячей воды не будет с 9:00 до 18:00.",
        "Planned hot water cut",
        "Pressure tests: there will be no hot water from 9:00 to 18:00.",
    ),
    (
        "Поверка счётчиков",
        "Сроки поверки счётчиков воды истекают у части квартир — проверьте в личном кабинете.",
        "Meter verification",
        "The verification of water meters is due in some flats: check yours in the residents' portal.",
    ),
    (
        "Покраска подъезда",
        "С понедельника красим стены подъезда. Просим не оставлять вещи на площадках.",
        "Painting the entrance",
        "From Monday the walls of the entrance are painted. Please leave nothing on the landings.",
    ),
    (
        "Дезинсекция подвалов",
        "Обработка подвалов 15 числа с 10:00 до 13:00. Закройте двери в подвал.",
        "Pest control in the basements",
        "The basements are treated on the 15th from 10:00 to 13:00. Keep the basement doors closed.",
    ),
    (
        "Замена домофонов",
        "Меняем домофоны. Новые ключи выдаются в офисе УК по паспорту.",
        "New door intercoms",
        "The intercoms are being replaced. New keys are issued at the office on showing a passport.",
    ),
    (
        "Собрание собственников",
        "Приглашаем на общее собрание собственников: повестка в разделе «Собрания».",
        "Owners' meeting",
        "You are invited to the general meeting of owners: the agenda is under “Meetings”.",
    ),
    (
        "Промывка системы отопления",
        "Промывка системы отопления 3–5 июня. Возможны перебои с водой.",
        "Flushing the heating system",
        "The heating system is flushed on 3–5 June. The water supply may be interrupted.",
    ),
    (
        "Ремонт кровли",
        "Начинается ремонт кровли над вторым подъездом. Срок — две недели.",
        "Roof repair",
        "The roof above the second entrance is being repaired. It takes two weeks.",
    ),
    (
        "Осмотр газового оборудования",
        "Газовая служба проведёт осмотр плит. Обеспечьте доступ в квартиры.",
        "Gas equipment inspection",
        "The gas service will inspect the cookers. Please give access to your flat.",
    ),
    (
        "Уборка снега с крыши",
        "Сбрасываем снег с кровли. Не оставляйте машины у стены дома.",
        "Clearing snow from the roof",
        "Snow is being cleared from the roof. Do not park next to the wall of the building.",
    ),
    (
        "Смена тарифа на вывоз ТКО",
        "С 1 января меняется тариф на вывоз мусора по решению регионального оператора.",
        "New rate for waste collection",
        "From 1 January the rate for waste collection changes by decision of the regional operator.",
    ),
    (
        "Проверка вентиляции",
        "Проверка вентиляционных каналов во всех квартирах с 10 по 20 число.",
        "Ventilation check",
        "The ventilation ducts of every flat are checked from the 10th to the 20th.",
    ),
)
EMERGENCIES = (
    (
        "Нет холодной воды",
        "Авария на вводе. Бригада работает, ориентировочно до 18:00.",
        "No cold water",
        "A failure at the supply inlet. The crew is at work, expected until about 18:00.",
    ),
    (
        "Не работает лифт",
        "Лифт остановлен из-за неисправности. Специалисты уже выехали.",
        "The lift is out of order",
        "The lift is stopped by a fault. The engineers are on their way.",
    ),
    (
        "Отключение электричества",
        "Авария на подстанции. Восстановление ожидается в течение 3 часов.",
        "Power cut",
        "A failure at the substation. Power is expected back within 3 hours.",
    ),
    (
        "Протечка в подвале",
        "Прорыв трубы отопления в подвале. Возможны перебои с отоплением.",
        "Leak in the basement",
        "A heating pipe burst in the basement. The heating may be interrupted.",
    ),
    (
        "Засор канализации",
        "Засор стояка канализации. Просим не пользоваться канализацией до 15:00.",
        "Blocked sewer",
        "A sewer riser is blocked. Please do not use the drains until 15:00.",
    ),
    (
        "Нет отопления",
        "Авария на теплотрассе. Отопление восстановят к вечеру.",
        "No heating",
        "A failure on the heating main. The heating will be back by the evening.",
    ),
    (
        "Запах газа в подъезде",
        "Газовая служба на месте. Не пользуйтесь открытым огнём.",
        "Smell of gas in the entrance",
        "The gas service is on site. Do not use open flames.",
    ),
    (
        "Повреждение кабеля домофона",
        "Домофон не работает, двери открыты. Ремонт до конца дня.",
        "Intercom cable damaged",
        "The intercom is down and the doors are open. Repaired by the end of the day.",
    ),
    (
        "Падение дерева во дворе",
        "Дерево перекрыло проезд. Работы по расчистке начаты.",
        "A fallen tree in the courtyard",
        "A tree is blocking the driveway. Clearing has begun.",
    ),
    (
        "Прорыв горячей воды",
        "Прорыв на стояке горячей воды. Горячей воды не будет до 20:00.",
        "Hot water pipe burst",
        "A burst on the hot water riser. There will be no hot water until 20:00.",
    ),
    (
        "Остановлен грузовой лифт",
        "Грузовой лифт остановлен на плановый ремонт после аварии.",
        "The service lift is stopped",
        "The service lift is stopped for a planned repair after a failure.",
    ),
)


async def _post(
    kind: PostKind, status: PostStatus, words: tuple[str, str, str, str], *, author: tuple[int, str], at: datetime,
    ends_at: datetime | None = None, needs_review: bool = False, comment: str = "",
) -> int:  # fmt: skip
    email, sms, push = rules.default_channels(kind)
    title, body, title_en, body_en = words
    post = Post(
        kind=kind,
        status=status,
        title=title,
        body=body,
        body_html=rules.render_markdown(body),
        title_en=title_en,
        body_en=body_en,
        body_html_en=rules.render_markdown(body_en),
        publish_at=at if status in (PostStatus.PUBLISHED, PostStatus.UNPUBLISHED) else None,
        ends_at=ends_at,
        published_at=at if status in (PostStatus.PUBLISHED, PostStatus.UNPUBLISHED) else None,
        by_email=email,
        by_sms=sms,
        by_push=push,
        author=author[0],
        author_name=author[1],
        needs_review=needs_review,
        review_comment=comment,
        search_text=rules.search_text(f"{title} {title_en}", f"{body} {body_en}"),  # as content.actions keeps it
        created_at=at - timedelta(hours=2),
        updated_at=at,
    )
    await post.save()
    return int(post.id)


async def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = datetime.now(UTC)
    houses = {r["id"]: r["address"] for r in await House.select(House.id, House.address).order_by(House.id)}
    users: dict[str, int] = ctx.shared.get("users", {})
    manager = (users.get("manager"), "Игорь Петрович Белов")
    dispatcher = (users.get("dispatcher"), "Марина Олеговна Котова")
    admin = (users.get("admin"), "Анна Сергеевна Орлова")
    house_ids = list(houses)
    staff_houses = set(list(ctx.shared.get("houses", []))[:2])

    def by(staff: tuple[int | None, str], house: int) -> tuple[int | None, str]:
        """The staff of the demo work with its first two houses (accounts.demo): the rest are written for by the
        administrator, so nobody is the author of a post for a house they do not work with."""
        return staff if house in staff_houses else admin

    targets: list[PostTarget] = []
    published: list[tuple[int, PostKind]] = []

    def to_house(post_id: int, house: int) -> None:
        targets.append(PostTarget(post=post_id, kind="house", ref=house, house=house))

    statuses = [PostStatus.PUBLISHED] * 8 + [
        PostStatus.DRAFT,
        PostStatus.REVIEW,
        PostStatus.RETURNED,
        PostStatus.UNPUBLISHED,
    ]
    for kind, texts in ((PostKind.NEWS, NEWS), (PostKind.NOTICE, NOTICES)):
        for n, (words, status) in enumerate(zip(texts, statuses, strict=True)):
            at = now - timedelta(days=3 * n + 1, hours=rng.randint(0, 8))
            comment = "Уточните даты и добавьте телефон для справок." if status is PostStatus.RETURNED else ""
            house = house_ids[n % len(house_ids)]
            post_id = await _post(kind, status, words, author=by(manager, house), at=at, comment=comment)
            to_house(post_id, house)
            if status is PostStatus.PUBLISHED:
                published.append((post_id, kind))

    # Emergencies: ended ones across the houses, one sent at once by the dispatcher and not yet reviewed.
    for n, words in enumerate(EMERGENCIES):
        at = now - timedelta(days=2 * n + 2, hours=rng.randint(0, 6))
        house = house_ids[n % len(house_ids)]
        post_id = await _post(PostKind.EMERGENCY, PostStatus.PUBLISHED, words, author=by(dispatcher, house),
                              at=at, ends_at=at + timedelta(hours=6), needs_review=n == 0)  # fmt: skip
        to_house(post_id, house)
        published.append((post_id, PostKind.EMERGENCY))

    # In force now, for the cold-water riser of the demo resident's first flat.
    account = (ctx.shared.get("resident_accounts") or [None])[0]
    riser = None
    if account is not None:
        premise = (await PersonalAccount.select(PersonalAccount.premise).where(PersonalAccount.id == account).first())[
            "premise"
        ]
        riser = (
            await PremiseRiser.select(PremiseRiser.riser, PremiseRiser.riser.code.as_alias("code"))
            .where((PremiseRiser.premise == premise) & (PremiseRiser.riser.kind == RiserKind.COLD_WATER))
            .first()
        )
    if riser is not None:
        house = (await Riser.select(Riser.house).where(Riser.id == riser["riser"]).first())["house"]
        ends_at = water_back(now)
        back_ru, back_en = back_words(now, ends_at)
        post_id = await _post(
            PostKind.EMERGENCY,
            PostStatus.PUBLISHED,
            (
                f"Нет холодной воды на стояке {riser['code']}",
                f"Замена аварийного участка стояка холодной воды.\n\nВоду дадут **{back_ru}**. Приносим извинения.",
                f"No cold water on riser {riser['code']}",
                f"A damaged section of the cold water riser is being replaced.\n\nWater is back **{back_en}**. "
                "We apologise.",
            ),
            author=dispatcher,
            at=now - timedelta(hours=1),
            ends_at=ends_at,
        )
        targets.append(PostTarget(post=post_id, kind="riser", ref=riser["riser"], house=house))
        published.append((post_id, PostKind.EMERGENCY))
    await _events(now, house_ids[0], by(manager, house_ids[0]), users, to_house)
    await PostTarget.insert(*targets)
    await _delivery_logs(rng, published, now)
    await _reads(rng, published, users)
    ctx.say(f"content: {len(NEWS) + len(NOTICES) + len(EMERGENCIES) + 1} posts, one emergency in force, 3 events")


# The demo's events for the first house (the demo resident's): two to come, one past, each as staff write it.
EVENTS = (
    (
        ("Субботник во дворе",
         "Приводим двор в порядок перед зимой: сгребаем листья, красим скамейки. Перчатки и инвентарь выдаём.",
         "Courtyard clean-up",
         "Getting the courtyard ready for winter: raking leaves, painting benches. Gloves and tools are provided."),
        3, 10, 3, "Двор дома, у детской площадки", None,
    ),
    (
        ("Новогодний праздник для детей",
         "Дед Мороз, конкурсы и подарки. Места ограничены: скажите «Пойду», чтобы мы знали, сколько готовить.",
         "New Year party for children",
         "Father Frost, games and gifts. Places are limited: say you are going so that we know how many to expect."),
        9, 17, 2, "Холл первого подъезда", 30,
    ),
    (
        ("Вечер настольных игр",
         "Играли в «Каркассон» и «Монополию», познакомились с соседями.",
         "Board games evening",
         "We played Carcassonne and Monopoly and met the neighbours."),
        -5, 19, 2, "Помещение ТСЖ, подъезд 2", 20,
    ),
)  # fmt: skip


async def _events(
    now: datetime, house: int, author: tuple[int | None, str], users: dict[str, int], to_house: Any
) -> None:
    """Two events to come (the second with places, the neighbour going to both, each with its reminder queued) and
    one past (the resident and the neighbour went)."""
    from portal.content.actions import queue_reminder

    for words, days, hour, hours, place, capacity in EVENTS:
        day = clock.local(now).date() + timedelta(days=days)
        starts_at = clock.day_start(day) + timedelta(hours=hour)
        at = now - timedelta(days=2 if days > 0 else 12)
        post_id = await _post(PostKind.EVENT, PostStatus.PUBLISHED, words, author=author, at=at)
        await Post.update(
            {Post.event_starts_at: starts_at, Post.event_ends_at: starts_at + timedelta(hours=hours),
             Post.event_place: place, Post.event_capacity: capacity}
        ).where(Post.id == post_id)  # fmt: skip
        to_house(post_id, house)
        if days > 0:  # as a published event is: those going are reminded the day before
            await queue_reminder(post_id, starts_at, at, now)
        goers = [users.get("resident2")] if days > 0 else [users.get("resident"), users.get("resident2")]
        answers = [EventAnswer(post=post_id, user=u, going=True, answered_at=at) for u in goers if u is not None]
        if answers:
            await EventAnswer.insert(*answers)


def water_back(now: datetime) -> datetime:
    """When the demo's emergency ends: ten hours on, at the whole hour (as a dispatcher promises it)."""
    return clock.local(now + timedelta(hours=10)).replace(minute=0, second=0, microsecond=0)


def back_words(now: datetime, ends_at: datetime) -> tuple[str, str]:
    """When the water is back in the post's words, Russian and English, agreeing with its end: «сегодня к 13:00» or
    «завтра к 01:00» (the post read «сегодня к 20:00» whatever hour the demo was loaded at, beside «до 13:26»)."""
    today = clock.local(now).date() == ends_at.date()
    hour = f"{ends_at:%H:%M}"
    return (f"сегодня к {hour}", f"today by {hour}") if today else (f"завтра к {hour}", f"tomorrow by {hour}")


async def _delivery_logs(rng: Any, published: list[tuple[int, PostKind]], now: datetime) -> None:
    """What the dispatcher would have logged: sent messages with some failures (an SMS gateway outage, a
    mailbox that does not exist, a browser gone)."""
    rows: list[OutboxMessage] = []
    for post_id, kind in published:
        email, sms, push = rules.default_channels(kind)
        rows.append(OutboxMessage(channel="post", recipient=f"post:{post_id}", template="content/post",
                                  context={"post": post_id}, dedupe_key=f"post:{post_id}:release",
                                  ref=f"post:{post_id}", status="sent", sent_at=now, attempts=1))  # fmt: skip
        for channel, on, count in (("email", email, 40), ("sms", sms, 25), ("push", push, 15)):
            if not on:
                continue
            for n in range(rng.randint(count // 2, count)):
                failed = rng.random() < 0.06
                rows.append(
                    OutboxMessage(
                        channel=channel,
                        recipient=f"+7978{rng.randint(1000000, 9999999)}" if channel == "sms" else f"d{n}@example.ru",
                        template="content/post",
                        subject="",
                        body="",
                        dedupe_key=f"post:{post_id}:{channel}:demo{n}",
                        ref=f"post:{post_id}",
                        status="failed" if failed else "sent",
                        attempts=8 if failed else 1,
                        last_error={"email": "SMTPRecipientsRefused: 550 mailbox unavailable",
                                    "sms": "RuntimeError: SMS provider answered 500",
                                    "push": "PushGone: every browser unsubscribed"}[channel] if failed else "",
                        sent_at=None if failed else now,
                    )
                )  # fmt: skip
    for start in range(0, len(rows), 500):
        await OutboxMessage.insert(*rows[start : start + 500])


async def _reads(rng: Any, published: list[tuple[int, PostKind]], users: dict[str, int]) -> None:
    readers = [u for key, u in users.items() if key.startswith("resident")]
    rows = [
        PostRead(post=post_id, user=user) for post_id, _kind in published[::2] for user in readers if rng.random() < 0.5
    ]
    if rows:
        await PostRead.insert(*rows)
