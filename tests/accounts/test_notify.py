"""Notifications reach each user through the channels they chose, written in the language they chose — whoever
caused them (issue 10): an English-speaking resident hears in English of a status a Russian-speaking dispatcher set."""

from __future__ import annotations

from portal.accounts.notify import mails_reach
from portal.accounts.notify import notify
from portal.accounts.tables import User
from portal.core import i18n
from portal.core.tables import OutboxMessage
from portal.notifications.actions import save_choices
from portal.notifications.rules import DEFAULTS
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic
from portal.payments.messages import PAYMENT_RECEIVED
from portal.tickets import rules as ticket_rules


def _status_subject(number: int, status: str) -> str:
    """The subject the requests domain writes for a status change (its own catalog, its own status label)."""
    text = i18n.translate("tickets", "Request No. %(number)s: %(status)s")
    return text % {"number": number, "status": ticket_rules.STATUS_LABELS.shown(status)}


async def _messages(user_id: int) -> dict[str, str]:
    rows = await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.subject).where(
        OutboxMessage.user_id == user_id
    )
    return {r["channel"]: r["subject"] for r in rows}


async def test_a_status_change_by_a_russian_speaking_dispatcher_reaches_an_english_resident_in_english(make_user, db):
    resident_en = await make_user(name="Jane Smith")
    resident_ru = await make_user(name="Анна Иванова")
    await User.update({User.locale: "en"}).where(User.id == resident_en)
    i18n.set_locale("ru")  # the dispatcher's request is in Russian
    try:
        for resident in (resident_en, resident_ru):
            queued = await notify(
                resident,
                "ticket_event",
                subject=lambda: _status_subject(42, "done"),
                body=lambda: (
                    i18n.translate("tickets", "Status: %(status)s")
                    % {"status": ticket_rules.STATUS_LABELS.shown("done")}
                ),
                dedupe_key="ticket:1:event:7",
                link="/tickets/1",
            )
            assert queued == 2
        assert i18n.get_locale() == "ru"  # the dispatcher's own page stays in Russian
    finally:
        i18n.set_locale("ru")
    assert await _messages(resident_en) == {"inapp": "Request No. 42: Done", "email": "Request No. 42: Done"}
    assert await _messages(resident_ru) == {
        "inapp": "Заявка №\u00a042: Выполнена",
        "email": "Заявка №\u00a042: Выполнена",
    }


async def test_a_persons_own_words_are_sent_as_they_are(make_user, db):
    resident = await make_user()
    await User.update({User.locale: "en"}).where(User.id == resident)
    await notify(resident, "ticket_event", subject="Протечка на кухне", body="Текст жителя", dedupe_key="k-plain")
    assert await _messages(resident) == {"inapp": "Протечка на кухне", "email": "Протечка на кухне"}


async def test_notify_follows_the_chosen_channels_and_never_sends_one_event_twice(make_user, db):
    user_id = await make_user()
    assert await notify(user_id, "t", subject=lambda: "s", body=lambda: "b", dedupe_key="k1") == 2
    assert await notify(user_id, "t", subject=lambda: "s", body=lambda: "b", dedupe_key="k1") == 0
    await User.update({User.notify_email: False}).where(User.id == user_id)
    assert await notify(user_id, "t", subject=lambda: "s", body=lambda: "b", dedupe_key="k2") == 1
    channels = await OutboxMessage.select(OutboxMessage.channel).where(OutboxMessage.dedupe_key.like("%:k2:%"))
    assert [c["channel"] for c in channels] == ["inapp"]
    await User.update({User.is_active: False}).where(User.id == user_id)
    assert await notify(user_id, "t", subject=lambda: "s", body=lambda: "b", dedupe_key="k3") == 0


async def test_e_mail_unticked_for_ones_own_affairs_stops_those_e_mails_and_no_others(make_user, db):
    """The notification settings' «Мои платежи, заявки и показания: E-mail» unticked still let every payment and
    request e-mail go: ``notify`` read only the profile's switch for e-mail. The page that says «the confirmation is
    sent by e-mail» reads the same choice."""
    resident = await make_user()
    context = {"amount": "1500.00", "numbers": "1000000001"}
    assert await mails_reach(resident, PAYMENT_RECEIVED.name)
    everything_but = {(t, c) for t in Topic for c in DEFAULTS[t]} - {(Topic.ACCOUNT, Channel.EMAIL)}
    await save_choices(resident, everything_but)

    assert await notify(resident, PAYMENT_RECEIVED.name, context=context, dedupe_key="pay:1") == 1
    channels = await OutboxMessage.select(OutboxMessage.channel).where(OutboxMessage.dedupe_key.like("%:pay:1:%"))
    assert [c["channel"] for c in channels] == ["inapp"]
    assert not await mails_reach(resident, PAYMENT_RECEIVED.name)
    # A notice of the house (a meeting's, say) is another topic: its e-mail still goes.
    assert await notify(resident, "meetings/notice", subject="s", body="b", dedupe_key="notice:1") == 2

    await save_choices(resident, everything_but | {(Topic.ACCOUNT, Channel.EMAIL)})
    assert await notify(resident, PAYMENT_RECEIVED.name, context=context, dedupe_key="pay:2") == 2


async def test_a_payment_or_request_notice_lands_in_the_portal_for_one_who_had_turned_the_old_switch_off(make_user, db):
    """In-app notices are the person's record, kept for every topic: the profile's old «Уведомления в личном
    кабинете» switch, turned off, stopped payments, requests and readings from reaching the list while news and
    emergencies still came. Nothing reads it now."""
    resident = await make_user()
    await User.update({User.notify_inapp: False, User.notify_email: False}).where(User.id == resident)
    context = {"amount": "1500.00", "numbers": "1000000001"}
    assert await notify(resident, PAYMENT_RECEIVED.name, context=context, dedupe_key="pay:old-switch") == 1
    assert await notify(resident, "ticket_event", subject="s", body="b", dedupe_key="ticket:old-switch") == 1
    rows = await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.template).where(
        OutboxMessage.user_id == resident
    )
    assert sorted((r["template"], r["channel"]) for r in rows) == [
        (PAYMENT_RECEIVED.name, "inapp"),
        ("ticket_event", "inapp"),
    ]


async def test_every_staff_member_of_the_house_with_the_role_is_told_and_nobody_else(make_user, make_account, db):
    """Who hears of a house's emergency or order (``staff_of_house``): each of its dispatchers (or the roles asked),
    one also bound to another house included; not another house's, not the house's staff of another role."""
    from portal.accounts.queries import staff_of_house

    house, other = (await make_account()).house, (await make_account()).house
    first = await make_user(roles=("dispatcher",), houses=(house,))
    second = await make_user(roles=("dispatcher",), houses=(other, house))
    manager = await make_user(roles=("manager",), houses=(house,))
    await make_user(roles=("dispatcher",), houses=(other,))
    assert await staff_of_house(house, ["dispatcher"]) == sorted([first, second])
    assert await staff_of_house(house, ["dispatcher", "manager"]) == sorted([first, second, manager])


async def test_a_deactivated_staff_member_takes_no_place_among_those_told(make_user, make_account, db, monkeypatch):
    """Those told are counted in the database, active ones only: a house whose first staff members by id were
    deactivated still tells its active ones, up to ``TOLD_STAFF``."""
    from portal.accounts import queries

    monkeypatch.setattr(queries, "TOLD_STAFF", 2)
    house = (await make_account()).house
    gone = [await make_user(roles=("dispatcher",), houses=(house,)) for _ in range(2)]
    await User.update({User.is_active: False}).where(User.id.is_in(gone))
    active = [await make_user(roles=("dispatcher",), houses=(house,)) for _ in range(3)]
    assert await queries.staff_of_house(house, ["dispatcher"]) == sorted(active)[:2]
