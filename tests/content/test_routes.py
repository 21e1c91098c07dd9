"""Content over HTTP: a manager writes a post through the form, a moderator publishes it, a resident of the
house reads it (and it is marked read, though not by a HEAD), a resident elsewhere gets 404; the staff list filters."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostRead
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.core.tables import AuditEvent
from portal.notifications.rules import TargetKind
from tests.tickets.test_audit_trail import CLIENT_IP


async def test_write_review_publish_and_read(db, client, new_client, login, town):
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    form = await manager.get("/staff/posts/new")
    assert form.status_code == 200
    bad = await manager.form("/staff/posts/new", {"kind": "notice", "title": "", "body": ""}, files={})
    assert bad.status_code == 422 and 'id="e-title"' in bad.text
    assert bad.headers["content-type"].startswith("text/html")  # a page, whatever the handler's annotation
    made = await manager.form(
        "/staff/posts/new",
        {"kind": "notice", "title": "Покраска подъезда", "body": "Красим **2-й** подъезд.", "houses": str(t["house"]),
         f"entrances-{t['house']}": "2", "by_email": "1"},
        files={"image": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert made.status_code == 303, made.text[-500:]
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    row = await Post.select(Post.status).where(Post.id == post_id).first()
    assert row["status"] == "draft"
    assert (await manager.form(f"/staff/posts/{post_id}/move", {"step": "submit"})).status_code == 303
    moderator = new_client()
    await login(moderator, t["moderator"])
    listed = await moderator.get("/staff/posts?q=покраска&published=no")
    assert "Покраска подъезда" in listed.text
    assert "Покраска подъезда" not in (await moderator.get("/staff/posts?kind=news")).text
    # Returned to the author without a comment: the post's page again (422), said at the comment's box.
    unsaid = await moderator.form(f"/staff/posts/{post_id}/move", {"step": "return", "comment": "  "})
    assert unsaid.status_code == 422 and "Form-Taken" not in unsaid.headers
    assert 'id="e-comment"' in unsaid.text and "Напишите, что исправить: автор увидит комментарий." in unsaid.text
    assert (await Post.select(Post.status).where(Post.id == post_id).first())["status"] == "review"
    assert (await moderator.form(f"/staff/posts/{post_id}/move", {"step": "approve"})).status_code == 303
    boris = new_client()
    # Writing, submitting and approving keep the address each staff member acted from, as every staff write does.
    steps = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(AuditEvent.entity == "post")
    assert sorted((e["action"], e["ip"]) for e in steps) == [
        ("post.approve", CLIENT_IP), ("post.create", CLIENT_IP), ("post.submit", CLIENT_IP)
    ]  # fmt: skip
    await login(boris, t["residents"][1])  # entrance 2
    assert (await boris.head(f"/news/{post_id}")).status_code == 200
    assert await PostRead.count().where(PostRead.post == post_id) == 0  # a HEAD (a link preview's) reads nothing
    page = await boris.get(f"/news/{post_id}")
    assert page.status_code == 200 and "<strong>2-й</strong>" in page.text
    assert await PostRead.count().where(PostRead.post == post_id) == 1
    await login(client, t["residents"][0])  # entrance 1 of the same house
    assert (await client.get(f"/news/{post_id}")).status_code == 404
    assert "Покраска подъезда" not in (await client.get("/news")).text


async def test_the_feeds_filter_names_the_kinds_in_the_plural(db, client, login, town):
    """The chips above the feed read «Все · Новость · Объявление · Аварийное», a post's badge put to another use:
    a filter shows a kind of posts, «Новости», «Объявления», «Аварийные»."""
    t = await town()
    await login(client, t["residents"][0])
    for lang, chips in (("ru", ("Новости", "Объявления", "Аварийные")), ("en", ("News", "Notices", "Emergencies"))):
        await client.speak(lang)
        page = (await client.get("/news")).text
        for kind, chip in zip(("news", "notice", "emergency"), chips, strict=True):
            assert re.search(rf'<a href="/news\?kind={kind}"[^>]*>{chip}</a>', page), (lang, chip)


async def _published(kind: str, title: str, account: int) -> None:
    then = clock.now() - timedelta(hours=1)
    post = Post(kind=kind, status=PostStatus.PUBLISHED, title=title, publish_at=then, published_at=then)
    await post.save()
    await PostTarget(post=post.id, kind=TargetKind.ACCOUNT, ref=account).save()


async def test_a_feed_page_past_the_end_goes_to_the_last_page_rather_than_nothing_yet(db, client, login, town):
    """«/news?page=999» (an old link, a typed address) said «Пока ничего нет» above a feed that has posts: it goes
    to the last page, keeping the kind chosen, and says the page asked for is not there, as every paged list does."""
    t = await town()
    await _published(PostKind.NEWS, "Субботник во дворе", t["places"][0].account)
    await _published(PostKind.NOTICE, "Сверка показаний", t["places"][0].account)
    await login(client, t["residents"][0])
    past = await client.get("/news/?page=999")
    assert past.status_code == 303 and past.headers["location"] == "/news"
    page = (await client.get(past.headers["location"])).text
    assert "Пока пусто" not in page and "Субботник во дворе" in page
    assert "Страницы 999 нет: список кончается на странице 1." in page
    assert (await client.get("/news/?kind=news&page=3")).headers["location"] == "/news?kind=news"
    await client.speak("en")
    past = await client.get("/news/?page=999")
    assert "There is no page 999: the list ends on page 1." in (await client.get(past.headers["location"])).text
    await client.speak("ru")
    await login(client, t["residents"][2])  # nothing reaches this resident: nothing yet, and no word of pages
    empty = await client.get("/news/?page=2")
    assert empty.headers["location"] == "/news"
    page = (await client.get("/news/")).text
    assert "Пока пусто" in page and "Страницы" not in page


async def test_a_feed_kind_that_is_none_of_its_kinds_is_said_and_not_applied(db, client, login, town):
    """«/news?kind=zzz» silently showed every post as if filtered; like the other lists' filters, an unknown
    value is not applied and the page says so (no error: the posts are still shown, under «Все»)."""
    t = await town()
    await _published(PostKind.NEWS, "Субботник во дворе", t["places"][0].account)
    await _published(PostKind.NOTICE, "Сверка показаний", t["places"][0].account)
    await login(client, t["residents"][0])
    page = await client.get("/news/?kind=zzz")
    assert page.status_code == 200 and "Субботник во дворе" in page.text and "Сверка показаний" in page.text
    assert "Такого варианта нет: «zzz»" in page.text, page.text
    assert re.search(r'<a href="/news" aria-current="page"', page.text)
    known = (await client.get("/news/?kind=news")).text
    assert "Субботник во дворе" in known and "Сверка показаний" not in known and "«news»" not in known


async def test_the_staff_list_dates_are_whole_days_in_the_company_zone(db, new_client, login, town):
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    made = await manager.form(
        "/staff/posts/new",
        {"kind": "notice", "title": "Мартовская уборка", "body": "Субботник.", "houses": str(t["house"]),
         "by_email": "1"},
        files={"image": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert made.status_code == 303, made.text[-500:]
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    # Local midnight of 1 March in Simferopol (UTC+3) is still 28 February in UTC.
    await Post.update({Post.created_at: datetime(2026, 2, 28, 21, 0, tzinfo=UTC)}).where(Post.id == post_id)

    async def listed(query: str) -> bool:
        return "Мартовская уборка" in (await manager.get(f"/staff/posts?{query}")).text

    assert await listed("from=2026-03-01&to=2026-03-01")
    assert not await listed("to=2026-02-28")
    assert not await listed("from=2026-03-02")
    assert await listed("from=01.03.2026&to=01.03.2026") and not await listed("to=28.02.2026")  # as typed in Russian


async def test_the_staff_list_filters_not_read_are_kept_said_and_not_applied(db, new_client, login, town):
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    made = await manager.form(
        "/staff/posts/new",
        {"kind": "notice", "title": "Мартовская уборка", "body": "Субботник.", "houses": str(t["house"])},
        files={"image": ("", b"", "application/octet-stream")},
    )
    assert made.status_code == 303, made.text[-500:]
    assert "Мартовская уборка" not in (await manager.get("/staff/posts?from=2099-01-01")).text
    url = "/staff/posts?kind=bogus&published=maybe&from=31.02.2026&to=вчера"
    for answer in (await manager.get(url), await manager.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert answer.status_code == 200
        assert "Мартовская уборка" in answer.text  # the list is shown without them
        form = answer.text.split('id="post-filters"')[1].split("</form>")[0]
        assert 'value="31.02.2026"' in form and 'value="вчера"' in form
        assert form.count("Введите дату в виде ДД.ММ.ГГГГ; список показан без этого условия.") == 2
        assert "Такого варианта нет: «bogus»; список показан без этого условия." in form
        assert "Такого варианта нет: «maybe»; список показан без этого условия." in form
        notice = answer.text.split('id="list"')[1]
        assert "Не применены, так как не прочитаны: Тип; Опубликовано; Создано с; Создано по." in notice


async def test_a_moderator_finds_the_posts_waiting_for_review_by_their_state(db, new_client, login, town):
    """A moderator's day starts with the posts waiting for them, and the list had no way to show only those: they
    looked for the «На модерации» badge among every news item, notice and draft."""
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    made = {}
    for title in ("Покраска подъезда", "Мартовская уборка"):
        answer = await manager.form(
            "/staff/posts/new",
            {"kind": "notice", "title": title, "body": "Текст.", "houses": str(t["house"])},
            files={"image": ("", b"", "application/octet-stream")},
        )
        assert answer.status_code == 303, answer.text[-500:]
        made[title] = int(answer.headers["location"].rsplit("/", 1)[1])
    assert (await manager.form(f"/staff/posts/{made['Покраска подъезда']}/move", {"step": "submit"})).status_code == 303
    moderator = new_client()
    await login(moderator, t["moderator"])
    listed = await moderator.get("/staff/posts?status=review")
    form = listed.text.split('id="post-filters"')[1].split("</form>")[0]
    assert '<label for="f-status">Статус</label>' in form  # as the list's column «Статус и тип» calls it
    assert '<option value="review" selected>На модерации</option>' in form
    shown = listed.text.split('id="list"')[1]
    assert "Покраска подъезда" in shown and "Мартовская уборка" not in shown
    drafts = (await moderator.get("/staff/posts?status=draft")).text.split('id="list"')[1]
    assert "Мартовская уборка" in drafts and "Покраска подъезда" not in drafts
    unread = (await moderator.get("/staff/posts?status=maybe")).text.split('id="list"')[1]
    assert "Не применены, так как не прочитаны: Статус." in unread and "Мартовская уборка" in unread


async def test_approving_a_post_that_sends_messages_at_once_asks_first(db, new_client, login, town):
    """«Отправить сейчас» asked before its messages went, «Одобрить и опубликовать» did not, though it sends the same
    e-mails at once; one only on the portal, or scheduled, can still be taken down before anyone is told."""
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    made = {}
    for title, extra in (("По почте", {"by_email": "1"}), ("На портале", {}),
                         ("Позже", {"by_email": "1", "publish_at": "2099-01-01T10:00"})):  # fmt: skip
        answer = await manager.form(
            "/staff/posts/new",
            {"kind": "notice", "title": title, "body": "Текст.", "houses": str(t["house"]), **extra},
            files={"image": ("", b"", "application/octet-stream")},
        )
        assert answer.status_code == 303, answer.text[-500:]
        made[title] = int(answer.headers["location"].rsplit("/", 1)[1])
        assert (await manager.form(f"/staff/posts/{made[title]}/move", {"step": "submit"})).status_code == 303
    moderator = new_client()
    await login(moderator, t["moderator"])

    def approve_form(page: str) -> str:
        return page.split('value="approve"')[0].rsplit("<form", 1)[1]

    mailed = approve_form((await moderator.get(f"/staff/posts/{made['По почте']}")).text)
    assert 'data-confirm="Опубликовать и отправить сейчас' in mailed and "Отправленное сообщение не отозвать." in mailed
    for title in ("На портале", "Позже"):
        assert "data-confirm" not in approve_form((await moderator.get(f"/staff/posts/{made[title]}")).text), title


async def test_the_comment_for_the_author_belongs_to_returning_not_to_approving(db, new_client, login, town):
    """«Комментарий автору» stood right under «Одобрить и опубликовать» and read as part of approving, which needs no
    comment: it is the return's, in one group with «Вернуть автору» named «Вернуть на доработку»."""
    t = await town()
    post = Post(kind="notice", status=PostStatus.REVIEW, title="Покраска", body="Текст.")
    await post.save()
    await PostTarget(post=post.id, kind=TargetKind.HOUSE, ref=t["house"], house=t["house"]).save()
    moderator = new_client()
    await login(moderator, t["moderator"])
    shown = await moderator.get(f"/staff/posts/{post.id}")
    refused = await moderator.form(f"/staff/posts/{post.id}/move", {"step": "return", "comment": ""})
    assert refused.status_code == 422  # the page again, the comment's box saying why
    for page in (shown.text, refused.text):
        forms = re.findall(r"(?s)<form\b.*?</form>", page.split('id="actions"')[1])
        approving = next(f for f in forms if 'value="approve"' in f)
        returning = next(f for f in forms if 'value="return"' in f)
        assert 'name="comment"' not in approving
        group = re.search(r"(?s)<fieldset\b[^>]*>\s*<legend>([^<]*)</legend>(.*?)</fieldset>", returning)
        assert group and group.group(1) == "Вернуть на доработку"
        assert 'name="comment"' in group.group(2) and 'value="return"' in group.group(2)


async def test_a_resident_reaches_the_news_from_the_more_menu(db, client, login, make_account, make_user):
    place = await make_account()
    await login(client, await make_user(accounts={place.account: "owner"}))
    more = await client.get("/more")
    assert more.status_code == 200
    assert '<a href="/news">' in more.text and "Новости и объявления" in more.text


async def test_the_delivery_log_and_the_facts_of_a_post_read_in_words(db, new_client, login, town):
    """A moderator's page of a post sent by e-mail: its channel and state in Russian, not the outbox's codes, and
    the facts as the portal's fact list; a published post says when it went out rather than «when approved»."""
    from portal.core.tables import OutboxMessage

    t = await town()
    moderator = new_client()
    await login(moderator, t["moderator"])
    made = await moderator.form(
        "/staff/posts/new",
        {"kind": "notice", "title": "Промывка труб", "body": "Промываем.", "houses": str(t["house"]), "by_email": "1"},
        files={"image": ("", b"", "application/octet-stream")},
    )
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert (await moderator.form(f"/staff/posts/{post_id}/move", {"step": "submit"})).status_code == 303
    assert (await moderator.form(f"/staff/posts/{post_id}/move", {"step": "approve"})).status_code == 303
    ref = f"post:{post_id}"
    await OutboxMessage(channel="email", recipient="anna@example.ru", user_id=t["residents"][0], template="post",
                        dedupe_key=ref, ref=ref).save()  # fmt: skip
    page = (await moderator.get(f"/staff/posts/{post_id}")).text
    log = page[page.index("Журнал доставки") :]
    assert '<td class="primary">E-mail</td>' in log and "Ожидает</span>" in log
    assert ">email<" not in log and ">pending<" not in log
    assert '<dl class="facts">' in page
    assert "сразу после одобрения" not in page


async def test_an_empty_delivery_log_says_whether_the_post_is_still_to_go_out_or_reaches_nobody_by_a_message(
    db, new_client, login, town
):
    """A news post offered by SMS, which nobody in the house gets news by (not chosen): before its sending the log
    says nothing is sent yet; once it has gone out to everyone, that no reader gets it by a message — not «nothing
    sent yet», which read as a sending stuck. A post with no channel but the portal says so from the start."""
    from portal.core import outbox

    t = await town()
    moderator = new_client()
    await login(moderator, t["moderator"])

    async def published(**channels: str) -> int:
        typed = {"kind": "news", "title": "Ёлка во дворе", "body": "Ставим ёлку.", "houses": str(t["house"])}
        made = await moderator.form("/staff/posts/new", typed | channels, files={"image": ("", b"", "image/png")})
        post_id = int(made.headers["location"].rsplit("/", 1)[1])
        for step in ("submit", "approve"):
            assert (await moderator.form(f"/staff/posts/{post_id}/move", {"step": step})).status_code == 303
        return post_id

    def log(page: str) -> str:
        return page[page.index("Журнал доставки") :]

    by_sms, portal_only = await published(by_sms="1"), await published()
    assert "Пока ничего не отправлено." in log((await moderator.get(f"/staff/posts/{by_sms}")).text)
    assert "Только в личном кабинете" in log((await moderator.get(f"/staff/posts/{portal_only}")).text)
    await outbox.deliver_all()
    page = log((await moderator.get(f"/staff/posts/{by_sms}")).text)
    assert "Рассылка завершена: никто из получателей не получает такие записи по e-mail, SMS или push" in page
    assert "Пока ничего не отправлено." not in page


async def test_the_emergency_stays_above_a_form_refused_with_its_errors(db, client, login, town, staff_principal):
    from portal.content import actions
    from portal.content import pinned
    from portal.content.rules import Move
    from portal.content.tables import PostKind
    from portal.notifications.rules import Audience

    t = await town()
    dispatcher = await staff_principal(t["dispatcher"], "dispatcher", houses=(t["house"],))
    emergency = actions.PostInput(
        kind=PostKind.EMERGENCY, title="Нет холодной воды на стояке", body="Ремонт до 18:00.",
        audience=Audience.of(risers=[t["riser"]]), by_email=False, by_sms=False, by_push=False,
    )  # fmt: skip
    post_id = await actions.save_post(dispatcher, emergency)
    await actions.move(dispatcher, post_id, Move.SEND_NOW)
    pinned.forget()
    await login(client, t["residents"][0])
    assert "Нет холодной воды на\xa0стояке" in (await client.get("/profile")).text
    refused = await client.form("/profile", {"name": "", "locale": "ru"})
    assert refused.status_code == 422
    assert f'<a href="/news/{post_id}">Нет холодной воды на\xa0стояке</a>' in refused.text
    pinned.forget()


async def test_deleting_a_draft_asks_once_more_and_deletes_only_when_confirmed(db, new_client, login, town):
    """UI.md: deleting a draft asks once more, with the consequence stated; «No» keeps it."""
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    made = await manager.form(
        "/staff/posts/new",
        {"kind": "notice", "title": "Черновик на удаление", "body": "Текст.", "houses": str(t["house"])},
        files={"image": ("", b"", "application/octet-stream")},
    )
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    asked = await manager.form(f"/staff/posts/{post_id}/move", {"step": "delete"})
    assert asked.status_code == 200
    assert "Удалить черновик «Черновик на удаление»?" in asked.text and "нельзя отменить" in asked.text
    assert 'name="confirm" value="1"' in asked.text and f'href="/staff/posts/{post_id}"' in asked.text
    assert await Post.exists().where(Post.id == post_id)
    # Asked through a boosted form, the question keeps the post's address: reloading …/move would answer 405.
    boosted = await manager.htmx_form(
        f"/staff/posts/{post_id}/move", {"step": "delete"}, headers={"HX-Boosted": "true"}
    )
    assert boosted.status_code == 200 and boosted.headers.get("HX-Push-Url") == "false"
    done = await manager.form(f"/staff/posts/{post_id}/move", {"step": "delete", "confirm": "1"})
    assert done.status_code == 303 and done.headers["location"].endswith("/staff/posts")
    assert not await Post.exists().where(Post.id == post_id)


async def test_a_picture_that_is_not_one_is_refused_on_the_form_and_no_post_is_saved(db, new_client, login, town):
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    typed = {"kind": "news", "title": "Субботник", "body": "Приходите.", "houses": str(t["house"])}
    refused = await manager.form("/staff/posts/new", typed, files={"image": ("flyer.txt", b"hello", "text/plain")})
    assert refused.status_code == 422, refused.text[-500:]  # was a 500, the post saved before its picture
    assert 'id="e-image"' in refused.text and 'value="Субботник"' in refused.text
    # the words every form taking pictures uses for the same refusal (the showcase's photos say the same)
    assert "Файл «flyer.txt» — не изображение: приложите JPEG, PNG или WebP." in refused.text
    assert not await Post.exists().where(Post.title == "Субботник")


def summary_links(page: str) -> list[str]:
    """The fields the summary of errors above the form links to, in its order."""
    box = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return re.findall(r'href="#f-([a-z_]+(?:-\d+)?)"', box.group(0) if box else "")


async def test_a_riser_or_an_account_not_found_is_said_at_its_own_field_in_the_order_of_the_form(
    db, new_client, login, town
):
    """An unknown riser or account number was said at «Дома», and the summary began with «Действует до»."""
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    entrances = f"entrances-{t['house']}"
    typed = {"kind": "notice", "title": "Промывка", "body": "Промываем стояки.", "houses": str(t["house"]),
             entrances: "7", "accounts": "0000000000", "ends_at": "2020-01-01T10:00"}  # fmt: skip
    page = await manager.form("/staff/posts/new", typed, files={"image": ("", b"", "application/octet-stream")})
    assert page.status_code == 422
    assert summary_links(page.text) == [entrances, "accounts", "ends_at"]
    assert 'id="e-houses"' not in page.text
    said = re.search(rf'id="e-{entrances}".*?</p>', page.text, re.S).group(0)
    assert "В этом доме нет такого подъезда: 7." in said
    # risers go on their own (not with entrances or floors)
    typed = {**typed, entrances: "", "risers": "ХВС-1, ГВС-9"}
    page = await manager.form("/staff/posts/new", typed, files={"image": ("", b"", "application/octet-stream")})
    assert summary_links(page.text) == ["risers", "accounts", "ends_at"]
    assert "Не найдено в выбранных домах: ГВС-9." in re.search(r'id="e-risers".*?</p>', page.text, re.S).group(0)
    assert "Таких лицевых счетов нет: 0000000000." in re.search(r'id="e-accounts".*?</p>', page.text, re.S).group(0)
    assert not await Post.exists().where(Post.title == "Промывка")


async def test_risers_with_entrances_or_floors_are_refused_rather_than_one_dropped_unsaid(db, new_client, login, town):
    """Entrance 2 and riser ХВС-1 (which runs through entrance 1) saved a post for the riser alone: the residents of
    entrance 2 never got it, and the form said nothing. The choice is now refused at the risers, typed kept."""
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    house = t["house"]
    typed = {"kind": "notice", "title": "Промывка", "body": "Промываем стояки.", "houses": str(house),
             f"entrances-{house}": "2", "risers": "ХВС-1"}  # fmt: skip
    page = await manager.form("/staff/posts/new", typed, files={"image": ("", b"", "application/octet-stream")})
    assert page.status_code == 422
    said = re.search(r'id="e-risers".*?</p>', page.text, re.S)
    assert said and "не тем и другим сразу" in said.group(0)
    assert summary_links(page.text) == ["risers"]
    assert not await Post.exists().where(Post.title == "Промывка")
    typed[f"floor_from-{house}"], typed[f"floor_to-{house}"], typed[f"entrances-{house}"] = "3", "5", ""
    page = await manager.form("/staff/posts/new", typed, files={"image": ("", b"", "application/octet-stream")})
    assert page.status_code == 422 and 'id="e-risers"' in page.text
    typed[f"floor_from-{house}"] = typed[f"floor_to-{house}"] = ""
    made = await manager.form("/staff/posts/new", typed, files={"image": ("", b"", "application/octet-stream")})
    assert made.status_code == 303  # the riser alone is a post's audience as before


async def test_a_picture_attached_by_mistake_is_removed_from_the_post(db, client, new_client, login, town):
    """A wrong photo (another house's, a paper with a name on it) went out with a notice: the moderator removes it
    from the post's page, and residents no longer see it; the author cannot once the post is published, and a
    picture of another post is not removed through this one."""
    import io

    from PIL import Image

    from portal.content.tables import PostImage
    from portal.core import storage

    t = await town()
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(photo, "PNG")
    moderator = new_client()
    await login(moderator, t["moderator"])
    ids = []
    for title in ("Покраска подъезда", "Уборка двора"):
        made = await moderator.form(
            "/staff/posts/new",
            {"kind": "notice", "title": title, "body": "Текст.", "houses": str(t["house"])},
            files={"image": ("photo.png", photo.getvalue(), "image/png")},
        )
        ids.append(int(made.headers["location"].rsplit("/", 1)[1]))
    post_id, other_id = ids
    for step in ("submit", "approve"):
        assert (await moderator.form(f"/staff/posts/{post_id}/move", {"step": step})).status_code == 303
    (image,) = await PostImage.select().where(PostImage.post == post_id)
    (other,) = await PostImage.select().where(PostImage.post == other_id)
    remove = f"/staff/posts/{post_id}/images/{image['id']}/delete"
    page = (await moderator.get(f"/staff/posts/{post_id}")).text
    assert f'action="{remove}"' in page and "Удалить изображение" in page
    # its height is bounded on the page (as the resident's), so a click opens it whole
    assert f'<a href="/staff/posts/images/{image["id"]}"><img class="post-image"' in page
    assert 'width="40" height="30"' in page  # its size, so that its room is kept before it loads

    manager = new_client()
    await login(manager, t["manager"])
    assert f'action="{remove}"' not in (await manager.get(f"/staff/posts/{post_id}")).text  # not offered: published
    assert (await manager.form(remove)).status_code == 303  # refused: the post is published
    assert await PostImage.exists().where(PostImage.id == image["id"])
    assert (await moderator.form(f"/staff/posts/{post_id}/images/{other['id']}/delete")).status_code == 404

    await login(client, t["residents"][0])
    shown = (await client.get(f"/news/{post_id}")).text
    assert f'src="/news/images/{image["id"]}" width="40" height="30"' in shown
    assert (await moderator.form(remove)).status_code == 303
    assert not await PostImage.exists().where(PostImage.id == image["id"])
    assert not storage.path_of(image["key"]).exists()
    assert f"/news/images/{image['id']}" not in (await client.get(f"/news/{post_id}")).text
    pictures = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(
        AuditEvent.action.is_in(["post.image", "post.image_delete"])
    )
    assert sorted((e["action"], e["ip"]) for e in pictures) == [
        ("post.image", CLIENT_IP), ("post.image", CLIENT_IP), ("post.image_delete", CLIENT_IP)
    ]  # fmt: skip
    assert (await client.get(f"/news/images/{image['id']}")).status_code == 404
    assert await PostImage.exists().where(PostImage.id == other["id"])


async def test_floors_no_premise_is_on_are_said_at_the_field_not_saved_for_nobody(db, new_client, login, town):
    """Floors 20–25 of a nine-storey house, or the 6th floor of an entrance whose flats end below it, reach nobody:
    the form says so at the floors instead of saving a notice no resident will ever see («— 0 человек»)."""
    t = await town()
    moderator = new_client()
    await login(moderator, t["moderator"])
    typed = {"kind": "notice", "title": "Промывка стояков", "body": "Текст.", "houses": str(t["house"])}
    empty = {"image": ("", b"", "application/octet-stream")}
    h = t["house"]
    for floors in ({f"floor_from-{h}": "20", f"floor_to-{h}": "25"},
                   {f"entrances-{h}": "1", f"floor_from-{h}": "6", f"floor_to-{h}": "6"}):  # fmt: skip
        page = await moderator.form("/staff/posts/new", typed | floors, files=empty)
        assert page.status_code == 422, floors
        assert "Здесь нет помещений на этажах" in page.text and f'id="e-floor_from-{h}"' in page.text
    assert not await Post.exists()
    made = await moderator.form(
        "/staff/posts/new", typed | {f"entrances-{h}": "2", f"floor_from-{h}": "6", f"floor_to-{h}": "6"}, files=empty
    )
    assert made.status_code == 303


async def test_a_published_post_not_out_yet_or_past_its_end_reads_so_to_staff(db, new_client, login, town):
    """«Опубликовано» on a notice due on Monday, which no resident sees yet, or on one whose time has ended, told
    staff it was in front of residents: such a post reads «Запланировано» or «Срок истёк», in the list and on its
    page; one in force still reads «Опубликовано»."""
    t = await town()
    moderator = new_client()
    await login(moderator, t["moderator"])
    now = clock.now()
    ids = {}
    for name, publish_at, ends_at in (
        ("Будущая", now + timedelta(days=2), None),
        ("Прошедшая", now - timedelta(days=3), now - timedelta(days=1)),
        ("Текущая", None, None),
    ):
        post = Post(kind="notice", status="published", title=name, body="Текст.", publish_at=publish_at,
                    ends_at=ends_at, published_at=now - timedelta(days=3))  # fmt: skip
        await post.save()
        await PostTarget(post=post.id, kind=TargetKind.HOUSE, ref=t["house"], house=t["house"]).save()
        ids[name] = post.id
    listed = (await moderator.get("/staff/posts")).text
    for name, state in (("Будущая", "Запланировано"), ("Прошедшая", "Срок истёк"), ("Текущая", "Опубликовано")):
        row = re.search(rf"(?s)>{name}</a>.*?</tr>", listed).group(0)
        badge = re.search(rf'<span class="badge [a-z-]+">{state}</span>', row).group(0)
        page = (await moderator.get(f"/staff/posts/{ids[name]}")).text
        assert badge in page, name  # the same word in the same tint


async def test_a_notice_past_its_end_offers_a_new_end_not_taking_it_down(db, new_client, login, town):
    """«Снять с публикации» on a notice whose time had ended offered to take down what no resident saw any more:
    such a notice offers «Продлить срок» (its form, at the end time), in the list and on its page, and is not
    unpublished by a form sent from an older page; one in force is still taken down."""
    t = await town()
    moderator = new_client()
    await login(moderator, t["moderator"])
    now = clock.now()
    ids = {}
    for name, ends_at in (("Прошедшая", now - timedelta(hours=1)), ("Текущая", now + timedelta(days=1))):
        post = Post(kind="notice", status="published", title=name, body="Текст.", publish_at=now - timedelta(days=3),
                    ends_at=ends_at, published_at=now - timedelta(days=3))  # fmt: skip
        await post.save()
        await PostTarget(post=post.id, kind=TargetKind.HOUSE, ref=t["house"], house=t["house"]).save()
        ids[name] = post.id
    extend = f'href="/staff/posts/{ids["Прошедшая"]}/edit#f-ends_at">Продлить срок</a>'
    listed = (await moderator.get("/staff/posts")).text
    ended, current = (re.search(rf"(?s)>{name}</a>.*?</tr>", listed).group(0) for name in ids)
    assert extend in ended and "Снять с публикации" not in ended
    assert "Снять с публикации" in current and "Продлить срок" not in current
    page = (await moderator.get(f"/staff/posts/{ids['Прошедшая']}")).text
    assert extend in page and "жители его больше не видят" in page and 'value="unpublish"' not in page
    assert 'id="f-ends_at"' in (await moderator.get(f"/staff/posts/{ids['Прошедшая']}/edit")).text
    assert 'value="unpublish"' in (await moderator.get(f"/staff/posts/{ids['Текущая']}")).text
    await moderator.form(f"/staff/posts/{ids['Прошедшая']}/move", {"step": "unpublish"})
    assert await Post.select(Post.status).where(Post.id == ids["Прошедшая"]).first() == {"status": "published"}


async def test_a_draft_deleted_takes_its_pictures_with_it(db, new_client, login, town):
    """A draft deleted with a photo attached left the photo's file behind, kept with no post to show it and no way
    to remove it: the file goes with the draft."""
    import io

    from PIL import Image

    from portal.content.tables import PostImage
    from portal.core import storage

    t = await town()
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (40, 120, 200)).save(photo, "PNG")
    manager = new_client()
    await login(manager, t["manager"])
    made = await manager.form(
        "/staff/posts/new",
        {"kind": "notice", "title": "Черновик с фото", "body": "Текст.", "houses": str(t["house"])},
        files={"image": ("photo.png", photo.getvalue(), "image/png")},
    )
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    (image,) = await PostImage.select().where(PostImage.post == post_id)
    assert storage.path_of(image["key"]).exists()
    deleted = await manager.form(f"/staff/posts/{post_id}/move", {"step": "delete", "confirm": "1"})
    assert deleted.status_code == 303 and not await Post.exists().where(Post.id == post_id)
    assert not storage.path_of(image["key"]).exists()


async def test_a_riser_only_one_of_the_chosen_houses_has_is_said_at_its_field(db, new_client, login, town):
    """Two houses and riser ХВС-1, which only the first has: the notice was saved for that riser alone and the other
    house, chosen by name, never got it. Now the form says which house has no such riser, typed kept."""
    t = await town()
    moderator = new_client()
    await login(moderator, t["moderator"])
    typed = {"kind": "notice", "title": "Промывка", "body": "Промываем стояки.",
             "houses": [str(t["house"]), str(t["other_house"])], "risers": "ХВС-1"}  # fmt: skip
    page = await moderator.form("/staff/posts/new", typed, files={"image": ("", b"", "application/octet-stream")})
    assert page.status_code == 422
    assert summary_links(page.text) == ["risers"]
    said = re.search(r'id="e-risers".*?</p>', page.text, re.S).group(0)
    assert "нет такого стояка" in said and "ул. Другая, д. 9 (ХВС-1)" in said and "Ручьевая" not in said
    assert re.search(r'name="risers"[^>]*value="ХВС-1"|value="ХВС-1"[^>]*name="risers"', page.text)
    assert all(f'value="{h}" checked' in page.text for h in (t["house"], t["other_house"]))
    assert not await Post.exists().where(Post.title == "Промывка")
    typed["houses"] = [str(t["house"])]  # the house that has it: saved
    assert (await moderator.form("/staff/posts/new", typed, files={"image": ("", b"", "x/y")})).status_code == 303


async def test_each_chosen_house_has_its_own_entrances_and_floors(db, new_client, login, town):
    """Entrance 2 of one house and floors 1–3 of the other, and the second house's entrance 2 it does not have:
    said at that house's own field, every typed value kept; entrances typed for a house left unticked are said
    there too, not dropped. Without a script: plain form posts, the fields open where something is typed."""
    from portal.content.queries import stored_audience
    from portal.notifications.rules import Audience
    from portal.notifications.rules import FloorRange

    t = await town()
    a, b = t["house"], t["other_house"]
    moderator = new_client()
    await login(moderator, t["moderator"])
    typed = {"kind": "notice", "title": "Промывка", "body": "Промываем стояки.", "houses": [str(a), str(b)],
             f"entrances-{a}": "2", f"entrances-{b}": "2", f"floor_from-{b}": "1", f"floor_to-{b}": "3"}  # fmt: skip
    empty = {"image": ("", b"", "application/octet-stream")}
    page = await moderator.form("/staff/posts/new", typed, files=empty)
    assert page.status_code == 422
    assert summary_links(page.text) == [f"entrances-{b}"]
    said = re.search(rf'id="e-entrances-{b}".*?</p>', page.text, re.S).group(0)
    assert "В этом доме нет такого подъезда: 2." in said
    values = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page.text)[1] for name in typed if "-" in name}
    assert values == {k: v for k, v in typed.items() if "-" in k}
    assert page.text.count("<details open>") == 2  # both houses' fields shown open, as typed
    unticked = await moderator.form("/staff/posts/new", {**typed, "houses": [str(a)]}, files=empty)
    assert unticked.status_code == 422 and summary_links(unticked.text) == [f"entrances-{b}"]
    assert "отметьте дом" in unticked.text
    assert not await Post.exists().where(Post.title == "Промывка")
    made = await moderator.form("/staff/posts/new", {**typed, f"entrances-{b}": ""}, files=empty)
    assert made.status_code == 303, re.findall(r"<li>.*?</li>", made.text)
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert await stored_audience(post_id) == Audience.of(entrances=[t["entrance2"]], floors=[FloorRange(b, 1, 3)])
    form = (await moderator.get(f"/staff/posts/{post_id}/edit")).text  # the form says it back, house by house
    shown = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', form)[1] for name in values}
    assert shown == {f"entrances-{a}": "2", f"entrances-{b}": "", f"floor_from-{b}": "1", f"floor_to-{b}": "3"}


async def test_the_floors_of_every_house_of_a_save_are_checked_in_one_query(
    db, new_client, login, town, make_account, make_user
):
    """A save whose houses each have floors typed checks them all with one query, however many: the save with three
    houses runs as many statements as the same save with one, and floors that reach nobody are still said at their
    own house's fields only."""
    from tests.querylog import captured

    t = await town()
    a, b = t["house"], t["other_house"]
    c = (await make_account(floor=5, address="г. Симферополь, ул. Третья, д. 3")).house
    moderator = new_client()
    await login(moderator, await make_user(name="Олег Модератор", roles=("moderator",), houses=(a, b, c)))
    typed = {"kind": "notice", "title": "Промывка стояков", "body": "Текст."}
    empty = {"image": ("", b"", "application/octet-stream")}
    nobody = {f"entrances-{b}": "1", f"floor_from-{b}": "20", f"floor_to-{b}": "25"}  # nobody lives that high
    three = {"houses": [str(a), str(b), str(c)], f"entrances-{a}": "2", f"floor_from-{a}": "6", f"floor_to-{a}": "6",
             f"floor_from-{c}": "5", f"floor_to-{c}": "5"}  # fmt: skip
    statements = []
    for form in (typed | {"houses": str(b)} | nobody, typed | three | nobody):
        await moderator.csrf_token()
        with captured(db) as seen:
            page = await moderator.form("/staff/posts/new", form, files=empty)
        assert page.status_code == 422, form
        statements.append(len(seen))
    assert statements[1] == statements[0]
    assert re.findall(r'id="e-(floor_from-\d+)"', page.text) == [f"floor_from-{b}"]
    assert "Здесь нет помещений на этажах 20–25" in page.text
    made = await moderator.form(
        "/staff/posts/new", typed | three | {f"floor_from-{b}": "3", f"floor_to-{b}": "3"}, files=empty
    )
    assert made.status_code == 303


async def test_each_role_is_offered_only_what_it_may_do_to_a_post(db, new_client, login, town):
    """A manager saw «Редактировать» and «Снять с публикации» on a published post, and was refused once they used
    them: a published post is changed and taken down by a moderator only. Each role is offered, in the list and on
    the post's page, what its actions then do (``rules.may_edit``, ``rules.may_move``): a draft is edited and deleted
    by a writer of its kind — a dispatcher writes emergencies only."""
    t = await town()
    ids = {}
    for status in (PostStatus.PUBLISHED, PostStatus.DRAFT):
        post = Post(kind="notice", status=status, title=f"Запись {status}", body="Текст.",
                    published_at=clock.now() if status == PostStatus.PUBLISHED else None)  # fmt: skip
        await post.save()
        await PostTarget(post=post.id, kind=TargetKind.HOUSE, ref=t["house"], house=t["house"]).save()
        ids[status] = post.id
    offered = {  # role: what it is offered on the published post, and on the draft
        "moderator": ({"edit", "unpublish"}, {"edit", "delete"}),
        "manager": (set(), {"edit", "delete"}),
        "dispatcher": (set(), set()),  # a dispatcher writes emergencies only
    }
    for role, (on_published, on_draft) in offered.items():
        staff = new_client()
        await login(staff, t[role])
        listed = (await staff.get("/staff/posts")).text
        for status, expected in ((PostStatus.PUBLISHED, on_published), (PostStatus.DRAFT, on_draft)):
            post_id = ids[status]
            row = re.search(rf"(?s)>Запись {status}</a>.*?</tr>", listed).group(0)
            in_row = {
                "edit": f'href="/staff/posts/{post_id}/edit"' in row,
                "unpublish": "Снять с публикации" in row,
                "delete": ">Удалить</a>" in row,
            }
            assert {what for what, shown in in_row.items() if shown} == expected, (role, status, row)
            page = (await staff.get(f"/staff/posts/{post_id}")).text
            on_page = {
                "edit": f'href="/staff/posts/{post_id}/edit"' in page,
                "unpublish": 'value="unpublish"' in page,
                "delete": 'value="delete"' in page,
            }
            assert {what for what, shown in on_page.items() if shown} == expected, (role, status)
            # a dispatcher is told why by the kind (the next test)
            assert ("Опубликованную запись меняет модератор." in page) == (
                status == PostStatus.PUBLISHED and role == "manager"
            )
    manager = new_client()
    await login(manager, t["manager"])
    await manager.form(f"/staff/posts/{ids[PostStatus.PUBLISHED]}/move", {"step": "unpublish"})  # not offered,
    assert await Post.exists().where((Post.id == ids[PostStatus.PUBLISHED]) & (Post.status == PostStatus.PUBLISHED)), (
        "nor done"
    )


async def test_the_edit_address_of_a_post_the_reader_may_not_change_says_why_instead_of_a_form(
    db, new_client, login, town
):
    """A manager typed the address of a published post's edit form and got a form whose save was refused; a
    dispatcher got a manager's notice draft as a form that offered only «Аварийное» and saved it as one. The
    address answers as the save does (``actions.edit_refusal``): why, with the way back to the post, and no form;
    the save is refused and changes nothing."""
    t = await town()
    ids = {}
    for status in (PostStatus.PUBLISHED, PostStatus.DRAFT):
        post = Post(kind="notice", status=status, title=f"Запись {status}", body="Текст.",
                    published_at=clock.now() if status == PostStatus.PUBLISHED else None)  # fmt: skip
        await post.save()
        await PostTarget(post=post.id, kind=TargetKind.HOUSE, ref=t["house"], house=t["house"]).save()
        ids[status] = post.id
    refused = {  # role, post: what the address answers
        ("manager", PostStatus.PUBLISHED): "Опубликованную запись меняет модератор.",
        ("dispatcher", PostStatus.PUBLISHED): "Новости и объявления пишет и меняет менеджер или модератор.",
        ("dispatcher", PostStatus.DRAFT): "Новости и объявления пишет и меняет менеджер или модератор.",
    }
    for role in ("moderator", "manager", "dispatcher"):
        staff = new_client()
        await login(staff, t[role])
        for status, post_id in ids.items():
            page = await staff.get(f"/staff/posts/{post_id}/edit")
            reason = refused.get((role, status))
            if reason is None:
                assert page.status_code == 200 and f'action="/staff/posts/{post_id}/edit"' in page.text, (role, status)
                continue
            assert page.status_code == 403, (role, status)
            assert reason in page.text and f'href="/staff/posts/{post_id}"' in page.text, (role, status)
            assert 'name="title"' not in page.text, (role, status)
            assert reason in (await staff.get(f"/staff/posts/{post_id}")).text, "the post's page says the same"
            typed = {"kind": "emergency", "title": "Переписано", "body": "Другой текст.", "houses": str(t["house"])}
            saved = await staff.form(f"/staff/posts/{post_id}/edit", typed, files={"image": ("", b"", "x/y")})
            assert saved.status_code == 303, (role, status)
            row = await Post.select(Post.kind, Post.title).where(Post.id == post_id).first()
            assert row == {"kind": "notice", "title": f"Запись {status}"}, (role, status)


async def test_a_dispatcher_finishes_another_ones_emergency_draft_and_the_page_and_list_say_who(
    db, new_client, login, town, make_user
):
    """Dispatch works in shifts: the morning dispatcher finishes the night's emergency notice. That stays allowed,
    and nobody is surprised: the post's page and the staff list say who wrote it and who changed it last and when;
    the audit log keeps who changed it."""
    t = await town()
    night = await make_user(name="Ночной Диспетчер", roles=("dispatcher",), houses=(t["house"],))
    writer = new_client()
    await login(writer, night)
    typed = {"kind": "emergency", "title": "Нет воды", "body": "Авария на вводе.", "houses": str(t["house"])}
    made = await writer.form("/staff/posts/new", typed, files={"image": ("", b"", "x/y")})
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    page = (await writer.get(f"/staff/posts/{post_id}")).text
    assert "Ночной Диспетчер" in page and "Последнее изменение" not in page  # nobody changed it yet

    morning = new_client()
    await login(morning, t["dispatcher"])
    form = (await morning.get(f"/staff/posts/{post_id}/edit")).text
    assert f'action="/staff/posts/{post_id}/edit"' in form
    finished = typed | {"body": "Авария на вводе. Вода будет к 12:00."}
    assert (
        await morning.form(f"/staff/posts/{post_id}/edit", finished, files={"image": ("", b"", "x/y")})
    ).status_code == 303

    row = await Post.select(Post.author_name, Post.editor_name, Post.edited_at).where(Post.id == post_id).first()
    assert row["author_name"] == "Ночной Диспетчер" and row["editor_name"] == "Дина Диспетчер"
    when = clock.local(row["edited_at"]).strftime("%H:%M")
    page = (await writer.get(f"/staff/posts/{post_id}")).text
    edited = re.search(r'(?s)<dd id="edited">(.*?)</dd>', page).group(1)
    assert "Дина Диспетчер" in edited and when in edited
    listed = (await writer.get("/staff/posts")).text
    row_html = re.search(r"(?s)>Нет воды</a>.*?</tr>", listed).group(0)
    assert "Ночной Диспетчер" in row_html and "изменено: Дина Диспетчер" in row_html and when in row_html
    audited = await AuditEvent.select(AuditEvent.actor_id).where(
        (AuditEvent.action == "post.edit") & (AuditEvent.entity_id == post_id)
    )
    assert audited == [{"actor_id": t["dispatcher"]}]


async def test_the_emergency_form_is_named_for_what_it_makes_and_leads_back(db, new_client, login, town):
    """A dispatcher's form (they write emergencies only) was titled «Новая запись» with no way back: it is «Новое
    аварийное сообщение», as is the list's «Аварийное сообщение» for a manager, and leads back to the list; an
    edit leads back to its post."""
    t = await town()
    for role, address in (("dispatcher", "/staff/posts/new"), ("manager", "/staff/posts/new?kind=emergency")):
        staff = new_client()
        await login(staff, t[role])
        page = (await staff.get(address)).text
        assert "<title>Новое аварийное сообщение" in page and "<h1>Новое аварийное сообщение</h1>" in page, role
        assert '<a href="/staff/posts">← Новости и объявления</a>' in page.split("<h1>")[0].split("<main")[1]
    page = (await staff.get("/staff/posts/new")).text
    assert "<h1>Новая запись</h1>" in page  # a manager's form of any type
    refused = await staff.form("/staff/posts/new", {"kind": "emergency", "title": ""}, files={})
    assert refused.status_code == 422 and "<h1>Новое аварийное сообщение</h1>" in refused.text
    post = Post(kind="emergency", status=PostStatus.DRAFT, title="Нет воды", body="Текст.")
    await post.save()
    await PostTarget(post=post.id, kind=TargetKind.HOUSE, ref=t["house"], house=t["house"]).save()
    edit = (await staff.get(f"/staff/posts/{post.id}/edit")).text
    assert f'<a href="/staff/posts/{post.id}">← К записи</a>' in edit.split("<h1>")[0].split("<main")[1]


async def test_a_posts_state_has_the_same_tint_on_its_page_as_in_the_list(db, new_client, login, town):
    """«Опубликовано» was green in the staff list and grey on the post's own page; «На модерации» blue and grey."""
    t = await town()
    manager, moderator = new_client(), new_client()
    await login(manager, t["manager"])
    await login(moderator, t["moderator"])
    typed = {"kind": "notice", "title": "Покраска подъезда", "body": "Красим.", "houses": str(t["house"])}
    made = await manager.form("/staff/posts/new", typed, files={"image": ("", b"", "x/y")})
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    for who, step, badge in (
        (manager, "submit", 'badge-new">На модерации'),
        (moderator, "approve", 'badge-done">Опубликовано'),
    ):
        assert (await who.form(f"/staff/posts/{post_id}/move", {"step": step})).status_code == 303
        shown = f'<span class="badge {badge}</span>'
        assert shown in (await moderator.get(f"/staff/posts/{post_id}")).text, step
        listed = (await moderator.get("/staff/posts")).text
        assert shown in re.search(r"(?s)>Покраска подъезда</a>.*?</tr>", listed).group(0), step
