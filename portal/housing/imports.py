"""The registry import from the staff page: the file checked off the event loop, the checked rows kept for the
second step, so that applying never reads or checks the file again.

Step one (``check``) reads the upload (at most ``registry.MAX_BYTES``), parses and checks it in a worker thread,
computes what the import would change (a dry run) and keeps the checked rows as JSON under a random token.
Step two (``apply``) loads those rows and writes them in one transaction (``actions.import_registry``).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException

from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.housing import actions, registry
from portal.housing.actions import IMPORT_ENTITIES, ImportReport
from portal.settings import get_settings

__all__ = ["IMPORT_ENTITIES", "Checked", "apply", "check", "entity_labels", "registry"]

KEEP_SECONDS = 24 * 3600  # a preview not applied within a day is forgotten


@dataclass
class Checked:
    token: str = ""
    report: ImportReport | None = None
    problems: list[str] = field(default_factory=list)


def _folder() -> Path:
    folder = Path(get_settings().var_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.glob("*.json"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _keep(path: Path, rows: list[registry.RegistryRow]) -> None:
    _forget_old(path.parent)
    path.write_text(json.dumps([registry.row_to_json(r) for r in rows], ensure_ascii=False), encoding="utf-8")


def _load(path: Path) -> list[registry.RegistryRow]:
    return [registry.row_from_json(r) for r in json.loads(path.read_text(encoding="utf-8"))]


async def check(upload: UploadFile) -> Checked:
    """Read and check the file in a worker thread, then preview the import (a dry run: nothing is written)."""
    content = await upload.read(registry.MAX_BYTES + 1)
    parsed = await anyio.to_thread.run_sync(registry.parse_file, upload.filename or "", content)
    if not parsed.ok:
        return Checked(problems=parsed.problems)
    report = await actions.import_registry(parsed.rows, dry_run=True)
    if report.problems:
        return Checked(problems=report.problems)
    token = secrets.token_hex(16)
    await anyio.to_thread.run_sync(_keep, _folder() / f"{token}.json", parsed.rows)
    return Checked(token=token, report=report)


async def apply(token: str, actor: Principal) -> ImportReport:
    """Import the rows the preview checked; a token that was never handed out is "not found"."""
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        raise NotFoundException()
    path = _folder() / f"{token}.json"
    if not path.exists():
        return ImportReport(problems=[gettext("The preview has expired. Upload the file again.")])
    rows = await anyio.to_thread.run_sync(_load, path)
    report = await actions.import_registry(rows, actor)
    if report.applied:
        path.unlink(missing_ok=True)
    return report


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
