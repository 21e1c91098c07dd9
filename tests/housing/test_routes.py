"""Staff pages of the registry on both engines: lists, pages, scope by houses, forms with errors, audit."""

import json
import re
from pathlib import Path

import pytest

from portal.core import audit
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.housing import actions
from portal.housing import queries
from portal.housing import registry
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from tests.tickets.test_audit_trail import CLIENT_IP

SAMPLE = Path(__file__).parent / "registry_sample.csv"
ADDRESS = "г. Симферополь, ул. Тестовая, д. 1"


def changes(event: dict) -> dict:
    value = event["changes"]
    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture
async def estate(db):
    """The sample registry plus a second house in another complex."""
    parsed = registry.parse_file("sample.csv", SAMPLE.read_bytes())
    await actions.import_registry(parsed.rows)
    house = await House.select().where(House.address == ADDRESS).first()
    other_complex = Complex(name="ЖК «Другой»", city="Симферополь")
    await other_complex.save()
    other = House(complex=other_complex.id, address="г. Симферополь, ул. Чужая, д. 7", floors=5)
    await other.save()
    other_flat = Premise(house=other.id, kind="flat", number="1", floor=1, area="40.00")
    await other_flat.save()
    other_account = PersonalAccount(number="5500000001", premise=other_flat.id, payer_name="Чужой Жилец")
    await other_account.save()
    flat = await Premise.select().where((Premise.house == house["id"]) & (Premise.number == "2")).first()
    account = await PersonalAccount.select().where(PersonalAccount.number == "7700000002").first()
    return {
        "house": house["id"],
        "other_house": other.id,
        "flat": flat["id"],
        "other_flat": other_flat.id,
        "account": account["id"],
        "other_account": other_account.id,
    }


@pytest.fixture
async def manager(client, login, make_user, estate):
    user = await make_user(name="Менеджер Домов", roles=("manager",), houses=(estate["house"],))
    await login(client, user)
    return client


@pytest.fixture
async def dispatcher(client, login, make_user, estate):
    user = await make_user(roles=("dispatcher",), houses=(estate["house"],))
    await login(client, user)
    return client


async def test_overview_counts_only_the_users_houses(manager, estate):
    page = await manager.get("/staff")
    assert page.status_code == 200
    assert "/staff/housing" in page.text
    counts = await queries.overview_counts(Principal(user_id=1, house_ids=frozenset({estate["house"]})))
    assert counts == queries.OverviewCounts(complexes=1, houses=1, premises=6, accounts=4)


async def test_overview_sections_each_say_what_they_hold(manager):
    page = (await manager.get("/staff")).text
    sections = page.split("<h2>Разделы</h2>")[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", sections, re.S)
    assert any("/staff/tickets" in item for item in items), "a manager opens the requests"
    assert "от жителей и контакт-центра, со сроками" in sections
    for item in items:
        assert '— <span class="muted">' in item, item


async def test_housing_list_shows_houses_in_scope_with_search(manager, estate):
    page = await manager.get("/staff/housing")
    assert ADDRESS in page.text
    assert "ЖК «Южная Долина»</td>" in page.text
    assert "ул. Чужая" not in page.text
    found = await manager.get("/staff/housing", params={"q": "Тестовая"})
    assert ADDRESS in found.text
    none = await manager.get("/staff/housing", params={"q": "Несуществующая"})
    assert ADDRESS not in none.text


async def test_housing_list_names_a_complex_it_cannot_read_and_lists_without_it(manager, estate):
    other = (await House.select(House.complex).where(House.id == estate["other_house"]).first())["complex"]
    for value in ("abc", str(other)):  # not an id; a complex none of whose houses is the user's
        page = await manager.get("/staff/housing", params={"complex": value, "q": "Тестовая"})
        assert ADDRESS in page.text.split('id="list"')[1]  # the houses are listed without it
        form = page.text.split('action="/staff/housing"')[1].split("</form>")[0]
        assert f"Такого варианта нет: «{value}»; список показан без этого условия." in form
        assert "Не применены, так как не прочитаны: Жилой комплекс." in page.text.split('id="list"')[1]
        assert 'value="Тестовая"' in page.text
    mine = (await House.select(House.complex).where(House.id == estate["house"]).first())["complex"]
    read = await manager.get("/staff/housing", params={"complex": mine})
    assert ADDRESS in read.text and "не прочитаны" not in read.text


async def test_admin_filters_houses_by_complex(client, login, make_user, estate):
    await login(client, await make_user(roles=("admin",)))
    other = await House.select(House.complex).where(House.id == estate["other_house"]).first()
    page = await client.get("/staff/housing", params={"complex": other["complex"]})
    assert "ул. Чужая" in page.text
    assert ADDRESS not in page.text


async def test_house_page_shows_entrances_premises_risers_and_totals(manager, estate):
    page = await manager.get(f"/staff/houses/{estate['house']}")
    assert page.status_code == 200
    text = page.text
    assert "ХВС-1" in text and "ОТ-2" in text
    assert "7700000002" in text
    assert 'data-label="' in text  # the table becomes cards on a phone
    assert "Сидоров Иван Петрович" in text
    # the total area: 38.40 + 54.70 + 72.30 + 45.10 + 120.50 + 14.50 = 345.50
    assert "345,50" in text


async def test_house_page_filters_premises(manager, estate):
    entrance_two = (await queries.entrances_of(estate["house"]))[1].id
    page = await manager.get(f"/staff/houses/{estate['house']}", params={"entrance": entrance_two})
    assert "/staff/accounts/" in page.text
    page = PageRequest(1, 30)
    listed = await queries.premises_of(estate["house"], page, queries.PremiseFilter(entrance_id=entrance_two))
    assert [p.number for p in listed.items] == ["4"]
    by_kind = await queries.premises_of(estate["house"], page, queries.PremiseFilter(kind="parking"))
    assert [p.number for p in by_kind.items] == ["М-1"]
    by_floor = await queries.premises_of(estate["house"], page, queries.PremiseFilter(floor=2))
    assert [p.number for p in by_floor.items] == ["3"]


async def test_house_page_keeps_and_names_the_premise_filters_it_cannot_read(manager, estate):
    url = f"/staff/houses/{estate['house']}?floor=второй&entrance=abc&kind=castle"
    for answer in (await manager.get(url), await manager.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert answer.status_code == 200
        form = answer.text.split('id="premise-filters"')[1].split("</form>")[0]
        assert 'value="второй"' in form
        assert "Введите этаж от -5 до 200; список показан без этого условия." in form
        assert "Такого варианта нет: «abc»; список показан без этого условия." in form
        assert "Такого варианта нет: «castle»; список показан без этого условия." in form
        listed = answer.text.split('id="list"')[1]
        assert "Не применены, так как не прочитаны: Подъезд; Этаж; Вид." in listed
        assert "М-1" in listed and "7700000002" in listed  # the premises are shown without them
    high = await manager.get(f"/staff/houses/{estate['house']}?floor=300")
    assert 'value="300"' in high.text and "Введите этаж от -5 до 200" in high.text
    read = await manager.get(f"/staff/houses/{estate['house']}?floor=2")
    assert "не прочитаны" not in read.text and "М-1" not in read.text.split('id="list"')[1]


async def test_house_page_paginates(manager, estate):
    page = await manager.get(f"/staff/houses/{estate['house']}", params={"size": "10"})
    assert "Выводить по" in page.text
    listed = await queries.premises_of(estate["house"], PageRequest(2, 4))
    assert listed.total == 6 and len(listed.items) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/staff/houses/{other_house}",
        "/staff/premises/{other_flat}",
        "/staff/accounts/{other_account}",
        "/staff/houses/{other_house}/edit",
        "/staff/premises/{other_flat}/edit",
        "/staff/premises/{other_flat}/ownerships/new",
    ],
)
async def test_a_manager_of_one_house_gets_404_for_another(manager, estate, path):
    response = await manager.get(path.format(**estate))
    assert response.status_code == 404


async def test_a_manager_cannot_write_into_another_house(manager, estate):
    response = await manager.form(f"/staff/premises/{estate['other_flat']}/accounts/new", {"number": "123"})
    assert response.status_code == 404
    assert not await PersonalAccount.exists().where(PersonalAccount.number == "123")


async def test_lists_of_accounts_and_owners_are_scoped_and_searchable(manager, estate):
    accounts = await manager.get("/staff/accounts")
    assert "7700000002" in accounts.text and "5500000001" not in accounts.text
    found = await manager.get("/staff/accounts", params={"q": "7700000004"})
    assert "7700000004" in found.text and "7700000001" not in found.text
    owners = await manager.get("/staff/owners", params={"q": "Сидоров"})
    assert "Сидорова Анна Ивановна" in owners.text and "Петров Пётр" not in owners.text


async def test_premise_account_and_owner_pages(manager, estate):
    premise = await manager.get(f"/staff/premises/{estate['flat']}")
    assert premise.status_code == 200
    assert "1/2" in premise.text and "Сидорова Анна Ивановна" in premise.text
    account = await manager.get(f"/staff/accounts/{estate['account']}")
    assert f"/staff/billing/accounts/{estate['account']}" in account.text
    # the account's people: inviting one more starts from here, the number already in the invitation's form
    invite = re.search(r'<a href="(/staff/invitations\?account=\d+)">Пригласить жителя</a>', account.text)
    assert invite, "the account page offers no invitation to it"
    form = await manager.get(invite[1])
    assert re.search(r'name="account"[^>]*value="7700000002"', form.text)
    owner_id = (await Ownership.select(Ownership.owner).where(Ownership.premise == estate["flat"]).first())["owner"]
    owner = await manager.get(f"/staff/owners/{owner_id}")
    assert owner.status_code == 200 and ADDRESS in owner.text


async def test_on_english_pages_the_house_address_is_marked_russian(manager, estate):
    await manager.speak("en")
    premise = await manager.get(f"/staff/premises/{estate['flat']}")
    assert f'<span lang="ru">{ADDRESS}</span>' in premise.text
    house = await manager.get(f"/staff/houses/{estate['house']}")
    assert f'<h1><span lang="ru">{ADDRESS}</span></h1>' in house.text


async def test_on_english_pages_names_complexes_and_risers_are_marked_russian(manager, estate):
    """Owners' and payers' names, a complex's name and a riser's code «ХВС-1» are the registry's Russian words: an
    English screen reader's voice read them as gibberish unless they say ``lang="ru"``."""
    await Ownership.update({Ownership.document: "ЕГРН №\u00a01"}).where(Ownership.premise == estate["flat"])
    await manager.speak("en")
    premise = (await manager.get(f"/staff/premises/{estate['flat']}")).text
    assert '<span lang="ru">Сидорова Анна Ивановна</span></a>' in premise
    assert '<span class="muted">· <span lang="ru">Сидорова Анна Ивановна</span></span>' in premise
    assert '"><span lang="ru">ХВС-1</span></span>' in premise
    house = (await manager.get(f"/staff/houses/{estate['house']}")).text
    assert '<dd><span lang="ru">ЖК «Южная Долина»</span></dd>' in house
    assert '<li><strong><span lang="ru">ХВС-1</span></strong>' in house
    assert re.search(r'<td data-label="Risers"><span lang="ru">[ХГОТВС, -1]+</span></td>', house)
    assert '<span lang="ru">ЕГРН №\u00a01</span>' in premise
    owners = (await manager.get("/staff/owners")).text
    assert '<span lang="ru">Петров Пётр Петрович</span></a></td>' in owners
    accounts = (await manager.get("/staff/accounts")).text
    assert '<td data-label="Payer"><span lang="ru">Сидорова Анна Ивановна</span></td>' in accounts
    account = (await manager.get(f"/staff/accounts/{estate['account']}")).text
    assert '<dt>Payer</dt><dd><span lang="ru">Сидорова Анна Ивановна</span></dd>' in account
    edit = (await manager.get(f"/staff/accounts/{estate['account']}/edit")).text
    assert f'<p class="muted"><span lang="ru">{ADDRESS}</span>, flat 2</p>' in edit
    await manager.speak("ru")
    assert "<dd>ЖК «Южная Долина»</dd>" in (await manager.get(f"/staff/houses/{estate['house']}")).text


async def test_a_premise_with_a_bad_area_keeps_what_was_typed_and_says_why(manager, estate):
    response = await manager.form(
        f"/staff/houses/{estate['house']}/premises/new",
        {"kind": "flat", "number": "77", "floor": "3", "area": "54,355"},
    )
    assert response.status_code == 422
    assert 'value="54,355"' in response.text
    assert 'value="77"' in response.text
    assert "error-summary" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not await Premise.exists().where(Premise.number == "77")


async def test_the_error_summary_of_a_registry_form_names_each_field(manager, estate):
    """«Заполните это поле.» and «Введите целое число.» stood in the summary above the form without saying which
    field they were about: each message there now begins with its field's label, and leads to the field."""
    response = await manager.form(
        f"/staff/houses/{estate['house']}/premises/new", {"kind": "flat", "number": "", "floor": "третий"}
    )
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    links = dict(re.findall(r'<a href="#f-([^"]+)">([^<]*)</a>', summary))
    assert links["number"] == "Номер: Заполните это поле.", links
    assert links["floor"] == "Этаж: Введите целое число.", links


async def test_a_premise_is_created_with_its_risers_and_audited(manager, estate):
    risers = await queries.risers_of(estate["house"])
    response = await manager.form(
        f"/staff/houses/{estate['house']}/premises/new",
        {"kind": "flat", "number": "77", "floor": "3", "area": "61,5", "risers": [str(risers[0].id)]},
    )
    assert response.status_code == 303
    created = await Premise.select().where(Premise.number == "77").first()
    assert response.headers["location"] == f"/staff/premises/{created['id']}"
    assert [r.code for r in await queries.risers_of_premise(created["id"])] == [risers[0].code]
    event = await AuditEvent.select().where(AuditEvent.action == "housing.premise.create").first()
    assert event["entity_id"] == created["id"]
    assert changes(event)["area"] == [None, "61.50"]
    # The premise and its risers keep the address the staff member acted from, as every staff write does.
    written = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(AuditEvent.entity == "premise")
    assert {(e["action"], e["ip"]) for e in written} == {
        ("housing.premise.create", CLIENT_IP), ("housing.premise.risers", CLIENT_IP)
    }  # fmt: skip


async def test_an_edit_records_before_and_after(manager, estate):
    response = await manager.form(
        f"/staff/premises/{estate['flat']}/edit", {"kind": "flat", "number": "2", "floor": "1", "area": "55"}
    )
    assert response.status_code == 303
    event = await AuditEvent.select().where(AuditEvent.action == "housing.premise.update").first()
    assert changes(event)["area"] == ["54.70", "55.00"] and event["ip"] == CLIENT_IP


async def test_shares_of_one_premise_cannot_exceed_one(manager, estate):
    stranger = await manager.form("/staff/owners/new", {"kind": "person", "name": "Третьяков Пётр Ильич"})
    assert stranger.status_code == 303
    owner_id = int(stranger.headers["location"].rsplit("/", 1)[1])
    too_much = await manager.form(
        f"/staff/premises/{estate['flat']}/ownerships/new", {"owner": str(owner_id), "share": "1/3"}
    )
    assert too_much.status_code == 422
    assert 'value="1/3"' in too_much.text
    assert not await Ownership.exists().where(Ownership.owner == owner_id)
    # halve one of the two halves, then a quarter fits exactly
    half = await Ownership.select().where(Ownership.premise == estate["flat"]).first()
    edit = await manager.form(f"/staff/ownerships/{half['id']}/edit", {"share": "1/4"})
    assert edit.status_code == 303
    fits = await manager.form(
        f"/staff/premises/{estate['flat']}/ownerships/new", {"owner": str(owner_id), "share": "1/4"}
    )
    assert fits.status_code == 303
    assert await Ownership.count().where(Ownership.premise == estate["flat"]) == 3


async def test_account_numbers_are_unique_and_digits_only(manager, estate):
    taken = await manager.form(f"/staff/premises/{estate['flat']}/accounts/new", {"number": "7700000001"})
    assert taken.status_code == 422
    letters = await manager.form(f"/staff/premises/{estate['flat']}/accounts/new", {"number": "77A"})
    assert letters.status_code == 422
    assert 'value="77A"' in letters.text
    good = await manager.form(
        f"/staff/premises/{estate['flat']}/accounts/new", {"number": "7700000077", "payer_name": "Сидорова А. И."}
    )
    assert good.status_code == 303
    assert await PersonalAccount.exists().where(PersonalAccount.number == "7700000077")


async def test_an_owner_form_checks_inn_phone_and_email(manager, estate):
    response = await manager.form(
        "/staff/owners/new", {"kind": "person", "name": "Ким Ирина", "inn": "123", "phone": "12", "email": "x@"}
    )
    assert response.status_code == 422
    assert response.text.count('aria-invalid="true"') == 3


async def test_an_organisation_s_inn_given_for_a_person_is_refused_with_the_form_kept(manager, estate):
    """A person's INN has 12 digits; ten given for a person are a slip of the INN or of the kind of owner."""
    typed = {"kind": "person", "name": "Ким Ирина", "inn": "7707083893", "phone": "", "email": ""}
    refused = await manager.form("/staff/owners/new", typed)
    assert refused.status_code == 422
    assert "ИНН физического лица состоит из 12\u00a0цифр; 10\u00a0цифр — ИНН организации." in refused.text
    assert 'value="7707083893"' in refused.text and 'value="Ким Ирина"' in refused.text
    saved = await manager.form("/staff/owners/new", {**typed, "kind": "organisation", "name": "ООО «Ромашка»"})
    assert saved.status_code == 303


async def test_an_owner_s_phone_typed_as_8_978_is_shown_in_groups_and_dials(manager, estate):
    saved = await manager.form(
        "/staff/owners/new", {"kind": "person", "name": "Ким Ирина", "phone": "8 (978) 111-22-33"}
    )
    assert saved.status_code == 303
    page = await manager.get(saved.headers["location"])
    assert '<a href="tel:+79781112233">+7\u00a0978\u00a0111\u201122\u201133</a>' in page.text


async def test_a_dispatcher_reads_but_cannot_write(dispatcher, estate):
    assert (await dispatcher.get(f"/staff/houses/{estate['house']}")).status_code == 200
    response = await dispatcher.form(f"/staff/premises/{estate['flat']}/accounts/new", {"number": "7700000088"})
    assert response.status_code == 403
    assert not await PersonalAccount.exists().where(PersonalAccount.number == "7700000088")


async def test_a_resident_or_a_guest_cannot_open_staff_pages(client, login, make_user, estate):
    guest = await client.get("/staff/housing")
    assert guest.status_code == 303
    assert guest.headers["location"] == "/login?next=/staff/housing"
    await login(client, await make_user(accounts={estate["account"]: "owner"}))
    assert (await client.get(f"/staff/houses/{estate['house']}")).status_code == 403


async def test_the_import_page_previews_then_applies(client, login, make_user, db):
    await login(client, await make_user(roles=("admin",)))
    # the file's limits as numbers of the reader's language
    assert "До 10\u00a0МБ и 50\u00a0000 строк." in (await client.get("/staff/housing/import")).text
    await client.speak("en")
    assert "Up to 10\u00a0MB and 50,000 rows." in (await client.get("/staff/housing/import")).text
    await client.speak("ru")
    data = SAMPLE.read_bytes()
    preview = await client.form("/staff/housing/import", files={"file": ("registry.csv", data, "text/csv")})
    assert preview.status_code == 200
    assert not await House.exists().where(House.address == ADDRESS)
    token = preview.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    applied = await client.form("/staff/housing/import/apply", {"token": token})
    assert applied.status_code == 303
    assert await House.exists().where(House.address == ADDRESS)
    imported = await AuditEvent.select(AuditEvent.ip).where(AuditEvent.action == "housing.registry.import")
    assert imported == [{"ip": CLIENT_IP}]  # with the address it was applied from


async def test_the_import_page_lists_problems_with_line_numbers(client, login, make_user, db):
    await login(client, await make_user(roles=("admin",)))
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[6] = lines[6].replace("45,10", "0")
    response = await client.form(
        "/staff/housing/import", files={"file": ("bad.csv", "\n".join(lines).encode(), "text/csv")}
    )
    assert response.status_code == 422
    assert "Строка 7:" in response.text
    assert not await House.exists().where(House.address == ADDRESS)
    # the browser has emptied the file field: the field says the file is to be chosen again
    assert "выберите файл снова" in response.text.split('id="e-file"')[1].split("</p>")[0]


async def test_the_progress_of_a_check_redraws_the_file_field_with_the_result(client, login, make_user, monkeypatch):
    """The check's progress polls a region that holds the upload form too: when the check ends in problems the
    file field says the file is to be chosen again (it stayed outside, without a word, after a slow check)."""
    from portal.core import imports
    from tests.billing.test_registry_routes import polled_region

    admin = await make_user(roles=("admin",))
    await login(client, admin)
    monkeypatch.setattr(imports, "status", lambda *_args: imports.Status(filename="big.csv", user_id=admin))
    page = (await client.get("/staff/housing/import/" + "a" * 32)).text
    assert "f-file" in polled_region(page)


async def test_a_manager_cannot_import(manager):
    assert (await manager.get("/staff/housing/import")).status_code == 403


# --- owners of other houses stay out of reach (issue 11, item 3) ----------------------------------------


@pytest.fixture
async def stranger(estate):
    """An owner who holds a share only in the other house."""
    owner = Owner(kind="person", name="Чужой Владелец Иванович", inn="910200000999", phone="+79780000999")
    await owner.save()
    await Ownership(premise=estate["other_flat"], owner=owner.id, share_numerator=1, share_denominator=1).save()
    return owner.id


async def _storage_room(client, house: int) -> int:
    created = await client.form(
        f"/staff/houses/{house}/premises/new", {"kind": "storage", "number": "К-9", "area": "3"}
    )
    assert created.status_code == 303
    return int(created.headers["location"].rsplit("/", 1)[1])


@pytest.mark.parametrize("reference", ["id", "inn"])
async def test_a_manager_cannot_attach_an_owner_of_another_house_and_so_reach_their_phone(
    manager, estate, stranger, reference
):
    storage = await _storage_room(manager, estate["house"])
    typed = str(stranger) if reference == "id" else "910200000999"
    response = await manager.form(f"/staff/premises/{storage}/ownerships/new", {"owner": typed, "share": "1"})
    assert response.status_code == 422
    assert "Собственник не найден." in response.text and "Чужой Владелец" not in response.text
    assert not await Ownership.exists().where((Ownership.owner == stranger) & (Ownership.premise == storage))
    assert (await manager.get(f"/staff/owners/{stranger}")).status_code == 404
    edit = await manager.form(
        f"/staff/owners/{stranger}/edit", {"kind": "person", "name": "Чужой", "phone": "+79780000001"}
    )
    assert edit.status_code == 404
    assert (await Owner.select(Owner.phone).where(Owner.id == stranger).first())["phone"] == "+79780000999"


def colleague_of(house: int) -> Principal:
    """A staff member of ``house`` (not the signed-in manager) as the owners form's write sees them."""
    return Principal(name="Коллега", staff_roles=frozenset({"manager"}), house_ids=frozenset({house}))


@pytest.fixture
async def namesakes(estate):
    """Three Зайцевы: one holding a share in the manager's house, one just entered (no premises yet) by a colleague
    of that house, one of the other house only; entered through the owners form's write, which keeps their search
    text and who entered them for which houses."""

    async def owner(name: str, phone: str, premise: int | None) -> int:
        person = {"kind": "person", "name": name, "inn": None, "phone": phone, "email": ""}
        made = await actions.save_owner(colleague_of(estate["house"]), None, person)
        if premise:
            share = {"premise": premise, "owner": made, "share_numerator": 1, "share_denominator": 2, "joint": False}
            await actions.save_ownership(None, None, share)
        return made

    cellar = Premise(house=estate["house"], kind="storage", number="К-1", floor=0, area="4.00")
    await cellar.save()
    return {
        "ours": await owner("Зайцев Глеб Игоревич", "+79785554433", cellar.id),
        "new": await owner("Зайцева Ольга Петровна", "+79785550011", None),
        "theirs": await owner("Зайцев Чужой Иванович", "+79785559999", estate["other_flat"]),
    }


def owners_offered(page: str) -> dict[int, bool]:
    """The owners offered to pick, by id: checked or not."""
    return {int(v): bool(c) for v, c in re.findall(r'name="owner_id" value="(\d+)"( checked)?', page)}


@pytest.mark.parametrize("typed", ["зайцев", "ЗАЙЦЕВ", "+7 (978) 555-", "8 978 555"])
async def test_a_share_s_owner_is_found_by_name_or_phone_in_the_manager_s_houses_or_without_premises_yet(
    manager, estate, namesakes, typed
):
    """Staff know the owner by name or phone, not by the registry's number. The scope is the owners the manager may
    see: a share in their houses, or none anywhere yet (entered a moment ago to be attached); an owner of another
    house only stays out of reach, with their phone."""
    storage = await _storage_room(manager, estate["house"])
    page = await manager.get(f"/staff/premises/{storage}/ownerships/new", params={"owner": typed})
    assert page.status_code == 200
    assert owners_offered(page.text) == {namesakes["ours"]: False, namesakes["new"]: False}
    assert "+7 978 555-44-33" in page.text.replace("\u00a0", " ").replace("\u2011", "-")
    assert "Чужой" not in page.text and "555-99-99" not in page.text.replace("\u2011", "-")
    live = await manager.get(
        f"/staff/premises/{storage}/ownerships/new", params={"owner": typed}, headers={"HX-Request": "true"}
    )
    assert "<html" not in live.text and owners_offered(live.text) == owners_offered(page.text)


async def test_words_alone_attach_nobody_and_the_owner_picked_among_the_found_gets_the_share(
    manager, estate, namesakes
):
    storage = await _storage_room(manager, estate["house"])
    url = f"/staff/premises/{storage}/ownerships/new"
    asked = await manager.form(url, {"owner": "Зайцев", "share": "1", "document": "ЕГРН 1"})
    assert asked.status_code == 422 and "Выберите собственника среди найденных." in asked.text
    assert owners_offered(asked.text) == {namesakes["ours"]: False, namesakes["new"]: False}
    assert 'value="ЕГРН 1"' in asked.text  # what was typed is kept
    for picked, typed in ((namesakes["theirs"], "Зайцев"), (namesakes["ours"], "Ольга")):  # not among the matches
        refused = await manager.form(url, {"owner": typed, "owner_id": str(picked), "share": "1"})
        assert refused.status_code == 422, typed
    assert not await Ownership.exists().where(Ownership.premise == storage)
    nobody = await manager.form(url, {"owner": "Несуществующий", "share": "1"})
    assert nobody.status_code == 422 and "Собственник не найден." in nobody.text
    made = await manager.form(url, {"owner": "Зайцев", "owner_id": str(namesakes["new"]), "share": "1"})
    assert made.status_code == 303
    owners = await Ownership.select(Ownership.owner).where(Ownership.premise == storage)
    assert [r["owner"] for r in owners] == [namesakes["new"]]


async def test_the_owner_search_offers_a_few_and_says_more_match(manager, estate, namesakes):
    """Bounded: at most eight owners are offered, with a word that more match; names that begin with the first word
    come first (the surname typed: a patronymic that holds it comes after)."""
    for n in range(9):
        person = {"kind": "person", "name": f"Абрамов Зайцев {n}", "inn": None, "phone": "", "email": ""}
        await actions.save_owner(colleague_of(estate["house"]), None, person)
    storage = await _storage_room(manager, estate["house"])
    page = await manager.get(f"/staff/premises/{storage}/ownerships/new", params={"owner": "зайцев"})
    offered = list(owners_offered(page.text))
    assert len(offered) == 8 and set(offered[:2]) == {namesakes["ours"], namesakes["new"]}
    assert "Показаны не все найденные собственники" in page.text


async def test_an_admin_attaches_any_owner_of_the_company(client, login, make_user, estate, stranger):
    await login(client, await make_user(roles=("admin",)))
    storage = await _storage_room(client, estate["house"])
    response = await client.form(f"/staff/premises/{storage}/ownerships/new", {"owner": "910200000999", "share": "1"})
    assert response.status_code == 303
    assert await Ownership.exists().where((Ownership.owner == stranger) & (Ownership.premise == storage))


# --- an owner entered without a share is the enterer's and their colleagues', not another house's ----------

NEWCOMER = {
    "kind": "person",
    "name": "Тайнова Вера Павловна",
    "inn": "910201234567",
    "phone": "+7 978 555-11-77",
    "email": "tajnova@example.ru",
}


def contacts_in(page: str, typed: str = "") -> list[str]:
    """Which of the newcomer's name, phone, e-mail and INN a page shows (other than as ``typed`` in the field)."""
    text = page.replace("\u00a0", " ").replace("\u2011", "-")
    shown = ("Тайнова Вера", "+7 978 555-11-77", "tajnova@example.ru", NEWCOMER["inn"])
    return [v for v in shown if v != typed and v in text]


async def test_an_owner_entered_without_a_share_is_out_of_reach_of_another_house_s_manager(
    client, new_client, login, make_user, estate
):
    """A manager of house A enters an owner with no share yet; the manager of house B finds them neither in the
    add-share search (by name, phone, INN or number) nor by opening them, while a colleague whose houses include A,
    the manager who entered them and an admin do."""
    await login(client, await make_user(roles=("manager",), houses=(estate["house"],)))
    entered = await client.form("/staff/owners/new", NEWCOMER)
    assert entered.status_code == 303
    owner_id = int(entered.headers["location"].rsplit("/", 1)[1])
    assert (await Owner.select(Owner.entered_by).where(Owner.id == owner_id).first())["entered_by"] is not None

    others, colleague, admin = new_client(), new_client(), new_client()
    await login(others, await make_user(roles=("manager",), houses=(estate["other_house"],)))
    await login(colleague, await make_user(roles=("manager",), houses=(estate["other_house"], estate["house"])))
    await login(admin, await make_user(roles=("admin",)))
    typed_ways = ["Тайнова", "вера павл", "+7 (978) 555-11-77", "555-11-77", NEWCOMER["inn"], str(owner_id)]
    form = f"/staff/premises/{estate['other_flat']}/ownerships/new"

    for typed in typed_ways:
        page = await others.get(form, params={"owner": typed})
        assert page.status_code == 200 and owners_offered(page.text) == {}, typed
        assert contacts_in(page.text, typed) == [], typed
    for typed in (str(owner_id), NEWCOMER["inn"]):
        refused = await others.form(form, {"owner": typed, "owner_id": str(owner_id), "share": "1"})
        assert refused.status_code == 422 and "Собственник не найден." in refused.text, typed
        assert contacts_in(refused.text, typed) == [], typed
    assert not await Ownership.exists().where(Ownership.owner == owner_id)
    assert (await others.get(f"/staff/owners/{owner_id}")).status_code == 404
    assert (await others.get(f"/staff/owners/{owner_id}/edit")).status_code == 404
    listed = await others.get("/staff/owners", params={"q": "Тайнова"})
    assert listed.status_code == 200 and contacts_in(listed.text) == []

    for staff, premise in ((colleague, "other_flat"), (admin, "other_flat"), (client, "flat")):
        for typed in typed_ways:
            page = await staff.get(f"/staff/premises/{estate[premise]}/ownerships/new", params={"owner": typed})
            assert owner_id in owners_offered(page.text), typed
        shown = await staff.get(f"/staff/owners/{owner_id}")
        assert shown.status_code == 200 and "555-11-77" in shown.text.replace("\u2011", "-")
    attached = await colleague.form(form, {"owner": NEWCOMER["inn"], "share": "1"})
    assert attached.status_code == 303
    assert await Ownership.exists().where((Ownership.owner == owner_id) & (Ownership.premise == estate["other_flat"]))


async def test_an_owner_with_no_share_and_no_one_recorded_as_entering_them_is_the_admins_only(estate):
    """Owners entered before who entered them was recorded (or by an import without shares): admins only."""
    orphan = await actions.save_owner(None, None, {**NEWCOMER, "inn": None})
    manager_of_a = Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=frozenset({estate["house"]}))
    assert await queries.get_owner(manager_of_a, orphan) is None
    assert (await queries.owner_choice(manager_of_a, "Тайнова", None)).matches == []
    assert await queries.find_owner(manager_of_a, str(orphan)) is None
    admin = Principal(user_id=2, staff_roles=frozenset({"admin"}), house_ids=None)
    assert (await queries.get_owner(admin, orphan)) is not None
    assert [o.id for o in (await queries.owner_choice(admin, "Тайнова", None)).matches] == [orphan]


# --- unexpected input is answered, never a server error (issue 11, item 7) -------------------------------

HOSTILE = ["²", "١٢", str(10**30), "-1", "9999-12-31", "1e30", "' OR 1=1 --", "%00"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/staff/housing", "complex"),
        ("/staff/housing", "q"),
        ("/staff/housing", "page"),
        ("/staff/houses/{house}", "floor"),
        ("/staff/houses/{house}", "entrance"),
        ("/staff/houses/{house}", "kind"),
        ("/staff/houses/{house}", "size"),
        ("/staff/accounts", "q"),
        ("/staff/owners", "q"),
        ("/staff/premises/{flat}/ownerships/new", "owner"),
    ],
)
async def test_hostile_query_values_are_ignored_not_a_server_error(manager, estate, path, name, value):
    # A page past the end goes to the last page (core.pagination.PastTheEnd): the answer after it is the list.
    response = await manager.get(path.format(**estate), params={name: value}, follow_redirects=True)
    assert response.status_code == 200


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_form_values_are_refused_with_the_form_not_a_server_error(manager, estate, value):
    premise = await manager.form(
        f"/staff/houses/{estate['house']}/premises/new",
        {"kind": "flat", "number": "88", "entrance": value, "floor": value, "area": value, "risers": [value]},
    )
    assert premise.status_code == 422
    share = await manager.form(f"/staff/premises/{estate['flat']}/ownerships/new", {"owner": value, "share": value})
    assert share.status_code == 422
    account = await manager.form(
        f"/staff/premises/{estate['flat']}/accounts/new", {"number": value, "opened_on": value}
    )
    assert account.status_code == 422


async def test_an_id_past_64_bits_in_a_registry_path_is_not_found(manager):
    paths = (f"/staff/houses/{10**30}", f"/staff/premises/{2**63}/edit", f"/staff/owners/{10**20}")
    for path in (*paths, "/staff/owners/3000000000"):  # past a 32-bit id: PostgreSQL refused the query itself
        assert (await manager.get(path)).status_code == 404


# --- the import is checked off the event loop, with its progress shown (issue 11, item 4) -----------------


async def _until_checked(client, token: str, seconds: float = 60) -> object:
    import asyncio
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = await client.get(f"/staff/housing/import/{token}")
        if "checking-h" not in page.text:
            return page
        await asyncio.sleep(0.2)
    raise AssertionError("the check did not finish")


async def test_a_file_past_the_row_limit_is_checked_in_the_background_while_other_requests_are_served(
    client, login, make_user, db, monkeypatch
):
    """The file is read on a worker thread: the upload is answered with the progress, and the page asks again
    until the check ends; while the reading is held at its start, ``/healthz`` is answered."""
    from portal.core import imports
    from tests.meanwhile import answered
    from tests.meanwhile import held

    monkeypatch.setattr(imports, "WAIT_SECONDS", 0)  # the upload is answered before the check could end
    reading = held(monkeypatch, registry, "parse_lines")
    await login(client, await make_user(roles=("admin",)))
    lines = [f"ЖК Большой;ул. Длинная, д. 1;кв;{n};50" for n in range(1, registry.MAX_ROWS + 5)]
    body = "\n".join(["complex;house_address;premise_kind;premise_number;area", *lines])

    async def upload_until_checked() -> object:
        page = await client.form("/staff/housing/import", files={"file": ("big.csv", body.encode(), "text/csv")})
        assert page.status_code == 200, "the upload was answered only once the file was checked"
        assert "Проверяем файл big.csv" in page.text  # the progress, then the page asks again
        return await _until_checked(client, page.text.split('hx-get="/staff/housing/import/', 1)[1].split('"', 1)[0])

    done, held_the_loop = await answered(client, upload_until_checked(), reading)
    assert held_the_loop == [], "/healthz waited for the check"
    assert done.status_code == 422
    assert re.search(r"В файле больше 50\s000 строк", done.text)
    assert not await House.exists()


async def test_an_unknown_check_token_is_not_found(client, login, make_user, db):
    await login(client, await make_user(roles=("admin",)))
    assert (await client.get("/staff/housing/import/" + "0" * 32)).status_code == 404
    assert (await client.get("/staff/housing/import/../../etc")).status_code == 404
    assert (await client.form("/staff/housing/import/apply", {"token": "../x"})).status_code == 404


async def test_a_manager_moves_their_house_only_among_the_complexes_of_their_houses(manager, estate):
    other = await House.select(House.complex).where(House.id == estate["other_house"]).first()
    form = await manager.get(f"/staff/houses/{estate['house']}/edit")
    assert "ЖК «Другой»" not in form.text and "ЖК «Южная Долина»" in form.text
    moved = await manager.form(
        f"/staff/houses/{estate['house']}/edit",
        {"complex": str(other["complex"]), "address": ADDRESS, "floors": "9"},
    )
    assert moved.status_code == 422
    assert (await House.select(House.complex).where(House.id == estate["house"]).first())["complex"] != other["complex"]


async def test_a_manager_gives_the_house_its_developer_and_commissioning_day_and_the_card_shows_them(manager, estate):
    """The developer's name, its e-mail for warranty claims and the commissioning day (which the warranty terms run
    from) are edited on the house's form, said in the audit log in its words, and shown on the house's card."""
    url = f"/staff/houses/{estate['house']}/edit"
    house = await House.select(House.complex).where(House.id == estate["house"]).first()
    form = {"complex": str(house["complex"]), "address": ADDRESS, "floors": "9"}
    developer = {"developer_name": "ООО СЗ «Тест Строй»", "developer_email": "Claims@Test-Stroy.RU"}
    wrong = await manager.form(url, {**form, **developer, "commissioned_on": "вчера"})
    assert wrong.status_code == 422 and "ООО СЗ «Тест Строй»" in wrong.text
    bad_mail = await manager.form(url, {**form, **developer, "developer_email": "claims@", "commissioned_on": ""})
    assert bad_mail.status_code == 422
    saved = await manager.form(url, {**form, **developer, "commissioned_on": "2024-02-29"})
    assert saved.status_code == 303, saved.text[:2000]
    row = await House.select().where(House.id == estate["house"]).first()
    assert (row["developer_name"], row["developer_email"]) == ("ООО СЗ «Тест Строй»", "claims@test-stroy.ru")
    assert row["commissioned_on"].isoformat() == "2024-02-29"
    card = await manager.get(f"/staff/houses/{estate['house']}")
    assert "ООО СЗ «Тест Строй»" in card.text and "claims@test-stroy.ru" in card.text and "29 февраля 2024" in card.text
    again = await manager.get(url)
    assert 'value="2024-02-29"' in again.text and 'value="claims@test-stroy.ru"' in again.text
    event = await AuditEvent.select().where(AuditEvent.action == "housing.house.update").first()
    assert changes(event)["commissioned_on"] == [None, "2024-02-29"]
    words = [audit.field_label("housing.house.update", f) for f in ("developer_email", "commissioned_on")]
    assert words == ["E-mail застройщика для гарантийных претензий", "Дата ввода в эксплуатацию"]
