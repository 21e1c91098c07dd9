"""The resident home page issues the same number of queries for 1 month and for 60 months of history."""

from datetime import date

from portal.analytics.queries import forget_open_waves
from portal.billing.history import build_history
from portal.documents import memos
from tests.querylog import captured


async def _home_queries(db, client, login, make_user, account: int) -> list[str]:
    await login(client, await make_user(accounts={account: "owner"}))
    await client.get("/healthz")
    forget_open_waves()  # each load reads the open NPS waves (kept a minute by the process), as the first one would
    memos.forget()  # and the newcomers' memos (kept a minute too)
    with captured(db) as seen:
        page = await client.get("/")
    assert page.status_code == 200
    assert f"/accounts/{account}/receipts/2026-11" in page.text
    return [str(q) for q in seen]


async def test_home_page_queries_do_not_grow_with_history(db, new_client, login, make_user, make_account, catalog):
    short, long = (await make_account()).account, (await make_account()).account
    await build_history([short], date(2026, 11, 1), 1)
    await build_history([long], date(2026, 11, 1), 60)
    one = await _home_queries(db, new_client(), login, make_user, short)
    sixty = await _home_queries(db, new_client(), login, make_user, long)
    assert len(one) == len(sixty), (one, sixty)
    billing = [q for q in sixty if "balance" in q or "receipt" in q or "ledger_entry" in q]
    assert billing, "the billing section ran no queries at all"
    assert not any("ledger_entry" in q for q in sixty), "the home page must not read the ledger itself"


async def _balance_reads(db, client, url: str) -> tuple[list[str], str]:
    await client.get(url)
    with captured(db) as seen:
        page = await client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return [str(q) for q in seen if 'FROM "balance"' in str(q)], page.text


async def test_account_pages_read_the_balances_once(db, new_client, login, make_user, make_account, catalog):
    """The balance an account page states (the newest snapshot's closing) is the first of the twelve months the
    resident's page and the staff's card read for their history, not a statement of its own."""
    from portal.billing.ledger import balances_of
    from portal.billing.rules import balance_state

    made = await make_account()
    account = made.account
    await build_history([account], date(2026, 11, 1), 3)
    state = balance_state((await balances_of([account]))[account])
    resident, staff = new_client(), new_client()
    await login(resident, await make_user(accounts={account: "owner"}))
    await login(staff, await make_user(roles=("accountant",), houses=(made.house,)))
    for client, url in ((resident, f"/accounts/{account}"), (staff, f"/staff/billing/accounts/{account}")):
        reads, text = await _balance_reads(db, client, url)
        assert len(reads) == 1, (url, reads)
        assert f'class="balance {state.kind}"' in text, url
