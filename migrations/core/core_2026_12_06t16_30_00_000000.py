"""The administrators' page of background jobs reads each job's last run by (name, started_at) and the failed runs
of the last days by (status, started_at): without these, both read every run ever recorded (an hourly job alone
writes 8,760 a year)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "job runs indexed by job and by status, each by start"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS job_run_name_started ON job_run (name, started_at)",
    "CREATE INDEX IF NOT EXISTS job_run_status_started ON job_run (status, started_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
