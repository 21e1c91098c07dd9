"""What the stand-in services (the sandbox payment gateway, the sandbox SMS provider) share: where each listens
and keeps its file, read from the environment, and how each runs beside the portal that started it."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import uvicorn

ROOT = Path(__file__).resolve().parent.parent.parent


def listening(env: dict[str, str], settings: tuple[str, str, str, str], default_port: int, file: str) -> dict[str, Any]:
    """``port``, ``host`` and ``database`` of a sandbox from its ``settings``, named in this order: the URL the
    portal calls it at, its own port, host and database. The port is its own, else the URL's, else
    ``default_port``; the database is its own, else ``file`` in the portal's var folder."""
    portal_url, port, host, database = (env.get(name, "") for name in settings)
    var_dir = Path(env.get("PORTAL_VAR_DIR", str(ROOT / "var")))
    return {
        "port": int(port or (urlparse(portal_url).port if portal_url else None) or default_port),
        "host": host or "127.0.0.1",
        "database": Path(database or var_dir / file),
    }


def _stop_with_parent(parent: int) -> None:
    """Started by ``portal serve``: stop when the portal stops, however it stopped (SIGTERM, SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` until stopped, or until the portal named by ``SANDBOX_PARENT_PID`` is gone. Started by
    ``portal serve``, it listens on the socket that server bound for it (``SANDBOX_LISTEN_FD``), else on
    ``host:port``."""
    parent = os.environ.get("SANDBOX_PARENT_PID", "")
    if parent.isdigit():
        _stop_with_parent(int(parent))
    fd = os.environ.get("SANDBOX_LISTEN_FD", "")
    if fd.isdigit():
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[socket.socket(fileno=int(fd))])
    else:
        uvicorn.run(app, host=host, port=port, log_level="warning")


def bind(default_port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 for a sandbox: its default port when free, else a free one. Bound here, by
    the portal that starts the sandbox, so that two portals starting at once cannot both pick the same port
    (a probe and a later bind in the child would race)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", default_port))
    except OSError:
        sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
