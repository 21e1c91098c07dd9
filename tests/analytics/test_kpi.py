"""The KPI month on both engines: achievements measured by the portal or entered by the manager, the weighted
efficiency and each staff member's bonus stored by one pure function (the company's example), approval, the payroll
XLSX, and a manager kept to their own complexes."""

from __future__ import annotations

import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from portal.analytics import actions
from portal.analytics import forms
from portal.analytics import queries
from portal.analytics.tables import KpiBonus
from portal.analytics.tables import KpiMonth
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.core.web import Refused
from portal.housing.tables import House
from tests.analytics.test_queries import FEB
from tests.analytics.test_queries import MAR
from tests.analytics.test_queries import make_world
from tests.tickets.test_audit_trail import CLIENT_IP

NOW = datetime(2026, 4, 2, 9, tzinfo=UTC)
EXAMPLE = queries.Measured(
    debt_per_m2=None, debt_per_m2_before=None, on_time=Decimal(90), nps=30, nps_before=20
)  # NPS rose: 100 %; on time 90 %


async def complex_of(house: int) -> int:
    return (await House.select(House.complex).where(House.id == house).first())["complex"]


async def test_the_company_example_stored_and_approved(db: Any, make_account: Any, make_user: Any) -> None:
    place = await make_account()
    complex_id = await complex_of(place.house)
    admin_id = await make_user(name="Администратор ЖК", roles=("manager",), houses=(place.house,))
    manager_id = await make_user(name="Комендант", roles=("manager",), houses=(place.house,))
    head_id = await make_user(name="Руководитель КЦ", roles=("operator",), houses=(place.house,))
    draft = forms.KpiDraft(
        plan=Decimal(95),
        acts=None,
        nps=None,
        receivables=Decimal(85),  # no balances to measure: entered
        lines=[
            forms.LineDraft(admin_id, "Администратор", Decimal("7200.00"), Decimal(90)),
            forms.LineDraft(manager_id, "Комендант/менеджер", Decimal("3900.00"), Decimal(95)),
            forms.LineDraft(head_id, "Руководитель КЦ", Decimal("13560.00"), Decimal(85)),
        ],
    )
    principal = Principal(user_id=manager_id, staff_roles=frozenset({"manager"}), house_ids=frozenset({place.house}))
    kpi_id = await actions.save_kpi(principal, complex_id, MAR, EXAMPLE, draft, NOW)
    record = await queries.kpi_record(complex_id, MAR)
    assert record is not None and record.id == kpi_id
    assert record.efficiency == Decimal("92.0")
    assert [line.bonus for line in record.lines] == [Decimal("6480.00"), Decimal("3705.00"), Decimal("11526.00")]
    assert record.total == Decimal("21711.00")
    # Saved again: replaced, not doubled.
    await actions.save_kpi(principal, complex_id, MAR, EXAMPLE, draft, NOW)
    assert await KpiMonth.count().where(KpiMonth.complex == complex_id) == 1
    assert await KpiBonus.count().where(KpiBonus.kpi_month == kpi_id) == 3
    await actions.approve_kpi(principal, kpi_id, NOW)
    with pytest.raises(Refused):
        await actions.save_kpi(principal, complex_id, MAR, EXAMPLE, draft, NOW)
    with pytest.raises(Refused):
        await actions.approve_kpi(principal, kpi_id, NOW)
    assert (await queries.kpi_record(complex_id, MAR)).approved


async def test_below_80_per_cent_the_month_pays_nothing(db: Any, make_account: Any, make_user: Any) -> None:
    place = await make_account()
    complex_id = await complex_of(place.house)
    person = await make_user(roles=("manager",), houses=(place.house,))
    principal = Principal(user_id=person, staff_roles=frozenset({"manager"}), house_ids=frozenset({place.house}))
    draft = forms.KpiDraft(
        plan=Decimal("99.7"), acts=None, nps=None, receivables=Decimal(100),
        lines=[forms.LineDraft(person, "", Decimal("7200.00"), None)],
    )  # fmt: skip
    measured = queries.Measured(None, None, on_time=Decimal(0), nps=10, nps_before=10)
    await actions.save_kpi(principal, complex_id, MAR, measured, draft, NOW)
    record = await queries.kpi_record(complex_id, MAR)
    assert record.efficiency == Decimal("79.9")
    assert record.lines[0].bonus == Decimal("0.00")


async def test_the_portal_measures_receivables_on_time_and_nps(db: Any, make_account: Any) -> None:
    world = await make_world(make_account)
    found = await queries.measured([world["a"].house], MAR)
    # February 700.00 / 80 m² = 8.75; March 600.00 / 80 m² = 7.50: fell, so 100 %.
    assert (found.debt_per_m2_before, found.debt_per_m2, found.receivables) == (
        Decimal("8.75"), Decimal("7.50"), Decimal(100)
    )  # fmt: skip
    assert found.on_time == Decimal("100.0")
    assert found.nps is None and found.nps_trend is None
    rose = await queries.measured([world["a"].house], FEB)
    assert rose.receivables == Decimal("85.7")  # 7.50 → 8.75: 7.50 / 8.75


async def test_the_kpi_pages_over_http(client: Any, login: Any, make_user: Any, make_account: Any) -> None:
    mine, theirs = await make_account(), await make_account()
    manager = await make_user(name="Менеджер Тестовый", roles=("manager",), houses=(mine.house,))
    await login(client, manager)
    complex_id = await complex_of(mine.house)
    page = await client.get(f"/staff/analytics/kpi?complex={complex_id}&period=2026-03")
    assert page.status_code == 200 and "Менеджер Тестовый" in page.text and "не прочитаны" not in page.text
    unread = await client.get("/staff/analytics/kpi?complex=abc&period=2026-13")  # the first complex, the last month
    assert unread.status_code == 200 and "Менеджер Тестовый" in unread.text
    form = unread.text.split('action="/staff/analytics/kpi"')[1].split("</form>")[0]
    assert "Такого варианта нет: «abc»; показан первый из ваших комплексов." in form
    assert "Нет месяца «2026-13»; показан последний завершённый месяц." in form
    assert "Не применены, так как не прочитаны: Комплекс; Месяц." in unread.text
    for month in ("2020-01", "2031-01"):  # older than the dropdown goes back, or still to come: not read either
        beyond = await client.get(f"/staff/analytics/kpi?complex={complex_id}&period={month}")
        form = beyond.text.split('action="/staff/analytics/kpi"')[1].split("</form>")[0]
        assert f"Нет месяца «{month}»; показан последний завершённый месяц." in form
        assert f'name="period" value="{month}"' not in beyond.text  # nor the month the KPI would be saved for
    for month in ("2020-01", "2031-01"):  # a month the page does not offer is refused, as typed, with nothing saved
        typed = {"complex": str(complex_id), "period": month, "plan": "95", "acts": "90", "user_0": str(manager),
                 "position_0": "Менеджер", "maximum_0": "3 900,00"}  # fmt: skip
        for answer in (
            await client.form("/staff/analytics/kpi", typed),
            await client.htmx_form("/staff/analytics/kpi", typed, headers={"HX-Boosted": "true"}),
        ):
            assert answer.status_code == 422
            said = f"Месяца «{month}» нет в списке; выберите один из предложенных месяцев."
            saving = answer.text.split('method="post" action="/staff/analytics/kpi"')[1].split("</form>")[0]
            assert said in saving and 'value="95"' in saving and 'value="3 900,00"' in saving
            assert (
                said in answer.text.split('class="filters card" action="/staff/analytics/kpi"')[1].split("</form>")[0]
            )
            assert f'name="period" value="{month}"' not in answer.text
    assert await KpiMonth.count() == 0 and await KpiBonus.count() == 0
    # A month missing or not read is refused the same way, at the month field, nothing saved.
    typed = {"complex": str(complex_id), "plan": "95", "acts": "90", "user_0": str(manager), "position_0": "Менеджер",
             "maximum_0": "3 900,00"}  # fmt: skip
    for posted, said in (
        (None, "Выберите месяц из списка."),
        ("", "Выберите месяц из списка."),
        ("2026-13", "Месяца «2026-13» нет в списке; выберите один из предложенных месяцев."),
        ("март", "Месяца «март» нет в списке; выберите один из предложенных месяцев."),
    ):
        answer = await client.form("/staff/analytics/kpi", typed if posted is None else {**typed, "period": posted})
        assert answer.status_code == 422, posted
        saving = answer.text.split('method="post" action="/staff/analytics/kpi"')[1].split("</form>")[0]
        assert said in saving and 'value="95"' in saving and 'value="3 900,00"' in saving
        month_field = answer.text.split('class="filters card" action="/staff/analytics/kpi"')[1].split("</form>")[0]
        assert f'id="e-period"><span aria-hidden="true">⚠</span> {said}' in month_field
        assert 'aria-invalid="true" aria-describedby="e-period"' in month_field
    assert await KpiMonth.count() == 0 and await KpiBonus.count() == 0
    saved = await client.form(
        "/staff/analytics/kpi",
        {"complex": str(complex_id), "period": "2026-03", "plan": "95", "nps": "100", "receivables": "85",
         "acts": "90", "user_0": str(manager), "position_0": "Менеджер", "maximum_0": "3 900,00", "efficiency_0": "95"},
    )  # fmt: skip
    assert saved.status_code == 303
    record = await queries.kpi_record(complex_id, date(2026, 3, 1))
    assert record.lines[0].bonus == Decimal("3705.00")
    # What the manager entered comes back in the form: saving the month again must not drop the acts' 90 %.
    again = await client.get(f"/staff/analytics/kpi?complex={complex_id}&period=2026-03")
    assert "Ведомость XLSX, черновик" in again.text  # not yet approved
    await client.speak("en")  # the name and the position people wrote in Russian are marked so
    english = (await client.get(f"/staff/analytics/kpi?complex={complex_id}&period=2026-03")).text
    assert '<td class="primary"><span lang="ru">Менеджер Тестовый</span></td>' in english
    assert '<td data-label="Position"><span lang="ru">Менеджер</span></td>' in english
    await client.speak("ru")
    assert re.search(r'<input id="f-acts" name="acts" type="text" value="90(,0)?"', again.text)  # as typed in Russian
    assert re.search(r'<input id="f-maximum_0" name="maximum_0" type="text" value="3900,00"', again.text)
    assert record.acts == Decimal("90.0")
    # Someone outside the complex, a bad percentage, a stranger's complex.
    bad = await client.form(
        "/staff/analytics/kpi", {"complex": str(complex_id), "period": "2026-03", "plan": "101", "user_0": "999999"}
    )
    assert bad.status_code == 422
    stranger = await client.form(
        "/staff/analytics/kpi", {"complex": str(await complex_of(theirs.house)), "period": "2026-03"}
    )
    assert stranger.status_code == 404
    payroll = await client.get(f"/staff/analytics/kpi/{record.id}/payroll.xlsx")
    assert payroll.status_code == 200
    sheet = load_workbook(io.BytesIO(payroll.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Менеджер Тестовый" and rows[1][4] == 3705.0
    # the maximum and the bonus are roubles, the efficiency a per cent of one decimal (not a sum of money)
    assert [c.number_format for c in sheet[2][2:5]] == ["#,##0.00", "#,##0.0", "#,##0.00"]
    # Before approval the file may be downloaded, but its name and its sheet say it is a draft.
    assert sheet.title == "Премия KPI 2026-03, черновик"
    draft_name = f"kpi-{complex_id}-2026-03-черновик.xlsx"
    assert payroll.headers["content-disposition"] == (
        f"attachment; filename=\"kpi-{complex_id}-2026-03-________.xlsx\"; filename*=UTF-8''{quote(draft_name)}"
    )
    assert (await client.form(f"/staff/analytics/kpi/{record.id}/approve")).status_code == 303
    assert (await queries.kpi_record(complex_id, date(2026, 3, 1))).approved
    # The month saved and approved: the payroll's audit rows keep the address the manager acted from.
    kept = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(AuditEvent.entity == "kpi_month")
    assert sorted((e["action"], e["ip"]) for e in kept) == [("kpi.approve", CLIENT_IP), ("kpi.save", CLIENT_IP)]
    approved = await client.get(f"/staff/analytics/kpi/{record.id}/payroll.xlsx")
    assert approved.headers["content-disposition"] == f'attachment; filename="kpi-{complex_id}-2026-03.xlsx"'
    assert load_workbook(io.BytesIO(approved.content)).worksheets[0].title == "Премия KPI 2026-03"
    other = await make_user(roles=("manager",), houses=(theirs.house,))
    client.cookies.clear()
    await login(client, other)
    assert (await client.get(f"/staff/analytics/kpi/{record.id}/payroll.xlsx")).status_code == 404


def test_the_payroll_file_keeps_an_own_efficiency_of_zero_rather_than_the_complexs():
    """A line whose own efficiency is 0 % is paid nothing; the payroll file showed the complex's efficiency beside
    that nothing, as if none had been entered."""
    from portal.analytics import exports
    from portal.core.i18n import set_locale

    line = queries.BonusLine(7, "Фомин Д. А.", "Инженер", Decimal("5000.00"), Decimal("0.0"), Decimal("0.00"))
    blank = queries.BonusLine(8, "Кузнецов А. С.", "Управляющий", Decimal("7200.00"), None, Decimal("6782.40"))
    record = queries.KpiRecord(
        id=1, complex_id=1, period=date(2026, 11, 1), achievements={}, acts=None, efficiency=Decimal("94.2"),
        status="draft", approved_by="", approved_at=None, lines=[line, blank],
    )  # fmt: skip
    set_locale("ru")
    rows = exports.payroll_table(record)
    assert float(rows[1][3]) == 0.0 and float(rows[2][3]) == 94.2


@pytest.mark.parametrize(
    ("status", "name", "title"),
    [
        ("draft", "kpi-1-2026-11-draft.xlsx", "KPI bonus 2026-11, draft"),
        ("approved", "kpi-1-2026-11.xlsx", "KPI bonus 2026-11"),
    ],
)
def test_the_payroll_file_of_a_month_not_approved_says_draft_in_english_too(status, name, title):
    from portal.analytics import exports
    from portal.core.i18n import set_locale

    record = queries.KpiRecord(
        id=1, complex_id=1, period=date(2026, 11, 1), achievements={}, acts=None, efficiency=Decimal("94.2"),
        status=status, approved_by="", approved_at=None, lines=[],
    )  # fmt: skip
    set_locale("en")
    assert exports.payroll_name(record) == name
    assert load_workbook(io.BytesIO(exports.payroll_xlsx(record))).worksheets[0].title == title


async def test_a_months_kpi_saved_from_a_form_read_before_another_managers_save_is_refused(
    client: Any, login: Any, make_user: Any, make_account: Any
) -> None:
    """Two managers open the same month; Анна saves her draft, then Борис saves the form he opened before it: the
    month had no draft when he read it, so his is refused (409) with her name, what he typed kept, hers stays.
    Sent again from that page (which now carries her version), his is saved: his choice."""
    mine = await make_account()
    anna = await make_user(name="Анна Первая", roles=("manager",), houses=(mine.house,))
    boris = await make_user(name="Борис Второй", roles=("manager",), houses=(mine.house,))
    complex_id = await complex_of(mine.house)
    url = f"/staff/analytics/kpi?complex={complex_id}&period=2026-03"
    version = re.compile(r'name="version" value="([^"]*)"')
    form = {"complex": str(complex_id), "period": "2026-03", "nps": "100", "receivables": "85", "dispatch": "100",
            "user_0": str(anna), "position_0": "Менеджер", "maximum_0": "3 900,00"}  # fmt: skip
    await login(client, boris)
    his = version.search((await client.get(url)).text).group(1)
    await login(client, anna)
    hers = version.search((await client.get(url)).text).group(1)
    assert (
        await client.form("/staff/analytics/kpi", {**form, "plan": "95", "acts": "90", "version": hers})
    ).status_code == 303

    await login(client, boris)
    refused = await client.form("/staff/analytics/kpi", {**form, "plan": "70", "acts": "60", "version": his})
    assert refused.status_code == 409, refused.text[-2000:]
    assert "Пока вы правили, запись изменил(а) Анна Первая" in refused.text
    assert 'value="70"' in refused.text  # what he typed is kept
    assert (await KpiMonth.select(KpiMonth.acts_pct).first())["acts_pct"] == Decimal("90")
    # Typed to exactly her figures, his form read before her save is no conflict: «saved», and nothing written.
    same = await client.form("/staff/analytics/kpi", {**form, "plan": "95", "acts": "90", "version": his})
    assert same.status_code == 303, same.text[-2000:]
    assert await AuditEvent.count().where(AuditEvent.actor_name == "Борис Второй") == 0

    again = {**form, "plan": "70", "acts": "60", "version": version.search(refused.text).group(1)}
    assert (await client.form("/staff/analytics/kpi", again)).status_code == 303
    assert (await KpiMonth.select(KpiMonth.acts_pct).first())["acts_pct"] == Decimal("60")
