"""The registry import from the staff page, through the checked imports of ``portal.core.imports``: the file is
checked off the event loop with its progress shown, and the checked rows are kept for the second step so that
applying never reads or checks the file again (``actions.import_registry`` writes them in one transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.core import imports as checked
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.housing import actions
from portal.housing import registry
from portal.housing.actions import IMPORT_ENTITIES
from portal.housing.registry import RegistryRow

__all__ = ["IMPORT_ENTITIES", "REGISTRY", "entity_labels", "registry"]


async def _check(rows: list[RegistryRow], actor: Principal | None, step: Callable[[str], None]) -> Any:
    return await actions.import_registry(rows, dry_run=True, progress=step)


async def _apply(rows: list[RegistryRow], actor: Principal | None, ip: str) -> Any:
    return await actions.import_registry(rows, actor, ip=ip)


REGISTRY: checked.Importer[RegistryRow] = checked.Importer(
    name="registry",
    parse=registry.parse_file,
    check=_check,
    apply=_apply,
    dump=registry.row_to_json,
    load=registry.row_from_json,
)


def entity_labels() -> dict[str, str]:
    return {
        "complexes": gettext("Residential complexes"),
        "houses": gettext("Houses"),
        "entrances": gettext("Entrances"),
        "risers": gettext("Risers"),
        "premises": gettext("Premises"),
        "owners": gettext("Owners"),
        "ownerships": gettext("Ownership shares"),
        "accounts": gettext("Personal accounts"),
    }
