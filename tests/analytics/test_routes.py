"""The dashboard page and its export over HTTP: a manager sees their houses' figures only, in Russian first;
hostile filter values are dropped, never an error."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

from portal.housing.tables import House
from tests.analytics.test_queries import FEB
from tests.analytics.test_queries import JAN
from tests.analytics.test_queries import make_world


async def test_a_manager_sees_the_figures_of_their_houses_only(client: Any, login: Any, make_user: Any,
                                                               make_account: Any) -> None:  # fmt: skip
    world = await make_world(make_account)
    await login(client, await make_user(roles=("manager",), houses=(world["a"].house,)))
    page = await client.get("/staff/analytics?start=2026-01&end=2026-03")
    assert page.status_code == 200
    text = page.text
    assert "Аналитика" in text and "Задолженность по месяцам" in text
    assert "<svg" in text and "<table" in text
    assert "7\u00a0777,00" not in text and "7 777,00" not in text  # the other house's January debt
    assert "600,00" in text  # January receivables of the manager's house
    assert "/staff/billing/debtors?period=2026-01" in text
    # Asking for the other house shows nothing of it: the figures of the manager's houses, the house not read.
    other = await client.get(f"/staff/analytics?house={world['other'].house}&start=2026-01&end=2026-01")
    assert other.status_code == 200 and "Нет домов для показа." not in other.text
    assert "7\u00a0777,00" not in other.text and "600,00" in other.text
    assert "Такого дома нет в списке; список показан без этого условия." in other.text


async def test_each_figure_says_what_it_counts(client: Any, login: Any, make_user: Any, make_account: Any) -> None:
    """The definitions an auditor's count differs by without them: the receivables by each account's latest
    balance, payments net of refunds as a share of the services charged (corrections apart, and penalties), months
    by Moscow time, on time to the second, the survey of the period, the channels before refunds, and when the months
    are counted."""
    world = await make_world(make_account)
    await login(client, await make_user(roles=("manager",), houses=(world["a"].house,)))
    text = (await client.get("/staff/analytics?start=2026-01&end=2026-03")).text.replace("&#39;", "'")
    for words in (
        "закрытый счёт должен, пока не оплатит",
        "за вычетом сделанных в них возвратов, как доля от начисленного за услуги в эти месяцы",
        "без корректировок сальдо и пеней",
        "Начислено — сумма услуг месяца, как в квитанциях и в сводке по начислениям",
        "Корректировки сальдо (перенесённое сальдо на начало, исправление сотрудником; минус уменьшает долг)",
        "По московскому времени: поступившие — в месяце подачи",
        "в срок — выполнена не позже срока, с точностью до секунды",
        "Последний опрос, открытый до конца периода",
        "Оценки жителями заявок, выполненных в эти месяцы; CSAT — доля оценок 4–5",
        "Итог месяца отличается от «Оплачено» на сделанные в нём возвраты",
        "более ранние — каждую ночь",
    ):
        assert words in text, words


def _without_tokens(text: str) -> str:
    return re.sub(r'(name="_csrf_token" value=|"x-csrftoken": ")[^">]+', r"\1", text)


async def test_a_house_or_complex_out_of_reach_reads_as_one_that_is_not_there(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    world = await make_world(make_account)
    second = await make_account()  # the manager's second house, in a complex of its own
    await login(client, await make_user(roles=("manager",), houses=(world["a"].house, second.house)))
    other = await House.select(House.id, House.complex).where(House.id == world["other"].house).first()
    answers = {}
    for house in (other["id"], 987654):  # a third house of the company, and a house that is not there
        for answer in (await client.get(f"/staff/analytics?house={house}&start=2026-01&end=2026-01"),
                       await client.get(f"/staff/analytics?house={house}&start=2026-01&end=2026-01",
                                        headers={"HX-Request": "true"})):  # fmt: skip
            assert answer.status_code == 200 and "Нет домов для показа." not in answer.text
            assert "7\u00a0777,00" not in answer.text and "600,00" in answer.text  # the manager's houses
            form = answer.text.split('action="/staff/analytics"')[1].split("</form>")[0]
            assert "Такого дома нет в списке; список показан без этого условия." in form
            assert "Не применены, так как не прочитаны: Дом." in answer.text
            said = _without_tokens(answer.text).replace(f"house={house}&", "house=…&")  # the address, as asked
            answers[house, answer.request.headers.get("HX-Request")] = said
    assert answers[other["id"], None] == answers[987654, None]
    assert answers[other["id"], "true"] == answers[987654, "true"]
    kpi = {}
    for complex_id in (other["complex"], 987654):  # the third house's complex, and a complex that is not there
        answer = await client.get(f"/staff/analytics/kpi?complex={complex_id}&period=2026-01")
        assert answer.status_code == 200 and "Нет домов для показа." not in answer.text
        assert 'id="kpi-h"' in answer.text  # the achievements of the manager's first complex
        said = f"Такого варианта нет: «{complex_id}»; показан первый из ваших комплексов."
        assert said in answer.text.split('action="/staff/analytics/kpi"')[1].split("</form>")[0]
        assert "Не применены, так как не прочитаны: Комплекс." in answer.text
        kpi[complex_id] = (
            _without_tokens(answer.text).replace(f"complex={complex_id}&", "").replace(f"«{complex_id}»", "")
        )
    assert kpi[other["complex"]] == kpi[987654]


async def test_the_dashboard_says_which_filter_in_its_address_it_cannot_read(client: Any, login: Any, make_user: Any,
                                                                             make_account: Any) -> None:  # fmt: skip
    world = await make_world(make_account)
    await login(client, await make_user(roles=("manager",), houses=(world["a"].house,)))
    read = await client.get("/staff/analytics?start=2026-01&end=2026-03")
    assert "не прочитаны" not in read.text
    page = await client.get("/staff/analytics?start=2026-01&end=2026-13&complex=abc&house=первый")
    assert page.status_code == 200 and "600,00" in page.text  # shown without them, from January
    form = page.text.split('action="/staff/analytics"')[1].split("</form>")[0]
    assert "Нет месяца «2026-13»; показатели показаны без этого условия." in form
    assert "Такого варианта нет: «abc»; показатели показаны без этого условия." in form
    assert "Такого дома нет в списке; список показан без этого условия." in form  # as every staff list says
    assert "Не применены, так как не прочитаны: По; Комплекс; Дом." in page.text


async def test_the_dashboard_does_not_read_a_month_its_dropdowns_do_not_offer(client: Any, login: Any, make_user: Any,
                                                                             make_account: Any) -> None:  # fmt: skip
    world = await make_world(make_account)
    await login(client, await make_user(roles=("manager",), houses=(world["a"].house,)))
    for query in ("start=2026-01&end=2020-06", "start=2026-01&end=2031-06"):
        page = await client.get(f"/staff/analytics?{query}")
        assert "июнь 2020" not in page.text and "июнь 2031" not in page.text  # from January to the usual end
        form = page.text.split('action="/staff/analytics"')[1].split("</form>")[0]
        month = query.rsplit("=", 1)[1]
        assert f"Нет месяца «{month}»; показатели показаны без этого условия." in form
        assert f'value="{month}"' not in form and '<option value="2026-01" selected>' in form
        assert "Не применены, так как не прочитаны: По." in page.text


async def test_the_export_holds_the_tables_of_the_page(client: Any, login: Any, make_user: Any,
                                                       make_account: Any) -> None:  # fmt: skip
    world = await make_world(make_account)
    await login(client, await make_user(roles=("manager",), houses=(world["a"].house,)))
    response = await client.get(f"/staff/analytics/dashboard.xlsx?start={JAN:%Y-%m}&end={FEB:%Y-%m}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Деньги", "Платежи по каналам", "Автоплатёж", "Использование портала", "Заявки", "По категориям",
        "По исполнителям", "NPS",
    ]  # fmt: skip
    money, requests = book["Деньги"], book["Заявки"]
    rows = list(money.iter_rows(values_only=True))
    assert rows[1][0] == datetime(2026, 1, 1) and rows[1][6] == 600.0 and rows[2][6] == 700.0
    # Charged: the services, as the billing overview; the balance corrections in a column of their own.
    assert rows[0][2:4] == ("Начислено, ₽", "Корректировки сальдо, ₽") and rows[1][2:4] == (1500.0, 0.0)
    assert money["A2"].is_date and money["A2"].number_format == "MM.YYYY"  # a month Excel sorts as a date
    assert money["G2"].number_format == "#,##0.00"  # receivables, a sum
    # each figure in the format of what it is, not a Decimal's money format for a share or a mean rating
    assert money["B2"].number_format == "#,##0" and money["F2"].number_format == "#,##0.0"  # accounts; collection, %
    assert [c.number_format for c in requests[2][1:5]] == ["#,##0", "#,##0", "#,##0", "#,##0.0"]  # counts; on time, %
    assert [c.number_format for c in book["Платежи по каналам"][2][1:3]] == ["#,##0", "#,##0.00"]  # payments; ₽
    assert list(requests.iter_rows(values_only=True))[1][1:4] == (3, 2, 1)


async def test_hostile_filters_are_dropped(client: Any, login: Any, make_user: Any) -> None:
    await login(client, await make_user(roles=("admin",)))
    for query in ("start=9999-99", "end=0000-00", "house=99999999999999999999999", "complex=-1", "start=%00",
                  "house=1&house=2", "start=2026-02-31"):  # fmt: skip
        response = await client.get(f"/staff/analytics?{query}")
        assert response.status_code < 500, query


async def test_the_house_filter_offers_every_house_by_complex_at_once(client: Any, login: Any, make_user: Any,
                                                                       make_account: Any) -> None:  # fmt: skip
    """Without JavaScript the house is chosen in the same submit as the complex: the dropdown lists every house of
    the user's, each under its complex (``<optgroup>``), with no complex chosen first."""
    world = await make_world(make_account)
    await login(client, await make_user(roles=("admin",)))
    page = await client.get("/staff/analytics?start=2026-01&end=2026-01")
    form = page.text.split('action="/staff/analytics"')[1].split("</form>")[0]
    house_select = form.split('name="house"')[1].split("</select>")[0]
    for key in ("a", "other"):
        house = await House.select(House.address, House.complex.name).where(House.id == world[key].house).first()
        group = house_select.split(f'<optgroup label="{house["complex.name"]}">')[1].split("</optgroup>")[0]
        assert f'<option value="{world[key].house}"' in group and house["address"].split(", ")[-1] in group
    assert "Выберите ЖК, чтобы выбрать один из его домов" not in form


async def test_one_submit_with_a_complex_and_a_house_shows_that_house(client: Any, login: Any, make_user: Any,
                                                                      make_account: Any) -> None:  # fmt: skip
    """The complex left from before and a house of another complex, sent together: the house wins, its figures
    are shown and its own complex is the one chosen, with nothing said unread."""
    world = await make_world(make_account)
    await login(client, await make_user(roles=("admin",)))
    a = await House.select(House.complex).where(House.id == world["a"].house).first()
    other = await House.select(House.complex).where(House.id == world["other"].house).first()
    page = await client.get(
        f"/staff/analytics?start=2026-01&end=2026-01&complex={other['complex']}&house={world['a'].house}"
    )
    assert page.status_code == 200
    assert "600,00" in page.text and "7\u00a0777,00" not in page.text  # house a's January receivables only
    form = page.text.split('action="/staff/analytics"')[1].split("</form>")[0]
    assert f'<option value="{world["a"].house}" selected>' in form
    assert f'<option value="{a["complex"]}" selected>' in form
    assert "не прочитаны" not in page.text
    # The other house alone, with the complex of house a: its own figures.
    shown = await client.get(
        f"/staff/analytics?start=2026-01&end=2026-01&complex={a['complex']}&house={world['other'].house}"
    )
    assert "7\u00a0777,00" in shown.text and "600,00" not in shown.text


async def test_with_htmx_the_house_list_narrows_to_the_complex_chosen(client: Any, login: Any, make_user: Any,
                                                                     make_account: Any) -> None:  # fmt: skip
    """The page's house field asks for itself again when the complex changes: the houses of that complex, the
    house chosen kept while it is one of them; any other complex (none of the user's) gets every house."""
    world = await make_world(make_account)
    await login(client, await make_user(roles=("admin",)))
    page = await client.get("/staff/analytics?start=2026-01&end=2026-01")
    assert 'hx-get="/staff/analytics/houses" hx-trigger="change from:#f-complex"' in page.text
    a = await House.select(House.complex).where(House.id == world["a"].house).first()
    hx = {"HX-Request": "true"}
    field = await client.get(f"/staff/analytics/houses?complex={a['complex']}&house={world['a'].house}", headers=hx)
    assert field.status_code == 200 and field.text.lstrip().startswith('<div id="house-field"')
    assert f'<option value="{world["a"].house}" selected>' in field.text
    assert f'<option value="{world["other"].house}"' not in field.text
    everything = (await client.get("/staff/analytics/houses?complex=987654", headers=hx)).text
    assert all(f'<option value="{world[k].house}"' in everything for k in ("a", "other"))
    # Opened as a page (an address typed or kept), the field is the dashboard of that choice, not a bare select.
    opened = await client.get(f"/staff/analytics/houses?complex={a['complex']}")
    assert opened.status_code == 303 and opened.headers["location"] == f"/staff/analytics?complex={a['complex']}"


async def test_on_an_english_page_complexes_and_houses_are_marked_russian(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    """Complexes' names and houses' addresses are the company's data, in Russian: on an English page their options
    and the house groups say so (``lang="ru"``); a Russian page marks nothing."""
    world = await make_world(make_account)
    await login(client, await make_user(roles=("admin",)))
    a = await House.select(House.complex).where(House.id == world["a"].house).first()
    await client.speak("en")
    english = (await client.get("/staff/analytics?start=2026-01&end=2026-01")).text
    assert f'<option value="{a["complex"]}" lang="ru">' in english
    await client.speak("en")
    field = await client.get("/staff/analytics/houses", headers={"HX-Request": "true"})
    for page in (english, field.text):
        groups = re.findall(r"<optgroup[^>]*>", page)
        assert groups and all(g.endswith(' lang="ru">') for g in groups)
    await client.speak("ru")
    russian = (await client.get("/staff/analytics?start=2026-01&end=2026-01")).text
    assert 'lang="ru"' not in russian.split("<main", 1)[1]


async def test_on_an_english_page_a_percentage_is_written_as_english_writes_it(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    """English writes "100.0%" with no space before the sign; Russian «100,0 %» with a no-break space."""
    world = await make_world(make_account)
    await login(client, await make_user(roles=("manager",), houses=(world["a"].house,)))
    await client.speak("en")
    english = (await client.get("/staff/analytics?start=2026-01&end=2026-03")).text.split("<main", 1)[1]
    assert re.search(r"\d\.\d%", english) and not re.search(r"\d[ \u00a0]%", english)
    await client.speak("ru")
    russian = (await client.get("/staff/analytics?start=2026-01&end=2026-03")).text.split("<main", 1)[1]
    assert re.search(r"\d,\d\u00a0%", russian) and not re.search(r"\d%", russian)


async def test_on_an_english_page_executors_and_residents_words_are_marked_russian(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    """An executor's name, a resident's comment in the survey and the house's address are Russian data: on an
    English dashboard a screen reader read them with an English voice."""
    from datetime import date

    from portal.analytics import aggregates
    from portal.analytics.tables import NpsAnswer
    from portal.analytics.tables import NpsWave
    from portal.tickets.tables import Ticket
    from tests.analytics.test_queries import at

    world = await make_world(make_account)
    house = world["a"].house
    executor = await make_user(name="Лукин Сергей", roles=("executor",), houses=(house,))
    await Ticket.update({Ticket.executor: executor}).where(Ticket.house == house)
    await aggregates.refresh(JAN)
    complex_id = (await House.select(House.complex).where(House.id == house).first())["complex"]
    wave = await NpsWave.insert(NpsWave(complex=complex_id, opens_on=date(2026, 1, 10), closes_on=date(2026, 1, 20)))
    resident = await make_user(name="Житель")
    await NpsAnswer(wave=wave[0]["id"], user=resident, house=house, score=9, comment="Чисто во дворе",
                    answered_at=at(date(2026, 1, 12))).save()  # fmt: skip
    await login(client, await make_user(roles=("admin",)))
    await client.speak("en")
    english = (await client.get("/staff/analytics?start=2026-01&end=2026-01")).text
    assert re.search(r'executor=\d+[^"]*"><span lang="ru">Лукин Сергей</span></a>', english)
    assert '<br><span lang="ru">Чисто во дворе</span></li>' in english
    assert re.search(
        r'<span class="muted"><span lang="ru">г\. Симферополь, [^<]+</span>, 12 January 2026</span>', english
    )
