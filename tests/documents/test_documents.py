"""The house's documents on both engines, through the real app: a resident sees those of the houses of their kept
accounts and the company's, and opens nothing else (404, as if missing); staff put a PDF up (checked by its
content), replace its file (the old one kept), hide and show it, each audited and checked against the version the
form was read at."""

from __future__ import annotations

import io
import json
import re
import secrets
from datetime import date
from datetime import timedelta

from PIL import Image

from portal.accounts.principal import load_principal_for
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.content.tables import Post
from portal.content.tables import PostTarget
from portal.core import clock
from portal.core import storage
from portal.core.tables import AuditEvent
from portal.documents import actions
from portal.documents import forms
from portal.documents.tables import DocumentFile
from portal.documents.tables import DocumentKind
from portal.documents.tables import HouseDocument
from portal.housing.tables import PersonalAccount
from tests.querylog import captured

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
NEW_PDF = b"%PDF-1.7\n% the second edition\ntrailer<<>>\n%%EOF"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


async def _put_up(title: str, houses: list[int], *, body: bytes = PDF, kind: DocumentKind = DocumentKind.OTHER,
                  company_wide: bool = False, hidden: bool = False) -> int:  # fmt: skip
    admin = await load_principal_for(await _admin_id())
    form = forms.DocumentForm(title=title, kind=kind, issued_on=date(2026, 1, 15), company_wide=company_wide,
                              houses=houses)  # fmt: skip
    document_id = await actions.put_up(admin, form, await storage.save_pdf(body), "file.pdf")
    if hidden:
        await HouseDocument.update({HouseDocument.hidden: True}).where(HouseDocument.id == document_id)
    return document_id


async def _admin_id() -> int:
    user = User(email=f"admin-{secrets.token_hex(4)}@example.ru", full_name="Админ Админов", password_hash="")
    await user.save()
    await UserRole(user=user.id, role="admin").save()
    return int(user.id)


async def test_a_resident_sees_their_houses_and_the_companys_documents_and_opens_no_other(
    client, login, make_user, make_account
):
    a, b = await make_account(), await make_account()
    own = await _put_up("Договор управления дома А", [a.house], kind=DocumentKind.CONTRACT)
    company = await _put_up("Памятка новосела", [], kind=DocumentKind.NEWCOMER, company_wide=True)
    other = await _put_up("Отчёт дома Б", [b.house], kind=DocumentKind.REPORT)
    hidden = await _put_up("Скрытый черновик", [a.house], hidden=True)
    await login(client, await make_user(accounts={a.account: "owner"}))

    page = (await client.get("/documents")).text
    assert "Договор управления дома А" in page and "Памятка новосела" in page
    assert "Отчёт дома Б" not in page and "Скрытый черновик" not in page
    assert page.index("Договор управления</h2>") < page.index("Памятка новосела</h2>")  # grouped, in kinds' order
    assert "PDF, 1\u00a0КБ" in page

    opened = await client.get(f"/documents/{own}")
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers["content-type"] == "application/pdf"
    assert (await client.get(f"/documents/{company}")).status_code == 200
    assert (await client.get(f"/documents/{other}")).status_code == 404  # another house's: as if missing
    assert (await client.get(f"/documents/{hidden}")).status_code == 404


async def test_a_closed_accounts_former_family_member_sees_none_of_its_house_and_its_owner_still_does(
    client, new_client, login, make_user, make_account
):
    """A family member of an account since closed keeps another flat's account elsewhere: the closed one's house's
    documents are no longer theirs; its owner keeps the account, and the documents."""
    place, elsewhere = await make_account(), await make_account()
    document = await _put_up("Правила проживания", [place.house], kind=DocumentKind.HOUSE_RULES)
    await _put_up("Памятка новосела", [], company_wide=True)
    await PersonalAccount.update({PersonalAccount.closed_on: clock.today_local() - timedelta(days=3)}).where(
        PersonalAccount.id == place.account
    )
    await login(client, await make_user(accounts={place.account: "family", elsewhere.account: "owner"}))
    assert (await client.get(f"/documents/{document}")).status_code == 404
    listed = await client.get("/documents")
    assert "Правила проживания" not in listed.text and "Памятка новосела" in listed.text

    alone = new_client()  # one with only the closed account: no resident's page at all
    await login(alone, await make_user(accounts={place.account: "family"}))
    assert (await alone.get(f"/documents/{document}")).status_code in (403, 404)

    owner = new_client()
    await login(owner, await make_user(accounts={place.account: "owner"}))
    assert (await owner.get(f"/documents/{document}")).status_code == 200


async def test_a_resident_with_no_document_is_told_so_in_words(client, login, make_user, make_account):
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}))
    page = await client.get("/documents")
    assert "ещё не разместила документы вашего дома" in page.text


async def test_a_picture_renamed_pdf_is_refused_saying_so_and_the_title_stays_typed(
    client, login, make_user, make_account
):
    place = await make_account()
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    typed = {"title": "Отчёт за 2025 год", "kind": "report", "issued_on": "20.03.2026", "houses": str(place.house)}
    stored = len(list(storage.root().rglob("*.pdf")))
    refused = await client.form(
        "/staff/documents/new", typed, files=[("file", ("report.pdf", _png(), "application/pdf"))]
    )
    assert refused.status_code == 422
    assert "Этот файл — не PDF, хотя так назван" in refused.text
    assert re.search(r'name="title" type="text" value="Отчёт за 2025 год"', refused.text)
    assert await HouseDocument.count().where(HouseDocument.title == "Отчёт за 2025 год") == 0
    assert len(list(storage.root().rglob("*.pdf"))) == stored

    taken = await client.form("/staff/documents/new", typed, files=[("file", ("report.pdf", PDF, "application/pdf"))])
    assert taken.status_code == 303, taken.text[-500:]
    row = await HouseDocument.select().where(HouseDocument.title == "Отчёт за 2025 год").first()
    assert row["kind"] == "report" and not row["company_wide"]
    assert await AuditEvent.exists().where((AuditEvent.entity == "document") & (AuditEvent.entity_id == row["id"])
                                           & (AuditEvent.action == "document.create"))  # fmt: skip


async def test_a_manager_puts_up_only_for_their_houses(client, login, make_user, make_account):
    mine, other = await make_account(), await make_account()
    await login(client, await make_user(roles=("manager",), houses=(mine.house,)))
    typed = {"title": "Чужой", "kind": "other", "issued_on": "01.02.2026", "houses": [str(other.house), "all"]}
    refused = await client.form("/staff/documents/new", typed, files=[("file", ("a.pdf", PDF, "application/pdf"))])
    assert refused.status_code == 422
    assert "Выберите дома, для которых документ." in refused.text
    assert await HouseDocument.count().where(HouseDocument.title == "Чужой") == 0


async def test_a_replaced_file_is_what_residents_open_and_the_old_one_is_kept(client, new_client, login, make_user,
                                                                              make_account):  # fmt: skip
    place = await make_account()
    document = await _put_up("Договор управления", [place.house], kind=DocumentKind.CONTRACT)
    old_key = (await HouseDocument.select(HouseDocument.file_key).where(HouseDocument.id == document).first())[
        "file_key"
    ]
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    page = (await client.get(f"/staff/documents/{document}")).text
    version = re.search(r'name="version" value="([^"]*)"', page)[1]
    replaced = await client.form(f"/staff/documents/{document}/replace", {"version": version},
                                 files=[("file", ("contract-2.pdf", NEW_PDF, "application/pdf"))])  # fmt: skip
    assert replaced.status_code == 303, replaced.text[-500:]

    resident = new_client()
    await login(resident, await make_user(accounts={place.account: "owner"}))
    assert (await resident.get(f"/documents/{document}")).content == NEW_PDF
    files = await DocumentFile.select().where(DocumentFile.document == document).order_by(DocumentFile.id)
    assert len(files) == 2 and files[0]["key"] == old_key
    assert storage.path_of(old_key).read_bytes() == PDF  # the old file stays for the record
    old = await client.get(f"/staff/documents/{document}/files/{files[0]['id']}")
    assert old.status_code == 200 and old.content == PDF
    assert await AuditEvent.exists().where(
        (AuditEvent.entity_id == document) & (AuditEvent.action == "document.replace")
    )

    again = await client.form(f"/staff/documents/{document}/replace", {"version": version},
                              files=[("file", ("contract-3.pdf", PDF, "application/pdf"))])  # fmt: skip
    assert again.status_code == 409  # read before the replacement: refused, said who changed it
    assert "Пока вы правили" in again.text
    assert await DocumentFile.count().where(DocumentFile.document == document) == 2


async def test_a_hidden_document_is_gone_for_residents_until_shown_again(client, new_client, login, make_user,
                                                                         make_account):  # fmt: skip
    place = await make_account()
    document = await _put_up("Дизайн-код фасада", [place.house], kind=DocumentKind.DESIGN_CODE)
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    resident = new_client()
    await login(resident, await make_user(accounts={place.account: "owner"}))

    version = re.search(r'name="version" value="([^"]*)"', (await client.get(f"/staff/documents/{document}")).text)[1]
    assert (
        await client.form(f"/staff/documents/{document}/visibility", {"hidden": "1", "version": version})
    ).status_code == 303
    assert "Дизайн-код фасада" not in (await resident.get("/documents")).text
    assert (await resident.get(f"/documents/{document}")).status_code == 404
    assert "Скрыт" in (await client.get("/staff/documents")).text  # staff still see it, marked

    version = re.search(r'name="version" value="([^"]*)"', (await client.get(f"/staff/documents/{document}")).text)[1]
    assert (
        await client.form(f"/staff/documents/{document}/visibility", {"hidden": "0", "version": version})
    ).status_code == 303
    assert (await resident.get(f"/documents/{document}")).status_code == 200
    actions_done = (
        await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity_id == document).order_by(AuditEvent.id)
    )
    assert [a["action"] for a in actions_done][-2:] == ["document.hide", "document.show"]


async def test_a_manager_of_one_house_may_not_change_the_companys_document(client, login, make_user, make_account):
    place = await make_account()
    document = await _put_up("Памятка новосела", [], company_wide=True)
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    page = await client.get(f"/staff/documents/{document}")
    assert page.status_code == 200 and "/visibility" not in page.text
    refused = await client.form(f"/staff/documents/{document}/visibility", {"hidden": "1"})
    assert refused.status_code == 303
    assert not (await HouseDocument.select(HouseDocument.hidden).where(HouseDocument.id == document).first())["hidden"]


async def test_a_dispatcher_reads_the_documents_of_their_house_only(client, login, make_user, make_account):
    mine, other = await make_account(), await make_account()
    ours = await _put_up("Наш договор", [mine.house])
    theirs = await _put_up("Их договор", [other.house])
    await login(client, await make_user(roles=("dispatcher",), houses=(mine.house,)))
    listed = (await client.get("/staff/documents")).text
    assert "Наш договор" in listed and "Их договор" not in listed
    assert (await client.get(f"/staff/documents/{ours}")).status_code == 200
    assert (await client.get(f"/staff/documents/{theirs}")).status_code == 404


async def test_telling_residents_publishes_a_notice_for_the_documents_houses(client, login, make_user, make_account):
    place = await make_account()
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    typed = {
        "title": "Отчёт 2025",
        "kind": "report",
        "issued_on": "20.03.2026",
        "houses": str(place.house),
        "notify": "1",
    }
    assert (
        await client.form("/staff/documents/new", typed, files=[("file", ("r.pdf", PDF, "application/pdf"))])
    ).status_code == 303
    document = (await HouseDocument.select(HouseDocument.id).where(HouseDocument.title == "Отчёт 2025").first())["id"]
    post = await Post.select().where(Post.title == "Новый документ: Отчёт 2025").first()
    assert post is not None and post["status"] == "published" and f"/documents/{document}" in post["body"]
    targets = await PostTarget.select(PostTarget.kind, PostTarget.ref).where(PostTarget.post == post["id"])
    assert targets == [{"kind": "house", "ref": place.house}]


async def test_hiding_a_document_another_manager_replaced_meanwhile_is_refused_saying_who(
    client, new_client, login, make_user, make_account
):
    place = await make_account()
    document = await _put_up("Договор управления", [place.house], kind=DocumentKind.CONTRACT)
    first, second = client, new_client()
    await login(first, await make_user(roles=("manager",), houses=(place.house,)))
    await login(second, await make_user(name="Пётр Второй", roles=("manager",), houses=(place.house,)))
    read = re.search(r'name="version" value="([^"]*)"', (await first.get(f"/staff/documents/{document}")).text)[1]
    now = re.search(r'name="version" value="([^"]*)"', (await second.get(f"/staff/documents/{document}")).text)[1]
    replaced = await second.form(f"/staff/documents/{document}/replace", {"version": now},
                                 files=[("file", ("new.pdf", NEW_PDF, "application/pdf"))])  # fmt: skip
    assert replaced.status_code == 303

    refused = await first.form(f"/staff/documents/{document}/visibility", {"hidden": "1", "version": read})
    assert refused.status_code == 409
    assert "Пётр Второй" in refused.text
    assert not (await HouseDocument.select(HouseDocument.hidden).where(HouseDocument.id == document).first())["hidden"]


async def test_a_reader_of_english_reads_the_kinds_in_english_and_the_titles_as_written(
    client, login, make_user, make_account
):
    place = await make_account()
    await _put_up("Правила проживания", [place.house], kind=DocumentKind.HOUSE_RULES)
    await login(client, await make_user(accounts={place.account: "owner"}, locale="en"))
    page = (await client.get("/documents")).text
    assert "House documents" in page and ">House rules</h2>" in page
    assert 'lang="ru">Правила проживания' in page


def _version(page: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', page)[1]


async def test_staff_correct_a_documents_details_and_a_resident_of_a_house_taken_off_no_longer_sees_it(
    client, new_client, login, make_user, make_account
):
    first, second = await make_account(), await make_account()
    document = await _put_up("Правила", [first.house], kind=DocumentKind.OTHER)
    await login(client, await make_user(roles=("manager",), houses=(first.house, second.house)))
    left, moved_in = new_client(), new_client()
    await login(left, await make_user(accounts={first.account: "owner"}))
    await login(moved_in, await make_user(accounts={second.account: "owner"}))
    assert (await left.get(f"/documents/{document}")).status_code == 200

    form = await client.get(f"/staff/documents/{document}/edit")
    assert 'value="Правила"' in form.text
    typed = {"title": "Правила проживания", "kind": "house_rules", "issued_on": "15.01.2026",
             "houses": str(second.house), "version": _version(form.text)}  # fmt: skip
    assert (await client.form(f"/staff/documents/{document}/edit", typed)).status_code == 303

    assert (await left.get(f"/documents/{document}")).status_code == 404
    assert (await moved_in.get(f"/documents/{document}")).status_code == 200
    assert "Правила проживания" in (await moved_in.get("/documents")).text
    event = (
        await AuditEvent.select(AuditEvent.changes)
        .where((AuditEvent.entity_id == document) & (AuditEvent.action == "document.edit"))
        .first()
    )
    changes = event["changes"] if isinstance(event["changes"], dict) else json.loads(event["changes"])
    assert changes == {
        "title": ["Правила", "Правила проживания"],
        "kind": ["other", "house_rules"],
        "houses": [[first.house], [second.house]],
    }
    again = {**typed, "version": _version((await client.get(f"/staff/documents/{document}/edit")).text)}
    assert (await client.form(f"/staff/documents/{document}/edit", again)).status_code == 303  # nothing changed
    assert (
        await AuditEvent.count().where((AuditEvent.entity_id == document) & (AuditEvent.action == "document.edit")) == 1
    )


async def test_a_manager_corrects_no_document_also_for_another_managers_house(client, login, make_user, make_account):
    mine, other = await make_account(), await make_account()
    shared = await _put_up("Общий договор", [mine.house, other.house])
    await login(client, await make_user(roles=("manager",), houses=(mine.house,)))
    assert "/edit" not in (await client.get(f"/staff/documents/{shared}")).text
    typed = {"title": "Только мой", "kind": "other", "issued_on": "15.01.2026", "houses": str(mine.house)}
    assert (await client.form(f"/staff/documents/{shared}/edit", typed)).status_code == 303  # refused, sent back
    row = await HouseDocument.select(HouseDocument.title).where(HouseDocument.id == shared).first()
    assert row["title"] == "Общий договор"
    assert not await AuditEvent.exists().where(
        (AuditEvent.entity_id == shared) & (AuditEvent.action == "document.edit")
    )

    company = await _put_up("Памятка", [], company_wide=True)
    assert (await client.form(f"/staff/documents/{company}/edit", typed)).status_code == 303
    assert (await HouseDocument.select(HouseDocument.company_wide).where(HouseDocument.id == company).first())[
        "company_wide"
    ]


async def test_correcting_a_document_another_manager_changed_meanwhile_is_refused_saying_who(
    client, new_client, login, make_user, make_account
):
    place = await make_account()
    document = await _put_up("Договор", [place.house], kind=DocumentKind.CONTRACT)
    first, second = client, new_client()
    await login(first, await make_user(roles=("manager",), houses=(place.house,)))
    await login(second, await make_user(name="Пётр Второй", roles=("manager",), houses=(place.house,)))
    read = _version((await first.get(f"/staff/documents/{document}/edit")).text)
    typed = {"kind": "contract", "issued_on": "15.01.2026", "houses": str(place.house)}
    now = _version((await second.get(f"/staff/documents/{document}/edit")).text)
    assert (await second.form(f"/staff/documents/{document}/edit", {**typed, "title": "Договор управления",
                                                                       "version": now})).status_code == 303  # fmt: skip
    refused = await first.form(f"/staff/documents/{document}/edit", {**typed, "title": "Договор 2026", "version": read})
    assert refused.status_code == 409 and "Пётр Второй" in refused.text
    assert 'value="Договор 2026"' in refused.text  # what they typed stays
    row = await HouseDocument.select(HouseDocument.title).where(HouseDocument.id == document).first()
    assert row["title"] == "Договор управления"


async def _resident_since(make_user, place, days_ago: int) -> int:
    user_id = await make_user(accounts={place.account: "owner"})
    await Residency.update({Residency.created_at: clock.now() - timedelta(days=days_ago)}).where(
        Residency.user == user_id
    )
    return user_id


async def test_a_new_resident_is_shown_the_newcomers_memo_on_the_home_page_for_thirty_days(
    client, new_client, login, make_user, make_account
):
    place = await make_account()
    memo = await _put_up("Памятка новосела", [place.house], kind=DocumentKind.NEWCOMER)
    await login(client, await _resident_since(make_user, place, 3))
    home = (await client.get("/")).text
    assert "Вы недавно с нами: памятка новосела и правила дома" in home
    assert f'href="/documents/{memo}"' in home  # the house's only memo, straight

    await _put_up("Памятка новосела (для всех домов)", [], kind=DocumentKind.NEWCOMER, company_wide=True)
    assert 'href="/documents"' in (await client.get("/")).text  # two of them: the list

    settled = new_client()
    await login(settled, await _resident_since(make_user, place, 31))
    assert "Вы недавно с нами" not in (await settled.get("/")).text


async def test_a_newcomers_home_page_reads_no_memo_and_sees_a_memo_hidden_or_moved_at_once(
    db, client, login, make_user, make_account
):
    from portal.documents import queries

    place, other = await make_account(), await make_account()
    memo = await _put_up("Памятка новосела", [place.house], kind=DocumentKind.NEWCOMER)
    await login(client, await _resident_since(make_user, place, 3))
    assert f'href="/documents/{memo}"' in (await client.get("/")).text
    with captured(db) as seen:
        assert f'href="/documents/{memo}"' in (await client.get("/")).text
    assert not [str(q) for q in seen if "house_document" in str(q) or "document_house" in str(q)]

    admin = await load_principal_for(await _admin_id())
    staff_view = await queries.document_for_staff(admin, memo)
    assert await actions.set_hidden(admin, staff_view, True)
    assert "Вы недавно с нами" in (home := (await client.get("/")).text) and 'href="/documents"' in home
    assert await actions.set_hidden(admin, staff_view, False)
    assert f'href="/documents/{memo}"' in (await client.get("/")).text
    form = forms.DocumentForm(title="Памятка новосела", kind=DocumentKind.NEWCOMER, issued_on=date(2026, 1, 15),
                              company_wide=False, houses=[other.house])  # fmt: skip
    assert await actions.edit(admin, await queries.document_for_staff(admin, memo), form)
    assert f'href="/documents/{memo}"' not in (await client.get("/")).text  # another house's memo now
