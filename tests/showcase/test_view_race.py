"""A visitor's requests at the same moment, on a database of the test's own where everything is committed: each
request takes a connection of its own, as a double click, a browser's prefetch beside the click or a script sending
a burst do on the server. Views count once; leads and offers stop at exactly their limit."""

from __future__ import annotations

import asyncio

from portal.showcase import rules
from portal.showcase.tables import Lead
from portal.showcase.tables import ListingOffer
from tests.meetings.test_code_race import committed_url  # noqa: F401 (fixture)
from tests.meetings.test_code_race import db  # noqa: F401 (fixture)
from tests.showcase.test_public import BROWSER
from tests.showcase.test_public import LEAD
from tests.showcase.test_public import _views


async def test_first_visits_at_the_same_moment_count_once(visitor, make_listing):
    """The visitor's mark was read, then written: first visits at once all found no mark and all counted. Marking
    is one atomic step that only one of them wins."""
    listing = await make_listing()
    url = f"/showcase/listings/{listing}"
    anna = await visitor()
    pages = await asyncio.gather(*(anna.get(url, headers=BROWSER) for _ in range(8)))
    assert [page.status_code for page in pages] == [200] * 8
    assert await _views(listing) == 1


async def test_leads_sent_at_the_same_moment_stop_at_the_limit(visitor, make_listing):
    """The network's leads were counted, then the count was raised: a burst all read the same count and every lead
    of it went through. Each try is now taken in one atomic step, so exactly the limit passes."""
    listing = await make_listing()
    url = f"/showcase/listings/{listing}/lead"
    burst = await visitor()
    await burst.csrf_token()
    tries = 2 * rules.LEADS_PER_IP.limit
    answers = await asyncio.gather(*(burst.form(url, {**LEAD, "name": f"Спамер {n}"}) for n in range(tries)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [303] * rules.LEADS_PER_IP.limit + [429] * (tries - rules.LEADS_PER_IP.limit), codes
    assert await Lead.count().where(Lead.listing == listing) == rules.LEADS_PER_IP.limit


async def test_offers_sent_at_the_same_moment_stop_at_the_limit(new_client, login, make_account, make_user):
    """An owner's offers are taken the same way: of a burst, only the limit gets past the count (the first of them
    is sent; the others hear the flat's request is already with us), the rest are told that they sent too many (not
    that their network did, as a lead is told), with the same status as a lead too many: 429."""
    place = await make_account(premise_number="12")
    owner = await make_user(accounts={place.account: "owner"})
    browser = new_client()
    await login(browser, owner)
    await browser.csrf_token()
    offer = {"account": place.account, "kind": "rent", "phone": "+7 978 000-00-01"}
    tries = 2 * rules.OFFERS_PER_USER.limit
    answers = await asyncio.gather(*(browser.form("/showcase/offer", offer) for _ in range(tries)))
    refused = [answer for answer in answers if answer.status_code == 429]  # as a lead too many is answered
    assert len(refused) == tries - rules.OFFERS_PER_USER.limit, [answer.status_code for answer in answers]
    assert all("Вы отправили слишком много заявок за последний час" in answer.text for answer in refused)
    # Of those let through, one is sent: a pending offer was looked for before the transaction that adds one, and
    # each found none (five offers of one flat, the managers told five times).
    assert await ListingOffer.count().where(ListingOffer.premise == place.premise) == 1
