"""Who a post is for is read in well under a second even when PostgreSQL's statistics are stale: a post hand-picked
for thousands of accounts, saved and shown soon after its selections were written, while the planner still counts
post_target and personal_account as (nearly) empty. With those statistics a join of the selections to the accounts
ran as a nested loop that read every selection of the post once per account (minutes in a full test run); each
account is now looked up by its key from its selection."""

from __future__ import annotations

from portal.content import queries
from portal.content.tables import PostTarget

ACCOUNTS = 8_000
PREMISES = 8_000


async def test_the_audience_of_a_hand_picked_post_is_named_with_stale_statistics(db, hand_picked_post):
    if db.engine_type == "postgres":
        # The statistics autovacuum leaves between the tests of a full run: the pages of rows written and taken
        # back, without a live row on them (read as empty tables however many pages they grow to).
        await PostTarget.raw("SAVEPOINT taken_back")
        await hand_picked_post(ACCOUNTS, PREMISES)
        await PostTarget.raw("ROLLBACK TO SAVEPOINT taken_back")
        await PostTarget.raw("ANALYZE post_target, personal_account, premise")
        await PostTarget.raw("SET LOCAL statement_timeout = '5s'")
    t, post_id = await hand_picked_post(ACCOUNTS, PREMISES)

    names = (await queries.audience_names([post_id], [t["house"]]))[post_id]
    if db.engine_type == "postgres":
        await PostTarget.raw("SET LOCAL statement_timeout = 0")  # what it should say, read however long it takes
    numbers = await PostTarget.raw(
        "SELECT a.number FROM personal_account a JOIN post_target t ON t.ref = a.id AND t.kind = 'account' "
        "WHERE t.post = {} ORDER BY a.number LIMIT 6",
        post_id,
    )
    assert names.accounts == tuple(r["number"] for r in numbers) and "HP1000001" in names.accounts
    assert names.premises == (("flat", "40"),) and len(names.houses) == 1 and not names.elsewhere
