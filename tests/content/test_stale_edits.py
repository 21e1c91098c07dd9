"""Two staff members on one post at once. Editing: both open its form on a committed database of each engine, Анна
saves, then Борис saves the form he opened before: refused (409), her words kept, his typed words shown again with
who changed it and when (core.stale). A step: two moderators approve the same post; the second is told it is
published."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.content.tables import Post
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core.tables import AuditEvent
from portal.housing.tables import Complex
from portal.housing.tables import House
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import two_staff
from tests.two_staff import version

NO_IMAGE = {"image": ("", b"", "application/octet-stream")}


@pytest.fixture(params=["sqlite", "postgres"])
async def draft(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, int]]:
    """A house and a draft news post for it, committed."""
    async with committed(engines, request.param):
        tag = secrets.token_hex(3)
        complex_ = Complex(name=f"ЖК «Новостной {tag}»", city="Симферополь")
        await complex_.save()
        house = House(complex=complex_.id, address=f"г. Симферополь, ул. Новостная, д. {tag}", floors=5)
        await house.save()
        post = Post(kind="news", status=PostStatus.DRAFT, title="Покраска подъезда", body="Красим.")
        await post.save()
        await PostTarget(post=post.id, kind="house", ref=house.id, house=house.id).save()
        try:
            yield {"house": house.id, "post": post.id}
        finally:
            await PostTarget.delete().where(PostTarget.post == post.id)
            await Post.delete().where(Post.id == post.id)
            await House.delete().where(House.id == house.id)
            await Complex.delete().where(Complex.id == complex_.id)


async def test_a_save_of_a_post_read_before_someone_elses_change_is_refused_and_theirs_kept(app, draft):
    url = f"/staff/posts/{draft['post']}/edit"
    form = {"kind": "news", "body": "Красим.", "houses": str(draft["house"])}
    async with two_staff(app, roles=("manager",), houses=(draft["house"],)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        saved = await anna.form(url, {**form, "title": "Покраска с понедельника", "version": hers}, files=NO_IMAGE)
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(url, {**form, "title": "Покраска отменена", "version": his}, files=NO_IMAGE)
        assert refused.status_code == 409, refused.text[-2000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="Покраска отменена"' in refused.text  # what he typed is kept
        assert (await Post.select(Post.title).where(Post.id == draft["post"]).first())["title"] == (
            "Покраска с понедельника"
        )
        # Typed to exactly what she saved, his form read before her change is no conflict: «saved», nothing written.
        same = await boris.form(url, {**form, "title": "Покраска с понедельника", "version": his}, files=NO_IMAGE)
        assert same.status_code == 303, same.text[-2000:]
        assert await AuditEvent.count().where(AuditEvent.actor_name == SECOND) == 0
        again = await boris.form(url, {**form, "title": "Покраска отменена", "version": version(refused, 409)},
                                 files=NO_IMAGE)  # fmt: skip
        assert again.status_code == 303  # the form shown again carries the version now: his choice, saved


async def test_two_moderators_approving_one_post_the_second_is_told_it_is_published(
    db, new_client, login, make_user, town
):
    t = await town()
    post = Post(kind="news", status=PostStatus.REVIEW, title="Покраска подъезда", body="Красим.")
    await post.save()
    await PostTarget(post=post.id, kind="house", ref=t["house"], house=t["house"]).save()
    first, second = new_client(), new_client()
    await login(first, await make_user(name="Анна Первая", roles=("moderator",), houses=(t["house"],)))
    await login(second, await make_user(name="Борис Второй", roles=("moderator",), houses=(t["house"],)))
    page = f"http://testserver/staff/posts/{post.id}"
    approve = {"step": "approve"}
    assert (await first.form(f"/staff/posts/{post.id}/move", approve, headers={"referer": page})).status_code == 303
    refused = await second.form(f"/staff/posts/{post.id}/move", approve, headers={"referer": page})
    assert refused.status_code == 303
    told = (await second.get(refused.headers["location"])).text
    assert "Этого с публикацией сейчас сделать нельзя: её состояние — «Опубликовано»." in told, told
    row = await Post.select(Post.status, Post.reviewer).where(Post.id == post.id).first()
    assert row["status"] == PostStatus.PUBLISHED
