"""Voting after a change of owner (DOMAIN §1.3: the register of owners is fixed on the meeting's register day): the
flat's new owner is in the register of a meeting registered on or after the day ownership passed and votes; the
former owner is not. For a meeting registered before that day, the reverse. The handover goes through the pages,
as the office applies it."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from portal.accounts.principal import load_principal_for
from portal.core import clock
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.meetings import queries
from portal.meetings.tables import AgendaItem
from portal.meetings.tables import Ballot
from portal.meetings.tables import OwnerLink
from portal.meetings.tables import RegisterEntry
from portal.tickets.tables import Ticket

BUYER = "Новикова Анна Сергеевна"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _value(page: str, name: str) -> str:
    return page.split(f'name="{name}" value="')[1].split('"')[0]


async def _handed_over(client, new_client, login, make_user, make_account, day: date, applicant: str = BUYER):
    """A flat owned whole by its former owner (a user linked to their record in the register), bought by Новикова
    Анна Сергеевна, whose change of owner from ``day`` the house's operator applies; the user of the portal who
    applies for her is named ``applicant`` on their account (she herself, or her son): (place, former, applicant's
    user, the staff page as the operator saw it before applying)."""
    place = await make_account(payer="Старов Пётр Ильич")
    former = await make_user(name="Старов Пётр Ильич", accounts={place.account: "owner"})
    owner = Owner(name="Старов Пётр Ильич")
    await owner.save()
    await Ownership.insert(Ownership(premise=place.premise, owner=owner.id, valid_from=date(2015, 1, 1)))
    await OwnerLink(user=former, owner=owner.id).save()
    buyer = await make_user(name=applicant)
    await login(client, buyer)
    flat = await PersonalAccount.select(PersonalAccount.premise.number).where(PersonalAccount.id == place.account)
    application = {
        "account_number": place.number, "house": str(place.house), "premise": flat[0]["premise.number"],
        "day": day.isoformat(), "full_name": BUYER, "share": "1", "consent": "1",
    }  # fmt: skip
    extract = [("documents", ("egrn.pdf", PDF, "application/pdf"))]
    filed = await client.form("/tickets/owner", application, files=extract)
    assert filed.status_code == 303, filed.text
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    operator = await make_user(name="Оператор Ольга", roles=("operator",), houses=(place.house,))
    staff = new_client()
    await login(staff, operator)
    page = (await staff.get(f"/staff/tickets/{ticket['id']}/handover")).text
    share = page.split('name="share" value="')[1].split('"')[0]
    decision = {"version": _value(page, "version"), "share": [share], "new_number": "7700123456"}
    decision[f"version_{share}"] = _value(page, f"version_{share}")
    applied = await staff.form(f"/staff/tickets/{ticket['id']}/handover/", decision)
    assert applied.status_code == 303, applied.text
    return place, former, buyer, page


async def _lines_voted(user: int, meeting_id: int) -> list[str]:
    """The owners whose register lines ``user`` votes on in the meeting."""
    return [line.owner_name for line in await queries.voter_lines(await load_principal_for(user), meeting_id)]


async def test_the_new_owner_votes_in_a_meeting_registered_after_the_handover_the_former_owner_before_it(
    client, new_client, login, make_user, make_account, make_meeting
):
    day = clock.today_local() - timedelta(days=5)
    place, former, buyer, page = await _handed_over(client, new_client, login, make_user, make_account, day)
    assert 'id="not-owner"' not in page
    after = await make_meeting(place.house, register_on=day)  # registered on the day ownership passed
    before = await make_meeting(place.house, register_on=day - timedelta(days=1))
    assert await _lines_voted(buyer, after) == [BUYER] and await _lines_voted(former, after) == []
    assert await _lines_voted(former, before) == ["Старов Пётр Ильич"] and await _lines_voted(buyer, before) == []
    # The new owner votes through the pages (signed in on ``client`` since filing).
    (line,) = await queries.voter_lines(await load_principal_for(buyer), after)
    items = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == after)
    saved = await client.form(f"/meetings/{after}/ballots/{line.id}", {f"q{i['id']}": "for" for i in items})
    assert saved.status_code == 303
    assert await Ballot.exists().where((Ballot.entry == line.id) & (Ballot.voter == buyer))


async def test_a_son_applying_for_his_mother_is_not_linked_to_her_record_and_does_not_vote_as_her(
    client, new_client, login, make_user, make_account, make_meeting
):
    """ЖК ст. 48 ч. 2: a representative votes for an owner only with a power of attorney. The son files the change
    of owner naming his mother, the new owner: she is in the register, he is not linked to her record, and the
    staff page said why."""
    day = clock.today_local() - timedelta(days=5)
    son_name = "Новиков Илья Андреевич"
    place, _, son, page = await _handed_over(client, new_client, login, make_user, make_account, day, son_name)
    assert "Заявитель — не собственник: голосовать сможет собственник после регистрации" in page
    after = await make_meeting(place.house, register_on=day)
    (entry,) = await RegisterEntry.select(RegisterEntry.id, RegisterEntry.owner).where(RegisterEntry.meeting == after)
    assert not await OwnerLink.exists().where(OwnerLink.owner == entry["owner"])
    assert await _lines_voted(son, after) == []
    items = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == after)
    tried = await client.form(f"/meetings/{after}/ballots/{entry['id']}", {f"q{i['id']}": "for" for i in items})
    assert tried.status_code in (303, 404)
    assert not await Ballot.exists().where(Ballot.entry == entry["id"])
