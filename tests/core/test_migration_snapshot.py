"""Piccolo's migration snapshot is in step with the tables: ``piccolo migrations new <app> --auto`` on a checkout
writes nothing. A column or table made by raw SQL (``add_raw``) that the snapshot is not told of made every later
auto migration carry it again (an ``add_column`` of a column that exists, failing on every database), to be cut out
by hand; a migration made by hand tells the snapshot too (a faked ``MigrationManager`` beside it, as the apps'
"snapshot" migrations do)."""

from __future__ import annotations

import asyncio
from itertools import chain

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder


def _apps() -> list[str]:
    return [config.app_name for config in Finder().get_app_registry().app_configs.values()]


@pytest.mark.parametrize("app", _apps())
def test_an_auto_migration_of_each_app_would_write_nothing(app: str) -> None:
    config = Finder().get_app_config(app)
    statements = asyncio.run(AutoMigrationManager(auto_input="n").get_alter_statements(app_config=config))
    pending = list(chain(*(s.statements for s in statements)))
    assert not pending, f"the tables of {app} differ from its migrations' snapshot:\n" + "\n".join(pending)
