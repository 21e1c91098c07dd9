"""Demo requests: a few hundred across every status, type, executor and house, inserted in batches."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.accounts.principal import load_principal_for
from portal.accounts.tables import StaffHouse
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core.clock import local
from portal.demo import DemoContext
from portal.settings import get_settings
from portal.tickets import actions
from portal.tickets import deadlines
from portal.tickets import forms
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.actions import refresh_search_text
from portal.tickets.tables import Outage
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketCounter
from portal.tickets.tables import TicketEvent

COUNT = 320
STEP = timedelta(minutes=40)  # between a demo request's steps: accepted at 50 minutes, in work at 90
WORK_TAKES = timedelta(hours=2)  # a demo request is done two hours after it came in at the soonest
LATE_BY = timedelta(minutes=30)  # an emergency of a shorter term is late by a share of this at the least
RETURNED_AFTER = timedelta(hours=2)  # a request reported done is returned (reopened) by its resident two hours later
EXTRA_EXECUTORS = ("Алексей Сергеевич Кузнецов", "Дмитрий Олегович Волков", "Сергей Иванович Морозов")

TEXTS = {
    "emergency_localisation": ["Течёт вода с потолка в ванной", "Прорвало трубу отопления в подвале"],
    "lift_trapped": ["Застрял в лифте между 5 и 6 этажом", "Ребёнок застрял в лифте"],
    "electrical_emergency": ["Искрит щиток на площадке", "Пахнет гарью из электрощита"],
    "sewer_blockage": ["Засор канализации, вода не уходит", "Засор стояка, вода поднимается в ванной"],
    "garbage_chute": ["Засорился мусоропровод", "Мусоропровод забит до 3 этажа"],
    "electrical_fuses": ["Выбило автомат, нет света в квартире"],
    "lift_fault": ["Лифт не едет", "Лифт останавливается между этажами"],
    "roof_leak": ["Протекает кровля над квартирой", "После дождя мокрое пятно на потолке"],
    "downpipes": ["Оторвана водосточная труба", "Вода с водостока льётся на крыльцо"],
    "broken_windows": ["Разбито окно на лестнице 4 этажа"],
    "entrance_doors": ["Не закрывается входная дверь", "Сломан доводчик двери подъезда"],
    "leaking_taps": ["Течёт кран на кухне", "Подтекает сливной бачок"],
    "common_lighting": ["Не горит свет на 7 этаже", "Перегорела лампа у лифта"],
    "meter_check": ["Прошу проверить счётчик горячей воды"],
    "written_appeal": ["Жалоба на уборку подъезда", "Прошу сделать перерасчёт за отопление"],
    "info_request": ["Прошу сообщить часы работы бухгалтерии"],
    "works_report": ["Прошу отчёт о работах по дому за год"],
    "other": ["Шумят соседи по ночам", "Прошу заменить смеситель (платно)", "Покраска перил в подъезде"],
}
MESSAGES_STAFF = ["Мастер придёт сегодня до 18:00", "Нужен доступ в квартиру, позвоните диспетчеру", "Работы выполнены"]
MESSAGES_RESIDENT = ["Спасибо, ждём", "Буду дома после 17:00", "Проблема повторилась"]


def _event(ticket_id: int, kind: str, at: datetime, author_name: str = "", **values: Any) -> TicketEvent:
    """One entry of a demo request's history (the dispatcher's unless ``values`` say otherwise). No name: the page
    names its author «Диспетчер» or «Житель» in its reader's language, as for an event the portal wrote."""
    return TicketEvent(ticket=ticket_id, kind=kind, author_name=author_name, created_at=at, **values)


def _type_for(category: str, drawn: str) -> str:
    """The type of a demo request of ``category`` whose type was drawn ``drawn``: an emergency is never planned or
    paid works (``deadlines.agreed_type_refused``, refused on the staff forms too) and keeps its category's type."""
    return rules.CATEGORY_BY_CODE[category].type if deadlines.agreed_type_refused(category, drawn) else drawn


def returned_at(created: datetime) -> datetime:
    """When a demo request returned to work by its resident was reported done (after it was accepted and taken into
    work, a ``STEP`` apart) and returned two hours later: its deadline's clock started again then."""
    return created + timedelta(minutes=10) + 3 * STEP + RETURNED_AFTER


def finished_at(created: datetime, span: timedelta, drawn: float) -> datetime:
    """When a demo request with ``span`` to its deadline is done: ``drawn`` (0.2–1.2) of it after its filing, so
    about four in five on time. Works of a longer term take two hours at the soonest; an emergency of a shorter one
    (people trapped in a lift, 30 minutes; a short circuit, «immediately») is done within it, and one late is late by
    its share over 1 of its term or of ``LATE_BY``, whichever is longer — a term «immediately» is met only by work
    recorded done on the call."""
    if span >= WORK_TAKES:
        return created + max(span * drawn, WORK_TAKES)
    if drawn <= 1:
        return created + span * drawn
    return created + span + max(span, LATE_BY) * (drawn - 1)


def pace(created: datetime, completed: datetime | None) -> float:
    """How much faster than usual a demo request went through its steps (its executor named 7 minutes after its
    filing, the first step 10 minutes after it, the next ones ``STEP`` apart): an emergency done sooner than
    ``WORK_TAKES`` went through them before it was done, as much faster; 1 for the rest."""
    return min(1.0, (completed - created) / WORK_TAKES) if completed else 1.0


def _before(now: datetime, ticket: Ticket, events: list[TicketEvent], tz: str) -> None:
    """A request filed shortly before the demo is loaded, whose history would run on past that moment (its steps,
    its closing the day after it was done), is moved back whole to end before it: nothing is dated later."""
    latest = max([e.created_at for e in events] + [m for m in (ticket.completed_at, ticket.closed_at) if m])
    if latest <= now:
        return
    shift = latest - now + timedelta(minutes=5)
    for name in ("created_at", "updated_at", "completed_at", "closed_at"):
        if getattr(ticket, name):
            setattr(ticket, name, getattr(ticket, name) - shift)
    for event in events:
        event.created_at -= shift
    # due by its term from its filing, or from its return to work
    ticket.deadline = deadlines.deadline_for(ticket.category, ticket.created_at, tz, ticket_type=ticket.type)
    if ticket.status == "reopened":
        ticket.deadline = rules.restarted_deadline(ticket, returned_at(ticket.created_at), tz)


async def _executors(ctx: DemoContext, houses: list[int]) -> list[int]:
    ids: list[int] = []
    demo_executor = ctx.shared.get("users", {}).get("executor")
    if demo_executor:
        ids.append(demo_executor)
    now = ctx.now
    for n, name in enumerate(EXTRA_EXECUTORS, start=1):
        user = User(email=f"executor{n}@demo.ru", full_name=name, password_hash="", is_active=True, created_at=now)
        await user.save()
        await UserRole(user=user.id, role="executor").save()
        for house in houses[:2] if n < 3 else houses[2:]:
            await StaffHouse(user=user.id, house=house).save()
        ids.append(user.id)
    return ids


def _taker(drawn: int | None, executor_ids: list[int], serving: dict[int, set[int]], house: int) -> int | None:
    """The executor drawn, or, when their houses leave out the request's, one of that house's in their place (the
    same one for the same draw): a request is given to someone who sees it, as the dispatcher's choice is."""
    takers = [e for e in executor_ids if house in serving.get(e, set())]
    if drawn is None or drawn in takers or not takers:
        return drawn
    return takers[executor_ids.index(drawn) % len(takers)]


async def seed(ctx: DemoContext) -> None:
    houses: list[int] = list(ctx.shared.get("houses", []))
    if not houses:
        return
    tz = get_settings().time_zone
    rng = ctx.rng
    executor_ids = await _executors(ctx, houses)
    serving: dict[int, set[int]] = {}
    for row in await StaffHouse.select(StaffHouse.user, StaffHouse.house).where(StaffHouse.user.is_in(executor_ids)):
        serving.setdefault(row["user"], set()).add(row["house"])
    names = {
        r["id"]: r["full_name"] for r in await User.select(User.id, User.full_name).where(User.id.is_in(executor_ids))
    }
    users = ctx.shared.get("users", {})
    resident = users.get("resident")
    # The resident's own words bear their user's name, as the portal writes them («Иван Петрович Смирнов»), not the
    # register's «Смирнов Иван Петрович» beside it in one conversation.
    signed = await User.select(User.full_name).where(User.id == resident).first() if resident else None
    resident_accounts = set(ctx.shared.get("resident_accounts", []))
    by_house: dict[int, list[int]] = {int(k): v for k, v in ctx.shared.get("accounts_by_house", {}).items()}
    account_ids = [a for h in houses for a in by_house.get(h, [])[:60]]
    accounts = {a.id: a for a in await queries.account_refs(account_ids)}
    if not accounts:
        return
    # The demo resident's accounts first, so that their pages show requests in several states.
    pool = sorted(accounts)
    mine = [a for a in pool if a in resident_accounts]
    now = ctx.now
    # An application of its own form (a recalculation, people moved in or out, a debt in parts, a meter to seal, a new
    # owner or payer, a freight lift's slot) is worded by that form (who, the dates, the sums): no made-up text for it.
    own_forms = {
        "absence_recalculation",
        "residents_change",
        "instalment_plan",
        "meter_commissioning",
        "lift_booking",
        "warranty_defect",
        *rules.OWN_ONLY_CATEGORIES,
    }
    categories = [c.code for c in rules.CATEGORIES if c.code not in own_forms]
    statuses = ["new", "accepted", "in_work", "done", "closed", "closed", "closed", "cancelled", "reopened"]
    finished = ["done", "closed", "closed", "closed", "closed", "cancelled"]
    types_extra = ["planned", "paid", "warranty"]
    outage = Outage(
        house=houses[0],
        service="hot_water",
        description="Плановый ремонт теплотрассы",
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(days=2),
    )
    await outage.save()
    await Outage(
        house=houses[1 % len(houses)],
        service="cold_water",
        description="Авария на вводе, работает аварийная бригада",
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=9),
        closed_at=now - timedelta(days=9),
    ).save()

    tickets: list[Ticket] = []
    plans: list[dict[str, Any]] = []
    for n in range(COUNT):
        account_id = mine[n % len(mine)] if mine and n < 8 else rng.choice(pool)
        account = accounts[account_id]
        category = categories[n % len(categories)] if n < 40 else rng.choice(categories)
        drawn = rng.choice(types_extra) if rng.random() < 0.12 else rules.CATEGORY_BY_CODE[category].type
        ticket_type = _type_for(category, drawn)
        created = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1439))
        if n < 8:
            created = now - timedelta(days=n, hours=2)
        due = deadlines.deadline_for(category, created, tz, ticket_type=ticket_type)
        # Drawn as before an emergency kept its clock whatever the type (a type drawn «by agreement» had no
        # deadline), so that the rest of the demo draws the same numbers.
        dated = due is not None and drawn not in deadlines.BY_AGREEMENT
        if n < 8:
            status = ["new", "in_work", "done", "closed", "accepted", "reopened", "cancelled", "done"][n]
        elif dated and due < now - timedelta(days=3) and rng.random() < 0.95:
            status = rng.choice(finished)  # a dispatch service that works: what fell due weeks ago is mostly done
        else:
            status = rng.choice(statuses)
        drawn = None if status == "new" and rng.random() < 0.8 else rng.choice(executor_ids)
        executor = _taker(drawn, executor_ids, serving, account.house_id)
        completed = None
        if status in ("done", "closed"):
            span = (due - created) if due else timedelta(days=3)
            completed = min(now, finished_at(created, span, rng.uniform(0.2, 1.2)))
        place = "premise" if rng.random() < 0.75 else rng.choice(rules.COMMON_PLACES)
        description = rng.choice(TEXTS.get(category, TEXTS["other"]))
        flags = rules.flags_for_new(category, ticket_type)
        plans.append({"status": status, "executor": executor, "created": created, "completed": completed})
        tickets.append(
            Ticket(
                number=n + 1,
                account=account_id,
                **rules.Subject(account.premise_id, account.house_id, place, account.entrance_id).columns,
                type=ticket_type,
                category=category,
                description=description,
                status=status,
                internal_status=rng.choice(["", "", "", "waiting_access", "waiting_parts", "contractor"])
                if status in ("accepted", "in_work")
                else "",
                source="portal" if rng.random() < 0.6 else rng.choice(["phone", "email", "walk_in", "call_centre"]),
                important=rng.random() < 0.08,
                repeated=rng.random() < 0.06,
                justified=status in ("done", "closed") and rng.random() < 0.5,
                paid_for=ticket_type == "paid" and status in ("done", "closed"),
                created_at=created,
                updated_at=completed or created,
                deadline=due,
                control_date=(created + timedelta(days=5)).date() if rng.random() < 0.15 else None,
                completed_at=completed,
                closed_at=completed + timedelta(days=1) if status == "closed" and completed else None,
                executor=executor,
                author=resident if account_id in resident_accounts else None,
                owner_name=account.payer_name or "",
                rating=rng.choice([5, 5, 4, 4, 3, 2, 1]) if status == "closed" and rng.random() < 0.6 else None,
                outage=outage.id
                if category == "emergency_localisation" and account.house_id == houses[0] and n % 3 == 0
                else None,
                has_new_for_staff=status in ("new", "reopened") and rng.random() < 0.5,
                has_new_for_resident=n in (1, 2),
                **flags,
            )
        )
        if status == "reopened":  # returned after the work was reported done: the clock started again then
            tickets[-1].deadline = rules.restarted_deadline(tickets[-1], returned_at(created), tz)
    events: list[TicketEvent] = []
    order = ["new", "accepted", "in_work", "done", "closed"]
    for ticket_id, (plan, ticket) in enumerate(zip(plans, tickets, strict=True)):  # the ticket's index, for now
        first_event = len(events)
        created = plan["created"]
        writer = signed["full_name"] if signed and ticket.author else ticket.owner_name
        resident_wrote = {"author_name": writer, "by_staff": False, "visible_to_resident": True}
        resident_acted = {**resident_wrote, "author": ticket.author}
        events.append(
            _event(ticket_id, "created", created, to_value="new", comment=ticket.description, **resident_wrote)
        )
        executor = plan["executor"]
        faster = pace(created, plan["completed"])
        if executor:
            assigned = created + timedelta(minutes=7) * faster
            events.append(
                _event(ticket_id, "executor", assigned, to_value=str(executor), comment=names.get(executor, ""))
            )
        status = plan["status"]
        path = order[1 : order.index(status) + 1] if status in order else order[1:4] if status == "reopened" else []
        moment = created + timedelta(minutes=10) * faster
        previous = "new"
        for step in path:
            moment = plan["completed"] if step == "done" and plan["completed"] else moment + STEP * faster
            events.append(
                _event(ticket_id, "status", moment, from_value=previous, to_value=step, visible_to_resident=True)
            )
            previous = step
        if status in ("in_work", "done", "closed", "reopened"):
            staff_wrote = {"author_name": names.get(executor, ""), "visible_to_resident": True}
            said = rng.choice(MESSAGES_STAFF)
            events.append(_event(ticket_id, "message", moment + timedelta(minutes=5), comment=said, **staff_wrote))
            said = rng.choice(MESSAGES_RESIDENT)
            events.append(_event(ticket_id, "message", moment + timedelta(minutes=25), comment=said, **resident_acted))
        if ticket.rating:  # the resident's mark, in the history as the portal writes it: a reopening keeps it there
            at = moment + timedelta(hours=1)
            events.append(_event(ticket_id, "rating", at, to_value=str(ticket.rating), **resident_acted))
        if status in ("reopened", "cancelled"):
            # The resident's own words for a return; the portal's, in both languages, for a cancelling.
            said = (
                ("Работа не выполнена", "")
                if status == "reopened"
                else ("Отменена жителем", "Cancelled by the resident")
            )
            moved = {"from_value": previous, "to_value": status, "comment": said[0], "comment_en": said[1]}
            at = returned_at(created) if status == "reopened" else moment + timedelta(hours=2)
            events.append(_event(ticket_id, "status", at, **moved, **resident_acted))
        if rng.random() < 0.1:
            events.append(
                _event(ticket_id, "note", created + timedelta(minutes=3), comment="Проверить подвал вместе с мастером")
            )
        _before(now, ticket, events[first_event:], tz)
    ids: list[int] = []
    for start in range(0, len(tickets), 100):
        rows = await Ticket.insert(*tickets[start : start + 100]).returning(Ticket.id)
        ids.extend(r["id"] for r in rows)
    for event in events:
        event.ticket = ids[event.ticket]
    for start in range(0, len(events), 500):
        await TicketEvent.insert(*events[start : start + 500])
    await TicketCounter.insert(TicketCounter(id=1, value=COUNT))
    await refresh_search_text(ids)  # the words of each request, its history's too, as the portal keeps them
    last = await TicketEvent.select(TicketEvent.id).order_by(TicketEvent.id, ascending=False).first()
    if last:
        await Ticket.update({Ticket.resident_seen_event: last["id"]}).where(Ticket.has_new_for_resident.eq(False))
        await Ticket.update({Ticket.staff_seen_event: last["id"]}).where(Ticket.has_new_for_staff.eq(False))
    await _warranty_claims(ctx)


# The demo resident's defects of their new house, filed on the warranty form, each at a step of its claim: (what is
# defective, its description, days since it was filed, the developer's answer or "" while it waits for one).
DEFECTS = (
    ("windows", "Дует из-под створки окна в спальне, на откосе конденсат и плесень", 6, ""),
    ("walls", "Трещина по стене в гостиной от окна до потолка, растёт", 24, rules.DeveloperAnswer.ACCEPTED),
    ("balcony", "На лоджии отслаивается плитка, под ней вода после дождя", 40, rules.DeveloperAnswer.REFUSED),
)
DEVELOPER_FIXES_IN = timedelta(days=25)  # the accepted claim's promised day, from the demo's day
REFUSED_BECAUSE = "Повреждение из-за нарушения правил эксплуатации лоджии, не гарантийный случай"


async def _warranty_claims(ctx: DemoContext) -> None:
    """Defects the demo resident reported through the warranty form, each forwarded by the dispatcher a day later:
    one waits for the developer's answer, one it accepted with a promised day, one it refused. Through the portal's
    own actions, so that their texts, histories and letters are the ones it writes. None where the resident's house
    has no claims e-mail or commissioning date, or what is defective is past its warranty on the demo's day."""
    users = ctx.shared.get("users", {})
    if not users.get("resident") or not users.get("dispatcher"):
        return
    resident = await load_principal_for(users["resident"])
    dispatcher = await load_principal_for(users["dispatcher"])
    places = await queries.resident_places(resident)
    if not places:
        return
    place = places[0]
    house = (await queries.house_warranties([place.house_id])).get(place.house_id)
    if house is None or not house.developer_email or house.commissioned_on is None:
        return
    for kind, description, days, answer in DEFECTS:
        filed = ctx.now - timedelta(days=days)
        if not rules.warranty_state(kind, house.commissioned_on, local(filed).date())[0]:
            continue
        noticed = local(filed).date() - timedelta(days=2)
        defect = forms.WarrantyDefect(place.account_id, rules.DefectWhere.FLAT, kind, description, noticed, True)
        opened = await actions.report_warranty_defect(resident, defect, (), filed)
        ticket = await queries.ticket_detail(opened.id)
        assert ticket is not None
        await actions.forward_to_developer(dispatcher, ticket, filed + timedelta(days=1, hours=2))
        if answer:
            until = local(ctx.now).date() + DEVELOPER_FIXES_IN if answer == rules.DeveloperAnswer.ACCEPTED else None
            said = forms.DeveloperAnswerForm(answer, until, REFUSED_BECAUSE if until is None else "")
            forwarded = await queries.ticket_detail(opened.id)
            assert forwarded is not None
            await actions.record_developer_answer(dispatcher, forwarded, said, filed + timedelta(days=12))
