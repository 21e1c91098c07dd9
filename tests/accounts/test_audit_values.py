"""The audit log shows a recorded value as the rest of the portal shows it to staff: a status in the domain's own
words, a moment in the reader's language and the company's zone, a billing month as the month, an amount in kopecks
as money in rubles, a meter's zone and a meter as the meter pages name them; the event keeps what was recorded."""

from __future__ import annotations

import html

import pytest

from portal.core import audit
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from tests.words import as_read

NBSP = "\u00a0"


async def _page(client, make_user, login, lang: str, *events: tuple) -> str:
    admin = await make_user(roles=("admin",), locale=lang)  # who reads the log in ``lang``
    actor = Principal(user_id=admin, name="Аудитор", staff_roles=frozenset({"admin"}))
    for action, entity, entity_id, changes in events:
        await audit.record(actor, action, entity, entity_id, changes)
    await login(client, admin)
    page = await client.get("/staff/audit")
    assert page.status_code == 200
    return html.unescape(page.text).split('id="list"')[1]


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", ["Статус</strong>: Новая → В работе", "Статус</strong>: Новая → В работе",
                "Состояние</strong>: Работает → Неисправен"]),
        ("en", ["Status</strong>: New → In work", "Status</strong>: New → In progress",
                "State</strong>: In use → Failed"]),
    ],
)  # fmt: skip
async def test_a_status_reads_as_the_domain_s_own_status_words(client, make_user, login, lang, said):
    listed = await _page(
        client, make_user, login, lang,
        ("ticket.status", "ticket", 7, {"status": ["new", "in_work"]}),
        ("showcase.lead_status", "lead", 3, {"status": ["new", "in_progress"], "note": ""}),
        ("meters.meter.update", "meter", 5, {"status": ["active", "failed"]}),
    )  # fmt: skip
    for words in said:
        assert words in listed
    for code in ("in_work", "in_progress", "active", "failed", ">new"):
        assert code not in listed


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        # 10:05 UTC is 13:05 in the company's zone (Europe/Simferopol, UTC+3).
        ("ru", ["Срок</strong>: 3 декабря 2026, 13:05 → 4 декабря 2026, 09:00",
                "Дата открытия</strong>: — → 5 ноября 2026", "Месяц</strong>: ноябрь 2026"]),
        ("en", ["Deadline</strong>: 3 December 2026, 13:05 → 4 December 2026, 09:00",
                "Opened on</strong>: — → 5 November 2026", "Month</strong>: November 2026"]),
    ],
)  # fmt: skip
async def test_a_moment_a_day_and_a_month_read_in_the_reader_s_language_and_the_company_s_zone(
    client, make_user, login, lang, said
):
    listed = await _page(
        client, make_user, login, lang,
        ("ticket.update", "ticket", 7, {"deadline": ["2026-12-03T10:05:00+00:00", "2026-12-04T06:00:00+00:00"]}),
        ("housing.account.update", "account", 9, {"opened_on": [None, "2026-11-05"]}),
        ("kpi.save", "kpi_month", 2, {"period": "2026-11-01", "lines": 3, "efficiency": "100"}),
    )  # fmt: skip
    for words in said:
        assert words in listed, words
    for raw in ("2026-12-03", "T10:05", "+00:00", "2026-11-05", "2026-11-01"):
        assert raw not in listed


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", [f"Цена</strong>: 1{NBSP}500,00{NBSP}₽ → 1{NBSP}650,50{NBSP}₽", f"Сумма</strong>: 2{NBSP}345,67{NBSP}₽",
                f"Цена заказа</strong>: — → 980,00{NBSP}₽"]),
        ("en", ["Price</strong>: ₽1,500.00 → ₽1,650.50", "Amount</strong>: ₽2,345.67",
                "Price of the order</strong>: — → ₽980.00"]),
    ],
)  # fmt: skip
async def test_an_amount_reads_as_money_in_rubles(client, make_user, login, lang, said):
    listed = await _page(
        client, make_user, login, lang,
        ("showcase.listing_update", "listing", 4, {"price_kopecks": [150000, 165050]}),
        ("billing.registry.assign", "registry_payment", 8, {"account": "1001", "amount_kopecks": 234567, "was": ""}),
        ("order.quote", "order", 6, {"total": [None, "980.00"], "note": ""}),
    )  # fmt: skip
    for words in said:
        assert words in listed, words
    for raw in ("150000", "165050", "234567", "коп.", "kopecks", "→ 980.00<"):
        assert raw not in listed


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", [f"Т1 (день)</strong>: 1{NBSP}721,300 → 1{NBSP}712,300", "Т2 (ночь)</strong>: — → 640,000",
                "Показания</strong>: Счётчик #12: 123,400; Счётчик #13: Т1 (день) 10,000, Т2 (ночь) 5,000",
                f"Общедомовой счётчик #31</strong>: 4{NBSP}500,000", "Заменён счётчиком</strong>: Счётчик #14"]),
        ("en", ["T1 (day)</strong>: 1,721.300 → 1,712.300", "T2 (night)</strong>: — → 640.000",
                "Readings</strong>: Meter #12: 123.400; Meter #13: T1 (day) 10.000, T2 (night) 5.000",
                "House meter #31</strong>: 4,500.000", "Replaced by meter</strong>: Meter #14"]),
    ],
)  # fmt: skip
async def test_a_meter_s_zones_and_meters_read_as_the_meter_pages_name_them(client, make_user, login, lang, said):
    listed = await _page(
        client, make_user, login, lang,
        ("meters.reading.correct", "meter_reading", 5,
         {"zone 1": ["1721.300", "1712.300"], "zone 2": ["None", "640.000"], "note": "опечатка"}),
        ("meters.readings.phone", "personal_account", 9,
         {"readings": {"12": {"1": "123.400"}, "13": {"1": "10.000", "2": "5.000"}}}),
        ("meters.house_readings.enter", "house", 2, {"period": "2026-11-01", "31": {"1": "4500.000"}}),
        ("meters.meter.replace", "meter", 5, {"replaced_by": 14}),
    )  # fmt: skip
    for words in said:
        assert words in listed, words
    for raw in ("zone 1", "zone 2", "None", "{'", "1721.300", "4500.000"):
        assert raw not in listed


PERIOD = {"valid_from": "2022-02-28", "valid_to": "2022-07-31", "kind": "fixed_rate", "rate": "9.5", "debts_before": "",
          "source": "ПП РФ № 474 от 26.03.2022"}  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", ["Было</strong>: —",
                "Стало</strong>: 28.02.2022 – 31.07.2022: Ставка установлена 9,5\u00a0%, ПП РФ № 474",
                "things</strong>: a: 1; b: —"]),
        ("en", ["Before</strong>: —", "After</strong>: 28.02.2022 – 31.07.2022: Fixed rate 9.5%, ПП РФ № 474",
                "things</strong>: a: 1; b: —"]),
    ],
)  # fmt: skip
async def test_a_row_of_the_penalty_table_reads_as_that_table_writes_it(client, make_user, login, lang, said):
    """A value recorded as a group of fields reads as its page writes it; a group no domain reads shows its values,
    not its keys alone."""
    listed = await _page(
        client, make_user, login, lang,
        ("billing.penalty_rule.set", "penalty_rule", 3, {"before": None, "after": PERIOD}),
        ("test.group", "widget", 1, {"things": {"a": 1, "b": None}}),
    )  # fmt: skip
    for words in said:
        assert words in listed, words
    for raw in ("valid_from", "fixed_rate", "2022-02-28"):
        assert raw not in listed


async def test_the_event_keeps_what_was_recorded(client, make_user, login):
    """Only the page reads the value as words: the stored event is the codes and numbers it was written with."""
    await _page(client, make_user, login, "ru", ("ticket.status", "ticket", 7, {"status": ["new", "in_work"]}))
    stored = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.action == "ticket.status").first()
    changes = stored["changes"]
    if isinstance(changes, str):
        import json

        changes = json.loads(changes)
    assert changes == {"status": ["new", "in_work"]}


def test_a_value_not_of_its_kind_is_shown_as_recorded():
    """An older row whose value is not of the kind the field now reads (a word where a date was) is shown as it is,
    rather than failing the page."""
    assert audit.value_shown("ticket.update", "deadline", "завтра") == "завтра"
    assert audit.value_shown("showcase.listing_update", "price_kopecks", "12.5") == "12.5"
    two_zones = {"zone 1": ["1.0", "2.0"], "zone 9": ["1.0", "2.0"]}  # a two-zone meter has no zone 9
    assert audit.value_shown("meters.reading.correct", "zone 9", "1.0", two_zones) == "1.0"
    assert audit.field_label("meters.reading.correct", "zone 9", two_zones) == "zone 9"


def test_every_field_whose_value_reads_in_words_has_a_label():
    audit.load_words()
    unlabelled = {
        f"{code}: {name}"
        for code, described in audit.ACTIONS.items()
        for name in described.values
        if not described.fields.known(name)
    }
    assert not unlabelled


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", ["Статус</strong>: Черновик → Утверждён", "Статус</strong>: Ждёт проверки модератором → Принят, учтён",
                "Статус</strong>: Ждёт проверки модератором → Отклонён, не учтён",
                "Согласие</strong>: Распространение персональных данных",
                "Согласие</strong>: Предложения услуг, Обработка персональных данных"]),
        ("en", ["Status</strong>: Draft → Approved", "Status</strong>: Waiting for the moderator → Accepted, counted",
                "Status</strong>: Waiting for the moderator → Rejected, not counted",
                "Consent</strong>: Dissemination of personal data",
                "Consent</strong>: Offers of services, Processing of personal data"]),
    ],
)  # fmt: skip
async def test_kpi_and_ballot_statuses_and_consents_read_in_words(client, make_user, login, lang, said):
    listed = await _page(
        client, make_user, login, lang,
        ("kpi.approve", "kpi_month", 2, {"status": ["draft", "approved"]}),
        ("ballot.accept", "ballot", 4, {"status": ["moderation", "accepted"], "rejection": "", "note": ""}),
        ("ballot.reject", "ballot", 5, {"status": ["moderation", "rejected"], "rejection": "late", "note": ""}),
        ("consent.give", "user", 1, {"consent_type": "dissemination"}),
        ("consent.withdraw", "user", 1, {"consent_type": ["marketing", "processing"], "erasure_due": None}),
    )  # fmt: skip
    for words in said:
        assert words in listed, words
    for code in ("draft →", "→ approved", "moderation", "→ accepted", "→ rejected", "dissemination", "marketing"):
        assert code not in listed, code


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_houses_complexes_and_people_read_by_name_from_one_lookup_a_page(
    client, make_user, make_account, login, audit_log_queries, lang
):
    """An executor, a user, a house and a complex recorded by id read as the name the portal gives them, and so
    does a house or a person an event is about; the names of a whole page come from one query per kind of record,
    however many events the page holds."""
    from portal.housing.tables import Complex
    from portal.housing.tables import House

    first = await make_account(address="г. Симферополь, ул. Киевская, д. 12")
    second = await make_account(address="г. Симферополь, ул. Гоголя, д. 3")
    complex_id = (await House.select(House.complex).where(House.id == first.house).first())["complex"]
    complex_name = (await Complex.select(Complex.name).where(Complex.id == complex_id).first())["name"]
    executor = await make_user(name="Сантехников Пётр", roles=("executor",))
    # a house and a person only the events' records are: named all the same
    third = await make_account(address="г. Симферополь, ул. Пушкина, д. 7")
    blocked = await make_user(name="Заблокированный Сотрудник", roles=("dispatcher",))
    gone = 10**9  # a house no longer in the registry reads as its id
    events = [
        ("ticket.assign", "ticket", 7, {"executor": [None, executor]}),
        ("outage.create", "outage", 3, {"house": first.house, "service": "water_cold"}),
        ("staff.scope", "user", executor, {"houses": [[first.house], [first.house, second.house]]}),
        ("meeting.create", "meeting", 2, {"house": str(second.house), "title": "Ремонт крыши"}),
        ("nps.open", "nps_wave", 1, {"complex": complex_id, "invited": 0}),  # 0: never a record id
        ("housing.premise.update", "premise", 5, {"house": [gone, first.house]}),
        ("meters.house_readings.enter", "house", third.house, {"period": "2026-11-01"}),
        ("user.active", "user", blocked, {"is_active": [True, False]}),
    ]
    listed = await _page(client, make_user, login, lang, *events)
    said = [
        "Сантехников Пётр",
        "г. Симферополь, ул. Киевская, д. 12 → г. Симферополь, ул. Киевская, д. 12, г. Симферополь, ул. Гоголя, д. 3",
        f"#{gone} → г. Симферополь, ул. Киевская, д. 12",
        f"</strong>: {complex_name}",
        "</strong>: г. Симферополь, ул. Гоголя, д. 3",
        # the record an event is about, when it is a house or a person, is named beside its id
        f'#{third.house}<div class="muted">г. Симферополь, ул. Пушкина, д. 7</div>',
        f'#{blocked}<div class="muted">Заблокированный Сотрудник</div>',
        f'#{executor}<div class="muted">Сантехников Пётр</div>',
    ]
    words_of = as_read(listed)  # as they read
    for words in said:
        assert words in words_of, words
    table = listed[listed.index("<table") : listed.index("</table>")]  # not the page sizes' links («100»)
    for raw in (f">{executor}<", f": {executor}<", f"{first.house}, {second.house}", f": {complex_id}<"):
        assert raw not in table, raw

    few = await audit_log_queries()
    many = await audit_log_queries(*(events * 5))
    assert len(many) == len(few)
    assert sum('FROM "house"' in q for q in many) == 1
    assert sum('FROM "complex"' in q for q in many) == 1


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", ["Что ему можно</strong>: Передавать показания, Видеть баланс и оплачивать",
                "Что есть</strong>: Отдельный вход, Парковка",
                "Услуги</strong>: Вызов сантехника, Уборка квартиры"]),
        ("en", ["What they may do</strong>: Submit meter readings, See balances and pay",
                "What it has</strong>: Separate entrance, Parking",
                "Services</strong>: Вызов сантехника, Уборка квартиры"]),
    ],
)  # fmt: skip
async def test_a_list_of_two_things_reads_as_both_not_as_one_changed_into_the_other(
    client, make_user, login, lang, said
):
    """Two rights given, two features of a new listing, two services ordered are a list, not a before and after
    («Передавать показания → Видеть баланс…» said the rights had changed); the services by their titles."""
    from portal.catalog.tables import PaidService
    from portal.catalog.tables import ServiceCategory

    section = ServiceCategory(title="Сантехника", position=1)
    await section.save()
    services = []
    for title in ("Вызов сантехника", "Уборка квартиры"):
        row = PaidService(category=section.id, title=title, description=title)
        await row.save()
        services.append(row.id)
    listed = await _page(
        client, make_user, login, lang,
        ("invitation.send", "account", 9, {"email": "a@example.ru", "role": "tenant", "rights": ["meters", "pay"]}),
        ("showcase.listing_create", "listing", 4, {"features": ["separate_entrance", "parking"], "floor": 1}),
        ("order.create", "order", 6, {"account": "1001", "services": services, "source": "phone"}),
    )  # fmt: skip
    for words in said:
        assert words in listed, words
    assert "→" not in listed


async def test_russian_values_and_names_are_marked_russian_on_the_english_log(client, make_user, login):
    """A value people wrote in Russian and the actor's name say ``lang="ru"`` on the English log, for a screen
    reader's voice; a value of the page's own words does not."""
    admin = await make_user(roles=("admin",))
    actor = Principal(user_id=admin, name="Аудитор", staff_roles=frozenset({"admin"}))
    await audit.record(actor, "meeting.create", "meeting", 2, {"title": "Ремонт крыши", "place": "Hall 2"})
    await login(client, admin)
    await client.speak("en")
    page = (await client.get("/staff/audit")).text
    assert '</strong>: <span lang="ru">Ремонт крыши</span></div>' in page
    assert "</strong>: Hall 2</div>" in page
    assert '<td data-label="Who"><span lang="ru">Аудитор</span>' in page
    await client.speak("ru")
    assert "</strong>: Ремонт крыши</div>" in (await client.get("/staff/audit")).text
