"""Billing pages through the app: what a resident sees of their own accounts only, the receipt and its PDF,
staff reports and exports, the import pages; on both engines."""

import csv
import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import issuing
from portal.billing import ledger
from portal.billing import qr
from portal.billing import receipts
from portal.billing.tables import Charge
from portal.billing.tables import Receipt
from portal.billing.tables import ReceiptSection
from portal.core import clock
from portal.core.tables import AuditEvent
from tests.billing.conftest import SAMPLE
from tests.billing.conftest import import_sample
from tests.billing.conftest import token_of
from tests.billing.conftest import upload_charges
from tests.tickets.test_audit_trail import CLIENT_IP

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
async def billed(make_account, catalog):
    """Two accounts of one house charged for October and November 2026, October paid, receipts issued."""
    first = await make_account(number="7700000001", payer="Иванов Иван Иванович", premise_number="12")
    second = await make_account(number="7700000002", payer='=HYPERLINK("http://evil")', house=first.house, area="38.10")
    for period in (OCTOBER, NOVEMBER):
        await import_sample(period, datetime(2026, period.month, 28, tzinfo=UTC))
    await ledger.post_payment(first.account, D("3341.23"), "pay-oct-1", datetime(2026, 11, 5, 9, tzinfo=UTC))
    for period in (OCTOBER, NOVEMBER):
        await receipts.issue(period, [first.account, second.account])
    return {"first": first.account, "second": second.account, "house": first.house, "premise": first.premise}


async def test_home_shows_each_account_balance_due_date_receipt_and_pay_button(client, login, make_user, billed):
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = await client.get("/")
    assert page.status_code == 200
    assert "К оплате 3\u00a0341,23\u00a0₽ до 15\u00a0декабря" in page.text
    assert f'href="/pay?account={billed["first"]}"' in page.text
    assert f"/accounts/{billed['first']}/receipts/2026-11" in page.text
    assert "7700000002" not in page.text


async def test_overpayment_is_shown_in_green_words_not_a_minus(client, login, make_user, billed):
    await ledger.post_payment(billed["first"], D("3461.23"), "pay-ahead", datetime(2026, 11, 20, tzinfo=UTC))
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = await client.get("/")
    assert "Переплата 120,00\u00a0₽" in page.text
    assert 'class="balance overpaid"' in page.text


async def test_a_resident_sees_only_their_own_accounts(client, login, make_user, billed):
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    other = billed["second"]
    for path in (
        f"/accounts/{other}",
        f"/accounts/{other}/receipts/2026-11",
        f"/accounts/{other}/receipts/2026-11/pdf",
    ):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.get(f"/accounts/{billed['first']}")).status_code == 200
    charge = await Charge.select(Charge.id).where(Charge.account == other).first()
    assert (await client.get(f"/accounts/{billed['first']}/charges/{charge['id']}")).status_code == 404


async def test_the_account_page_explains_every_charge(client, login, make_user, billed):
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = await client.get(f"/accounts/{billed['first']}?month=2026-11")
    assert page.status_code == 200
    assert "<svg" in page.text and "Горячее водоснабжение" in page.text
    assert "Перерасчёт за отсутствие ГВС 10–14 октября" in page.text
    hot = (
        await Charge.select(Charge.id)
        .where((Charge.account == billed["first"]) & (Charge.period == NOVEMBER) & (Charge.recalculation_kopecks != 0))
        .first()
    )
    fragment = await client.get(f"/accounts/{billed['first']}/charges/{hot['id']}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "243,16" in fragment.text and "2,1" in fragment.text
    assert "Показания счётчика" in fragment.text


async def test_the_receipt_page_has_the_figures_requisites_and_a_qr_per_payee(client, login, make_user, billed):
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = await client.get(f"/accounts/{billed['first']}/receipts/2026-11")
    assert page.status_code == 200
    assert "3\u00a0341,23\u00a0₽" in page.text
    assert "40702810540000001234" in page.text and "043510607" in page.text
    assert page.text.count('src="data:image/svg+xml') == 2
    assert (await client.get(f"/accounts/{billed['first']}/receipts/2026-13")).status_code == 404
    assert (await client.get(f"/accounts/{billed['first']}/receipts/2025-01")).status_code == 404


async def test_a_receipt_viewed_again_reuses_its_qr_symbols_and_each_account_shows_its_own(
    client, new_client, login, make_user, billed
):
    pages = {}
    for key in ("first", "second"):
        c = client if key == "first" else new_client()
        await login(c, await make_user(accounts={billed[key]: "owner"}))
        url = f"/accounts/{billed[key]}/receipts/2026-11"
        qr.svg_data_uri.cache_clear()
        first = await c.get(url)
        encoded = qr.svg_data_uri.cache_info().misses
        again = await c.get(url)
        assert encoded == 2 and qr.svg_data_uri.cache_info().misses == encoded, "the second view encodes nothing"
        assert qr.svg_data_uri.cache_info().hits >= 2
        receipt = (
            await Receipt.select(Receipt.id)
            .where((Receipt.account == billed[key]) & (Receipt.period == NOVEMBER))
            .first()
        )
        payloads = await ReceiptSection.select(ReceiptSection.qr_payload).where(ReceiptSection.receipt == receipt["id"])
        symbols = set(re.findall(r'src="(data:image/svg\+xml[^"]*)"', first.text))
        assert set(re.findall(r'src="(data:image/svg\+xml[^"]*)"', again.text)) == symbols
        assert symbols == {qr.svg_data_uri(p["qr_payload"]) for p in payloads}
        pages[key] = symbols
    assert not pages["first"] & pages["second"], "no account's QR symbol appears on another's receipt"


async def test_the_pdf_receipt_renders_cyrillic_and_its_qr_decodes_to_the_payload(client, login, make_user, billed):
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    response = await client.get(f"/accounts/{billed['first']}/receipts/2026-11/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Иванов Иван Иванович" in text
    assert "3 341,23 ₽" in text.replace("\u00a0", " ")
    payloads = {
        r["qr_payload"]
        for r in await ReceiptSection.select(ReceiptSection.qr_payload).where(ReceiptSection.qr_payload != "")
    }
    decoded = set()
    for page in reader.pages:
        for image in page.images:
            found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
            decoded.update(r.text for r in found)
    assert decoded and decoded <= payloads
    assert any(qr.parse(p)["PersAcc"] == "7700000001" for p in decoded)


async def test_the_receipt_carries_the_access_code_that_registers_the_account(client, login, make_user, billed):
    from portal.accounts.queries import access_code_matches

    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = await client.get(f"/accounts/{billed['first']}/receipts/2026-11")
    printed = page.text.split("личном кабинете: ")[1].split("<")[0].strip()
    assert await access_code_matches(billed["first"], printed)
    assert not await access_code_matches(billed["second"], printed)
    pdf = await client.get(f"/accounts/{billed['first']}/receipts/2026-11/pdf")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert printed in text


async def test_staff_debtors_filter_sort_and_export_exactly_the_filtered_rows(client, login, make_user, billed):
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    page = await client.get("/staff/billing/debtors?period=2026-11&sort=-debt")
    assert page.status_code == 200
    assert "7700000002" in page.text  # did not pay October
    assert "7700000001" not in page.text  # paid October; November is not due yet
    assert "7700000002" not in (await client.get("/staff/billing/debtors?period=2026-11&min_debt=999999")).text
    assert (await client.get("/staff/billing/debtors?period=2026-11&sort=password")).status_code == 200
    unread = await client.get("/staff/billing/debtors?period=2026-11&entrance=abc&min_debt=много&months=-2")
    assert unread.status_code == 200 and "7700000002" in unread.text  # shown without the filters it cannot read
    assert 'value="abc"' in unread.text and 'value="много"' in unread.text and 'value="-2"' in unread.text
    assert unread.text.count("список показан без этого условия") == 3
    said = "Не применены, так как не прочитаны: Подъезд; Долг от, ₽; Просрочка от, месяцев."
    htmx = await client.get(unread.request.url, headers={"HX-Request": "true", "HX-Target": "list"})
    assert said in unread.text and said in htmx.text  # also in the part a filter change redraws
    kopecks = await client.get("/staff/billing/debtors?period=2026-11&min_debt=1,005")  # not 1005, not 1 ruble
    assert "7700000002" in kopecks.text and 'value="1,005"' in kopecks.text
    assert "напишите сумму так: 1005 или 1005,50; список показан без этого условия." in kopecks.text
    exported = await client.get("/staff/billing/debtors.csv?period=2026-11")
    assert exported.content.splitlines()[1].startswith(b'"=""7700000002""";')  # text to Excel, never a number
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ['="7700000002"']
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][4] == "5182,58"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO((await client.get("/staff/billing/debtors.xlsx?period=2026-11")).content))
    cells = [[c.value for c in row] for row in book.active.iter_rows()]
    assert cells[1][1].startswith("'=")
    assert len(cells) == 2
    assert cells[1][4] == 5182.58 and book.active["E2"].number_format == "#,##0.00"  # a sum Excel can add up
    assert cells[1][0] == "7700000002" and book.active["A2"].number_format == "@"  # the account: a text cell
    assert book.active["H2"].number_format == "#,##0"  # months overdue: a count
    await client.speak("en")  # an English reader's Excel: «,» between cells, a decimal point
    english = (await client.get("/staff/billing/debtors.csv?period=2026-11")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(english)))
    assert rows[0][0] == "Account" and rows[1][0] == '="7700000002"' and rows[1][4] == "5182.58"


async def test_staff_debtors_filter_change_redraws_the_fields_messages_with_the_list(client, login, make_user, billed):
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    url = f"/staff/billing/debtors?period=2026-11&house={billed['house']}&entrance=abc&months=-2"
    page = await client.get(url)
    htmx = await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})
    form = re.search(r'<form id="debtor-filters"[^>]*>', page.text)
    assert form and 'hx-select="#list"' in form[0] and 'hx-select-oob="#debtor-filters"' in form[0]
    assert 'hx-swap="outerHTML"' in form[0]  # #list replaced by #list, not nested in it
    for answer in (page, htmx):
        assert "7700000002" in answer.text  # shown without the filters it cannot read
        fields = answer.text.split('id="debtor-filters"')[1].split("</form>")[0]
        assert "Введите номер подъезда; список показан без этого условия." in fields  # the house's entrances: a list
        assert "Введите число месяцев; список показан без этого условия." in fields
        assert 'value="-2"' in fields
        assert "Не применены, так как не прочитаны: Подъезд; Просрочка от, месяцев." in answer.text


async def test_staff_debtors_a_house_or_entrance_none_of_the_lists_is_not_applied(
    client, login, make_user, make_account, billed
):
    other = (await make_account(number="7700000099")).house  # a house of the company, not this accountant's
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    fields = {}
    for house in (other, 987654):
        for answer in (
            await client.get(f"/staff/billing/debtors?period=2026-11&house={house}"),
            await client.get(f"/staff/billing/debtors?period=2026-11&house={house}", headers={"HX-Request": "true"}),
        ):
            assert "7700000002" in answer.text  # the list is shown without the house
            form = answer.text.split('id="debtor-filters"')[1].split("</form>")[0]
            assert "Такого дома нет в списке; список показан без этого условия." in form
            assert "Не применены, так как не прочитаны: Дом." in answer.text.split('id="list"')[1]
            fields[house] = form
    assert fields[other] == fields[987654]  # a house out of reach and one that is not there read alike
    url = f"/staff/billing/debtors?period=2026-11&house={billed['house']}&entrance=7"
    answer = await client.get(url)
    assert "7700000002" in answer.text  # the house applies, the entrance it has not does not
    assert "В доме нет такого подъезда; список показан без этого условия." in answer.text
    assert "Не применены, так как не прочитаны: Подъезд." in answer.text
    exported = await client.get(f"/staff/billing/debtors.csv?period=2026-11&house={other}")
    assert "7700000002" in exported.content.decode("utf-8-sig")  # the export is of the rows shown


async def test_staff_debtors_an_entrance_without_a_house_is_not_applied(client, login, make_user, billed):
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    url = "/staff/billing/debtors?period=2026-11&entrance=2"  # the debtor lives in entrance 1: entrance 2 of no house
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert "7700000002" in answer.text  # the list is shown without the entrance
        form = answer.text.split('id="debtor-filters"')[1].split("</form>")[0]
        assert "Сначала выберите дом; список показан без этого условия." in form and 'value="2"' in form
        assert "Не применены, так как не прочитаны: Подъезд." in answer.text.split('id="list"')[1]
    exported = await client.get(f"{url.replace('debtors', 'debtors.csv')}")
    assert "7700000002" in exported.content.decode("utf-8-sig")  # the export is of the rows shown
    with_house = await client.get(f"/staff/billing/debtors?period=2026-11&house={billed['house']}&entrance=1")
    assert "7700000002" in with_house.text and "не прочитаны" not in with_house.text


async def test_staff_overview_totals_and_receivables_per_m2(client, login, make_user, billed):
    await login(client, await make_user(roles=("manager",), houses=(billed["house"],)))
    page = await client.get("/staff/billing?period=2026-11")
    assert page.status_code == 200
    # Debt 3 341.23 + 5 182.58 = 8 523.81 over 54.30 + 38.10 = 92.40 m² → 92.25 ₽/m².
    assert "8\u00a0523,81\u00a0₽" in page.text
    assert "92,25\u00a0₽" in page.text
    assert "на 92,40\u00a0м²" in page.text  # «м²» never alone on the card's next line
    # The balance's sum ends its sentence before the next one starts.
    assert "сальдо на конец 8\u00a0523,81\u00a0₽. Суммы в таблице — в рублях." in page.text
    await client.speak("en")
    assert "over 92.40\u00a0m²" in (await client.get("/staff/billing?period=2026-11")).text


async def test_staff_overview_over_months_and_houses_says_what_it_could_not_read(
    client, login, make_user, make_account, billed
):
    other = (await make_account(number="7700000099")).house  # a house of the company, not this manager's
    await login(client, await make_user(roles=("manager",), houses=(billed["house"],)))
    both = await client.get(f"/staff/billing?period=2026-10&until=2026-11&house={billed['house']}")
    assert "Начисления: октябрь 2026 – ноябрь 2026" in both.text and "не прочитаны" not in both.text
    assert "8\u00a0523,81\u00a0₽" in both.text  # the debt at the end of November
    backwards = await client.get("/staff/billing?period=2026-11&until=2026-10")
    assert "Начисления: ноябрь 2026<" in backwards.text  # the first month alone
    assert "Последний месяц раньше первого; показан только первый." in backwards.text
    foreign = await client.get(f"/staff/billing?period=2026-11&house={other}")
    assert f"Такого дома нет в списке: «{other}»; список показан без него." in foreign.text
    assert "8\u00a0523,81\u00a0₽" in foreign.text  # shown for the manager's own houses


async def test_staff_billing_pages_say_when_the_month_in_the_address_cannot_be_read(client, login, make_user, billed):
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    message = "Нет месяца «2026-13»; показан последний месяц."
    overview = await client.get("/staff/billing?period=2026-13")
    assert "Начисления: ноябрь 2026" in overview.text and "8\u00a0523,81\u00a0₽" in overview.text  # the newest month
    assert message in overview.text.split('action="/staff/billing"')[1].split("</form>")[0]
    assert "Не применены, так как не прочитаны: Месяц." in overview.text
    receipts = await client.get("/staff/billing/receipts?period=2026-13")
    assert message in receipts.text and "Не применены, так как не прочитаны: Месяц." in receipts.text
    debtors = await client.get("/staff/billing/debtors?period=2026-13")
    assert "7700000002" in debtors.text  # the newest month's debtors
    assert "Не применены, так как не прочитаны: Месяц." in debtors.text.split('id="list"')[1]
    read = await client.get("/staff/billing?period=2026-11")
    assert "не прочитаны" not in read.text and "Нет месяца" not in read.text


async def test_staff_billing_pages_do_not_read_a_month_they_do_not_offer(client, login, make_user, billed):
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    message = "Нет месяца «2020-01»; показан последний месяц."
    for path in ("/staff/billing", "/staff/billing/receipts"):
        page = await client.get(f"{path}?period=2020-01")
        assert "январь 2020" not in page.text and "ноябрь 2026" in page.text  # the newest month, selected
        assert message in page.text and "Не применены, так как не прочитаны: Месяц." in page.text
        assert '<option value="2026-11" selected>' in page.text
    debtors = await client.get("/staff/billing/debtors?period=2020-01")
    assert "Должники: ноябрь 2026" in debtors.text and "7700000002" in debtors.text
    assert "Не применены, так как не прочитаны: Месяц." in debtors.text.split('id="list"')[1]
    offered = await client.get("/staff/billing?period=2026-10")
    assert "октябрь 2026" in offered.text and "не прочитаны" not in offered.text
    running = await client.get("/staff/billing?period=2026-12")  # a month since the newest billed one: offered
    assert '<option value="2026-12" selected>' in running.text and "не прочитаны" not in running.text
    assert "Нет месяца «2027-03»" in (await client.get("/staff/billing?period=2027-03")).text


async def test_staff_see_only_their_houses(client, new_client, login, make_user, make_account, billed):
    elsewhere = (await make_account()).account
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    assert (await client.get(f"/staff/billing/accounts/{billed['first']}")).status_code == 200
    assert (await client.get(f"/staff/billing/accounts/{elsewhere}")).status_code == 404
    other = new_client()
    await login(other, await make_user(roles=("dispatcher",), houses=(billed["house"],)))
    assert (await other.get("/staff/billing")).status_code == 403


async def _november_receipt(account: int) -> dict:
    receipt = await Receipt.select().where((Receipt.account == account) & (Receipt.period == NOVEMBER)).first()
    sections = (
        await ReceiptSection.select().where(ReceiptSection.receipt == receipt["id"]).order_by(ReceiptSection.payee)
    )
    return {**receipt, "sums": [qr.parse(s["qr_payload"])["Sum"] for s in sections]}


async def test_staff_reissue_a_receipt_from_the_current_figures(client, login, make_user, billed):
    first = billed["first"]
    before = await _november_receipt(first)
    assert (before["paid_kopecks"], before["to_pay_kopecks"], before["issued_by"]) == (334123, 334123, None)
    # A payment arrives after the receipt was issued; the stored receipt does not know it yet.
    await ledger.post_payment(first, D("1000.00"), "pay-nov-late", datetime(2026, 11, 20, 9, tzinfo=UTC))
    accountant = await make_user(roles=("accountant",), houses=(billed["house"],))
    await login(client, accountant)
    response = await client.form(f"/staff/billing/accounts/{first}/reissue", {"period": "2026-11"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/billing/accounts/{first}"
    after = await _november_receipt(first)
    assert after["id"] != before["id"], "the receipt is replaced, not patched"
    assert (after["paid_kopecks"], after["to_pay_kopecks"], after["issued_by"]) == (434123, 234123, accountant)
    assert after["sums"] == ["185253", "48870"], "the QR codes ask for the new amount"
    assert await Receipt.count().where(Receipt.account == first) == 2  # October and November, nothing added
    events = await AuditEvent.select().where(AuditEvent.action == "billing.receipt.reissue").output(load_json=True)
    assert [(e["actor_id"], e["entity_id"], e["changes"], e["ip"]) for e in events] == [
        (accountant, first, {"period": "2026-11-01"}, CLIENT_IP)  # with the address the accountant acted from
    ]
    page = await client.get(f"/staff/billing/accounts/{first}")
    assert "Квитанция за ноябрь 2026 выпущена заново" in page.text, "the month in words, not the form's key"


async def test_reissue_of_a_month_without_charges_keeps_everything_and_says_why(client, login, make_user, billed):
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    response = await client.form(f"/staff/billing/accounts/{billed['first']}/reissue", {"period": "2026-12"})
    assert response.status_code == 303
    assert await Receipt.count().where(Receipt.account == billed["first"]) == 2
    assert await AuditEvent.count().where(AuditEvent.action == "billing.receipt.reissue") == 0
    page = await client.get(f"/staff/billing/accounts/{billed['first']}")
    assert "За этот месяц начислений нет" in page.text


async def test_staff_issue_the_receipts_of_a_house(client, login, make_user, billed):
    await ledger.post_payment(billed["second"], D("500.00"), "pay-nov-2", datetime(2026, 11, 21, 9, tzinfo=UTC))
    accountant = await make_user(roles=("accountant",), houses=(billed["house"],))
    await login(client, accountant)
    response = await client.form("/staff/billing/receipts", {"period": "2026-11", "house": str(billed["house"])})
    assert response.status_code == 303
    await issuing.work(clock.now())  # the job the page started
    second = await _november_receipt(billed["second"])
    assert (second["paid_kopecks"], second["issued_by"]) == (50000, accountant)
    event = (
        await AuditEvent.select().where(AuditEvent.action == "billing.receipts.issue").output(load_json=True).first()
    )
    assert (event["actor_id"], event["entity_id"], event["changes"]["issued"]) == (accountant, billed["house"], 2)
    assert event["ip"] == CLIENT_IP
    page = await client.get("/staff/billing/receipts?period=2026-11")
    assert "Выпущено квитанций за ноябрь 2026: 2" in page.text


async def _posted_twice(client, url: str, data: dict) -> list:
    """The form posted as a plain form and as HTMX posts a boosted one."""
    return [await client.form(url, data), await client.htmx_form(url, data, headers={"HX-Boosted": "true"})]


async def test_staff_issue_refuses_a_month_the_page_does_not_offer_and_writes_nothing(client, login, make_user, billed):
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    before = await Receipt.select(Receipt.id, Receipt.issued_by).order_by(Receipt.id)
    house = billed["house"]
    for month in ("2020-01", "2031-01"):  # older than the dropdown goes back, or still to come
        for answer in await _posted_twice(client, "/staff/billing/receipts", {"period": month, "house": str(house)}):
            assert answer.status_code == 422
            form = answer.text.split('action="/staff/billing/receipts"')[1].split("</form>")[0]
            assert f"Месяца «{month}» нет в списке; выберите один из предложенных месяцев." in form
            assert f'<option value="{house}" selected>' in form  # the house chosen is kept
            assert '<option value="2026-11" selected>' in form and "Выпущено квитанций: " not in answer.text
    assert await Receipt.select(Receipt.id, Receipt.issued_by).order_by(Receipt.id) == before
    assert await AuditEvent.count().where(AuditEvent.action == "billing.receipts.issue") == 0
    issued = await client.form("/staff/billing/receipts", {"period": "2026-11", "house": str(house)})
    assert issued.status_code == 303 and issued.headers["location"] == "/staff/billing/receipts?period=2026-11"
    await issuing.work(clock.now())
    assert await AuditEvent.count().where(AuditEvent.action == "billing.receipts.issue") == 1
    running = await client.form("/staff/billing/receipts", {"period": "2026-12"})  # offered since the newest billed
    assert running.status_code == 303


async def test_staff_reissue_refuses_a_month_the_reports_do_not_offer_and_writes_nothing(
    client, login, make_user, billed
):
    first = billed["first"]
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    before = await Receipt.select(Receipt.id).where(Receipt.account == first).order_by(Receipt.id)
    for month in ("2020-01", "2031-01"):
        for answer in await _posted_twice(client, f"/staff/billing/accounts/{first}/reissue", {"period": month}):
            assert answer.status_code == 422
            months = answer.text.split('id="months-h"')[1].split("</section>")[0]
            assert f"Месяца «{month}» нет в списке; выберите один из предложенных месяцев." in months
            assert "7700000001" in answer.text  # the account's card, as it was
    assert await Receipt.select(Receipt.id).where(Receipt.account == first).order_by(Receipt.id) == before
    assert await AuditEvent.count().where(AuditEvent.action == "billing.receipt.reissue") == 0
    again = await client.form(f"/staff/billing/accounts/{first}/reissue", {"period": "2026-10"})
    assert again.status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "billing.receipt.reissue") == 1


async def test_staff_import_preview_then_apply_then_reapply(client, login, make_user, make_account, catalog):
    place = await make_account(number="7700000001")
    await make_account(number="7700000002", house=place.house)
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    content = SAMPLE.read_bytes()
    preview = await upload_charges(client, content)
    assert preview.status_code == 200
    assert "5\u00a0932,52\u00a0₽" in preview.text
    assert await Charge.count() == 0
    applied = await client.form("/staff/billing/import/apply", {"token": token_of(preview)})
    assert applied.status_code == 303
    assert await Charge.count() == 12
    imported = await AuditEvent.select(AuditEvent.ip).where(AuditEvent.action == "billing.charges.import")
    assert imported == [{"ip": CLIENT_IP}]
    again = await upload_charges(client, content)
    await client.form("/staff/billing/import/apply", {"token": token_of(again)})
    assert await Charge.count() == 12


async def test_the_import_says_how_many_accounts_with_the_plural_of_the_number(
    client, login, make_user, make_account, catalog
):
    place = await make_account(number="7700000001")
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    one = "\n".join([lines[0], *(line for line in lines[1:] if line.startswith("7700000001;"))]).encode()
    preview = await upload_charges(client, one)
    await client.form("/staff/billing/import/apply", {"token": token_of(preview)})
    page = (await client.get("/staff/billing/import")).text
    assert "Загружено начислений: 7 по 1 лицевому счёту." in page
    await client.speak("en")
    again = await upload_charges(client, one, period="2026-10")
    await client.form("/staff/billing/import/apply", {"token": token_of(again)})
    assert "Charges imported: 7, for 1 account." in (await client.get("/staff/billing/import")).text


async def test_staff_import_of_a_bad_file_lists_lines_and_writes_nothing(client, login, make_user, catalog):
    await login(client, await make_user(roles=("accountant",)))
    bad = b"account;service;volume;tariff;amount\n1;maintenance;x;1;1\n"
    response = await upload_charges(client, bad, name="b.csv")
    assert response.status_code == 422
    assert "Строка 2" in response.text
    assert 'name="token"' not in response.text
    assert await Charge.count() == 0
    # The form below the problems keeps the month the file was for (2026-09), not this month's default.
    assert re.search(r'<input id="f-period" name="period" type="text" value="2026-09"', response.text)
    # The browser has emptied the file field: the field says so, on the page and in what its progress redraws.
    note = "Отклонённый файл не сохраняется: выберите файл снова."
    assert note in response.text.split('id="e-file"')[1].split("</p>")[0]
    polled = await client.get(str(response.url), headers={"HX-Request": "true"})
    assert note in polled.text.split('id="e-file"')[1].split("</p>")[0] and "<html" not in polled.text


async def test_a_checked_file_is_only_its_uploaders(client, new_client, login, make_user, make_account, catalog):
    place = await make_account(number="7700000001")
    await make_account(number="7700000002", house=place.house)
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    preview = await upload_charges(client, SAMPLE.read_bytes())
    token = token_of(preview)
    other = new_client()
    await login(other, await make_user(roles=("accountant",), houses=(place.house,)))
    assert (await other.get(f"/staff/billing/import/{token}")).status_code == 404
    await other.form("/staff/billing/import/apply", {"token": token})
    assert await Charge.count() == 0
    for forged in ("../../etc/passwd", "0" * 32, token.upper()):
        assert (await client.get(f"/staff/billing/import/{forged}")).status_code == 404


async def test_home_says_how_much_of_the_debt_is_overdue(client, login, make_user, billed):
    await login(client, await make_user(accounts={billed["second"]: "owner"}))
    page = await client.get("/")
    # October (2 591.29) was not paid; November's 2 591.29 is not due yet.
    assert "К оплате 5\u00a0182,58\u00a0₽ до 15\u00a0декабря" in page.text
    assert "Из них просрочено: 2\u00a0591,29\u00a0₽" in page.text


def _today(monkeypatch, day):
    """The company's date as the pages read it (``clock.today_local``)."""
    from portal.core import clock

    monkeypatch.setattr(clock, "today_local", lambda: day)


@pytest.mark.parametrize(("today", "overdue"), [(date(2026, 12, 15), False), (date(2026, 12, 16), True)])
async def test_a_month_is_overdue_on_the_home_page_from_the_day_after_its_last_payment_day(
    client, login, make_user, billed, monkeypatch, today, overdue
):
    # The first account paid October; November's 3 341.23 is due 15.12.2026 (a Tuesday): paying on it is on time.
    _today(monkeypatch, today)
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = await client.get("/")
    assert "К оплате 3\u00a0341,23\u00a0₽ до 15\u00a0декабря" in page.text
    assert ("Из них просрочено: 3\u00a0341,23\u00a0₽" in page.text) is overdue
    assert ("Из них просрочено" in page.text) is overdue


async def test_home_says_nothing_is_overdue_while_two_billed_months_are_not_yet_due(
    client, login, make_user, billed, monkeypatch
):
    # On 1 November October's charges (due 16.11) are not yet due, nor are November's, posted in advance.
    _today(monkeypatch, date(2026, 11, 1))
    await login(client, await make_user(accounts={billed["second"]: "owner"}))
    page = await client.get("/")
    assert "К оплате 5\u00a0182,58\u00a0₽" in page.text
    assert "Из них просрочено" not in page.text


@pytest.mark.parametrize(
    ("today", "overdue", "house_overdue"),
    [(date(2026, 12, 2), "2\u00a0491,29", "2\u00a0491,29"), (date(2026, 12, 16), "5\u00a0082,58", "8\u00a0423,81")],
)
async def test_the_running_months_debtors_owe_beyond_the_charges_not_yet_due_today(
    client, login, make_user, billed, monkeypatch, today, overdue, house_overdue
):
    # The second account paid 100.00 of its October debt on 1 December: December's snapshot has no charges, and on
    # 2 December only November's (due 15.12) are not yet due; from 16 December none is. The first account, nothing
    # posted in December, owes November's 3 341.23, overdue from 16 December too: the house's total counts both.
    await ledger.post_payment(billed["second"], D("100.00"), "pay-dec-1", datetime(2026, 12, 1, 9, tzinfo=UTC))
    _today(monkeypatch, today)
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    page = await client.get("/staff/billing/debtors?period=2026-12")
    assert "7700000002" in page.text
    assert f"{overdue}\u00a0₽" in page.text
    overview = await client.get("/staff/billing?period=2026-12")
    assert f'data-label="Просрочено">{house_overdue}<' in overview.text  # the table's sums in rubles, said once


async def test_reports_and_the_account_page_open_on_the_newest_billed_month(client, login, make_user, billed):
    # A payment on 1 December makes a December snapshot without charges: the pages still open on November.
    await ledger.post_payment(billed["second"], D("100.00"), "pay-dec-1", datetime(2026, 12, 1, 9, tzinfo=UTC))
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    debtors = await client.get("/staff/billing/debtors")
    assert "5\u00a0182,58\u00a0₽" in debtors.text and "5\u00a0082,58\u00a0₽" not in debtors.text
    await login(client, await make_user(accounts={billed["second"]: "owner"}))
    page = await client.get(f"/accounts/{billed['second']}")
    assert "Горячее водоснабжение" in page.text


async def test_imported_russian_billing_text_is_marked_russian_on_english_pages_only(client, login, make_user, billed):
    """A service's name and the import's notes stay Russian on English pages: marked so a screen reader reads them
    with a Russian voice (the account page, a charge's own page, the receipt); the Russian page needs no mark."""
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    account, receipt = f"/accounts/{billed['first']}?month=2026-11", f"/accounts/{billed['first']}/receipts/2026-11"
    hot = (
        await Charge.select(Charge.id)
        .where((Charge.account == billed["first"]) & (Charge.period == NOVEMBER) & (Charge.recalculation_kopecks != 0))
        .first()
    )
    charge = f"/accounts/{billed['first']}/charges/{hot['id']}"
    russian = {path: (await client.get(path)).text for path in (account, receipt, charge)}
    await client.speak("en")
    english = {path: (await client.get(path)).text for path in (account, receipt, charge)}
    marked_name = '<span class="billing-line-name"><span lang="ru">Горячее водоснабжение</span></span>'
    assert marked_name in english[account]
    assert '<span lang="ru">Показания счётчика 00123 → 00127,2</span>' in english[account]
    assert '<span lang="ru">Перерасчёт за отсутствие ГВС 10–14 октября</span>' in english[account]
    assert '<td class="primary"><span lang="ru">Горячее водоснабжение</span></td>' in english[receipt]
    assert '<span lang="ru">Перерасчёт за отсутствие ГВС 10–14 октября</span>' in english[receipt]
    assert '<h1><span lang="ru">Горячее водоснабжение</span>,' in english[charge]
    assert '<span class="billing-line-name">Горячее водоснабжение</span>' in russian[account]
    for page in russian.values():
        assert 'lang="ru">' not in page.split("<main", 1)[1]


async def test_staff_debtors_months_overdue_read_the_same_on_the_page_and_in_the_files(
    client, login, make_user, billed, monkeypatch
):
    """Less than one month's charges overdue is 0 months: a number, on the page as in the files (the page showed «—»
    beside the files' 0). A month without charges has nothing to count months by: «—» on the page, an empty cell
    in the files, not 0."""
    # The second account paid 2,000.00 of October's 2,591.29 on 20 November: 591.29 overdue at November's end.
    await ledger.post_payment(billed["second"], D("2000.00"), "pay-nov-20", datetime(2026, 11, 20, 9, tzinfo=UTC))
    _today(monkeypatch, date(2026, 12, 2))
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))

    async def shown(period: str) -> tuple[str, str, object]:
        page = (await client.get(f"/staff/billing/debtors?period={period}")).text
        row = page.split(">7700000002</a>")[1].split("</tr>")[0]
        cell = re.search(r'data-label="Месяцев просрочки">(.*?)</td>', row, re.S)
        csv_rows = list(
            csv.reader(
                io.StringIO(
                    (await client.get(f"/staff/billing/debtors.csv?period={period}")).content.decode("utf-8-sig")
                ),
                delimiter=";",
            )
        )
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO((await client.get(f"/staff/billing/debtors.xlsx?period={period}")).content))
        return cell.group(1).strip() if cell else "", csv_rows[1][7], book.active["H2"].value

    assert await shown("2026-11") == ("0\u00a0месяцев", "0", 0)
    # A payment on 1 December makes a December snapshot without charges.
    await ledger.post_payment(billed["second"], D("100.00"), "pay-dec-1", datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert await shown("2026-12") == ("—", "", None)


async def test_imported_russian_text_is_marked_russian_on_english_staff_billing_pages(client, login, make_user, billed):
    """Staff billing pages read in English keep the imported Russian words (a service's name, a ledger note, a payer's
    name, a house's address) marked ``lang="ru"`` as the resident's pages do (own_html); in Russian nothing
    is marked."""
    # Words the portal did not write (its own notes are said in English: test_ledger_notes.py).
    note = "Оплата по квитанции за ноябрь"
    await ledger.post_payment(billed["first"], D("10.00"), "registry-42", datetime(2026, 11, 20, tzinfo=UTC), note)
    await login(client, await make_user(roles=("accountant",), houses=(billed["house"],)))
    account = f"/staff/billing/accounts/{billed['first']}"
    pages = (account, "/staff/billing/debtors?period=2026-11", "/staff/billing/receipts?period=2026-11")
    russian = {path: (await client.get(path)).text for path in pages}
    await client.speak("en")
    english = {path: (await client.get(path)).text for path in pages}
    preview = (await upload_charges(client, SAMPLE.read_bytes(), "2026-12")).text
    assert '<td class="primary"><span lang="ru">Горячее водоснабжение</span></td>' in preview
    assert '<span lang="ru">Иванов Иван Иванович</span> ·' in english[account]
    assert f'<td data-label="Note"><span lang="ru">{note}</span></td>' in english[account]
    assert re.search(r'<td data-label="Payer"><span lang="ru">[^<]+</span></td>', english[pages[1]])
    assert re.search(r'<td class="primary"><span lang="ru">[^<]+</span></td>', english[pages[2]])
    for page in russian.values():
        assert 'lang="ru">' not in page.split("<main", 1)[1]


@pytest.mark.parametrize(("today", "month"), [(date(2026, 11, 30), "2026-10"), (date(2026, 12, 1), "2026-11")])
async def test_the_import_page_offers_the_last_finished_month(client, login, make_user, monkeypatch, today, month):
    """A charges file is for the month just over, not the one running (``rules.import_month``); the hint shows the
    form of a month in words each reader reads."""
    _today(monkeypatch, today)
    await login(client, await make_user(roles=("accountant",)))
    page = await client.get("/staff/billing/import")
    assert f'name="period" type="text" value="{month}"' in page.text
    assert "Год и месяц, например 2026-11" in page.text
    await client.speak("en")
    english = await client.get("/staff/billing/import")
    assert f'name="period" type="text" value="{month}"' in english.text
    assert "Year and month, for example 2026-11" in english.text
    assert "As 2026-11" not in english.text


def _link_names(page: str, href: str) -> dict[str, str]:
    """Each link whose address matches ``href`` (a pattern): its address and the words a screen reader names it by."""
    main = page.split("<main", 1)[1]
    links = re.findall(rf'<a [^>]*href="({href})"[^>]*>(.*?)</a>', main, re.S)
    return {url: " ".join(re.sub(r"<[^>]+>", "", words).split()) for url, words in links}


@pytest.mark.parametrize(
    ("lang", "receipt", "charges", "account"),
    [
        ("ru", "Квитанция за ноябрь 2026", "Начисления и оплаты", "Лицевой счёт"),
        ("en", "Receipt for November 2026", "Charges and payments", "Personal account"),
    ],
)
async def test_each_accounts_links_on_the_home_page_name_their_account(
    client, login, make_user, billed, lang, receipt, charges, account
):
    """Two accounts on the home page: the receipt, the charges and the pay links of each say which account they are
    of (visually hidden words), so a screen reader's list of links does not hold the same words twice."""
    first, second = billed["first"], billed["second"]
    await login(client, await make_user(accounts={first: "owner", second: "owner"}))
    await client.speak(lang)
    page = (await client.get("/")).text
    for id_, number in ((first, "7700000001"), (second, "7700000002")):
        names = _link_names(page, rf"/accounts/{id_}/receipts/2026-11|/accounts/{id_}|/pay\?account={id_}")
        assert names[f"/accounts/{id_}/receipts/2026-11"] == f"{receipt}: {account} {number}", names
        assert names[f"/accounts/{id_}"] == f"{charges}: {account} {number}", names
        assert names[f"/pay?account={id_}"].endswith(f": {account} {number}"), names


async def test_the_account_pages_repeated_links_say_which_receipt_or_charge_they_open(client, login, make_user, billed):
    """On an account's page each receipt's «PDF» names its month, and each charge's «Открыть отдельной страницей»
    its service."""
    await login(client, await make_user(accounts={billed["first"]: "owner"}))
    page = (await client.get(f"/accounts/{billed['first']}?month=2026-11")).text
    pdfs = _link_names(page, r"/accounts/\d+/receipts/[\d-]+/pdf")
    assert sorted(pdfs.values()) == ["PDF: Квитанция за ноябрь 2026", "PDF: Квитанция за октябрь 2026"], pdfs
    charges = list(_link_names(page, r"/accounts/\d+/charges/\d+").values())
    assert len(charges) > 1 and len(set(charges)) == len(charges), charges


async def test_charges_by_month_count_no_refund_as_a_charge(client, login, make_user, billed):
    """«Начисления по месяцам» added a month's refunds and corrections to its charges: a December with nothing charged
    and 1 000 ₽ returned to the payer stood in the chart as a December of 1 000 ₽ charged, beside «За этот месяц
    начислений нет». The chart and its table count what was charged."""
    account = billed["first"]
    await ledger.post_refund(account, D("1000.00"), "refund-dec", datetime(2026, 12, 3, 9, tzinfo=UTC), reason="Ошибка")
    await login(client, await make_user(accounts={account: "owner"}))
    page = (await client.get(f"/accounts/{account}")).text
    table = page.split('class="billing-table-toggle"')[1].split("</details>")[0]
    rows = re.findall(r'\?month=(\d{4}-\d\d)">[^<]*</a></td><td class="num">([^<]*)</td>', table)
    assert dict(rows)["2026-12"] == "0,00\u00a0₽", rows
    assert dict(rows)["2026-11"] != "0,00\u00a0₽"
