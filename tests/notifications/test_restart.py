"""Nothing is lost when a process dies, and nothing is sent twice (SECURITY.md "Lost messages").

A process publishes an emergency notice (the post and its outbox row commit together) and is killed before it
sends anything; a second dispatcher claims the work and is killed before sending; after a restart the e-mail
reaches the SMTP server and the SMS the sandbox provider, each exactly once, however often the dispatcher runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import _RUN
from tests.conftest import ROOT
from tests.conftest import _migrate
from tests.conftest import smtp_inbox

PUBLISH = """
import asyncio, os, signal
from portal.cli import run_async

async def work():
    from portal.accounts import consent
    from portal.accounts.tables import ConsentRecord, Residency, User
    from portal.content import actions
    from portal.content.rules import Move
    from portal.content.tables import PostKind
    from portal.core.security import Principal
    from portal.housing.tables import Complex, Entrance, House, PersonalAccount, Premise
    from portal.notifications.rules import Audience

    complex_ = Complex(name="ЖК Перезапуск"); await complex_.save()
    house = House(complex=complex_.id, address="г. Симферополь, ул. Крепкая, д. 1", floors=5); await house.save()
    entrance = Entrance(house=house.id, number=1, floors=5); await entrance.save()
    premise = Premise(house=house.id, entrance=entrance.id, number="1", floor=1, area=40); await premise.save()
    account = PersonalAccount(number="7700000001", premise=premise.id); await account.save()
    user = User(email="resident@example.ru", phone="+79780000077", full_name="Жилец"); await user.save()
    await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="test").save()
    await Residency(user=user.id, account=account.id, role="owner").save()
    moderator = Principal(user_id=None, name="Модератор", staff_roles=frozenset({"moderator"}), house_ids=None)
    post_id = await actions.save_post(moderator, actions.PostInput(
        kind=PostKind.EMERGENCY, title="Отключение света", body="Авария на подстанции.",
        audience=Audience.of(houses=[house.id]), by_email=True, by_sms=True))
    await actions.move(moderator, post_id, Move.SEND_NOW)
    os.kill(os.getpid(), signal.SIGKILL)  # after the commit, before anything is sent

run_async(work)
"""

CLAIM_AND_DIE = """
import os, signal
from portal.cli import run_async

async def work():
    from portal.core import outbox
    from portal.notifications import channels  # noqa: F401
    from portal.content import delivery  # noqa: F401
    await outbox.deliver_due()  # the fan-out: one message per person and channel, queued
    from datetime import UTC, datetime
    claimed = await outbox.claim(datetime.now(UTC))
    assert claimed, "nothing to claim"
    os.kill(os.getpid(), signal.SIGKILL)  # claimed, not sent

run_async(work)
"""

RESTART = """
import sys
from datetime import UTC, datetime
from portal.cli import run_async

async def work():
    from portal.core import outbox
    from portal.notifications import channels  # noqa: F401
    from portal.content import delivery  # noqa: F401
    later = datetime.now(UTC) + outbox.LEASE * float(sys.argv[1])
    print(await outbox.deliver_all(later, seconds=60))

run_async(work)
"""


def _run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_process_killed_after_saving_still_sends_after_restart_exactly_once(sandbox_sms_process):
    folder = Path(_RUN) / "restart"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'restart.sqlite'}"
    _migrate(url)
    sandbox_sms_process.reset()
    with smtp_inbox() as inbox:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PORTAL_VAR_DIR": str(folder),
            "SMTP_HOST": inbox.host,
            "SMTP_PORT": str(inbox.port),
            "SMS_PROVIDER_URL": sandbox_sms_process.url,
        }
        published = _run(PUBLISH, env)
        assert published.returncode == -signal.SIGKILL, published.stderr[-2000:]
        assert inbox.messages == [] and sandbox_sms_process.messages() == []

        died = _run(CLAIM_AND_DIE, env)
        assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
        assert inbox.messages == [] and sandbox_sms_process.messages() == []

        for _ in range(3):  # the restarted dispatcher, after the dead claim's lease, run again and again
            again = _run(RESTART, env, "1.5")
            assert again.returncode == 0, again.stderr[-2000:]
        assert [m.rcpt_tos for m in inbox.messages] == [["resident@example.ru"]]
        assert [m["phone"] for m in sandbox_sms_process.messages()] == ["+79780000077"]
