"""The registry import from the staff page, checked off the event loop with its progress shown, and the checked
rows kept for the second step so that applying never reads or checks the file again.

Step one (``start``) takes the upload (at most ``registry.MAX_BYTES``) and checks it in a background task: the
file is parsed in a worker thread, then compared with the registry (a dry run), and the task's state — lines
read, the entity being compared, then the report or the problems — is written to a small status file that any
process of the portal can show (``status``). A small file is done before the page is answered. Step two
(``apply``) loads the checked rows and writes them in one transaction (``actions.import_registry``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread
from litestar.exceptions import NotFoundException

from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.housing import actions, registry
from portal.housing.actions import IMPORT_ENTITIES, ImportReport
from portal.settings import get_settings

__all__ = ["IMPORT_ENTITIES", "Status", "apply", "entity_labels", "registry", "start", "status"]

log = logging.getLogger("portal.housing.imports")

KEEP_SECONDS = 24 * 3600  # a preview not applied within a day is forgotten
WAIT_SECONDS = 2.0  # how long the upload's answer waits for the check before showing its progress
_running: set[asyncio.Task[None]] = set()


@dataclass
class Status:
    """Where the check of one uploaded file is: ``checking`` (with lines read and the step), ``ready``, ``failed``."""

    state: str = "checking"
    filename: str = ""
    lines: int = 0
    step: str = ""
    rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def report(self) -> ImportReport | None:
        if self.state != "ready":
            return None
        return ImportReport(rows=self.rows, created=self.created, updated=self.updated)


def _folder() -> Path:
    folder = Path(get_settings().var_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _token_ok(token: str) -> bool:
    return len(token) == 32 and all(c in "0123456789abcdef" for c in token)


def _write(path: Path, data: Any) -> None:
    """Replace a small file whole, so that a reader in another process never sees half of it."""
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _say(token: str, current: Status) -> None:
    _write(_folder() / f"{token}.status", asdict(current))


def status(token: str) -> Status | None:
    """The check's state, or None for a token never handed out (or forgotten)."""
    path = _folder() / f"{token}.status"
    if not _token_ok(token) or not path.exists():
        return None
    return Status(**json.loads(path.read_text(encoding="utf-8")))


def _forget_old(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


async def start(filename: str, content: bytes) -> str:
    """Begin checking an uploaded file; its token. Waits a moment, so a small file is checked at once."""
    await anyio.to_thread.run_sync(_forget_old, _folder())
    token = secrets.token_hex(16)
    _say(token, Status(filename=filename))
    task = asyncio.create_task(_check(token, filename, content))
    _running.add(task)
    task.add_done_callback(_running.discard)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), WAIT_SECONDS)
    return token


async def _check(token: str, filename: str, content: bytes) -> None:
    current = Status(filename=filename)

    def lines_read(n: int) -> None:  # in the worker thread
        current.lines = n
        _say(token, current)

    def comparing(step: str) -> None:
        current.step = step
        _say(token, current)

    try:
        parsed = await anyio.to_thread.run_sync(registry.parse_file, filename, content, lines_read)
        report = await actions.import_registry(parsed.rows, dry_run=True, progress=comparing) if parsed.ok else None
        problems = parsed.problems or (report.problems if report else [])
        if report and not problems:
            rows = [registry.row_to_json(r) for r in parsed.rows]
            await anyio.to_thread.run_sync(_write, _folder() / f"{token}.json", rows)
            current.rows, current.created, current.updated = report.rows, report.created, report.updated
        current.state, current.problems = ("failed", problems) if problems else ("ready", [])
    except Exception:
        log.exception("the registry check of %s failed", filename)
        current.state, current.problems = "failed", [gettext("The file could not be checked. Try again later.")]
    _say(token, current)


def _load(path: Path) -> list[registry.RegistryRow]:
    return [registry.row_from_json(r) for r in json.loads(path.read_text(encoding="utf-8"))]


async def apply(token: str, actor: Principal) -> ImportReport:
    """Import the rows the preview checked; a token that was never handed out is "not found"."""
    if not _token_ok(token):
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
