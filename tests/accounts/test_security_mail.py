"""Security notices — someone gained or lost access to your account, your password changed, your login e-mail
changed — reach the person's e-mail whatever they unticked (the profile's switch for e-mail, the settings' topic of
their own affairs): a stranger's change would otherwise go unseen. Through a real SMTP conversation."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from portal.accounts import actions
from portal.accounts import queries
from portal.accounts.passwords import hash_password
from portal.accounts.tables import User
from portal.core import outbox
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.notifications.actions import save_choices
from portal.notifications.rules import DEFAULTS
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic
from portal.settings import get_settings
from portal.settings import use_settings

PASSWORD = "old password 1"


async def _unticked(make_user: Any, email: str, **extra: Any) -> int:
    """A person with an e-mail who turned e-mail off in the profile and unticked it for their own affairs."""
    user_id = await make_user(email=email, **extra)
    await User.update({User.notify_email: False, User.password_hash: hash_password(PASSWORD)}).where(User.id == user_id)
    await save_choices(user_id, {(t, c) for t in Topic for c in DEFAULTS[t]} - {(Topic.ACCOUNT, Channel.EMAIL)})
    return user_id


async def _deliver(inbox: Any) -> None:
    settings = get_settings()
    use_settings(dataclasses.replace(settings, smtp_host=inbox.host, smtp_port=inbox.port))
    try:
        while await outbox.deliver_due():
            pass
    finally:
        use_settings(settings)


def _text(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


async def test_an_owner_who_unticked_e_mail_still_hears_by_e_mail_of_a_change_of_access(
    make_user, make_house, smtp_server
):
    house = await make_house(accounts=1)
    account = house["accounts"][0]
    owner = await _unticked(make_user, "owner.sec@example.ru", accounts={account: "owner"})
    operator = Principal(
        user_id=await make_user(roles=("operator",)), name="Оператор", staff_roles=frozenset({"operator"})
    )
    await actions.regenerate_access_code(operator, await queries.account_by_id(account), ip="")
    await _deliver(smtp_server)
    letter = smtp_server.wait_for("owner.sec@example.ru")
    assert letter["Subject"] == f"Доступ к лицевому счёту {house['numbers'][0]}"
    assert "Для счёта выпущен новый код доступа" in _text(letter)
    # ...with the address of the page that shows who has access (the letter alone gave no way there).
    assert _text(letter).rstrip().endswith(f"/accounts/{account}/people")
    rows = await OutboxMessage.select(OutboxMessage.channel).where(OutboxMessage.user_id == owner)
    assert sorted(r["channel"] for r in rows) == ["email", "inapp"]


async def test_a_changed_password_is_told_by_e_mail_whatever_is_unticked(client, make_user, login, smtp_server):
    user_id = await _unticked(make_user, "pass.sec@example.ru")
    await login(client, user_id)
    changed = await client.form(
        "/profile/password",
        {"current_password": PASSWORD, "password": "new password 22", "password2": "new password 22"},
    )
    assert changed.status_code == 303
    await _deliver(smtp_server)
    letter = smtp_server.wait_for("pass.sec@example.ru")
    assert letter["Subject"] == "Ваш пароль изменён"
    assert "Если это были не вы" in _text(letter) and "/password/forgot" in _text(letter)
    inapp = await OutboxMessage.select().where((OutboxMessage.user_id == user_id) & (OutboxMessage.channel == "inapp"))
    assert [m["subject"] for m in inapp] == ["Ваш пароль изменён"] and "http" not in inapp[0]["body"]


async def test_a_password_set_through_a_reset_link_is_told_by_e_mail_whatever_is_unticked(
    client, make_user, smtp_server
):
    user_id = await _unticked(make_user, "reset.sec@example.ru")
    await User.update({User.locale: "en"}).where(User.id == user_id)
    assert (await client.form("/password/forgot", {"login": "reset.sec@example.ru"})).status_code in (200, 303)
    await _deliver(smtp_server)
    path = re.search(r"https?://\S+(/password/reset/\S+)", _text(smtp_server.wait_for("reset.sec@example.ru")))
    smtp_server.messages.clear()
    done = await client.form(path.group(1), {"password": "new password 22", "password2": "new password 22"})
    assert done.status_code == 303
    await _deliver(smtp_server)
    letter = smtp_server.wait_for("reset.sec@example.ru")
    assert letter["Subject"] == "Your password was changed"  # in the person's language
    assert "If it was not you, choose a new password at once" in _text(letter)
