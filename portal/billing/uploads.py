"""Charges files being checked: kept on disk under a random token, read in a worker thread off the event loop,
with their progress and their result readable by any process of the portal.

    token = await uploads.start(upload, period, principal)      # copies the upload, starts the reading
    job = uploads.job(token, principal)                         # state and lines read so far (None: not theirs)
    parsed = uploads.result(job)                                # the checked rows, once the state is READ

The file is parsed once: the preview shows the result, and the apply writes the same rows (no second parse).
A job belongs to the staff member who uploaded it; nobody else can see or apply it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO
from typing import Any

import anyio

from portal.billing import importer
from portal.core.parse import parse_month
from portal.core.security import Principal
from portal.settings import get_settings

log = logging.getLogger("portal.billing")

# One file is read at a time per process: reading is CPU work and the machine serves pages meanwhile.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charges-file")
STALE_SECONDS = 300  # a job whose reading has not moved for this long died with its process
KEEP_SECONDS = 24 * 3600  # checked files nobody applied are removed after a day
COPY_CHUNK = 1024 * 1024


class State(StrEnum):
    WAITING = "waiting"
    READING = "reading"
    READ = "read"
    LOST = "lost"


@dataclass(frozen=True)
class Job:
    token: str
    user_id: int | None
    period: str  # 2026-11
    file_name: str
    state: State
    lines: int = 0  # lines read so far
    updated: float = 0.0

    @property
    def month(self) -> date:
        return parse_month(self.period) or date.min

    @property
    def done(self) -> bool:
        return self.state in (State.READ, State.LOST)


def _folder() -> Path:
    folder = Path(get_settings().var_dir) / "imports" / "charges"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(token: str) -> tuple[Path, Path, Path]:
    folder = _folder()
    return folder / f"{token}.upload", folder / f"{token}.json", folder / f"{token}.rows.json"


def _write(path: Path, data: dict[str, Any]) -> None:
    """Replace a file as a whole (a reader never sees half of it)."""
    partial = path.with_suffix(f".{secrets.token_hex(4)}.part")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _save(job: Job) -> None:
    _write(_paths(job.token)[1], {**asdict(job), "updated": time.time()})


def _valid(token: str) -> bool:
    return len(token) == 32 and all(c in "0123456789abcdef" for c in token)


async def start(upload: IO[bytes], file_name: str, period: date, principal: Principal) -> str:
    """Keep the uploaded file and start reading it in the worker thread; the token names the job."""
    _sweep()
    token = secrets.token_hex(16)
    source, _, _ = _paths(token)

    def keep() -> None:
        with source.open("wb") as target:
            shutil.copyfileobj(upload, target, COPY_CHUNK)

    await anyio.to_thread.run_sync(keep)
    job = Job(token, principal.user_id, f"{period:%Y-%m}", file_name[:255], State.WAITING)
    _save(job)
    _WORKER.submit(_read, job)
    return token


def _read(job: Job) -> None:
    """The worker thread: parse and check the rows (no database), saving the progress every 1000 lines."""
    source, _, rows = _paths(job.token)
    _save(replace(job, state=State.READING))

    def progress(lines: int) -> None:
        _save(replace(job, state=State.READING, lines=lines))

    try:
        try:
            with source.open("rb") as stream:
                parsed = importer.read_file(stream, job.file_name, progress)
        finally:
            source.unlink(missing_ok=True)  # gone before the job says it is done, not just after
        _write(rows, parsed.to_plain())
        _save(replace(job, state=State.READ, lines=len(parsed.rows)))
    except Exception:
        log.exception("reading the charges file %s failed", job.token)
        _save(replace(job, state=State.LOST))


def job(token: str, principal: Principal) -> Job | None:
    """The job of ``token`` if the principal started it (None for a foreign, unknown or malformed token)."""
    if not _valid(token):
        return None
    try:
        data = json.loads(_paths(token)[1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = Job(**{**data, "state": State(data["state"])})
    if found.user_id != principal.user_id:
        return None
    if not found.done and time.time() - found.updated > STALE_SECONDS:
        return replace(found, state=State.LOST)
    return found


def result(job: Job) -> importer.ParsedFile | None:
    """The checked rows of a finished job (read from the job's own file, never from the spreadsheet again)."""
    if job.state is not State.READ:
        return None
    try:
        return importer.ParsedFile.from_plain(json.loads(_paths(job.token)[2].read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return None


def forget(job: Job) -> None:
    for path in _paths(job.token):
        path.unlink(missing_ok=True)


def _sweep() -> None:
    """Remove what is left of jobs older than a day."""
    limit = time.time() - KEEP_SECONDS
    for path in _folder().iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()
