"""The registry pages: upload, preview with totals, apply, the queue (assign, return) — as an accountant would."""

from __future__ import annotations

import asyncio
import re
import time
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest

from portal.billing import ledger
from portal.billing.registry_tables import LineStatus
from portal.billing.registry_tables import RegistryPayment
from portal.core.tables import AuditEvent
from tests.billing.test_registries import BANK
from tests.billing.test_registries import bank_file
from tests.billing.test_registries import line
from tests.billing.test_registries import load
from tests.tickets.test_audit_trail import CLIENT_IP


@pytest.fixture
async def setup(make_account, make_user, catalog):
    first = await make_account(number="7700000001")
    second = await make_account(number="7700000002", house=first.house)
    accountant = await make_user(roles=("accountant",), houses=(first.house,))
    return {"first": first.account, "second": second.account, "accountant": accountant}


async def upload(client, content: bytes, kind: str = "payments", name: str = "registry.txt", seconds: float = 60):
    response = await client.form("/staff/billing/registries", {"kind": kind}, files={"file": (name, content, "")})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    deadline = time.monotonic() + seconds
    while 'hx-trigger="load delay' in (page := await client.get(location)).text:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    return page


class _IdsInside(HTMLParser):
    """The ids of the elements inside the element of one id (void elements need no end tag)."""

    VOID = frozenset({"input", "br", "img", "hr", "meta", "link", "source", "col", "wbr", "area", "base"})

    def __init__(self, outer: str) -> None:
        super().__init__()
        self.outer, self.depth, self.found = outer, 0, set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            self.found.add(a.get("id"))
            self.depth += tag not in self.VOID
        elif a.get("id") == self.outer:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1


def ids_inside(page: str, outer: str) -> set[str]:
    reader = _IdsInside(outer)
    reader.feed(page)
    return reader.found


def polled_region(page: str) -> set[str]:
    """The ids a check's progress redraws: those inside the element its ``hx-select`` names."""
    return ids_inside(page, page.split('hx-select="#', 1)[1].split('"', 1)[0])


def token_of(page) -> str:
    return page.text.split('name="token" value="')[1].split('"')[0]


async def test_an_accountant_previews_applies_and_assigns(client, login, setup):
    await login(client, setup["accountant"])
    page = await upload(client, BANK.read_bytes())
    assert page.status_code == 200, page.text
    assert "5\u00a0653,63" in page.text or "5 653,63" in page.text, "the preview shows the file's total"
    assert await RegistryPayment.count() == 0, "the preview writes nothing"
    applied = await client.form("/staff/billing/registries/apply", {"token": token_of(page), "kind": "payments"})
    assert applied.status_code == 303 and applied.headers["location"] == "/staff/billing/registries/queue"
    assert await ledger.balance_of(setup["first"]) == D("-3341.23")
    imported = await AuditEvent.select(AuditEvent.ip).where(AuditEvent.action == "billing.registry.import")
    assert imported == [{"ip": CLIENT_IP}]  # the checked import keeps the address it was applied from

    queue = await client.get("/staff/billing/registries/queue")
    assert "9900000099" in queue.text and "812,40" in queue.text
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    done = await client.form(f"/staff/billing/registries/queue/{queued['id']}/assign", {"account": "7700000002"})
    assert done.status_code == 303
    assert await ledger.balance_of(setup["second"]) == D("-2312.40")
    assert await AuditEvent.count().where(AuditEvent.action == "billing.registry.assign") == 1
    assert "9900000099" not in (await client.get("/staff/billing/registries/queue")).text

    again = await upload(client, BANK.read_bytes())
    assert "importing it would change nothing" in again.text or "ничего не изменит" in again.text


async def test_the_preview_says_a_known_id_with_another_payment_is_credited_as_a_new_one(client, login, setup):
    await load(bank_file(line("1", "7700000001", "100,00")), "bank.txt")
    await login(client, setup["accountant"])
    page = await upload(client, bank_file(line("1", "7700000002", "300,00")), name="post.txt")
    row = page.text.split("другие платежи", 1)[1].split("</tr>", 1)[0]
    assert "зачисляются как новые платежи" in row and ">1<" in row and "300,00" in row
    assert "ничего не изменит" not in page.text


def preview_rows(page) -> list[str]:
    """The categories of the preview's table, as their first cells read."""
    body = page.text.split('id="preview"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="primary">([^<]*)</td>', body)


async def test_the_preview_lists_only_the_categories_the_file_has_lines_of(client, login, setup):
    """The preview listed every category, «0» beside most of them: the accountant read seven lines to find the one
    that mattered. It lists those the file has lines of; a file of payments known already says it changes nothing."""
    await load(bank_file(line("1", "7700000001", "100,00")), "bank.txt")
    await login(client, setup["accountant"])
    page = await upload(client, bank_file(line("1", "7700000001", "100,00"), line("2", "7700000002", "300,00")))
    assert preview_rows(page) == ["Зачисляются на лицевые счета", "Уже были в прежнем файле: пропускаются"]
    assert "Загрузить 2 строки" in page.text
    known = await upload(client, bank_file(line("1", "7700000001", "100,00")), name="again.txt")
    assert preview_rows(known) == ["Уже были в прежнем файле: пропускаются"]
    assert "Все платежи этого файла уже известны; загрузка ничего не изменит." in known.text
    assert 'action="/staff/billing/registries/apply"' not in known.text


async def test_the_balances_preview_names_corrections_only_when_there_are_some(client, login, setup):
    await login(client, setup["accountant"])
    balances = "account;period;opening;closing\n7700000001;2026-11;100,00;50,00\n".encode("cp1251")
    first = await upload(client, balances, kind="opening", name="opening.csv")
    assert "Будет проведено корректировок" in first.text
    applied = await client.form("/staff/billing/registries/apply", {"token": token_of(first), "kind": "opening"})
    assert applied.status_code == 303
    again = await upload(client, balances, kind="opening", name="opening.csv")
    assert "<dt>Лицевых счетов</dt><dd>1</dd>" in again.text
    assert "Будет проведено корректировок" not in again.text


async def test_a_registry_whose_totals_disagree_is_refused_with_its_line(client, login, setup):
    await login(client, setup["accountant"])
    content = BANK.read_bytes().replace(b"=3;5653,63", b"=3;5000,00")
    page = await upload(client, content)
    assert page.status_code == 422
    assert "5" in page.text and ("Строка 5" in page.text or "Line 5" in page.text)
    assert await RegistryPayment.count() == 0


async def test_a_file_wrong_throughout_lists_its_first_200_problems_and_counts_the_rest(client, login, setup):
    """A checked file's problems are one list (components/import.html, as the housing and meters imports show
    theirs): its first 200, then how many more, not a page of thousands of lines."""
    await login(client, setup["accountant"])
    wrong = [line(str(n), "7700000001", "1,00", day="32.13.2026") for n in range(1, 206)]
    page = await upload(client, bank_file(*wrong))
    assert page.status_code == 422
    summary = page.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Ничего не записано. Исправьте файл и загрузите его снова." in summary
    assert summary.count("<li>") == 200 and "Строка 201" in summary and "Строка 202" not in summary
    assert "… и ещё 5." in summary


async def test_after_a_refused_file_the_file_field_says_to_choose_the_file_again(client, login, setup):
    """The browser empties a file field after the refusal; without a word next to it the accountant would take
    the empty field for the file still being there."""
    await login(client, setup["accountant"])
    page = await upload(client, BANK.read_bytes().replace(b"=3;5653,63", b"=3;5000,00"))
    assert page.status_code == 422
    field = page.text.split('id="e-file"')[1].split("</p>")[0]
    assert "Отклонённый файл не сохраняется: выберите файл снова." in field
    assert 'aria-describedby="h-file e-file"' in page.text


async def test_the_progress_of_a_check_redraws_the_file_field_with_the_result(client, login, setup, monkeypatch):
    """A long check ends by redrawing what its progress polls; the file field's «choose the file again» was outside
    that region, so after a slow refused file the field stayed empty without a word."""
    from portal.core import imports

    await login(client, setup["accountant"])
    checking = imports.Status(filename="big.txt", user_id=setup["accountant"], kind="payments")
    monkeypatch.setattr(imports, "status", lambda *_args: checking)
    page = (await client.get("/staff/billing/registries/payments/" + "a" * 32)).text
    assert "f-file" in polled_region(page)


async def test_an_unknown_account_for_a_queued_payment_is_said_at_its_field_with_the_number_kept(client, login, setup):
    """The refusal was a message at the top of the page, and the line's field showed the file's number again in
    place of what the accountant typed; it is now said at the field of that line, with the number kept."""
    await login(client, setup["accountant"])
    page = await upload(client, BANK.read_bytes())
    await client.form("/staff/billing/registries/apply", {"token": token_of(page), "kind": "payments"})
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    refused = await client.form(f"/staff/billing/registries/queue/{queued['id']}/assign", {"account": "7700000999"})
    assert refused.status_code == 422
    field = refused.text.split(f'id="e-account-{queued["id"]}"')[1].split("</div>")[0]
    assert "7700000999" in field.split("</p>")[0] and 'value="7700000999"' in field and "aria-invalid" in field
    assert await RegistryPayment.count().where(RegistryPayment.status == LineStatus.UNMATCHED) == 1
    await client.form(f"/staff/billing/registries/queue/{queued['id']}/assign", {"account": "7700000002"})
    again = await client.form(f"/staff/billing/registries/queue/{queued['id']}/assign", {"account": "7700000002"})
    assert again.status_code == 422, "its line is gone from the list: the refusal is said above it"
    assert 'role="alert">Этот платёж уже не ждёт разбора.' in again.text


async def test_a_queued_payment_is_returned_with_its_reason(client, login, setup):
    await login(client, setup["accountant"])
    page = await upload(client, BANK.read_bytes())
    await client.form("/staff/billing/registries/apply", {"token": token_of(page), "kind": "payments"})
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    await client.form(f"/staff/billing/registries/queue/{queued['id']}/return", {"reason": "Нет такого счёта"})
    returned = await client.get("/staff/billing/registries/queue?status=returned")
    assert "Нет такого счёта" in returned.text and "не прочитаны" not in returned.text


async def test_a_return_without_a_reason_is_said_at_its_field_and_a_return_with_one_is_said_above_the_queue(
    client, login, setup
):
    await login(client, setup["accountant"])
    page = await upload(client, BANK.read_bytes())
    await client.form("/staff/billing/registries/apply", {"token": token_of(page), "kind": "payments"})
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    refused = await client.form(f"/staff/billing/registries/queue/{queued['id']}/return", {"reason": "  "})
    assert refused.status_code == 422
    field = refused.text.split(f'id="e-reason-{queued["id"]}"')[1].split("</div>")[0]
    assert "Укажите причину возврата." in field.split("</p>")[0] and "aria-invalid" in field
    assert f'id="e-account-{queued["id"]}"' not in refused.text, "the account's field is left alone"
    assert await RegistryPayment.count().where(RegistryPayment.status == LineStatus.UNMATCHED) == 1
    done = await client.form(f"/staff/billing/registries/queue/{queued['id']}/return", {"reason": "Нет счёта"})
    assert done.status_code == 303 and done.headers["location"] == "/staff/billing/registries/queue"
    assert "Платёж отмечен как возвращённый плательщику." in (await client.get(done.headers["location"])).text


async def test_the_reason_for_a_return_is_held_to_what_is_kept(client, login, setup):
    """The reason is kept to 255 characters: the field stops there, rather than the rest being cut off unsaid."""
    await login(client, setup["accountant"])
    page = await upload(client, BANK.read_bytes())
    await client.form("/staff/billing/registries/apply", {"token": token_of(page), "kind": "payments"})
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    listed = (await client.get("/staff/billing/registries/queue")).text
    assert f'<input id="reason-{queued["id"]}" name="reason" maxlength="255" required' in listed


async def test_the_queue_says_when_the_status_in_its_address_is_none_of_its_own(client, login, setup):
    await login(client, setup["accountant"])
    page = await upload(client, BANK.read_bytes())
    await client.form("/staff/billing/registries/apply", {"token": token_of(page), "kind": "payments"})
    url = "/staff/billing/registries/queue?status=lost"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        form = answer.text.split('id="queue-filters"')[1].split("</form>")[0]
        assert "Нет статуса «lost»; показаны платежи, которые ждут разбора." in form
        listed = answer.text.split('id="list"')[1]
        assert "Не применены, так как не прочитаны: Статус." in listed
        assert "9900000099" in listed  # the waiting payments


def test_the_channel_of_a_payment_comes_from_its_reference():
    from portal.billing.channels import channel_of
    from portal.billing.channels import portal_channel
    from portal.billing.notes import BANK

    portal = {"u1": "portal_card", "u2": "autopay"}
    registry = {"registry:SB-1": "bank_qr"}
    assert channel_of("payment:u1", portal, registry) == "portal_card"
    assert channel_of("payment:u2", portal, registry) == "autopay"
    assert channel_of("payment:u3", portal, registry) == ""  # no such portal payment
    assert channel_of("registry:SB-1", portal, registry) == "bank_qr"
    assert channel_of("registry:SB-1", portal, registry, BANK.write()) == "bank_qr"  # its line says more
    assert channel_of("demo-payment:1", portal, registry, BANK.write()) == "bank_registry"  # noted through a bank
    assert channel_of("demo-payment:1", portal, registry) == ""
    assert channel_of("demo-payment:1", portal, registry, "Оплата через банк за март") == ""  # other words
    assert [portal_channel(*p) for p in (("checkout", "sbp"), ("checkout", "card"), ("checkout", ""))] == [
        "sbp",
        "portal_card",
        "portal_card",  # paid before the portal kept how
    ]
    assert portal_channel("autopay", "card") == "autopay"


async def test_the_resident_sees_each_payment_with_its_channel_and_the_day_credited(client, login, make_user, setup):
    from tests.billing.test_registries import load

    await load(BANK.read_bytes())
    await login(client, await make_user(accounts={setup["first"]: "owner"}))
    page = await client.get(f"/accounts/{setup['first']}")
    assert page.status_code == 200
    assert "по QR-коду" in page.text or "receipt's QR" in page.text
    assert "3\u00a0341,23" in page.text or "3 341,23" in page.text
    assert "1–3" in page.text, "a payment through a bank is explained"
    assert "зачислен" in page.text or "credited" in page.text


async def test_the_reconciliation_report_lists_pages_and_exports_the_differences(client, login, setup):
    import io
    from datetime import date

    from openpyxl import load_workbook

    from portal.billing import book
    from portal.billing import demo_registry
    from portal.billing import registry_files
    from tests.billing.conftest import EVERY_HOUSE

    period = date(2026, 11, 1)
    content = demo_registry.export_text([("7700000001", period, 0, 150000), ("7700000002", period, 0, 0)])
    await book.load(registry_files.read_balances("e.csv", content, need="closing").rows, EVERY_HOUSE, book.EXPORT)
    await login(client, setup["accountant"])
    ran = await client.form("/staff/billing/reconciliation", {"period": "2026-11"})
    assert ran.status_code == 303
    page = await client.get("/staff/billing/reconciliation?period=2026-11")
    assert page.status_code == 200
    assert "7700000001" in page.text and "7700000002" not in page.text
    assert 'data-testid="differences">1<' in page.text
    export = await client.get("/staff/billing/reconciliation.xlsx?period=2026-11")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "7700000001" and rows[1][3] == 1500 and rows[1][4] == -1500
    assert {c.number_format for c in sheet[2][2:5]} == {"#,##0.00"}  # the three sums in roubles
    url = "/staff/billing/reconciliation?period=2026-13&house=999999"  # neither read: the newest month, every house
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        form = answer.text.split('id="reconciliation-filters"')[1].split("</form>")[0]
        assert "Нет месяца «2026-13»; показан последний месяц." in form
        assert "Такого дома нет в списке; список показан без этого условия." in form
        listed = answer.text.split('id="list"')[1]
        assert "Не применены, так как не прочитаны: Месяц; Дом." in listed and "7700000001" in listed
    assert "не прочитаны" not in page.text


async def test_the_reconciliations_sums_say_the_balances_match_when_no_account_differs(client, login, setup):
    """The tile of the portal's and the billing system's sums of the accounts that differ read «0,00 ₽ / 0,00 ₽»
    when none did, as if both sides held nothing: it says «Сальдо совпадает»; a month that differs shows its sums."""
    from datetime import date

    from portal.billing import book
    from portal.billing import demo_registry
    from portal.billing import registry_files
    from tests.billing.conftest import EVERY_HOUSE

    exported = {date(2026, 10, 1): ("7700000002", 0), date(2026, 11, 1): ("7700000001", 150000)}
    for month, (number, closing) in exported.items():
        content = demo_registry.export_text([(number, month, 0, closing)])
        await book.load(registry_files.read_balances("e.csv", content, need="closing").rows, EVERY_HOUSE, book.EXPORT)
    await login(client, setup["accountant"])
    for month in ("2026-10", "2026-11"):
        assert (await client.form("/staff/billing/reconciliation", {"period": month})).status_code == 303
    sums = {
        month: (await client.get(f"/staff/billing/reconciliation?period={month}")).text.split('data-testid="sums">')[1]
        for month in ("2026-10", "2026-11")
    }
    assert sums["2026-10"].startswith("Сальдо совпадает</p>")
    assert sums["2026-11"].replace("\u00a0", " ").startswith("0,00 ₽ / 1 500,00 ₽</p>")


def test_the_balances_message_counts_the_accounts_with_the_plural_of_the_number():
    from types import SimpleNamespace

    from portal.billing.routes_registries import _applied_message
    from portal.core.i18n import set_locale

    def said(accounts: int) -> str:
        return _applied_message("opening", SimpleNamespace(changes=1, created={"accounts": accounts, "corrections": 1}))

    try:
        set_locale("ru")
        assert said(1) == "Сальдо загружено по 1 лицевому счёту; проведено корректировок: 1."
        assert said(21) == "Сальдо загружено по 21 лицевому счёту; проведено корректировок: 1."
        assert said(5) == "Сальдо загружено по 5 лицевым счетам; проведено корректировок: 1."
        set_locale("en")
        assert said(1) == "Balances loaded for 1 account; corrections posted: 1."
        assert said(2) == "Balances loaded for 2 accounts; corrections posted: 1."
    finally:
        set_locale("ru")


async def _two_exported_months() -> None:
    from datetime import date

    from portal.billing import book
    from portal.billing import demo_registry
    from portal.billing import registry_files
    from tests.billing.conftest import EVERY_HOUSE

    for month in (date(2026, 10, 1), date(2026, 11, 1)):
        content = demo_registry.export_text([("7700000001", month, 0, 150000)])
        await book.load(registry_files.read_balances("e.csv", content, need="closing").rows, EVERY_HOUSE, book.EXPORT)


async def test_the_reconciliation_does_not_read_a_month_it_does_not_offer(client, login, setup):
    await _two_exported_months()
    await login(client, setup["accountant"])
    url = "/staff/billing/reconciliation?period=2020-01"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert "январь 2020" not in answer.text and "ноябрь 2026" in answer.text  # the newest month, selected
        form = answer.text.split('id="reconciliation-filters"')[1].split("</form>")[0]
        assert "Нет месяца «2020-01»; показан последний месяц." in form
        assert '<option value="2026-11" selected>' in form
        assert "Не применены, так как не прочитаны: Месяц." in answer.text.split('id="list"')[1]
    older = await client.get("/staff/billing/reconciliation?period=2026-10")
    assert "октябрь 2026" in older.text and "не прочитаны" not in older.text


async def test_a_filter_change_redraws_the_reconciliations_heading_check_and_export(client, login, setup):
    await _two_exported_months()
    await login(client, setup["accountant"])
    page = await client.get("/staff/billing/reconciliation")
    assert "hx-swap-oob" not in page.text  # a whole page is drawn in place
    answer = await client.get(
        "/staff/billing/reconciliation?period=2026-10&house=", headers={"HX-Request": "true", "HX-Target": "list"}
    )
    head = answer.text.split('id="reconciliation-head"')[1].split("</div>")[0]
    assert head.startswith(' hx-swap-oob="true"') and "октябрь 2026" in head
    assert 'href="/staff/billing/reconciliation.xlsx?period=2026-10' in head
    check = answer.text.split('id="reconciliation-check"')[1].split("</form>")[0]
    assert 'hx-swap-oob="true"' in check and '<input type="hidden" name="period" value="2026-10">' in check


async def test_check_now_refuses_a_month_the_page_does_not_offer_and_writes_nothing(client, login, setup):
    from datetime import date

    from portal.billing.registry_tables import BalanceDifference

    await _two_exported_months()
    stale = BalanceDifference(checked_on=date(2020, 2, 1), account=setup["first"], period=date(2020, 1, 1),
                              portal_kopecks=100, book_kopecks=0, difference_kopecks=100)  # fmt: skip
    await stale.save()  # a month's differences kept from an export no longer offered: a check would replace them
    await login(client, setup["accountant"])
    for month in ("2020-01", "2031-01", "2026-13"):
        for answer in (
            await client.form("/staff/billing/reconciliation", {"period": month}),
            await client.htmx_form("/staff/billing/reconciliation", {"period": month}, headers={"HX-Boosted": "true"}),
        ):
            assert answer.status_code == 422
            check = answer.text.split('id="reconciliation-check"')[1].split("</form>")[0]
            assert f"Месяца «{month}» нет в списке; выберите один из предложенных месяцев." in check
            assert '<input type="hidden" name="period" value="2026-11">' in check  # the month the page shows
    assert [r["period"] for r in await BalanceDifference.select(BalanceDifference.period)] == [date(2020, 1, 1)]
    ran = await client.form("/staff/billing/reconciliation", {"period": "2026-10"})
    assert ran.status_code == 303 and ran.headers["location"] == "/staff/billing/reconciliation?period=2026-10"
    newest = await client.form("/staff/billing/reconciliation", {})  # none posted: the newest month
    assert newest.headers["location"] == "/staff/billing/reconciliation?period=2026-11"


async def test_what_a_file_holds_is_chosen_from_whole_sentences_in_either_language(client, login, setup):
    """Radio buttons whose words wrap (a dropdown cut them on a phone); the English ones in English."""
    await login(client, setup["accountant"])
    page = await client.get("/staff/billing/registries")
    assert 'type="radio" name="kind" value="payments" checked' in page.text
    assert "Входящее сальдо из биллинга" in page.text
    await client.speak("en")
    form = (await client.get("/staff/billing/registries")).text.split('action="/staff/billing/registries"')[1]
    choices = form.split("</fieldset>")[0]
    assert "Opening balances from the billing system" in choices
    assert not any("а" <= letter.lower() <= "я" for letter in choices.split("<legend>")[1]), choices
