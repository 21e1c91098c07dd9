"""The demo meetings are called by the portal's own company, as its staff and residents know it."""

from portal.billing.actions import PAYEES
from portal.meetings import demo
from portal.settings import get_settings


def test_the_demo_meetings_are_called_by_the_company_that_runs_the_portal():
    company = next(p["name"] for p in PAYEES if p["code"] == "uk")
    assert company == demo.COMPANY
    assert get_settings().company_name.removeprefix("УК ").strip("«»") in demo.COMPANY


async def test_each_demo_resident_is_named_alike_in_the_top_bar_the_register_the_receipts_and_the_ballots(db):
    """A demo user's name (the top bar) is the name the register of owners gives the owner the user is linked to,
    and so the meetings' register lines (their ballots are signed with it) and the accounts' payer; the co-owners
    of their premises bear the family's surname. owner@demo.ru owns a flat and a parking space of the first house."""
    import random
    from datetime import date

    from portal.accounts import demo as accounts_demo
    from portal.accounts.tables import Residency
    from portal.accounts.tables import User
    from portal.demo import DemoContext
    from portal.housing import demo as housing_demo
    from portal.housing.tables import Ownership
    from portal.housing.tables import PersonalAccount
    from portal.meetings.tables import OwnerLink
    from portal.meetings.tables import RegisterEntry

    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 11, 25))
    for module in (housing_demo, accounts_demo, demo):
        await module.seed(ctx)
    people = await User.select(User.id, User.full_name, User.email).where(User.email.like("%@demo.ru"))
    residents = {
        u["email"]: u for u in people if u["email"] in ("resident@demo.ru", "resident2@demo.ru", "owner@demo.ru")
    }
    assert len(residents) == 3
    for email, user in residents.items():
        given_first = user["full_name"].split()
        registered = " ".join([given_first[-1], *given_first[:-1]])  # the register writes the surname first
        [link] = await OwnerLink.select(OwnerLink.owner, OwnerLink.owner.name.as_alias("name")).where(
            OwnerLink.user == user["id"]
        )
        assert link["name"] == registered, email
        lines = await RegisterEntry.select(RegisterEntry.owner_name).where(RegisterEntry.owner == link["owner"])
        assert lines and {r["owner_name"] for r in lines} == {registered}, email
        accounts = await Residency.select(Residency.account).where(Residency.user == user["id"])
        payers = await PersonalAccount.select(PersonalAccount.payer_name).where(
            PersonalAccount.id.is_in([a["account"] for a in accounts])
        )
        assert {p["payer_name"] for p in payers} == {registered}, email
        held = await Ownership.select(Ownership.premise, Ownership.premise.kind.as_alias("kind")).where(
            Ownership.owner == link["owner"]
        )
        together = await Ownership.select(Ownership.owner.name.as_alias("name")).where(
            Ownership.premise.is_in([h["premise"] for h in held]) & (Ownership.owner != link["owner"])
        )
        family = registered.split()[0].removesuffix("а")
        assert all(o["name"].split()[0].removesuffix("а") == family for o in together), (email, together)
    owner = residents["owner@demo.ru"]["id"]
    [link] = await OwnerLink.select(OwnerLink.owner).where(OwnerLink.user == owner)
    first_house = await Ownership.select(Ownership.premise.kind.as_alias("kind")).where(
        (Ownership.owner == link["owner"]) & (Ownership.premise.house == ctx.shared["houses"][0])
    )
    assert sorted(k["kind"] for k in first_house) == ["flat", "parking"]  # two ballots in the house's meetings


async def test_the_demos_paper_ballots_of_natural_persons_carry_a_snils_as_the_office_must_enter_them(db):
    """The voting meeting of the demo is under Приказ № 266/пр: the paper ballots waiting for moderation are those
    the office could have entered (``actions.enter_paper`` requires a natural person's СНИЛС), each with a valid one,
    the same for both ballots of one owner."""
    import random
    from datetime import date

    from portal.accounts import demo as accounts_demo
    from portal.demo import DemoContext
    from portal.housing import demo as housing_demo
    from portal.meetings import queries
    from portal.meetings import rules
    from portal.meetings.tables import Ballot

    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 11, 25))
    for module in (housing_demo, accounts_demo, demo):
        await module.seed(ctx)
    paper = await Ballot.select(Ballot.snils, Ballot.entry.owner.as_alias("owner")).where(Ballot.source == "paper")
    persons = await queries.persons_among([b["owner"] for b in paper])
    assert len(paper) == 4 and persons
    for ballot in paper:
        assert rules.snils_valid(ballot["snils"]) if ballot["owner"] in persons else ballot["snils"] == "", ballot
    by_owner: dict[int, set[str]] = {}
    for ballot in paper:
        by_owner.setdefault(ballot["owner"], set()).add(ballot["snils"])
    assert all(len(numbers) == 1 for numbers in by_owner.values()), by_owner
