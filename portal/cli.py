"""The ``portal`` command (``python -m portal …``): serve, migrate, seed-demo, and the domains' commands."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import click

from portal.core import logs
from portal.settings import ROOT
from portal.settings import Settings
from portal.settings import get_settings
from portal.settings import use_settings

os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run_async(work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` with the database pool open."""

    async def wrapped() -> Any:
        from portal.core import db

        await db.start()
        try:
            return await work()
        finally:
            await db.stop()

    return asyncio.run(wrapped())


async def migrate_all() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all", fake=False)
    if not result.success:
        raise click.ClickException(f"migrations failed: {result.message}")


def _sqlite_folder() -> None:
    """The folder of the SQLite database file, made if missing (nothing for PostgreSQL)."""
    path = get_settings().sqlite_path
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)


@click.group()
def main() -> None:
    """Resident portal of a housing management company."""


@main.command()
def migrate() -> None:
    """Apply every pending migration (SQLite or PostgreSQL, from DATABASE_URL)."""
    _sqlite_folder()
    run_async(migrate_all)
    click.echo("migrations: up to date")


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    if not logins:
        return
    click.echo("\nDemo sign-ins:")
    width = max(len(who) for who, _, _ in logins)
    for who, login, password in logins:
        click.echo(f"  {who.ljust(width)}  {login}  /  {password}")


@main.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even if demo data was loaded before.")
def seed_demo_command(force: bool) -> None:
    """Load the demo data (on the first start only, unless --force)."""
    from portal import demo

    async def work() -> list[tuple[str, str, str]]:
        if await demo.is_seeded() and not force:
            click.echo("demo data: already loaded")
            return await demo.stored_logins()
        ctx = await demo.seed_demo(progress=click.echo)
        click.echo("demo data: loaded")
        return ctx.logins

    _print_logins(run_async(work))


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--with-gateway/--no-gateway", default=True, help="Start the sandbox payment gateway beside the portal.")
def serve(host: str, port: int, with_gateway: bool) -> None:
    """Migrate, load demo data on first start, and serve the portal."""
    import uvicorn

    from portal import demo

    async def prepare() -> list[tuple[str, str, str]]:
        await migrate_all()
        if not await demo.is_seeded():
            click.echo("Loading demo data (first start)…")
            await demo.seed_demo(progress=click.echo)
        return await demo.stored_logins()

    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    if "BASE_URL" not in os.environ:
        # Links back to the portal (the payment gateway's return after paying, e-mails) lead to this very server,
        # not to the default port, where another server or none may be listening.
        os.environ["BASE_URL"] = f"http://{local}:{port}"
    sockets = _own_sandbox_ports() if with_gateway else {}
    use_settings(Settings.from_env())
    _sqlite_folder()
    # The sandboxes start first and come up while this process migrates and checks the demo data (they keep their
    # own files); the portal waits for them only then, before it serves.
    gateway = None
    if with_gateway and (ROOT / "portal" / "sandbox_gateway" / "__main__.py").exists():
        # The sandbox sends its webhooks to this portal (unless told otherwise) and is up before the portal is.
        webhook = {"SANDBOX_WEBHOOK_URL": f"http://{local}:{port}/payments/webhook"}
        gateway = _start_sandbox("portal.sandbox_gateway", sockets.get("PAYMENT_GATEWAY_URL"), webhook)
    sms = None
    if with_gateway and _is_local(get_settings().sms_provider_url):
        # The sandbox SMS provider (and push service stand-in): its page lists the text messages "sent".
        sms = _start_sandbox("portal.sandbox_sms", sockets.get("SMS_PROVIDER_URL"), {})
    try:
        logins = run_async(prepare)
        if gateway:
            _wait_for_gateway(get_settings().payment_gateway_url, gateway)
        if sms:
            _wait_for_gateway(get_settings().sms_provider_url, sms)
        click.echo(f"\nThe portal is at http://{host}:{port}")
        _print_logins(logins)
        uvicorn.run("portal.app:app", host=host, port=port, log_config=logs.config(), proxy_headers=False)
    finally:
        for process in (gateway, sms):
            if process:
                process.terminate()


@main.command()
@click.option("--concurrency", default=4, type=int, help="Jobs run at once by this worker.")
def worker(concurrency: int) -> None:
    """Run the outbox dispatcher and the scheduled jobs on Redis (SAQ), for app processes that only serve pages."""
    from portal.core.jobs import run_worker

    redis_url = get_settings().redis_url
    if not redis_url:
        raise click.ClickException("REDIS_URL is not set: without Redis the app runs the jobs itself (portal serve)")
    click.echo(f"portal worker: jobs on {redis_url.split('@')[-1]}, {concurrency} at a time")
    asyncio.run(run_worker(redis_url, concurrency))


def _own_sandbox_ports() -> dict[str, socket.socket]:
    """The sockets the sandboxes this server starts will listen on, by the setting naming their URL, which is
    set to match: each sandbox's default port when free, else a free one (a second portal's payments would
    otherwise go to the first portal's gateway, which sends their webhooks there). Bound here and handed to the
    sandboxes, so two servers starting at once cannot pick the same port. A URL set in the environment is kept
    (and a server already listening there is used as it is)."""
    from urllib.parse import urlparse

    from portal.core.sandboxes import bind

    sockets = {}
    for name, url in (
        ("PAYMENT_GATEWAY_URL", Settings.payment_gateway_url),
        ("SMS_PROVIDER_URL", Settings.sms_provider_url),
    ):
        if name in os.environ:
            continue
        sockets[name] = bind(urlparse(url).port or 80)
        os.environ[name] = f"http://127.0.0.1:{sockets[name].getsockname()[1]}"
    return sockets


def _start_sandbox(module: str, sock: socket.socket | None, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a sandbox beside this server, stopping when it stops; on ``sock`` when this server bound one."""
    child_env = {**env, **os.environ, "SANDBOX_PARENT_PID": str(os.getpid())}
    if sock is not None:
        child_env["SANDBOX_LISTEN_FD"] = str(sock.fileno())
    fds = (sock.fileno(),) if sock is not None else ()
    try:
        return subprocess.Popen([sys.executable, "-m", module], cwd=ROOT, env=child_env, pass_fds=fds)  # noqa: S603
    finally:
        if sock is not None:
            sock.close()  # the sandbox holds its own copy


def _is_local(url: str) -> bool:
    from urllib.parse import urlparse

    return bool(url) and urlparse(url).hostname in ("127.0.0.1", "localhost")


def _wait_for_gateway(url: str, process: Any, seconds: float = 60) -> None:
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    click.echo("The sandbox payment gateway did not start; payments will not work.", err=True)


def _load_domain_commands() -> None:
    import importlib

    for domain in ("housing", "accounts", "billing", "payments", "tickets"):
        try:
            module = importlib.import_module(f"portal.{domain}.commands")
        except ModuleNotFoundError:
            continue
        for command in getattr(module, "COMMANDS", []):
            main.add_command(command)


_load_domain_commands()
