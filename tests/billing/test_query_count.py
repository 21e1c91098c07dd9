"""The resident home page issues the same number of queries for 1 month and for 60 months of history."""

from datetime import date

from portal.billing.history import build_history
from tests.querylog import captured


async def _home_queries(db, client, login, make_user, account: int) -> list[str]:
    await login(client, await make_user(accounts={account: "owner"}))
    await client.get("/healthz")
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
