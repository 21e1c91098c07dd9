"""The dashboard page and its export over HTTP: a manager sees their houses' figures only, in Russian first;
hostile filter values are dropped, never an error."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

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
    # Asking for the other house shows nothing of it.
    other = await client.get(f"/staff/analytics?house={world['other'].house}&start=2026-01&end=2026-01")
    assert other.status_code == 200 and "Нет домов для показа." in other.text


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
    assert "Такого варианта нет: «первый»; показатели показаны без этого условия." in form
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
    assert rows[1][0] == "2026-01" and rows[1][5] == 600.0 and rows[2][5] == 700.0
    assert list(requests.iter_rows(values_only=True))[1][1:4] == (3, 2, 1)


async def test_hostile_filters_are_dropped(client: Any, login: Any, make_user: Any) -> None:
    await login(client, await make_user(roles=("admin",)))
    for query in ("start=9999-99", "end=0000-00", "house=99999999999999999999999", "complex=-1", "start=%00",
                  "house=1&house=2", "start=2026-02-31"):  # fmt: skip
        response = await client.get(f"/staff/analytics?{query}")
        assert response.status_code < 500, query
