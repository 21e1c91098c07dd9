"""A consent record says who entered it when it was signed on paper, and how its withdrawal came (the portal, a
paper form, a letter) and who entered that: the operator proves a consent and records what people bring in."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consents entered from paper and how a withdrawal came"

STATEMENTS = (
    "ALTER TABLE consent_record ADD COLUMN recorded_by INTEGER NULL REFERENCES portal_user (id) ON DELETE SET NULL",
    "ALTER TABLE consent_record ADD COLUMN withdrawn_channel VARCHAR(16) NOT NULL DEFAULT ''",
    "ALTER TABLE consent_record ADD COLUMN withdrawn_by INTEGER NULL REFERENCES portal_user (id) ON DELETE SET NULL",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
