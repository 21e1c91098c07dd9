"""Every domain's Piccolo app is built here, the same way: its tables are the ``Table`` classes that its
``tables`` module defines (in their order; a domain may name more modules), its migrations live in
``migrations/<domain>``, and it names the domains whose migrations must run first."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from portal.settings import ROOT


def domain_tables(domain: str, modules: Sequence[str] = ("tables",)) -> list[type[Table]]:
    """The tables defined in the domain's ``modules`` (not those they import), in the order they are written."""
    found: list[type[Table]] = []
    for name in modules:
        module = importlib.import_module(f"portal.{domain}.{name}")
        found.extend(
            value
            for value in vars(module).values()
            if inspect.isclass(value) and issubclass(value, Table) and value.__module__ == module.__name__
        )
    return found


def domain_app(domain: str, *, after: Sequence[str] = (), modules: Sequence[str] = ("tables",)) -> AppConfig:
    """The Piccolo app of ``domain``, its tables in ``modules`` (``tables.py`` unless the domain has more), its
    migrations run after those of the domains in ``after``."""
    return AppConfig(
        app_name=domain,
        migrations_folder_path=str(ROOT / "migrations" / domain),
        table_classes=domain_tables(domain, modules),
        migration_dependencies=[f"portal.{name}.piccolo_app" for name in after],
        commands=[],
    )


APP_CONFIG = domain_app("core")
