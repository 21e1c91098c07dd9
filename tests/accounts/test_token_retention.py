"""One-time links and codes, with the address or number each was sent to, are kept no longer than their purpose
(152-ФЗ ст. 5 ч. 7): ``ONE_TIME_TOKEN_KEEP_DAYS`` (30) after they expired, then deleted by a daily job."""

from __future__ import annotations

from datetime import timedelta

from portal.accounts import actions
from portal.accounts import mail
from portal.accounts import privacy
from portal.accounts import queries
from portal.accounts.rules import TokenPurpose
from portal.accounts.tables import OneTimeToken
from portal.core import clock
from portal.core import jobs
from portal.core.tables import OutboxMessage


async def _issued(user_id: int, expired_days_ago: float) -> str:
    """A password-reset link of ``user_id`` that expired ``expired_days_ago`` days ago (negative: still valid)."""
    issued = await actions._create_token(TokenPurpose.RESET, user_id=user_id, sent_to="someone@example.ru")
    await OneTimeToken.update({OneTimeToken.expires_at: clock.now() - timedelta(days=expired_days_ago)}).where(
        OneTimeToken.user == user_id
    )
    return issued.token


async def _kept(user_id: int) -> int:
    return await OneTimeToken.count().where(OneTimeToken.user == user_id)


async def test_a_link_expired_more_than_the_term_ago_is_deleted_one_a_day_younger_is_kept(make_user):
    now = clock.now()
    old_user, young_user, valid_user = await make_user(), await make_user(), await make_user()
    await _issued(old_user, 30 + 1)
    await _issued(young_user, 30 - 1)
    valid = await _issued(valid_user, -0.5)

    assert await privacy.forget_expired_tokens(now, 30) == 1
    assert (await _kept(old_user), await _kept(young_user), await _kept(valid_user)) == (0, 1, 1)
    assert await queries.valid_token(valid, TokenPurpose.RESET) is not None  # a live link still works

    assert await privacy.forget_expired_tokens(now, 30) == 0  # run again: nothing changes
    assert (await _kept(old_user), await _kept(young_user), await _kept(valid_user)) == (0, 1, 1)


async def test_the_daily_job_deletes_by_the_setting(make_user):
    job = jobs.registered()["one-time-token-cleanup"]
    assert job.every_seconds == 86400 and job.key is not None
    user = await make_user()
    await _queued(user, 31)
    await _issued(user, 31)  # the reset link sent above and another, both expired 31 days ago
    assert await job.run(clock.now()) == 3 and await _kept(user) == 0
    assert await _mails(user) == ["accounts/email_taken"]


async def _mails(user_id: int) -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.template).where(OutboxMessage.user_id == user_id)
    return sorted(r["template"] for r in rows)


async def _queued(user_id: int, days_ago: float, status: str = "sent") -> None:
    """A password reset and a notice that the address is taken sent to ``user_id`` ``days_ago`` days ago."""
    token = await actions._create_token(TokenPurpose.RESET, user_id=user_id, sent_to="someone@example.ru")
    await mail.send_reset("someone@example.ru", token, "ru", user_id)
    await mail.send_email_taken("someone@example.ru", "ru", user_id)
    await OutboxMessage.update(
        {OutboxMessage.created_at: clock.now() - timedelta(days=days_ago), OutboxMessage.status: status}
    ).where(OutboxMessage.user_id == user_id)


async def test_a_message_that_carried_a_one_time_link_goes_after_the_term_others_stay(make_user):
    now = clock.now()
    old, young, waiting = await make_user(), await make_user(), await make_user()
    await _queued(old, 30 + 1)
    await _queued(young, 30 - 1)
    await _queued(waiting, 30 + 1, status="pending")  # not done with yet: the dispatcher expires it first
    both = ["accounts/email_taken", "accounts/reset"]
    assert await _mails(old) == both

    assert await privacy.forget_one_time_messages(now, 30) == 1
    assert await _mails(old) == ["accounts/email_taken"]  # it carried no link: not this job's to delete
    assert await _mails(young) == both and await _mails(waiting) == both
    assert await privacy.forget_one_time_messages(now, 30) == 0
    assert await _mails(old) == ["accounts/email_taken"]


async def test_every_batch_is_deleted_in_one_run(make_user, monkeypatch):
    """The links and the messages are deleted a few at a time: one run goes on until none is left of the term."""
    monkeypatch.setattr(privacy, "TOKENS_PER_DELETE", 2)
    users = [await make_user() for _ in range(5)]
    for user in users:
        await _queued(user, 31)  # a reset link, its message and a notice that is no one-time message

    assert await privacy.forget_expired_tokens(clock.now() + timedelta(days=32), 30) == 5
    assert await privacy.forget_one_time_messages(clock.now(), 30) == 5
    assert [await _kept(user) for user in users] == [0] * 5
    assert [await _mails(user) for user in users] == [["accounts/email_taken"]] * 5
