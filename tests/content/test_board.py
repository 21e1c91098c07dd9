"""A post printed for the house's boards («Распечатать для инфодоски»): which sheets a post gives (a page per entrance
its audience lives in), what a sheet says (read back from the PDF: the house, «Подъезд 2», the title, the text without
its Markdown, the link to the post, its QR code), and who may print it — staff who see the post, for their houses, once
it is out or scheduled."""

from __future__ import annotations

import io
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from portal.content import rules
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.notifications.rules import FloorRange
from portal.notifications.rules import TargetKind
from portal.settings import get_settings

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
E1, E2, E3 = rules.BoardEntrance(11, 1, 9), rules.BoardEntrance(12, 2, 16), rules.BoardEntrance(13, 3, 9)
HOUSE = rules.BoardHouse(1, "ул. Ручьевая, д. 1", complex=7, entrances=(E3, E1, E2))
BARE = rules.BoardHouse(2, "ул. Другая, д. 9", complex=8)  # no entrance on record


def numbers(reach: rules.BoardReach, house: rules.BoardHouse = HOUSE) -> list[int | None]:
    return [p.entrance for p in rules.board_pages(reach, house)]


@pytest.mark.parametrize(
    ("reach", "pages"),
    [
        (rules.BoardReach(company=True), [1, 2, 3]),  # the whole company: every entrance, by number
        (rules.BoardReach(complexes=frozenset({7})), [1, 2, 3]),
        (rules.BoardReach(complexes=frozenset({8})), []),  # another complex
        (rules.BoardReach(houses=frozenset({1})), [1, 2, 3]),
        (rules.BoardReach(houses=frozenset({2})), []),
        (rules.BoardReach(entrances=frozenset({12})), [2]),
        (rules.BoardReach(entrances=frozenset({13, 11})), [1, 3]),
        # floors 10–16 are only in entrance 2 (16 floors; the others have 9)
        (rules.BoardReach(floors=(FloorRange(1, 10, 16),)), [2]),
        (rules.BoardReach(floors=(FloorRange(1, 1, 3),)), [1, 2, 3]),
        (rules.BoardReach(floors=(FloorRange(1, 1, 3, entrance=13),)), [3]),
        (rules.BoardReach(floors=(FloorRange(2, 1, 3),)), []),  # floors of another house
    ],
)
def test_a_post_gives_a_page_per_entrance_its_audience_lives_in(reach: rules.BoardReach, pages: list[int]) -> None:
    assert numbers(reach) == pages


def test_a_house_with_no_entrance_on_record_gets_one_page_when_reached() -> None:
    assert numbers(rules.BoardReach(houses=frozenset({2})), BARE) == [None]
    assert numbers(rules.BoardReach(company=True), BARE) == [None]
    assert numbers(rules.BoardReach(entrances=frozenset({12})), BARE) == []
    reach = rules.BoardReach(entrances=frozenset({12}))
    assert rules.board_houses(reach, [BARE, HOUSE]) == [HOUSE]  # what staff choose from: the houses it reaches


@pytest.mark.parametrize(
    ("status", "publish_at", "ends_at", "printed"),
    [
        (PostStatus.PUBLISHED, None, None, True),
        (PostStatus.PUBLISHED, NOW + timedelta(days=1), None, True),  # scheduled
        (PostStatus.PUBLISHED, None, NOW - timedelta(hours=1), False),  # its time ended
        (PostStatus.DRAFT, None, None, False),
        (PostStatus.REVIEW, None, None, False),
        (PostStatus.RETURNED, None, None, False),
        (PostStatus.UNPUBLISHED, None, None, False),
    ],
)
def test_only_a_post_out_or_scheduled_is_printed(status: str, publish_at: Any, ends_at: Any, printed: bool) -> None:
    refusal = rules.board_refusal(status, publish_at, ends_at, NOW)
    assert (refusal is None) is printed
    if status == PostStatus.DRAFT:
        assert "ещё не опубликована" in refusal


def test_markdown_is_plain_paragraphs_and_list_items_on_paper() -> None:
    blocks = rules.plain_blocks(
        "## Что делать\n\nЗакройте **краны** и _окна_, см. [сайт](https://example.ru/x).\n\n- вода\n- свет\n\n"
        "3. третье\n4. четвёртое\n\n<b>жирно</b> &amp; всё"
    )
    assert blocks == [
        rules.Block("Что делать", heading=True),
        rules.Block("Закройте краны и окна, см. сайт (https://example.ru/x)."),
        rules.Block("вода", marker="•"),
        rules.Block("свет", marker="•"),
        rules.Block("третье", marker="3."),
        rules.Block("четвёртое", marker="4."),
        rules.Block("жирно & всё"),
    ]


# --- the PDF over HTTP, both engines ---------------------------------------------------------------------------


async def _post(title: str, *targets: dict[str, Any], status: str = PostStatus.PUBLISHED, **more: Any) -> int:
    post = Post(kind=more.pop("kind", PostKind.NOTICE), status=status, title=title,
                published_at=clock.now() - timedelta(hours=1), **more)  # fmt: skip
    await post.save()
    for target in targets:
        await PostTarget(post=post.id, **target).save()
    return post.id


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


async def test_a_sheet_per_entrance_reads_the_house_the_title_and_the_link(db, client, login, town) -> None:
    t = await town()
    body = "Отключим **горячую** воду.\n\n- с 9:00\n- до 18:00\n\n" + "Длинный текст объявления. " * 200
    post_id = await _post(
        "Отключение горячей воды",
        {"kind": TargetKind.HOUSE, "ref": t["house"], "house": t["house"]},
        body=body,
        kind=PostKind.EMERGENCY,
        ends_at=clock.now() + timedelta(days=1),
    )
    await login(client, t["manager"])
    page = await client.get(f"/staff/posts/{post_id}")
    assert f'action="/staff/posts/{post_id}/board"' in page.text and "Распечатать для инфодоски" in page.text
    # The house's number wraps with its «д.» on a phone, never «д.» at a line's end and «1» on the next.
    house_line = page.text.split('id="board-house">', 1)[1].split("</p>", 1)[0]
    assert "ул.\u00a0Ручьевая, д.\u00a01" in house_line
    answer = await client.get(f"/staff/posts/{post_id}/board")  # the manager's one house: no choice to make
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pages = _pages(answer.content)
    url = f"{get_settings().base_url}/news/{post_id}"
    sheets = [p for p in pages if "продолжение" not in p]
    assert len(sheets) == 2, "a sheet for each of the house's two entrances"
    assert len(pages) > 2, "the long text goes on to the entrance's next page rather than being cut"
    assert "Подъезд 1" in sheets[0] and "Подъезд 2" in sheets[1]
    for text in sheets:
        flat = " ".join(text.split())
        assert "ул. Ручьевая, д. 1" in flat and "Отключение горячей воды" in flat and "АВАРИЙНОЕ СООБЩЕНИЕ" in flat
        assert "Отключим горячую воду." in flat and "*" not in text
    whole = " ".join(" ".join(pages).split())
    assert url in whole.replace(" ", "") or url in whole
    assert get_settings().emergency_phone in whole and "Длинный текст объявления." * 1 in whole


async def test_the_qr_code_is_the_posts_address(db, client, login, town) -> None:
    import zxingcpp
    from PIL import Image

    t = await town()
    post_id = await _post(
        "Собрание во дворе", {"kind": TargetKind.ENTRANCE, "ref": t["entrance2"], "house": t["house"]}
    )
    await login(client, t["moderator"])
    pdf = (await client.get(f"/staff/posts/{post_id}/board?house={t['house']}")).content
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and "Подъезд 2" in reader.pages[0].extract_text()  # its entrance only
    images = reader.pages[0].images
    assert images, "the sheet carries its QR code"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0].data)))
    assert [r.text for r in found] == [f"{get_settings().base_url}/news/{post_id}"]


async def test_a_draft_is_not_printed_and_its_page_says_why(db, client, login, town) -> None:
    t = await town()
    target = {"kind": TargetKind.HOUSE, "ref": t["house"], "house": t["house"]}
    post_id = await _post("Черновик", target, status=PostStatus.DRAFT)
    await login(client, t["manager"])
    page = await client.get(f"/staff/posts/{post_id}")
    assert 'id="board-refusal"' in page.text and f"/staff/posts/{post_id}/board" not in page.text
    refused = await client.get(f"/staff/posts/{post_id}/board")
    assert refused.status_code == 303 and refused.headers["location"].startswith(f"/staff/posts/{post_id}")
    assert "ещё не опубликована" in (await client.get(refused.headers["location"])).text


async def test_staff_of_another_house_get_404(db, client, login, make_user, town) -> None:
    t = await town()
    target = {"kind": TargetKind.HOUSE, "ref": t["house"], "house": t["house"]}
    post_id = await _post("Только первому дому", target)
    stranger = await make_user(name="Чужой Менеджер", roles=("manager",), houses=(t["other_house"],))
    await login(client, stranger)
    assert (await client.get(f"/staff/posts/{post_id}/board")).status_code == 404
    assert (await client.get(f"/staff/posts/{post_id}/board?house={t['house']}")).status_code == 404
    # A moderator of both houses prints the house the post is for, not the other one.
    await login(client, t["moderator"])
    assert (await client.get(f"/staff/posts/{post_id}/board?house={t['other_house']}")).status_code == 404
    assert (await client.get(f"/staff/posts/{post_id}/board?house=abc")).status_code == 404


async def test_a_company_post_is_printed_for_the_house_chosen(db, client, login, make_account, town) -> None:
    """A post for the whole company is printed house by house: whoever hangs the sheets goes from house to house,
    and a company's every entrance at once would be hundreds of pages."""
    t = await town()
    post_id = await _post("Новость для всех", {"kind": TargetKind.COMPANY}, kind=PostKind.NEWS, author=t["moderator"])
    await login(client, t["moderator"])  # its writer, of two houses: asked which
    page = await client.get(f"/staff/posts/{post_id}")
    assert 'name="house"' in page.text and "ул. Другая, д. 9" in page.text
    unchosen = await client.get(f"/staff/posts/{post_id}/board")
    assert unchosen.status_code == 303
    pdf = await client.get(f"/staff/posts/{post_id}/board?house={t['other_house']}")
    assert pdf.status_code == 200
    pages = _pages(pdf.content)
    assert len(pages) == 1 and "ул. Другая, д. 9" in pages[0] and "НОВОСТЬ" in pages[0]
    # The company's house its writer does not work with: not offered, and not printed for them.
    elsewhere = (await make_account(address="г. Симферополь, ул. Чужая, д. 3")).house
    assert "ул. Чужая, д. 3" not in (await client.get(f"/staff/posts/{post_id}")).text
    assert (await client.get(f"/staff/posts/{post_id}/board?house={elsewhere}")).status_code == 404


# --- what a printer can print -------------------------------------------------------------------------------------


def _nearest_to_edge(pdf: bytes) -> float:
    """The least distance (mm) from any sheet's edge to anything drawn on it: letters, lines, the frame (its line's
    width counted), the QR code."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar
    from pdfminer.layout import LTContainer
    from pdfminer.layout import LTCurve
    from pdfminer.layout import LTImage

    def drawn(item: Any) -> Any:
        if isinstance(item, (LTChar, LTCurve, LTImage)):
            yield item
        if isinstance(item, LTContainer):
            for child in item:
                yield from drawn(child)

    nearest = float("inf")
    for page in extract_pages(io.BytesIO(pdf)):
        for item in drawn(page):
            if isinstance(item, LTChar) and not item.get_text().strip():
                continue
            half = getattr(item, "linewidth", 0) / 2 if isinstance(item, LTCurve) else 0
            gaps = (item.x0, item.y0, page.width - item.x1, page.height - item.y1)
            nearest = min(nearest, min(gaps) - half)
    return nearest * 25.4 / 72


@pytest.mark.parametrize("kind", [PostKind.EMERGENCY, PostKind.NOTICE])
def test_nothing_is_printed_within_12_mm_of_the_sheets_edge(kind: str) -> None:
    """Many office printers leave 5–10 mm of the edge blank: an emergency's red frame sat 6 mm from it."""
    from portal.content.pdf import BoardPost
    from portal.content.pdf import board_pdf

    post = BoardPost(kind=kind, title="Отключение воды " * 6, body="Длинный текст объявления. " * 300,
                     url="https://portal.example/news/1", published=NOW, ends_at=NOW + timedelta(days=1))  # fmt: skip
    pdf = board_pdf(post, [rules.BoardPage(1, "ул. Ручьевая, д. 1", 1), rules.BoardPage(1, "ул. Ручьевая, д. 1", 2)])
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 2
    assert round(_nearest_to_edge(pdf), 2) >= 12  # to a hundredth of a mm (the PDF writes points)


# --- what the post's pages cost -----------------------------------------------------------------------------------


async def test_a_posts_pages_keep_their_query_budget(db, client, login, town) -> None:
    """The staff page of a post with its board card (where the audience lives, the caller's houses and their
    entrances) and the resident's page of it run the statements their budgets say, however many entrances and
    selections of each kind the post has."""
    from portal.content.routes import QUERY_BUDGETS as RESIDENT
    from portal.content.routes_staff import QUERY_BUDGETS as STAFF
    from portal.housing.tables import Entrance
    from tests.querylog import captured

    t = await town()
    for number in range(3, 9):
        await Entrance(house=t["house"], number=number, floors=9).save()
    first, second, _ = t["places"]
    post_id = await _post(
        "Собрание во дворе",
        {"kind": TargetKind.ENTRANCE, "ref": t["entrance2"], "house": t["house"]},
        {"kind": TargetKind.FLOORS, "ref": t["house"], "house": t["house"], "floor_from": 1, "floor_to": 3},
        {"kind": TargetKind.ACCOUNT, "ref": first.account, "house": t["house"]},
        {"kind": TargetKind.PREMISE, "ref": second.premise, "house": t["house"]},
        {"kind": TargetKind.RISER, "ref": t["riser"], "house": t["house"]},
    )
    for who, url, budget in (
        (t["manager"], f"/staff/posts/{post_id}", STAFF["/staff/posts/{post_id:int}"]),
        (t["residents"][0], f"/news/{post_id}", RESIDENT["/news/{post_id:int}"]),
    ):
        await login(client, who)
        await client.get(url)  # the first load builds the principal kept in the session
        with captured(db) as seen:
            page = await client.get(url)
        assert page.status_code == 200
        assert len(seen) <= budget, (url, len(seen), [str(q) for q in seen])
        if "staff" in url:
            assert 'id="board-house"' in page.text  # the card offers the house
