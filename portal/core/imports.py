"""Checked imports of uploaded tables (CSV or XLSX): check first with a preview, then apply what was checked.

A domain describes its import once as an ``Importer`` — how to parse the file (CPU work, in a worker thread, with
line-numbered problems), how to compare the rows with the database without writing (the preview's dry run), how to
write them in one transaction, and how to keep checked rows as JSON — and its pages call three functions:

    token = await imports.start(METERS, filename, content, principal)  # check in the background
    found = imports.status(token, principal)                          # "checking" (lines read, step), "ready", "failed"
    report = await imports.apply(METERS, token, principal, ip)        # write the rows the preview checked

Step one takes the upload and checks it in a background task: the file is parsed in a worker thread, then
compared with the database (a dry run), and the task's state — lines read, the step of the comparison, then the
report or the problems — is written to a small status file that any process of the portal can show. A small file
is done before the page is answered. Step two loads the checked rows and writes them (never parsing or checking the
file again). A check belongs to the user who uploaded the file: nobody else can see or apply it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

import anyio.to_thread
from litestar.exceptions import NotFoundException

from portal.core.db import waiting_at_most
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.settings import get_settings

log = logging.getLogger("portal.imports")

KEEP_SECONDS = 24 * 3600  # a preview not applied within a day is forgotten
WAIT_SECONDS = 2.0  # how long the upload's answer waits for the check before showing its progress
_running: set[asyncio.Task[None]] = set()

Row = TypeVar("Row")


class Report(Protocol):
    """What an import did (or, for a preview, would do): rows, records created and updated by kind, problems."""

    rows: int
    created: dict[str, int]
    updated: dict[str, int]
    problems: list[str]
    applied: bool


class Parsed(Protocol[Row]):  # type: ignore[misc]
    rows: list[Row]
    problems: list[str]

    @property
    def ok(self) -> bool: ...


@dataclass
class ParseResult(Generic[Row]):
    """What an import's ``parse`` returns: every row of the file, or its problems (naming their lines)."""

    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def finished(self) -> ParseResult[Row]:
        """The result once every line is read: a file without rows is a problem, and one with problems keeps no
        rows."""
        if not self.rows and not self.problems:
            self.problems.append(gettext("The file has no rows after the header."))
        if self.problems:
            self.rows = []
        return self


@dataclass(frozen=True)
class Importer(Generic[Row]):
    """One kind of import. ``check`` and ``apply`` are told the user (for the houses they may touch) and ``check``
    the step it is at (shown as the progress); both return a ``Report`` whose problems name their lines."""

    name: str  # the folder of its files under var/imports, and the kind a token belongs to
    parse: Callable[[str, bytes, Callable[[int], None]], Parsed[Row]]
    check: Callable[[list[Row], Principal | None, Callable[[str], None]], Awaitable[Report]]
    apply: Callable[[list[Row], Principal | None, str], Awaitable[Report]]  # the client's IP, for the audit
    dump: Callable[[Row], dict[str, Any]]
    load: Callable[[dict[str, Any]], Row]


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
    user_id: int | None = None
    kind: str = ""

    @property
    def report(self) -> Checked | None:
        if self.state != "ready":
            return None
        return Checked(rows=self.rows, created=self.created, updated=self.updated)


@dataclass
class Checked:
    """The preview's report as kept between the steps."""

    rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    applied: bool = False

    @classmethod
    def counting(cls, rows: int, entities: Iterable[str]) -> Checked:
        """The report of checking or applying ``rows``: none of ``entities`` created or updated yet."""
        return cls(rows=rows, created=dict.fromkeys(entities, 0), updated=dict.fromkeys(entities, 0))

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def _folder(name: str) -> Path:
    folder = Path(get_settings().var_dir) / "imports" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _token_ok(token: str) -> bool:
    return len(token) == 32 and all(c in "0123456789abcdef" for c in token)


def _write(path: Path, data: Any) -> None:
    """Replace a small file whole, so that a reader in another process never sees half of it."""
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _say(name: str, token: str, current: Status) -> None:
    _write(_folder(name) / f"{token}.status", asdict(current))


def _forget_old(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def status(importer: Importer[Any], token: str, principal: Principal | None) -> Status | None:
    """The check's state, or None for a token never handed out, forgotten, or another user's."""
    if not _token_ok(token):
        return None
    path = _folder(importer.name) / f"{token}.status"
    if not path.exists():
        return None
    found = Status(**json.loads(path.read_text(encoding="utf-8")))
    if found.user_id is not None and (principal is None or principal.user_id != found.user_id):
        return None
    return found


async def start(importer: Importer[Any], filename: str, content: bytes, principal: Principal | None) -> str:
    """Begin checking an uploaded file; its token. Waits a moment, so a small file is checked at once."""
    await anyio.to_thread.run_sync(_forget_old, _folder(importer.name))
    token = secrets.token_hex(16)
    user_id = principal.user_id if principal else None
    _say(importer.name, token, Status(filename=filename, user_id=user_id, kind=importer.name))
    with waiting_at_most(None):  # the check runs on in the background, as long as it takes
        task = asyncio.create_task(_check(importer, token, filename, content, principal))
    _running.add(task)
    task.add_done_callback(_running.discard)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), WAIT_SECONDS)
    return token


async def _check(importer: Importer[Any], token: str, filename: str, content: bytes, who: Principal | None) -> None:
    current = Status(filename=filename, user_id=who.user_id if who else None, kind=importer.name)

    def lines_read(n: int) -> None:  # in the worker thread
        current.lines = n
        _say(importer.name, token, current)

    def comparing(step: str) -> None:
        current.step = step
        _say(importer.name, token, current)

    try:
        parsed = await anyio.to_thread.run_sync(importer.parse, filename, content, lines_read)
        report = await importer.check(parsed.rows, who, comparing) if parsed.ok else None
        problems = parsed.problems or (report.problems if report else [])
        if report and not problems:
            rows = [importer.dump(r) for r in parsed.rows]
            await anyio.to_thread.run_sync(_write, _folder(importer.name) / f"{token}.json", rows)
            current.rows, current.created, current.updated = report.rows, report.created, report.updated
        current.state, current.problems = ("failed", problems) if problems else ("ready", [])
    except Exception:
        log.exception("the %s check of %s failed", importer.name, filename)
        current.state, current.problems = "failed", [gettext("The file could not be checked. Try again later.")]
    _say(importer.name, token, current)


async def apply(importer: Importer[Any], token: str, principal: Principal | None, ip: str = "") -> Report:
    """Import the rows the preview checked; a token never handed out (or another user's) is "not found". ``ip``:
    where the staff member applied it from, kept by the import's audit row."""
    if status(importer, token, principal) is None:
        raise NotFoundException()
    path = _folder(importer.name) / f"{token}.json"
    if not path.exists():
        return Checked(problems=[gettext("The preview has expired. Upload the file again.")])

    def load() -> list[Any]:
        return [importer.load(r) for r in json.loads(path.read_text(encoding="utf-8"))]

    rows = await anyio.to_thread.run_sync(load)
    with waiting_at_most(None):  # a checked import is written whole, however long another write holds the rows
        report = await importer.apply(rows, principal, ip)
    if report.applied:
        path.unlink(missing_ok=True)
    return report
