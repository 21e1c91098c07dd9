"""A checkout a newer one of the same debt closed unpaid is replaced by it (``Payment.replaced_by``): the payer's
history shows the newer one to continue, not a second «Не завершён» row beside it. Since then every new checkout
marks the ones it closes; those closed before were left unmarked, and are marked here by the same rule.

Each payment closed unpaid (``expired``) and not yet replaced is replaced by the next checkout of its account (by
id) that the same person started for the same debt (utilities, or the same order), when that one was opened at the
gateway (it has a session) while the first could still be paid: within the checkout's lifetime of its start (one
hour, ``payments.rules.CHECKOUT_LIFETIME``). A checkout whose time ran out before the next one was started keeps
its own place, as does one paid, declined or cancelled. One UPDATE on either engine; run again, it changes
nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-05T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "checkouts closed by a newer one before it marked them replaced"

# The next checkout of the same account, person and debt (of the row being updated, ``payment``).
NEXT = (
    "SELECT MIN(q.id) FROM payment q WHERE q.account = payment.account AND q.created_by = payment.created_by "
    "AND q.kind = 'checkout' AND q.purpose = payment.purpose AND q.reference = payment.reference "
    "AND q.id > payment.id AND q.batch <> payment.batch"
)

# The next one was started while the first could still be paid (the lifetime frozen as it was written).
IN_TIME = {
    "sqlite": "julianday(n.created_at) < julianday(payment.created_at) + 1.0 / 24",
    "postgres": "n.created_at < payment.created_at + INTERVAL '1 hour'",
}

UPDATE = (
    "UPDATE payment SET replaced_by = ({next}) "
    "WHERE status = 'expired' AND replaced_by IS NULL AND kind = 'checkout' AND created_by IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM payment n WHERE n.id = ({next}) AND n.session_id IS NOT NULL AND {in_time})"
)


async def mark_replaced(engine) -> None:
    kind = "sqlite" if engine.engine_type == "sqlite" else "postgres"
    await engine.run_querystring(QueryString(UPDATE.format(next=NEXT, in_time=IN_TIME[kind])))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run():
        await mark_replaced(engine_finder())

    manager.add_raw(run)
    return manager
