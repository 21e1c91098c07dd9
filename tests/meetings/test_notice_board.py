"""The notice of a meeting for the house's boards (ЖК ст. 45 ч. 4–5, DOMAIN.md §1.2): a sheet per entrance while the
meeting is announced or voting, saying the initiator, the form, the dates, where decisions are received, the agenda
and where the materials are, with a QR code to the meeting; staff of another house get 404."""

from __future__ import annotations

import io

from pypdf import PdfReader

from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.meetings import rules
from portal.settings import get_settings


def test_the_notice_is_printed_for_every_entrance_in_order() -> None:
    assert rules.notice_pages([3, 1, 2, 1]) == [1, 2, 3]
    assert rules.notice_pages([]) == [None]  # a house with no entrance on record: one sheet
    assert {rules.Stage.ANNOUNCED, rules.Stage.VOTING} == rules.NOTICE_PRINTED


async def test_a_sheet_per_entrance_says_what_article_45_asks(
    db, client, login, make_user, example_house, make_meeting
):
    import zxingcpp
    from PIL import Image

    house = await example_house()
    await Entrance(house=house.house, number=2, floors=9).save()
    meeting_id = await make_meeting(house.house)
    manager = await make_user(name="Мария Менеджер", roles=("manager",), houses=(house.house,))
    await login(client, manager)
    page = await client.get(f"/staff/meetings/{meeting_id}")
    assert f'href="/staff/meetings/{meeting_id}/notice"' in page.text and "Сообщение для инфодоски" in page.text
    answer = await client.get(f"/staff/meetings/{meeting_id}/notice")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    address = (await House.select(House.address).where(House.id == house.house).first())["address"]
    url = f"{get_settings().base_url}/meetings/{meeting_id}"
    assert len(reader.pages) == 2
    for number, sheet in enumerate(reader.pages, start=1):
        text = " ".join(sheet.extract_text().split())
        assert address in text and f"Подъезд {number}" in text
        assert "СООБЩЕНИЕ О ПРОВЕДЕНИИ ОБЩЕГО СОБРАНИЯ" in text and "Годовое собрание" in text
        assert "Инициатор: ООО «УК»" in text and "Форма:" in text and "Заочн" in text
        assert "1. Избрать председателя" in text and "2. Выбрать УК" in text
        assert "Повестка дня" in text and "С материалами по вопросам повестки дня" in text
        assert url in text
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(sheet.images[0].data)))
        assert [r.text for r in found] == [url]


async def test_the_notice_is_refused_once_voting_is_over_and_404_elsewhere(
    db, client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    ended = await make_meeting(house.house, days_left=-1)
    manager = await make_user(name="Мария Менеджер", roles=("manager",), houses=(house.house,))
    await login(client, manager)
    assert 'id="notice-pdf"' not in (await client.get(f"/staff/meetings/{ended}")).text
    refused = await client.get(f"/staff/meetings/{ended}/notice")
    assert refused.status_code == 303 and refused.headers["location"] == f"/staff/meetings/{ended}"
    assert "печатается, когда собрание объявлено" in (await client.get(refused.headers["location"])).text
    live = await make_meeting(house.house)
    stranger = await make_user(name="Чужой Менеджер", roles=("manager",), houses=((await example_house()).house,))
    await login(client, stranger)
    assert (await client.get(f"/staff/meetings/{live}/notice")).status_code == 404
