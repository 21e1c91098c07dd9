"""Defects under the developer's warranty (ФЗ-214 ст. 7 ч. 5, 5.1): the terms by what is defective, counted from the
house's commissioning ([VERIFY] in ``rules.WARRANTY_YEARS``), and the resident's form that files such a defect."""

from __future__ import annotations

import importlib
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from portal.core import clock
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.tickets import rules
from tests.tickets.test_audit_trail import CLIENT_IP


@pytest.mark.parametrize(
    ("kind", "commissioned", "today", "state"),
    [
        # The structure: 5 years, the last day in is the same day five years on; the day after is out.
        ("walls", date(2023, 3, 15), date(2028, 3, 15), (True, date(2028, 3, 15))),
        ("walls", date(2023, 3, 15), date(2028, 3, 16), (False, date(2028, 3, 15))),
        ("windows", date(2023, 3, 15), date(2023, 3, 15), (True, date(2028, 3, 15))),
        # The equipment: 3 years.
        ("risers", date(2023, 3, 15), date(2026, 3, 15), (True, date(2026, 3, 15))),
        ("risers", date(2023, 3, 15), date(2026, 3, 16), (False, date(2026, 3, 15))),
        ("lifts", date(2023, 3, 15), date(2027, 1, 1), (False, date(2026, 3, 15))),
        # A group named as such.
        ("structure", date(2023, 3, 15), date(2027, 1, 1), (True, date(2028, 3, 15))),
        # 29 February: the term ends on 28 February of a year without it (ГК РФ ст. 192 п. 3) …
        ("heating", date(2024, 2, 29), date(2027, 2, 28), (True, date(2027, 2, 28))),
        ("heating", date(2024, 2, 29), date(2027, 3, 1), (False, date(2027, 2, 28))),
        ("roof", date(2024, 2, 29), date(2029, 2, 28), (True, date(2029, 2, 28))),
        ("roof", date(2024, 2, 29), date(2029, 3, 1), (False, date(2029, 2, 28))),
        # … and a term that ends in a leap year ends on 29 February.
        ("facade", date(2023, 2, 28), date(2028, 2, 29), (False, date(2028, 2, 28))),
    ],
)
def test_the_warranty_lasts_five_years_for_the_structure_and_three_for_the_equipment(kind, commissioned, today, state):
    assert rules.warranty_state(kind, commissioned, today) == state


def test_every_defect_kind_has_a_group_a_term_and_words():
    for kind, group in rules.DEFECT_KINDS.items():
        assert rules.WARRANTY_YEARS[group] in (3, 5)
        assert rules.DEFECT_LABELS(kind) != kind


@pytest.mark.parametrize(
    ("where", "kind", "place"),
    [
        ("flat", "lifts", "premise"),
        ("common", "lifts", "lift"),
        ("common", "roof", "roof"),
        ("common", "walls", "entrance"),
    ],
)
def test_a_defect_is_filed_at_the_flat_or_at_its_common_place(where, kind, place):
    assert rules.defect_place(where, kind) == place


# --- the resident's form ---------------------------------------------------------------------------------------


async def _resident_in_house(make_user, make_account, commissioned_on):
    """A resident of a flat in a house of developer «СЗ Тест» commissioned on ``commissioned_on`` (None: unknown)."""
    from portal.housing.tables import House

    place = await make_account()
    await House.update(
        {
            House.developer_name: "ООО СЗ «Тест Строй»",
            House.developer_email: "claims@test-stroy.ru",
            House.commissioned_on: commissioned_on,
        }
    ).where(House.id == place.house)
    user = await make_user(name="Петрова Анна", accounts={place.account: "owner"}, rights=("view", "tickets"))
    return user, place


def _four_years_ago():
    """A house whose structure is under warranty (5 years) and whose equipment is past it (3 years)."""
    from portal.core import clock

    today = clock.today_local()
    return rules.years_after(today, -4), today


def _defect(place, **changes):
    data = {
        "account": str(place.account),
        "where": "flat",
        "kind": "walls",
        "description": "Трещина в стене спальни от окна до потолка",
        "noticed_on": "2026-01-10",
        "consent": "1",
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


async def test_the_page_says_before_filing_until_when_the_house_is_under_warranty(
    client, login, make_user, make_account
):
    commissioned, today = _four_years_ago()
    user, place = await _resident_in_house(make_user, make_account, commissioned)
    await login(client, user)
    structure_ends = format_day(rules.warranty_state("structure", commissioned, today)[1], locale="ru")
    equipment_ends = format_day(rules.warranty_state("equipment", commissioned, today)[1], locale="ru")
    page = await client.get("/tickets/warranty")
    assert page.status_code == 200 and "Гарантийный дефект" in page.text
    assert f"Конструктив дома: на гарантии застройщика до {structure_ends}" in page.text
    assert f"Инженерное оборудование: гарантия застройщика закончилась {equipment_ends}" in page.text
    assert "ООО СЗ «Тест Строй»" in page.text
    # The consent is asked, never ticked for the resident.
    assert 'name="consent" value="1">' in page.text.replace("\n", "")
    # The kind chosen (as htmx asks when it changes): that kind's term only, and for a flat the owner's claim.
    hint = await client.get(
        f"/tickets/warranty?account={place.account}&kind=risers&where=flat", headers={"HX-Request": "true"}
    )
    assert hint.status_code == 200 and "<html" not in hint.text
    assert f"гарантия застройщика закончилась {equipment_ends}" in hint.text and structure_ends not in hint.text
    assert "будет подана как обычная" in hint.text and "претензия по дефекту в квартире" in hint.text.lower()
    assert "/tickets/warranty" in (await client.get("/tickets/new")).text


async def test_a_defect_in_the_flat_under_warranty_is_filed_with_the_owner_s_consent_and_photos(
    client, login, make_user, make_account, photo
):
    from portal.core.tables import AuditEvent
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketAttachment

    commissioned, today = _four_years_ago()
    user, place = await _resident_in_house(make_user, make_account, commissioned)
    await login(client, user)
    files = [("photos", ("crack.jpg", photo, "image/jpeg"))]
    response = await client.form("/tickets/warranty", _defect(place), files=files)
    assert response.status_code == 303, response.text[:3000]
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert (ticket["category"], ticket["type"], ticket["place"]) == ("warranty_defect", "warranty", "premise")
    assert ticket["premise"] == place.premise and ticket["author"] == user and ticket["deadline"] is not None
    ends = rules.warranty_state("walls", commissioned, today)[1].strftime("%d.%m.%Y")
    text = ticket["description"]
    assert "Дефект новостройки: Конструктив дома, Стены, потолки, трещины." in text
    assert "Где: В моей квартире." in text and "Замечен 10.01.2026." in text
    assert f"На гарантии застройщика до {ends}." in text
    assert "Собственник согласен" in text and "Трещина в стене спальни" in text
    assert "Under the developer's warranty until" in ticket["description_en"]
    assert await TicketAttachment.count().where(TicketAttachment.ticket == ticket["id"]) == 1
    filed = await AuditEvent.select(AuditEvent.action, AuditEvent.entity_id).where(AuditEvent.action == "ticket.file")
    assert filed == [{"action": "ticket.file", "entity_id": ticket["id"]}]


async def test_past_the_warranty_a_common_defect_is_filed_as_an_ordinary_request_and_says_so(
    client, login, make_user, make_account
):
    from portal.tickets.tables import Ticket

    commissioned, _today = _four_years_ago()
    user, place = await _resident_in_house(make_user, make_account, commissioned)
    await login(client, user)
    # Common property: the company's own claim, no consent asked.
    response = await client.form("/tickets/warranty", _defect(place, where="common", kind="lifts", consent=None))
    assert response.status_code == 303, response.text[:3000]
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert (ticket["category"], ticket["type"], ticket["place"]) == ("warranty_defect", "ordinary", "lift")
    assert "заявка подана как обычная" in ticket["description"] and "Собственник" not in ticket["description"]


async def test_without_a_commissioning_date_the_dispatcher_checks_the_warranty(client, login, make_user, make_account):
    from portal.tickets.tables import Ticket

    user, place = await _resident_in_house(make_user, make_account, None)
    await login(client, user)
    assert "у нас не записана" in (await client.get("/tickets/warranty")).text
    assert (await client.form("/tickets/warranty", _defect(place))).status_code == 303
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["type"] == "warranty" and "диспетчер проверит гарантию" in ticket["description"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent": None}, "consent", "Отметьте согласие"),
        ({"where": ""}, "where", "Выберите, где дефект"),
        ({"kind": "doors"}, "kind", "Выберите, что неисправно"),
        ({"description": " "}, "description", "Опишите дефект"),
        ({"noticed_on": "2099-01-01"}, "noticed_on", "не может быть позже сегодняшнего"),
    ],
)
async def test_a_report_refused_comes_back_with_what_was_typed_and_the_warranty_said(
    client, login, make_user, make_account, changes, field, message
):
    from portal.tickets.tables import Ticket

    commissioned, _today = _four_years_ago()
    user, place = await _resident_in_house(make_user, make_account, commissioned)
    await login(client, user)
    response = await client.form("/tickets/warranty", _defect(place, **changes))
    assert response.status_code == 422 and message in response.text and f'id="e-{field}"' in response.text
    if field != "description":
        assert "Трещина в стене спальни от окна до потолка" in response.text
    assert "Конструктив дома: на гарантии застройщика до" in response.text  # after a plain post, too
    assert not await Ticket.exists().where(Ticket.account == place.account)


# --- the dispatcher forwards it to the developer -----------------------------------------------------------------


async def _filed_defect(
    client, login, make_user, make_account, photo, *, email="claims@test-stroy.ru", locale="ru", kind="walls", **house
):
    """A resident (reading ``locale``) files a defect of ``kind`` in their flat with a photo; the house's claims e-mail
    is ``email`` ("" for none), commissioned four years ago (or on ``commissioned``). Returns the place, the resident
    and the request's id."""
    from portal.housing.tables import House
    from portal.tickets.tables import Ticket

    commissioned = house.get("commissioned", _four_years_ago()[0])
    place = await make_account()
    await House.update(
        {House.developer_name: "ООО СЗ «Тест Строй»", House.developer_email: email, House.commissioned_on: commissioned}
    ).where(House.id == place.house)
    user = await make_user(name="Петрова Анна", accounts={place.account: "owner"}, rights=("view", "tickets"),
                           locale=locale)  # fmt: skip
    await login(client, user)
    files = [("photos", ("crack.jpg", photo, "image/jpeg"))]
    assert (await client.form("/tickets/warranty", _defect(place, kind=kind), files=files)).status_code == 303
    ticket = await Ticket.select(Ticket.id, Ticket.number).where(Ticket.account == place.account).first()
    return place, user, ticket


async def test_the_dispatcher_forwards_the_claim_to_the_developer_by_e_mail_with_its_photos(
    client, new_client, login, make_user, make_account, photo, smtp_server
):
    import dataclasses
    import email

    from portal.core import outbox
    from portal.core.tables import AuditEvent
    from portal.core.tables import OutboxMessage
    from portal.housing.tables import Premise
    from portal.settings import get_settings
    from portal.settings import use_settings
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    place, resident, ticket = await _filed_defect(client, login, make_user, make_account, photo, locale="en")
    premise_number = (await Premise.select(Premise.number).where(Premise.id == place.premise).first())["number"]
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url = f"/staff/tickets/{ticket['id']}"
    page = await staff.get(url)
    assert "Гарантия застройщика" in page.text and "claims@test-stroy.ru" in page.text
    assert f'action="{url}/forward"' in page.text and "Передать застройщику" in page.text

    response = await staff.form(f"{url}/forward", {})
    assert response.status_code == 303
    row = await Ticket.select(Ticket.developer_sent_at, Ticket.internal_status).where(Ticket.id == ticket["id"]).first()
    assert row["developer_sent_at"] is not None and row["internal_status"] == "developer"
    # The history records it, in both languages, for the resident to read; the staff page says when it went.
    said = await TicketEvent.select().where((TicketEvent.ticket == ticket["id"]) & (TicketEvent.kind == "message"))
    assert len(said) == 1 and said[0]["visible_to_resident"]
    assert "Претензия передана застройщику ООО СЗ «Тест Строй»" in said[0]["comment"]
    assert "The claim is forwarded to the developer" in said[0]["comment_en"]
    assert "Передано застройщику" in (await staff.get(url)).text
    # Waiting for the developer: the list filters by it.
    waiting = await staff.get("/staff/tickets?tab=all&internal_status=developer")
    assert str(ticket["number"]) in waiting.text
    audited = await AuditEvent.select().where(AuditEvent.action == "ticket.forward")
    assert [(e["entity_id"], e["ip"]) for e in audited] == [(ticket["id"], CLIENT_IP)]
    # The resident is told, in their language.
    told = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body).where(
        (OutboxMessage.user_id == resident) & (OutboxMessage.template == "ticket_reply")
    )
    assert told and all("The claim is forwarded to the developer" in t["body"] for t in told if t["body"])

    # The letter goes through a real SMTP server: in Russian, to the claims e-mail, the photo attached.
    settings = get_settings()
    use_settings(dataclasses.replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port))
    try:
        await outbox.deliver_due()
    finally:
        use_settings(settings)
    [envelope] = [m for m in smtp_server.messages if "claims@test-stroy.ru" in m.rcpt_tos]
    letter = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert letter["Subject"].startswith("Гарантийная претензия: г. Симферополь, ул. Тестовая, д. ")
    assert letter["Subject"].endswith(f", кв. {premise_number} (заявка №\u00a0{ticket['number']})")
    text = letter.get_body(("plain",)).get_content()
    assert "Кому: ООО СЗ «Тест Строй»" in text and "Претензия собственника — Петрова Анна" in text
    assert "Трещина в стене спальни от окна до потолка" in text and "Замечен 10.01.2026." in text
    assert "ст.\u00a07 Федерального закона №\u00a0214-ФЗ" in text and "Прилагается 1\u00a0фотография дефекта." in text
    [attached] = list(letter.iter_attachments())
    assert attached.get_content_type() == "image/jpeg" and attached.get_filename() == "photo-1.jpg"
    assert attached.get_content()[:2] == b"\xff\xd8"

    # Once: a second press is told when it went, and nothing more is sent.
    again = await staff.form(f"{url}/forward", {})
    assert again.status_code == 303
    assert await OutboxMessage.count().where(OutboxMessage.recipient == "claims@test-stroy.ru") == 1
    assert len(await AuditEvent.select().where(AuditEvent.action == "ticket.forward")) == 1


async def test_without_a_claims_e_mail_the_button_says_what_is_missing_and_nothing_is_sent(
    client, new_client, login, make_user, make_account, photo
):
    from portal.core.tables import OutboxMessage
    from portal.tickets.tables import Ticket

    place, _resident, ticket = await _filed_defect(client, login, make_user, make_account, photo, email="")
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url = f"/staff/tickets/{ticket['id']}"
    page = await staff.get(url)
    assert "На карточке дома нет e-mail застройщика для гарантийных претензий" in page.text
    assert 'type="submit" disabled aria-describedby="forward-missing">Передать застройщику' in page.text
    assert f'href="/staff/houses/{place.house}"' in page.text
    refused = await staff.form(f"{url}/forward", {})
    assert refused.status_code == 303
    assert "сначала добавьте его там" in (await staff.get(url)).text  # the refusal, flashed
    assert not await OutboxMessage.exists().where(OutboxMessage.template == "tickets/developer_claim")
    row = await Ticket.select(Ticket.developer_sent_at).where(Ticket.id == ticket["id"]).first()
    assert row["developer_sent_at"] is None


# --- the developer's answer ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticket_type", "kind", "commissioned", "filed", "ended"),
    [
        ("warranty", "risers", date(2020, 3, 15), date(2024, 1, 10), None),  # filed under warranty
        ("ordinary", "risers", None, date(2024, 1, 10), None),  # the commissioning unknown: the dispatcher checks
        # The term of what is defective: the equipment's 3 years ended, the structure's 5 still run.
        ("ordinary", "risers", date(2020, 3, 15), date(2024, 1, 10), date(2023, 3, 15)),
        ("ordinary", "windows", date(2020, 3, 15), date(2024, 1, 10), None),
        # Past both: each its own term.
        ("ordinary", "lifts", date(2017, 3, 15), date(2024, 1, 10), date(2020, 3, 15)),
        ("ordinary", "walls", date(2017, 3, 15), date(2024, 1, 10), date(2022, 3, 15)),
        # Filed before the kind was kept: an ordinary defect is of the equipment, its term the one ended …
        ("ordinary", "", date(2020, 3, 15), date(2024, 1, 10), date(2023, 3, 15)),
        # … and past both, the day by which the whole warranty had ended.
        ("ordinary", "", date(2017, 3, 15), date(2024, 1, 10), date(2022, 3, 15)),
        # A dispatcher who made it a warranty request decided: it may go.
        ("warranty", "lifts", date(2017, 3, 15), date(2024, 1, 10), None),
    ],
)
def test_a_defect_filed_past_the_warranty_says_the_day_its_term_ended(ticket_type, kind, commissioned, filed, ended):
    assert rules.warranty_ended_on(ticket_type, kind, commissioned, filed) == ended


@pytest.mark.parametrize(
    ("status", "answer", "promised", "refused"),
    [
        ("new", "", None, False),  # forwarded, no answer yet
        ("new", "accepted", date(2027, 3, 1), False),
        ("in_work", "accepted", date(2027, 3, 1), False),
        ("reopened", "accepted", date(2027, 3, 1), False),
        ("done", "accepted", None, False),  # staff finished it: the resident confirms the work, not a promise
        ("closed", "accepted", None, False),
        ("cancelled", "accepted", None, False),
        ("new", "refused", None, True),
        ("closed", "refused", None, False),  # finished: as any finished request
        ("done", "fixed", None, False),
    ],
)
def test_the_developer_s_promise_holds_until_the_request_is_finished(status, answer, promised, refused):
    assert rules.developer_promise(rules.DeveloperClaim(status, answer, date(2027, 3, 1))) == promised
    assert rules.developer_refused(status, answer) is refused


ANSWERED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PROMISED = date(2027, 3, 1)


@pytest.mark.parametrize(
    ("status", "answer", "returned_at", "public", "promised", "history"),
    [
        # Forwarded, no answer yet: the request's own status («Новая»).
        ("new", "", None, "new", None, None),
        # Accepted: «В работе» whatever the dispatcher left it in, the promised day its term.
        ("new", "accepted", None, "in_work", PROMISED, None),
        ("accepted", "accepted", None, "in_work", PROMISED, None),
        ("in_work", "accepted", None, "in_work", PROMISED, None),
        # Reported done: done, the resident confirms the work (no promise stands).
        ("done", "accepted", None, "done", None, None),
        ("cancelled", "accepted", None, "cancelled", None, None),
        # Refused: the request's own status again.
        ("new", "refused", None, "new", None, None),
        # Done and returned since the answer: the promise is history, the status the request's own.
        (
            "reopened",
            "accepted",
            ANSWERED + timedelta(days=3),
            "reopened",
            None,
            (PROMISED, ANSWERED + timedelta(days=3)),
        ),
        (
            "in_work",
            "accepted",
            ANSWERED + timedelta(days=3),
            "in_work",
            None,
            (PROMISED, ANSWERED + timedelta(days=3)),
        ),
        ("reopened", "fixed", ANSWERED + timedelta(days=3), "reopened", None, (PROMISED, ANSWERED + timedelta(days=3))),
        # Returned before the developer's answer (a new promise since): the promise stands.
        ("reopened", "accepted", ANSWERED - timedelta(days=3), "in_work", PROMISED, None),
        # A refusal after the return: no promise to speak of.
        ("reopened", "refused", ANSWERED + timedelta(days=3), "reopened", None, None),
    ],
)
def test_the_resident_reads_in_work_while_the_promise_stands_and_a_returned_one_as_history(
    status, answer, returned_at, public, promised, history
):
    claim = rules.DeveloperClaim(status, answer, PROMISED, ANSWERED, returned_at)
    assert rules.public_status(claim) == public
    assert rules.developer_promise(claim) == promised
    assert rules.promise_returned(claim) == history


def test_an_answer_kept_before_its_moment_was_counts_as_before_a_return():
    claim = rules.DeveloperClaim("reopened", "accepted", PROMISED, None, ANSWERED)
    assert rules.developer_promise(claim) is None and rules.promise_returned(claim) == (PROMISED, ANSWERED)
    assert rules.public_status(rules.DeveloperClaim("new", "accepted", PROMISED, None, None)) == "in_work"


async def test_past_the_warranty_the_claim_is_not_offered_nor_forwarded(
    client, new_client, login, make_user, make_account, photo
):
    from portal.core.tables import OutboxMessage
    from portal.tickets.tables import Ticket

    # Lifts: the equipment's 3 years ended a year ago.
    place, _resident, ticket = await _filed_defect(client, login, make_user, make_account, photo, kind="lifts")
    commissioned = _four_years_ago()[0]
    ended = f"Гарантия застройщика закончилась {format_day(rules.years_after(commissioned, 3), 'short')}."
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url = f"/staff/tickets/{ticket['id']}"
    page = await staff.get(url)
    assert ended in page.text
    assert f'action="{url}/forward"' not in page.text and "Передать застройщику" not in page.text
    refused = await staff.form(f"{url}/forward", {})
    assert refused.status_code == 303
    assert ended in (await staff.get(url)).text  # the refusal, flashed
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "claims@test-stroy.ru")
    row = await Ticket.select(Ticket.developer_sent_at).where(Ticket.id == ticket["id"]).first()
    assert row["developer_sent_at"] is None


async def test_without_a_commissioning_date_the_claim_is_offered_and_the_warranty_to_check(
    client, new_client, login, make_user, make_account, photo
):
    place, _resident, ticket = await _filed_defect(
        client, login, make_user, make_account, photo, kind="lifts", commissioned=None
    )
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url = f"/staff/tickets/{ticket['id']}"
    page = await staff.get(url)
    assert "Дата ввода дома в эксплуатацию не указана: проверьте гарантию застройщика" in page.text
    assert f'action="{url}/forward"' in page.text and "Гарантия застройщика закончилась" not in page.text
    assert (await staff.form(f"{url}/forward", {})).status_code == 303
    assert "Передано застройщику" in (await staff.get(url)).text


def test_only_an_open_request_waiting_for_the_developer_takes_its_answer():
    waits, fixed = rules.InternalStatus.DEVELOPER, rules.DeveloperAnswer.FIXED
    assert rules.may_record_developer_answer("accepted", waits, rules.DeveloperAnswer.ACCEPTED)
    assert rules.may_record_developer_answer("in_work", waits, fixed)
    assert not rules.may_record_developer_answer("accepted", rules.InternalStatus.NONE, fixed)  # refused before
    assert not rules.may_record_developer_answer("done", waits, fixed)  # fixed before
    assert not rules.may_record_developer_answer("cancelled", waits, rules.DeveloperAnswer.REFUSED)


def test_the_promised_day_is_the_deadline_to_its_end_in_the_company_s_zone():
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    due = rules.developer_deadline(date(2027, 3, 1), "Europe/Simferopol")
    assert due.astimezone(UTC) == datetime(2027, 3, 1, 20, 59, tzinfo=UTC)
    assert (due + timedelta(minutes=1)).date() == date(2027, 3, 2)


async def _forwarded(client, new_client, login, make_user, make_account, photo):
    """A defect filed by an English-reading resident and forwarded to the developer by a dispatcher, whose client
    is returned with the request's page."""
    place, resident, ticket = await _filed_defect(client, login, make_user, make_account, photo, locale="en")
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url = f"/staff/tickets/{ticket['id']}"
    assert (await staff.form(f"{url}/forward", {})).status_code == 303
    return staff, url, resident, ticket


def _resident_status(page: str) -> str:
    """The status badge's words on the resident's page of a request."""
    return page.split('id="ticket-status"', 1)[1].split('class="badge ', 1)[1].split(">", 1)[1].split("<", 1)[0]


async def _told(resident, needle):
    from portal.core.tables import OutboxMessage

    bodies = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.user_id == resident)
    return [b["body"] for b in bodies if needle in (b["body"] or "")]


async def test_the_developer_accepts_the_request_waits_with_its_day_as_the_term(
    client, new_client, login, make_user, make_account, photo
):
    from datetime import timedelta

    from portal.core import clock
    from portal.core.tables import AuditEvent
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    staff, url, resident, ticket = await _forwarded(client, new_client, login, make_user, make_account, photo)
    page = await staff.get(url)
    assert f'action="{url}/developer-answer"' in page.text and "Застройщик принял — устранит до даты" in page.text
    # The list says when it went, under its status (and in the internal status's column when that is chosen).
    sent = f"Передано застройщику {clock.today_local():%d.%m.%Y}"
    assert sent in (await staff.get("/staff/tickets?tab=all")).text
    # Without a day: the page again, what was typed kept, nothing written.
    missing = await staff.form(f"{url}/developer-answer", {"answer": "accepted", "reason": "по графику"})
    assert missing.status_code == 422 and "Укажите дату, до которой застройщик обещал" in missing.text
    past = (clock.today_local() - timedelta(days=1)).isoformat()
    late = await staff.form(f"{url}/developer-answer", {"answer": "accepted", "until": past})
    assert late.status_code == 422 and f'value="{past}"' in late.text  # a day gone by: refused, kept as typed
    until = clock.today_local() + timedelta(days=20)
    answered = await staff.form(f"{url}/developer-answer", {"answer": "accepted", "until": until.isoformat()})
    assert answered.status_code == 303
    row = await Ticket.select(
        Ticket.deadline, Ticket.internal_status, Ticket.developer_answer, Ticket.developer_promised_on
    ).where(Ticket.id == ticket["id"]).first()  # fmt: skip
    assert row["internal_status"] == "developer"  # still waiting, now until the promised day
    assert row["deadline"].astimezone(clock.zone()).date() == until
    assert row["developer_answer"] == "accepted" and row["developer_promised_on"] == until  # kept, not inferred
    # The resident's page says the developer's promise, not the company's term of 10 working days.
    term = (await client.get(f"/tickets/{ticket['id']}")).text.split('id="ticket-term">', 1)[1].split("</dd>", 1)[0]
    assert term == f"The developer promised to fix it by {format_day(until, locale='en')}"
    # The resident reads «В работе» on the request's page, their list and the home page, though staff left it «Новая».
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first())["status"] == "new"
    assert _resident_status((await client.get(f"/tickets/{ticket['id']}")).text) == "In work"
    in_work = '<span class="badge badge-in_work">In work</span>'
    assert in_work in (await client.get("/tickets")).text and in_work in (await client.get("/")).text
    assert "badge-in_work" not in (await staff.get(url)).text.split('id="ticket-status"', 1)[1][:300]
    # The request's page: the promised day as the term, and no legal term of the company's that contradicts it.
    deadline = (await staff.get(url)).text.split("<dt>Срок</dt>", 1)[1].split("</dd>", 1)[0]
    assert format_day(until) in deadline and "обещанный застройщиком" in deadline
    assert "рабоч" not in deadline
    listed = (await staff.get("/staff/tickets?tab=all")).text
    assert format_moment(row["deadline"], str(clock.zone())) in listed and sent in listed  # the term: the promised day
    said = await (  # in the order written: PostgreSQL returns rows without an ORDER BY in no promised order
        TicketEvent.select()
        .where((TicketEvent.ticket == ticket["id"]) & (TicketEvent.kind == "message"))
        .order_by(TicketEvent.id)
    )
    assert f"принял претензию и устранит дефект до {until:%d.%m.%Y}" in said[-1]["comment"]
    # A term staff set since is theirs, not the developer's: the promise is still said beside it.
    await Ticket.update({Ticket.deadline: row["deadline"] + timedelta(days=3)}).where(Ticket.id == ticket["id"])
    page = (await staff.get(url)).text
    assert "обещанный застройщиком" not in page.split("<dt>Срок</dt>", 1)[1].split("</dd>", 1)[0]
    assert f'<dd id="developer-promised">{format_day(until)}</dd>' in page
    assert await _told(resident, "accepted the claim and will fix the defect by")
    [audited] = await AuditEvent.select().where(AuditEvent.action == "ticket.developer_answer")
    assert audited["entity_id"] == ticket["id"] and audited["ip"] == CLIENT_IP
    assert audited["changes"] and "accepted" in str(audited["changes"])


async def test_the_promise_stands_when_the_dispatcher_moves_the_request_on_from_waiting_for_the_developer(
    client, new_client, login, make_user, make_account, photo
):
    """A dispatcher who sets another internal status on an accepted defect (parts ordered, a visit agreed) does not
    take back the developer's promise: both pages still say it, not the company's term of 10 working days."""
    from datetime import timedelta

    from portal.core import clock
    from portal.tickets.tables import Ticket
    from tests.tickets.test_staff_detail import posted_form

    staff, url, _resident, ticket = await _forwarded(client, new_client, login, make_user, make_account, photo)
    until = clock.today_local() + timedelta(days=20)
    assert (await staff.form(f"{url}/developer-answer", {"answer": "accepted", "until": until.isoformat()})).is_redirect
    form = posted_form((await staff.get(url)).text, url + "/update")
    assert (await staff.form(url + "/update", {**form, "internal_status": "waiting_parts"})).status_code == 303
    row = await Ticket.select(Ticket.internal_status).where(Ticket.id == ticket["id"]).first()
    assert row["internal_status"] == "waiting_parts"  # no longer «Ждёт ответа застройщика»
    mine = (await client.get(f"/tickets/{ticket['id']}")).text
    term = mine.split('id="ticket-term">', 1)[1].split("</dd>", 1)[0]
    assert term == f"The developer promised to fix it by {format_day(until, locale='en')}"
    page = (await staff.get(url)).text
    assert f'<dd id="developer-promised">{format_day(until)}</dd>' in page
    assert "обещанный застройщиком" in page.split("<dt>Срок</dt>", 1)[1].split("</dd>", 1)[0]
    # Finished by staff: the request's page no longer holds the developer to it.
    assert (await staff.form(f"{url}/status", {"status": "done"})).status_code == 303
    done = (await client.get(f"/tickets/{ticket['id']}")).text
    assert "The developer promised" not in done and _resident_status(done) == "Done"
    # Returned by the resident: the old promise is history, not the term; the term is the company's again.
    returned = await client.form(f"/tickets/{ticket['id']}/reopen", {"reason": "Трещина осталась"})
    assert returned.status_code == 303
    mine = (await client.get(f"/tickets/{ticket['id']}")).text
    term = mine.split('id="ticket-term">', 1)[1].split("</dd>", 1)[0]
    assert "developer" not in term
    history = mine.split('id="promise-returned">', 1)[1].split("</dd>", 1)[0]
    today = format_day(clock.today_local(), locale="en")
    assert history == (
        f"The developer promised to fix it by {format_day(until, locale='en')}; the request was returned on {today}"
    )
    assert _resident_status(mine) == "Reopened"
    assert '<dd id="developer-promised">' not in (await staff.get(url)).text  # nor does staff's page hold it


async def test_the_developer_refuses_back_to_the_dispatcher_the_owner_told_how_to_claim(
    client, new_client, login, make_user, make_account, photo
):
    from portal.tickets.tables import Ticket

    staff, url, resident, ticket = await _forwarded(client, new_client, login, make_user, make_account, photo)
    missing = await staff.form(f"{url}/developer-answer", {"answer": "refused", "reason": ""})
    assert missing.status_code == 422 and "Укажите причину отказа застройщика" in missing.text
    reason = "Трещина от усадки, не гарантийный случай"
    # The company's own term passed while the developer took weeks to answer: it is counted anew from the refusal,
    # so the resident does not read «Просрочена» for the wait.
    long_ago = clock.now() - timedelta(days=24)
    await Ticket.update({Ticket.deadline: long_ago}).where(Ticket.id == ticket["id"])
    assert (await staff.form(f"{url}/developer-answer", {"answer": "refused", "reason": reason})).status_code == 303
    row = (
        await Ticket.select(Ticket.internal_status, Ticket.status, Ticket.deadline)
        .where(Ticket.id == ticket["id"])
        .first()
    )
    assert row["internal_status"] == "" and row["status"] == "new"  # the dispatcher's again
    assert row["deadline"] > clock.now()
    page = (await staff.get(url)).text
    assert f"отказал в претензии: {reason}. Собственник может" in page  # one sentence ends, the next begins
    assert "Собственник может предъявить требование застройщику сам" in page
    assert 'action="' + url + '/developer-answer"' not in page  # no longer waiting: no answer to record
    told = await _told(resident, "refused the claim")
    assert told and all(reason in t and "claim the defect from the developer themselves" in t for t in told)
    assert all("claims@test-stroy.ru" in t for t in told)
    row = await Ticket.select(Ticket.developer_answer).where(Ticket.id == ticket["id"]).first()
    assert row["developer_answer"] == "refused"
    # The resident's page says the developer's reason and what the owner may do, as the notification did.
    mine = (await client.get(f"/tickets/{ticket['id']}")).text
    notice = mine.split('id="claim-yourself">', 1)[1].split("</div>", 1)[0]
    said = notice.split('<q id="developer-reason">', 1)[1].split("</q>", 1)[0]
    assert "The developer refused the claim:" in notice and said == f'<span lang="ru">{reason}</span>'
    assert "claims@test-stroy.ru" in notice and "claim the defect from the developer themselves" in notice
    assert _resident_status(mine) == "New"
    # A second answer is told the state, nothing written.
    again = await staff.form(f"{url}/developer-answer", {"answer": "fixed"})
    assert again.status_code == 303
    assert "не ждёт ответа застройщика" in (await staff.get(url)).text
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first())["status"] == "new"


async def test_fixed_by_the_developer_the_request_is_done_and_the_resident_asked_to_confirm(
    client, new_client, login, make_user, make_account, photo
):
    from portal.tickets.tables import Ticket

    staff, url, resident, ticket = await _forwarded(client, new_client, login, make_user, make_account, photo)
    assert (await staff.form(f"{url}/developer-answer", {"answer": "fixed"})).status_code == 303
    row = (
        await Ticket.select(Ticket.status, Ticket.internal_status, Ticket.completed_at)
        .where(Ticket.id == ticket["id"])
        .first()
    )
    assert row["status"] == "done" and row["internal_status"] == "" and row["completed_at"] is not None
    assert await _told(resident, "reports the defect fixed")
    # The resident confirms it as any done request.
    mine = await client.get(f"/tickets/{ticket['id']}")
    assert f'action="/tickets/{ticket["id"]}/confirm"' in mine.text
    assert "The developer promised" not in mine.text and 'id="claim-yourself"' not in mine.text


async def test_a_promise_kept_by_a_fix_that_is_returned_is_told_as_history_in_russian(
    client, new_client, login, make_user, make_account, photo
):
    """Accepted, then reported fixed, then returned by the resident: the page says what was promised and when it
    was returned, the request's status and term are its own again (the company's), never the old day as current."""
    from datetime import timedelta

    from portal.core import clock

    place, _resident, ticket = await _filed_defect(client, login, make_user, make_account, photo)
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url, mine = f"/staff/tickets/{ticket['id']}", f"/tickets/{ticket['id']}"
    assert (await staff.form(f"{url}/forward", {})).status_code == 303
    until = clock.today_local() + timedelta(days=10)
    assert (await staff.form(f"{url}/developer-answer", {"answer": "accepted", "until": until.isoformat()})).is_redirect
    assert _resident_status((await client.get(mine)).text) == "В работе"
    assert (await staff.form(f"{url}/developer-answer", {"answer": "fixed"})).is_redirect
    assert 'id="promise-returned"' not in (await client.get(mine)).text  # done: the resident confirms or returns
    assert (await client.form(f"{mine}/reopen", {"reason": "Трещина снова пошла"})).status_code == 303
    page = (await client.get(mine)).text
    history = page.split('id="promise-returned">', 1)[1].split("</dd>", 1)[0]
    assert history == (
        f"Застройщик обещал устранить до {format_day(until)}; заявка возвращена {format_day(clock.today_local())}"
    )
    term = page.split('id="ticket-term">', 1)[1].split("</dd>", 1)[0]
    assert "Застройщик" not in term and "рабоч" in term  # the company's own term again
    assert _resident_status(page) == "Возвращена"


async def test_a_defect_keeps_what_is_defective_and_its_russian_page_says_the_developer_s_promise(
    client, new_client, login, make_user, make_account, photo
):
    from datetime import timedelta

    from portal.core import clock
    from portal.tickets.tables import Ticket

    place, _resident, ticket = await _filed_defect(client, login, make_user, make_account, photo, kind="windows")
    row = await Ticket.select(Ticket.defect_kind).where(Ticket.id == ticket["id"]).first()
    assert row["defect_kind"] == "windows"
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    url = f"/staff/tickets/{ticket['id']}"
    assert "<dt>Что неисправно</dt><dd>Окна и балконные двери (конструктив дома)</dd>" in (await staff.get(url)).text
    mine = f"/tickets/{ticket['id']}"
    assert "рабочих дней" in (await client.get(mine)).text  # the company's term until the developer answers
    assert (await staff.form(f"{url}/forward", {})).status_code == 303
    until = clock.today_local() + timedelta(days=30)
    assert (await staff.form(f"{url}/developer-answer", {"answer": "accepted", "until": until.isoformat()})).is_redirect
    term = (await client.get(mine)).text.split('id="ticket-term">', 1)[1].split("</dd>", 1)[0]
    assert term == f"Застройщик обещал устранить до {format_day(until)}"


async def test_past_the_warranty_the_staff_page_says_the_end_of_the_term_of_what_is_defective(
    client, new_client, login, make_user, make_account, photo
):
    from portal.core import clock

    # Six years after the commissioning both terms have ended: a lift's is the equipment's 3 years, not the later 5.
    commissioned = rules.years_after(clock.today_local(), -6)
    place, _resident, ticket = await _filed_defect(
        client, login, make_user, make_account, photo, kind="lifts", commissioned=commissioned
    )
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(place.house,)))
    page = (await staff.get(f"/staff/tickets/{ticket['id']}")).text
    ended = format_day(rules.years_after(commissioned, 3), "short")
    assert f"Гарантия застройщика закончилась {ended}." in page


# --- requests filed before the kind and the answer were kept (the data migration) ----------------------------------

backfill = importlib.import_module("migrations.tickets.tickets_2026_12_06t15_48_00_000000")


@pytest.mark.parametrize("kind", sorted(rules.DEFECT_KINDS))
def test_the_migration_reads_what_is_defective_from_the_english_text_the_portal_wrote(kind):
    from functools import partial

    from portal.core.i18n import in_russian_and_english
    from portal.tickets import actions
    from portal.tickets import forms

    defect = forms.WarrantyDefect(1, rules.DefectWhere.COMMON, kind, "Течёт\nсильно", date(2026, 1, 10), False)
    text = partial(actions._warranty_text, defect, date(2024, 3, 1), date(2026, 2, 1))
    russian, english = in_russian_and_english(text)
    assert backfill.kind_of(english) == kind
    assert backfill.kind_of(russian) == "" and backfill.kind_of("Defect of a new house: a crack.") == ""


async def test_the_migration_fills_the_kind_and_the_developer_s_last_answer_of_earlier_requests(
    client, new_client, login, make_user, make_account, photo
):
    from datetime import timedelta

    from portal.core import clock
    from portal.tickets import actions
    from portal.tickets.tables import Ticket

    staff, url, _resident, ticket = await _forwarded(client, new_client, login, make_user, make_account, photo)
    first, until = clock.today_local() + timedelta(days=40), clock.today_local() + timedelta(days=20)
    for day in (first, until):  # the developer moved its promise: the last answer stands
        answered = await staff.form(f"{url}/developer-answer", {"answer": "accepted", "until": day.isoformat()})
        assert answered.is_redirect
    by_phone = await actions.open_ticket(
        account_id=(await Ticket.select(Ticket.account).where(Ticket.id == ticket["id"]).first())["account"],
        category="warranty_defect", description="Трещина в стене", now=clock.now(), by_staff=True,
    )  # fmt: skip
    columns = (Ticket.defect_kind, Ticket.developer_answer, Ticket.developer_promised_on)
    before = {Ticket.defect_kind: "", Ticket.developer_answer: "", Ticket.developer_promised_on: None}
    await Ticket.update(before).where(Ticket.id.is_in([ticket["id"], by_phone.id]))
    await backfill.backfill()
    assert await Ticket.select(*columns).where(Ticket.id == ticket["id"]).first() == {
        "defect_kind": "walls", "developer_answer": "accepted", "developer_promised_on": until
    }  # fmt: skip
    assert await Ticket.select(*columns).where(Ticket.id == by_phone.id).first() == {
        "defect_kind": "", "developer_answer": "", "developer_promised_on": None
    }  # fmt: skip
    page = (await staff.get(url)).text
    assert f'<dd id="developer-promised">{format_day(until)}</dd>' in page


# --- staff file one by phone, or make a request one --------------------------------------------------------------


async def test_the_call_centre_files_a_defect_with_what_is_defective_and_converts_one_asking_it(
    client, login, make_user, make_account
):
    from portal.core.tables import AuditEvent
    from portal.housing.actions import refresh_account_search
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    place = await make_account()
    await refresh_account_search([place.account])
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    filing = {"place": "premise", "category": "warranty_defect", "description": "Дует из окна", "source": "phone"}
    filing |= {"account_number": place.number, "account_id": str(place.account)}
    asked = await client.form("/staff/tickets/new", filing)
    assert asked.status_code == 422 and "Выберите, что неисправно." in asked.text
    assert (await client.form("/staff/tickets/new", {**filing, "defect_kind": "windows"})).status_code == 303
    filed = await Ticket.select(Ticket.id, Ticket.defect_kind).where(Ticket.account == place.account).first()
    assert filed["defect_kind"] == "windows"
    # A kind sent with another category is not kept.
    other = {**filing, "category": "leaking_taps", "defect_kind": "windows", "description": "Течёт кран"}
    assert (await client.form("/staff/tickets/new", other)).status_code == 303
    taps = await Ticket.select(Ticket.id, Ticket.defect_kind).where(Ticket.category == "leaking_taps").first()
    assert taps["defect_kind"] == ""
    # Made a defect of a new house on its page: what is defective is asked, then kept (in the audit log too).
    url = f"/staff/tickets/{taps['id']}/update"
    edit = {"type": "warranty", "category": "warranty_defect", "was_category": "leaking_taps", "was_type": "ordinary"}
    again = await client.form(url, edit)
    assert again.status_code == 422 and 'name="defect_kind"' in again.text and "Выберите, что неисправно." in again.text
    assert (await client.form(url, {**edit, "defect_kind": "risers"})).status_code == 303
    row = await Ticket.select(Ticket.category, Ticket.defect_kind).where(Ticket.id == taps["id"]).first()
    assert row == {"category": "warranty_defect", "defect_kind": "risers"}
    [audited] = (
        await AuditEvent.select(AuditEvent.changes)
        .where((AuditEvent.action == "ticket.update") & (AuditEvent.entity_id == taps["id"]))
        .output(load_json=True)
    )
    assert audited["changes"]["defect_kind"] == ["", "risers"]
    assert not await TicketEvent.exists().where(TicketEvent.kind == "defect_kind")


# --- the staff list's filter «Гарантия» ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "found"),
    [
        ("all", {"unsent", "waiting", "accepted", "refused", "fixed"}),
        ("unsent", {"unsent"}),
        ("waiting", {"waiting"}),
        ("accepted", {"accepted"}),
        ("refused", {"refused"}),
        ("fixed", {"fixed"}),
        ("", {"unsent", "waiting", "accepted", "refused", "fixed", "taps"}),  # none chosen
        ("bogus", {"unsent", "waiting", "accepted", "refused", "fixed", "taps"}),  # not read: not applied
    ],
)
async def test_the_warranty_filter_finds_the_defects_whose_claim_stands_there(make_user, make_account, state, found):
    from portal.accounts.principal import load_principal_for
    from portal.core import clock
    from portal.core.pagination import PageRequest
    from portal.tickets import actions
    from portal.tickets import queries
    from portal.tickets.filters import read_filters
    from portal.tickets.tables import Ticket

    place = await make_account()
    staff = await load_principal_for(await make_user(roles=("dispatcher",), houses=(place.house,)))
    now = clock.now()
    sent = {Ticket.developer_sent_at: now}
    states = {
        "unsent": {},
        "waiting": sent,
        "accepted": {**sent, Ticket.developer_answer: "accepted"},
        "refused": {**sent, Ticket.developer_answer: "refused"},
        "fixed": {**sent, Ticket.developer_answer: "fixed"},
    }
    ids = {}
    for name, values in states.items():
        opened = await actions.open_ticket(account_id=place.account, category="warranty_defect", description=name,
                                           now=now)  # fmt: skip
        if values:
            await Ticket.update(values).where(Ticket.id == opened.id)
        ids[opened.id] = name
    taps = await actions.open_ticket(account_id=place.account, category="leaking_taps", description="Кран", now=now)
    ids[taps.id] = "taps"
    f = read_filters({"tab": "all", "warranty": state}, str(clock.zone()))
    page = await queries.staff_list(staff, f, PageRequest(1, 50), now)
    assert {ids[row.id] for row in page.items} == found


async def test_the_warranty_filter_is_a_field_of_the_list_its_chip_and_its_message_when_not_read(
    client, login, make_user, make_account
):
    place = await make_account()
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    page = (await client.get("/staff/tickets?tab=all&warranty=refused")).text
    assert '<select id="f-warranty" name="warranty"' in page and '<option value="refused" selected' in page
    assert "Гарантия: Застройщик отказал" in page  # its chip
    assert '<details class="queue-more" open>' in page
    unread = (await client.get("/staff/tickets?tab=all&warranty=maybe")).text
    assert "Такого варианта нет: «maybe»; список показан без этого условия." in unread


# --- the dashboard: open warranty claims by developer --------------------------------------------------------------


async def test_the_dashboard_counts_the_open_claims_of_each_developer_in_the_manager_s_houses(
    client, login, make_user, make_account
):
    from portal.core import clock
    from portal.housing.tables import House
    from portal.tickets import actions
    from portal.tickets import queries
    from portal.tickets.tables import Ticket

    now = clock.now()
    first, second, other = await make_account(), await make_account(), await make_account()
    for place, developer in ((first, "ООО СЗ «Первый»"), (second, "ООО СЗ «Второй»"), (other, "ООО СЗ «Чужой»")):
        await House.update({House.developer_name: developer}).where(House.id == place.house)
    sent = {Ticket.developer_sent_at: now}
    claims = [
        (first, {**sent}),
        (first, {**sent}),
        (first, {**sent, Ticket.developer_answer: "accepted"}),
        (first, {**sent, Ticket.developer_answer: "refused"}),  # refused: no longer the developer's
        (first, {**sent, Ticket.developer_answer: "fixed", Ticket.status: "done"}),
        (first, {**sent, Ticket.status: "cancelled"}),  # cancelled: not open
        (first, {}),  # not forwarded yet
        (second, {**sent, Ticket.developer_answer: "accepted"}),
        (other, {**sent}),
    ]
    for place, values in claims:
        opened = await actions.open_ticket(account_id=place.account, category="warranty_defect", description="Дефект",
                                           now=now)  # fmt: skip
        if values:
            await Ticket.update(values).where(Ticket.id == opened.id)
    mine = [first.house, second.house]
    assert await queries.open_claims_by_developer(mine) == [
        queries.DeveloperClaims("ООО СЗ «Первый»", 2, 1), queries.DeveloperClaims("ООО СЗ «Второй»", 0, 1)
    ]  # fmt: skip
    assert [c.total for c in await queries.open_claims_by_developer(None)] == [3, 1, 1]
    assert await queries.open_claims_by_developer([]) == []

    await login(client, await make_user(roles=("manager",), houses=tuple(mine)))
    page = (await client.get("/staff/analytics")).text
    section = page.split('id="claims-title"', 1)[1].split("</section>", 1)[0]
    assert "Открытые гарантийные претензии по застройщикам" in section
    assert "ООО СЗ «Первый»" in section and "ООО СЗ «Второй»" in section and "Чужой" not in section
