"""A period that ends before it starts, on every staff list with one: the list said only «Нет платежей» (it looked
for payments after the 10th and before the 1st). Now it is shown without the period, and says so at the end's
field and above the list, keeping both dates as typed — in the page and in the part HTMX redraws."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core import clock
from portal.core.parse import parse_date
from portal.core.web import Range
from portal.core.web import read_range
from portal.core.web import unread_filters


def _input(html: str, name: str) -> str:
    """The ``<input>`` tag of the field ``name``."""
    at = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, at) : html.index(">", at) + 1]


AT_END = "Конец раньше начала; список показан без этого периода."


def test_a_range_whose_end_is_before_its_start_is_applied_as_none():
    backwards = read_range({"from": "10.03.2026", "to": "2026-03-01"}, "from", "to", parse_date)
    assert backwards.backwards and (backwards.low, backwards.high) == (date(2026, 3, 10), date(2026, 3, 1))
    assert (backwards.start, backwards.end) == (None, None)
    one_day = Range(date(2026, 3, 1), date(2026, 3, 1))
    assert not one_day.backwards and (one_day.start, one_day.end) == (date(2026, 3, 1), date(2026, 3, 1))
    open_end = Range(date(2026, 3, 10), None)
    assert not open_end.backwards and open_end.start == date(2026, 3, 10)


def test_unread_filters_say_a_backwards_range_at_its_end_and_above_the_list():
    query = {"from": "2026-03-10", "to": "2026-03-01"}
    days = read_range(query, "from", "to", parse_date)
    read = {"from": (days.low, "Дата с", "не дата"), "to": (days.high, "Дата по", "не дата")}
    typed, problems = unread_filters(query, read, [("from", "to")])
    assert typed == query
    assert problems.fields == {"to": AT_END}
    assert problems.general == ["Не применён период «Дата с» – «Дата по»: его конец раньше начала."]
    assert not problems.labels  # not among the filters «не прочитаны»
    assert not unread_filters({"from": "2026-03-01", "to": "2026-03-10"}, read | {"to": (date(2026, 3, 10), "", "")})[1]


@pytest.mark.parametrize(
    ("path", "start", "end", "labels"),
    [
        ("/staff/orders", "from", "to", ("Оформлен с", "Оформлен по")),
        ("/staff/posts", "from", "to", ("Создано с", "Создано по")),
        ("/staff/audit", "from", "to", ("Дата с", "Дата по")),
        ("/staff/tickets", "created_from", "created_to", ("Создана с", "Создана по")),
        ("/staff/tickets", "deadline_from", "deadline_to", ("Срок с", "Срок по")),
        ("/staff/tickets", "completed_from", "completed_to", ("Выполнена с", "Выполнена по")),
        ("/staff/tickets", "control_from", "control_to", ("Контрольная дата с", "Контрольная дата по")),
    ],
)
async def test_every_staff_list_with_a_period_answers_a_backwards_one_alike(
    client, login, make_user, path, start, end, labels
):
    await login(client, await make_user(roles=("admin",)))
    url = f"{path}?{start}=2026-03-10&{end}=2026-03-01"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true"})):
        assert answer.status_code == 200, path
        assert AT_END in answer.text, path
        typed_end, typed_start = _input(answer.text, end), _input(answer.text, start)
        assert 'type="text"' in typed_end and 'value="2026-03-01"' in typed_end and "aria-invalid" in typed_end, path
        assert 'value="2026-03-10"' in typed_start and "aria-invalid" not in typed_start, path
        assert f"Не применён период «{labels[0]}» – «{labels[1]}»: его конец раньше начала." in answer.text, path


async def test_the_dashboard_answers_a_last_month_before_the_first(client, login, make_user):
    from portal.analytics import rules

    await login(client, await make_user(roles=("admin",)))
    this_month = clock.today_local().replace(day=1)
    first, last = rules.add_months(this_month, -2), rules.add_months(this_month, -5)
    url = f"/staff/analytics?start={first:%Y-%m}&end={last:%Y-%m}"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true"})):
        assert answer.status_code == 200
        assert "Последний месяц раньше первого; показаны обычные месяцы." in answer.text
        assert "Не применён период «С» – «По»: его конец раньше начала." in answer.text
        start = answer.text.split('name="start"')[1].split("</select>")[0]
        end = answer.text.split('name="end"')[1].split("</select>")[0]
        assert f'value="{first:%Y-%m}" selected' in start and f'value="{last:%Y-%m}" selected' in end
