"""The ЕПД carries everything of ПП № 354 п. 69 (DOMAIN.md §3.2): volumes for common needs, the increasing
coefficient, benefits and subsidies from the charges import's optional columns, recalculations with their reasons,
the executor's address, phones, e-mail and site and the dispatch service's numbers — on the receipt page and in
its PDF, on both engines."""

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import actions
from portal.billing import importer
from portal.billing import receipts
from portal.billing.importer import Problem
from tests.billing import pdf_layout
from tests.billing.conftest import EVERY_HOUSE
from tests.billing.conftest import checked
from tests.meanwhile import answered
from tests.meanwhile import held

NOVEMBER = date(2026, 11, 1)
# The sample's first account with the optional columns: cold water without a meter where one could be installed
# (ПП № 354 п. 42: norm × 1.5, so 39.43 of the 118.28 charged is the coefficient's part), a 50 % benefit on
# maintenance (1 764.75 by the tariff, 882.38 deducted), and the common-needs volume of electricity.
P69 = (
    "лицевой счёт;услуга;объём;тариф;сумма;перерасчёт;причина;основание;пояснение;объём одн;"
    "повышающий коэффициент;сумма повышающего коэффициента;льготы\n"
    "7700000001;maintenance;54,30;32,50;882,37;0;;norm;Площадь 54,30 м²;;;;882,38\n"
    "7700000001;cold_water;1,581;49,87;118,28;0;;norm;Норматив без прибора учёта;0,120;1,5;39,43;\n"
    "7700000001;hot_water;2,100;243,16;510,64;-121,58;Перерасчёт за отсутствие ГВС 10–14 октября;metered;;;;;\n"
    "7700000001;electricity_common;3,45;6,42;22,15;0;;norm;Норматив на ОДН;3,450;;;\n"
).encode()


async def _import(content: bytes) -> importer.ParsedFile:
    parsed = await checked(content, NOVEMBER)
    assert parsed.problems == [], [p.message() for p in parsed.problems]
    await actions.import_charges(EVERY_HOUSE, parsed, NOVEMBER, occurred_at=datetime(2026, 11, 28, tzinfo=UTC))
    return parsed


def test_the_optional_columns_are_read_and_explain_the_amount():
    parsed = importer.read_file(P69, "p69.csv")
    assert parsed.problems == []
    maintenance, cold, _hot, electricity = parsed.rows
    assert (maintenance.benefit, maintenance.by_tariff) == (D("882.38"), D("1764.75"))
    assert (cold.coefficient, cold.coefficient_amount, cold.by_tariff) == (D("1.5"), D("39.43"), D("78.85"))
    assert electricity.volume_common == D("3.450")
    assert parsed.total == D("882.37") + D("118.28") + D("510.64") - D("121.58") + D("22.15")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("7700000001;cold_water;1;49,87;10,00;0;;norm;;;1,5;39,43;", Problem.PARTS_EXCEED),
        ("7700000001;cold_water;1;49,87;118,28;0;;norm;;;;39,43;", Problem.NO_COEFFICIENT),
        ("7700000001;cold_water;1;49,87;118,28;0;;norm;;;;;-5", Problem.NEGATIVE),
        ("7700000001;cold_water;1;49,87;118,28;0;;norm;;один;;;", Problem.BAD_NUMBER),
    ],
    ids=[
        "the coefficient's part beyond the amount",
        "a part without its coefficient",
        "a negative benefit",
        "a common-needs volume that is not a number",
    ],
)
def test_optional_columns_that_do_not_add_up_are_refused(line, problem):
    header = P69.decode().splitlines()[0]
    parsed = importer.read_file(f"{header}\n{line}\n".encode(), "p69.csv")
    assert [p.code for p in parsed.problems] == [problem]


@pytest.fixture
async def p69(make_account, catalog):
    place = await make_account(number="7700000001")
    await _import(P69)
    await receipts.issue(NOVEMBER, [place.account])
    return place


async def test_the_receipt_page_carries_every_part_of_p69(client, login, make_user, p69):
    await login(client, await make_user(accounts={p69.account: "owner"}))
    page = await client.get(f"/accounts/{p69.account}/receipts/2026-11")
    assert page.status_code == 200
    text = page.text.replace("\u00a0", " ")
    for part in (
        "Объём на ОДН",
        "3,45",  # the common-needs volume of electricity
        "Повышающий коэффициент",
        "× 1,5",
        "39,43 ₽",
        "Льготы, субсидии",
        "882,38 ₽",
        "1 764,75 ₽",  # maintenance by the tariff, before the benefit
        "Перерасчёт за отсутствие ГВС 10–14 октября",
        "295000, Республика Крым, г. Симферополь, ул. Пушкина, д. 1",
        "+7 (3652) 00-00-01",
        "info@monolit-comfort.example",
        "monolit-comfort.example",
        "Аварийно-диспетчерская служба",
        "+7 (3652) 00-00-00",
    ):
        assert part in text, part
    # A number on a phone's screen is one tap from the call: the company's and the dispatch service's alike.
    assert '<a class="billing-phones" href="tel:+73652000001">+7 (3652) 00-00-01</a>' in text
    assert '<a class="billing-phones" href="tel:+73652000000">+7 (3652) 00-00-00</a>' in text


async def test_the_pdf_carries_every_part_of_p69_and_keeps_its_layout(client, login, make_user, p69):
    await login(client, await make_user(accounts={p69.account: "owner"}))
    response = await client.get(f"/accounts/{p69.account}/receipts/2026-11/pdf")
    assert response.status_code == 200
    pages = pdf_layout.pages(response.content)
    boxes = sorted((b for page in pages for b in page.boxes), key=lambda b: (b.page, round(b.x0), -b.y1))
    text = "".join(b.text.replace(" ", "") for b in boxes)
    for part in (
        "Повышающийкоэффициент:Холодноеводоснабжение—×1,5(39,43₽)",
        "Перерасчёт:Горячееводоснабжение—ПерерасчётзаотсутствиеГВС10–14октября(−121,58₽)",
        "295000,РеспубликаКрым",
        "Телефон:+7(3652)00-00-01",
        "info@monolit-comfort.example",
        "Сайт:monolit-comfort.example",
        "Аварийно-диспетчерскаяслужба:+7(3652)00-00-00",
    ):
        assert part in text, part
    headings = [
        "Услуга",
        "Ед. изм.",
        "Объём",
        "Объём на ОДН",
        "Тариф, ₽",
        "Начислено, ₽",
        "Повыш. коэф., ₽",
        "Перерасчёт, ₽",
        "Льготы, субсидии, ₽",
        "Итого, ₽",
    ]
    page = pages[0]
    assert pdf_layout.outside(page) == []
    found = pdf_layout.headings(page, headings, "Содержание жилого помещения")
    assert list(found) == headings
    boxes = list(found.values())
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    cells = {t: [c.text for c in pdf_layout.column(page, found[t], "Итого")] for t in headings}
    assert "1 764,75" in cells["Начислено, ₽"] and "39,43" in cells["Повыш. коэф., ₽"]
    assert "−882,38" in cells["Льготы, субсидии, ₽"] and "3,45" in cells["Объём на ОДН"]
    for title in ("Тариф, ₽", "Начислено, ₽", "Повыш. коэф., ₽", "Перерасчёт, ₽", "Льготы, субсидии, ₽", "Итого, ₽"):
        assert all(c == "—" or pdf_layout.MONEY.match(c) for c in cells[title]), (title, cells[title])


async def test_the_receipt_page_in_english_gives_the_area_in_square_metres(client, login, make_user, p69):
    await login(client, await make_user(accounts={p69.account: "owner"}))
    await client.speak("en")
    page = await client.get(f"/accounts/{p69.account}/receipts/2026-11")
    assert page.status_code == 200
    area = re.search(r"<dt>Area</dt><dd>(.*?)</dd>", page.text)
    # to the hundredth, as measured, and «m²» never alone on the next line of a phone
    assert area and re.fullmatch(r"[\d,]+\.\d\d\u00a0m²", area.group(1)), area


async def test_the_receipt_and_the_account_in_english_mark_the_russian_address_russian(client, login, make_user, p69):
    """The stored address and the payer's name, Russian data, read as English by a screen reader on English pages:
    they are marked ``lang="ru"``, the premise's words of the page («flat 1») are not; Russian pages stay unmarked."""
    await login(client, await make_user(accounts={p69.account: "owner"}))
    await client.speak("en")
    receipt = (await client.get(f"/accounts/{p69.account}/receipts/2026-11")).text
    stored = re.search(r"<dt>Address</dt><dd>(.*?)</dd>", receipt).group(1)
    assert re.fullmatch(r'<span lang="ru">[^<]*[А-Яа-я][^<]*</span>', stored), stored
    payer = re.search(r"<dt>Payer</dt><dd>(.*?)</dd>", receipt).group(1)  # Russian data too
    assert re.fullmatch(r'<span lang="ru">[^<]*[А-Яа-я][^<]*</span>', payer), payer
    # So are each section's payee, bank and payment purpose, as the QR code and the bank print them.
    sections = re.findall(r'<article class="billing-section">.*?</article>', receipt, re.S)
    assert sections
    for section in sections:
        for said in (
            re.search(r"<h3>(.*?)</h3>", section),
            *re.finditer(r"<dt>(?:Bank|Purpose)</dt><dd>(.*?)</dd>", section),
        ):
            assert said and re.fullmatch(r'<span lang="ru">[^<]*[А-Яа-я][^<]*</span>', said.group(1)), said
    breadcrumb = re.search(r'<nav class="breadcrumbs"[^>]*><a [^>]*>(.*?)</a>', receipt).group(1)
    assert re.fullmatch(r'<span lang="ru">[^<]+</span>, flat \S+', breadcrumb), breadcrumb
    account = (await client.get(f"/accounts/{p69.account}")).text
    assert re.search(r'<h1><span lang="ru">[^<]+</span>, flat \S+</h1>', account)
    await client.speak("ru")
    receipt = (await client.get(f"/accounts/{p69.account}/receipts/2026-11")).text
    assert 'lang="ru">' not in re.search(r"<dt>Адрес</dt><dd>(.*?)</dd>", receipt).group(1)


async def test_the_receipt_pdf_gives_the_area_in_the_readers_language(client, login, make_user, p69):
    """The PDF's heading wrote «Area 54.3 м²» in English (the unit typed in Russian into the code), while its page
    says «54.30 m²»: the unit and the hundredths follow the page in both languages."""
    await login(client, await make_user(accounts={p69.account: "owner"}))
    for lang, area in (("en", "54.30 m²"), ("ru", "54,30 м²")):
        await client.speak(lang)
        pdf = pdf_layout.pages((await client.get(f"/accounts/{p69.account}/receipts/2026-11/pdf")).content)
        texts = [b.text.strip().replace("\u00a0", " ") for b in pdf[0].boxes]
        assert area in texts, (lang, texts[:12])


async def test_the_receipt_and_the_account_in_english_give_the_units_in_english(client, login, make_user, p69):
    await login(client, await make_user(accounts={p69.account: "owner"}))
    await client.speak("en")
    receipt = (await client.get(f"/accounts/{p69.account}/receipts/2026-11")).text.replace("\u00a0", " ")
    volumes = re.findall(r'data-label="Volume">([^<]*)</td>', receipt)
    assert volumes == ["54.3 m²", "1.581 m³", "2.1 m³", "3.45 kWh"], volumes
    # The tariff is a price of a unit: said with it, not a bare sum beside «Charged».
    tariffs = re.findall(r'data-label="Tariff">([^<]*)</td>', receipt)
    assert [t.rsplit(" per ", 1)[-1] for t in tariffs] == ["m²", "m³", "m³", "kWh"], tariffs
    assert "₽49.87 per m³" in tariffs
    account = (await client.get(f"/accounts/{p69.account}?month=2026-11")).text.replace("\u00a0", " ")
    assert "₽49.87 per m³ × 1.581 m³ = ₽118.28" in account
    assert "₽6.42 per kWh × 3.45 kWh = ₽22.15" in account
    assert not re.search(r"per (м|кВт)", account)
    pdf = pdf_layout.pages((await client.get(f"/accounts/{p69.account}/receipts/2026-11/pdf")).content)
    units = {b.text.strip() for page in pdf for b in page.boxes}
    assert {"m²", "m³", "kWh"} <= units and not {"м²", "м³", "кВт·ч"} & units, units
    await client.speak("ru")
    receipt = (await client.get(f"/accounts/{p69.account}/receipts/2026-11")).text.replace("\u00a0", " ")
    assert re.findall(r'data-label="Объём">([^<]*)</td>', receipt) == ["54,3 м²", "1,581 м³", "2,1 м³", "3,45 кВт·ч"]
    tariffs = re.findall(r'data-label="Тариф">([^<]*)</td>', receipt)
    assert [t.rsplit(" за ", 1)[-1] for t in tariffs] == ["м²", "м³", "м³", "кВт·ч"], tariffs


async def test_the_receipt_gives_the_annual_rate_of_a_penalty_as_a_number_of_the_readers_language(
    client, login, make_user, p69
):
    from portal.billing.tables import PenaltyAccrual

    line = {"first": "2026-10-11", "last": "2026-11-30", "days": 51, "base": "1000.00", "rate": "9.5", "divisor": 300}
    await PenaltyAccrual.insert(
        PenaltyAccrual(
            account=p69.account,
            period=NOVEMBER,
            debt_period=date(2026, 9, 1),
            due_date=date(2026, 10, 10),
            amount_kopecks=1615,
            lines=[{**line, "amount": "16.15"}],
        )
    )
    await login(client, await make_user(accounts={p69.account: "owner"}))
    page = await client.get(f"/accounts/{p69.account}/receipts/2026-11")
    assert re.findall(r'data-label="Ставка, % годовых">([^<]*)</td>', page.text) == ["9,5\u00a0%"]
    await client.speak("en")
    page = await client.get(f"/accounts/{p69.account}/receipts/2026-11")
    assert re.findall(r'data-label="Annual rate">([^<]*)</td>', page.text) == ["9.5%"]


async def test_writing_a_receipt_pdf_holds_up_no_other_request(client, login, make_user, p69, monkeypatch):
    """A document takes a second or two of CPU to write (a meeting's protocol, a receipt); written on the event loop,
    it held every other request of the process — anybody's page, even ``/healthz`` — until it was done. It is written
    on a worker thread: another request is answered meanwhile."""
    from portal.billing import pdf

    writing = held(monkeypatch, pdf, "receipt_pdf")  # the CPU a long document takes
    await login(client, await make_user(accounts={p69.account: "owner"}))
    receipt, held_the_loop = await answered(
        client, client.get(f"/accounts/{p69.account}/receipts/2026-11/pdf"), writing
    )
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    assert held_the_loop == [], "/healthz waited for the receipt"


async def test_a_receipt_paid_since_offers_no_payment_and_one_unpaid_asks_for_what_is_due_now(
    client, login, make_user, p69
):
    """Every receipt ever issued offered «Оплатить» its own sum, also one paid since: the button asked for
    1 411,86 ₽ and opened a sheet that asked for something else, or for nothing. It asks for what is due now, as
    the sheet does; a receipt with nothing due now says it is paid."""
    from portal.billing import ledger
    from portal.billing.tables import EntryKind

    await login(client, await make_user(accounts={p69.account: "owner"}))
    page = (await client.get(f"/accounts/{p69.account}/receipts/2026-11")).text.replace("\u00a0", " ")
    assert "Оплатить 1 411,86 ₽" in page and "Квитанция оплачена" not in page
    paid = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    await ledger.post_entry(p69.account, EntryKind.PAYMENT, -100000, paid, reference="test:part")
    page = (await client.get(f"/accounts/{p69.account}/receipts/2026-11")).text.replace("\u00a0", " ")
    assert "Оплатить 411,86 ₽" in page
    await ledger.post_entry(p69.account, EntryKind.PAYMENT, -41186, paid, reference="test:rest")
    page = (await client.get(f"/accounts/{p69.account}/receipts/2026-11")).text.replace("\u00a0", " ")
    assert "/pay?account=" not in page
    assert "Квитанция оплачена: сейчас по лицевому счёту платить ничего не нужно." in page
