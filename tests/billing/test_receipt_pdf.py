"""The receipt PDF read back with the positions of its text (ПП № 354 п. 69, DOMAIN.md §3.2): every field of the
layout is printed, money has its kopecks (35,10 — never 35,1), nothing runs off the page and no table heading is
printed over another; on both engines, through the resident's own download."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import ledger
from portal.billing import receipts
from tests.billing import pdf_layout
from tests.billing.conftest import import_sample

NOVEMBER = date(2026, 11, 1)
PAYER = "Константинопольская-Преображенская Александра Вениаминовна"
STREET = "г. Симферополь, ул. Генерала Васильева Константина Ивановича, д. 189, корп. 2, стр. 4"
HEADINGS = ["Услуга", "Ед. изм.", "Объём", "Тариф, ₽", "Начислено, ₽", "Перерасчёт, ₽", "Итого, ₽"]
MONEY_COLUMNS = ["Тариф, ₽", "Начислено, ₽", "Перерасчёт, ₽", "Итого, ₽"]


@pytest.fixture
async def receipt_pdf(client, login, make_user, make_account, catalog):
    """The November PDF of an account with a long name and address, a recalculation and a payment."""
    place = await make_account(number="7700000001", payer=PAYER, address=STREET, premise_number="1234")
    await make_account(number="7700000002", house=place.house, area="38.10")  # the sample file's other account
    await import_sample(date(2026, 10, 1), datetime(2026, 10, 28, tzinfo=UTC))
    await import_sample(NOVEMBER, datetime(2026, 11, 28, tzinfo=UTC))
    await ledger.post_payment(place.account, D("1000.00"), "pay-nov", datetime(2026, 11, 5, 9, tzinfo=UTC))
    await receipts.issue(NOVEMBER, [place.account])
    await login(client, await make_user(accounts={place.account: "owner"}))
    response = await client.get(f"/accounts/{place.account}/receipts/2026-11/pdf")
    assert response.status_code == 200
    return pdf_layout.pages(response.content)


async def test_every_field_of_the_layout_is_printed(receipt_pdf):
    # a line may wrap anywhere, a long word included: compare without the spaces
    # (read down each column: a wrapped line goes on under its start, at the same left edge)
    boxes = sorted((b for page in receipt_pdf for b in page.boxes), key=lambda b: (b.page, round(b.x0), -b.y1))
    text = "".join(b.text.replace(" ", "") for b in boxes)
    for field in (
        "Единый платёжный документ",
        "ноябрь 2026",
        "Константинопольская-Преображенская",
        "Вениаминовна",
        "Константина Ивановича",
        "кв. 1234",
        "7700000001",
        "Исполнитель",
        "ИНН",
        "Содержание жилого помещения",
        "Взнос на капитальный ремонт",
        "Перерасчёт: Горячее водоснабжение — Перерасчёт за отсутствие ГВС 10–14 октября (−121,58 ₽)",
        "Итого к оплате до 15 декабря 2026",
        "Поступившие оплаты: 05.11.2026 1 000,00 ₽",
        "БИК 043510607",
        "40702810540000001234",
        "К оплате:",
    ):
        assert field.replace(" ", "") in text, field


async def test_money_keeps_its_kopecks_in_every_money_column(receipt_pdf):
    page = receipt_pdf[0]
    found = pdf_layout.headings(page, HEADINGS, "Содержание жилого помещения")
    cells = {title: pdf_layout.column(page, found[title], "Итого") for title in MONEY_COLUMNS}
    tariffs = [c.text for c in cells["Тариф, ₽"]]
    # 9,00 ₽ per m², 32,50 ₽ per m², 110,05 ₽ a person: the figures the issue saw printed as 9 and 32,5
    assert {"9,00", "32,50", "110,05", "243,16"} <= set(tariffs)
    assert "220,10" in [c.text for c in cells["Начислено, ₽"]]
    recalculations = [c.text for c in cells["Перерасчёт, ₽"]]
    assert "\u2212121,58" in recalculations  # a true minus (format_number writes it), never a hyphen
    assert not any(t.startswith("-") for t in recalculations), recalculations
    for title, column in cells.items():
        assert len(column) >= 7, title  # seven services (and the total under the amounts)
        for cell in column:
            assert cell.text == "—" or pdf_layout.MONEY.match(cell.text), (title, cell.text)


async def test_nothing_runs_off_the_page_and_no_heading_overlaps_another(receipt_pdf):
    for page in receipt_pdf:
        assert page.boxes
        assert pdf_layout.outside(page) == [], f"page {page.number}"
    found = pdf_layout.headings(receipt_pdf[0], HEADINGS, "Содержание жилого помещения")
    assert list(found) == HEADINGS, "a heading was printed over its neighbour"
    boxes = list(found.values())
    for i, one in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not one.overlaps(other), (one, other)
    assert [b.x0 for b in boxes] == sorted(b.x0 for b in boxes)


def test_the_layout_check_sees_a_heading_printed_over_its_neighbour():
    """The check itself: headings that touch, and a box past the right edge, are found."""
    page = pdf_layout.Page(
        1,
        595.0,
        842.0,
        [
            pdf_layout.Box(1, "Услуга", 40, 650, 70, 660),
            pdf_layout.Box(1, "Тариф, ₽Начислено, ₽", 300, 650, 410, 660),
            pdf_layout.Box(1, "Строка", 40, 630, 80, 640),
            pdf_layout.Box(1, "ООО «УК Монолит Комфорт»", 540, 780, 640, 790),
        ],
    )
    found = pdf_layout.headings(page, ["Услуга", "Тариф, ₽", "Начислено, ₽"], "Строка")
    assert list(found) == ["Услуга"]
    assert [b.text for b in pdf_layout.outside(page)] == ["ООО «УК Монолит Комфорт»"]


async def test_the_dispatch_service_s_phone_is_printed_whole_on_one_line(receipt_pdf):
    # «Аварийно-диспетчерская служба: +7 (3652)» at the end of a line and «00-00-00» on the next: a number read off
    # paper in a hurry must not be pieced together.
    lines = [b.text for page in receipt_pdf for b in page.boxes]
    assert any("+7 (3652) 00-00-00" in line for line in lines), [line for line in lines if "3652" in line]
