"""The app as a browser meets it: layout, language switch, security headers, error pages, CSRF."""

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


async def test_home_page_is_russian_by_default_and_carries_security_headers(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="ru">' in response.text
    assert "Ваш дом — онлайн" in response.text
    for header in SECURITY_HEADERS:
        assert header in response.headers
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    # a page and its htmx fragment differ, as its compressed and plain copies do: a cache keeps them apart
    assert response.headers["vary"].split(",") == ["HX-Request", "Accept-Encoding"]


async def test_language_switch_is_remembered(client):
    response = await client.form("/lang", {"lang": "en", "next": "/"})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = await client.get("/")
    assert '<html lang="en">' in page.text
    assert "Your home, online" in page.text
    await client.form("/lang", {"lang": "ru", "next": "/"})
    assert "Ваш дом — онлайн" in (await client.get("/")).text


async def test_language_switch_never_redirects_off_site(client):
    response = await client.form("/lang", {"lang": "en", "next": "//evil.example/"})
    assert response.headers["location"] == "/"


async def test_a_form_post_without_the_csrf_token_is_refused(client):
    response = await client.post("/lang", data={"lang": "en", "next": "/"})
    assert response.status_code == 403
    assert "lang" not in client.cookies


async def test_unknown_page_uses_the_site_layout(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "Страница не найдена" in response.text
    assert 'class="topbar"' in response.text


async def test_an_unknown_page_does_not_show_a_signed_in_resident_as_signed_out(client, login, make_user):
    """A resident who followed an outdated link saw «Войти» in the top bar of «Страница не найдена», without
    their menu, as if signed out: an address that matches no page never loaded the caller."""
    await login(client, await make_user(accounts={}))
    page = await client.get("/no-such-page")
    assert page.status_code == 404 and "Страница не найдена" in page.text
    assert 'action="/logout"' in page.text and 'class="topbar-signin"' not in page.text
    client.cookies.clear()
    guest = await client.get("/no-such-page")
    assert 'class="topbar-signin"' in guest.text and 'action="/logout"' not in guest.text


async def test_a_stale_form_does_not_show_a_signed_in_resident_as_signed_out(client, login, make_user):
    """A form refused for its outdated token («Форма устарела») was answered with «Войти» and no menu, as if the
    resident had been signed out: the token is checked before the session is read."""
    await login(client, await make_user(accounts={}))
    page = await client.post("/profile", data={"_csrf_token": "outdated"})
    assert page.status_code == 403 and "Форма устарела" in page.text
    assert 'action="/logout"' in page.text and 'class="topbar-signin"' not in page.text
    client.cookies.clear()
    guest = await client.post("/profile", data={"_csrf_token": "outdated"})
    assert guest.status_code == 403 and "Сеанс закончился, и форма не отправлена" in guest.text
    assert 'class="topbar-signin"' in guest.text and 'action="/logout"' not in guest.text


async def test_a_form_refused_for_its_ended_session_leads_back_to_the_form_it_was_sent_from(client, login, make_user):
    """A form sent after its session ended said «Обновите страницу» on the page of the form's address (a comment's
    «/tickets/5/messages» has no page): the answer leads back to the page the form was on (through the sign-in
    when the session is gone), where the text typed into it is put back (static/js/drafts.js)."""
    await login(client, await make_user(accounts={}))
    sent_from = {"Referer": "http://testserver/tickets/new?kind=repair"}
    page = await client.post("/tickets/5/messages", data={"_csrf_token": "outdated"}, headers=sent_from)
    assert page.status_code == 403 and "Форма устарела и не отправлена" in page.text
    assert '<a class="button primary" href="/tickets/new?kind=repair">Вернуться к форме</a>' in page.text
    assert "data-draft-kept hidden" in page.text
    client.cookies.clear()
    guest = await client.post(
        "/tickets/5/messages", data={"_csrf_token": "x"}, headers={"HX-Current-URL": "http://testserver/tickets/5"}
    )
    assert '<a class="button primary" href="/login?next=/tickets/5">Войти</a>' in guest.text
    elsewhere = await client.post(
        "/profile", data={"_csrf_token": "x"}, headers={"Referer": "https://evil.example/tickets/5"}
    )
    assert 'href="/login?next=/">Войти</a>' in elsewhere.text
    # The session's record ended on the server while the browser kept its cookies: the token still matches, and the
    # form is refused by the sign-in check (401) with the same words and way back.
    await client.get("/login")
    token = client.cookies.get("csrftoken")
    ended = await client.post(
        "/tickets/new", data={"_csrf_token": token}, headers={"Referer": "http://testserver/tickets/new"}
    )
    assert ended.status_code == 401 and "Сеанс закончился, и форма не отправлена" in ended.text
    assert 'href="/login?next=/tickets/new">Войти</a>' in ended.text


async def test_a_stale_form_answers_in_the_readers_language(client, login, make_user):
    """The token is refused inside the middleware that reads the reader's language, which gives the language back
    as the refusal goes out through it: the page was written in whatever language the process had last."""
    await login(client, await make_user(accounts={}))
    for lang, words in (("en", "The form has expired"), ("ru", "Форма устарела"), ("en", "The form has expired")):
        await client.speak(lang)
        page = await client.post("/profile", data={"_csrf_token": "outdated"})
        assert page.status_code == 403 and words in page.text and f'<html lang="{lang}"' in page.text, lang


async def test_a_visitors_unknown_page_leads_home_not_to_a_form(client):
    """The way back to a refused form is for a refused form only: a visitor's missing page leads home."""
    page = await client.get("/no-such-page")
    assert page.status_code == 404 and 'href="/">На главную</a>' in page.text
    assert "data-draft-kept" not in page.text and "/login?next=" not in page.text


async def test_an_unknown_page_answers_in_the_readers_language(client):
    """An address that no page has was answered in Russian whatever the reader had chosen: the language is read
    for pages only, and an address matching none never reached that step."""
    english = await client.get("/no-such-page", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.status_code == 404
    assert "Page not found" in english.text and '<html lang="en"' in english.text
    await client.speak("en")  # the reader's own choice, over the browser's languages
    chosen = await client.get("/no/such/page", headers={"Accept-Language": "ru"})
    assert "Page not found" in chosen.text and "Страница не найдена" not in chosen.text
    await client.speak("ru")
    assert "Страница не найдена" in (await client.get("/no-such-page", headers={"Accept-Language": "en"})).text


async def test_a_signed_in_page_is_never_stored_by_the_browser_while_static_files_are(client, login, make_user):
    """After sign-out at a shared computer, Back must not bring a resident's balance and address from the browser's
    cache: every page says «no-store»; the stylesheet, which holds nothing personal, keeps its own caching."""
    await login(client, await make_user())
    for path in ("/", "/profile", "/notifications/settings"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("cache-control") == "no-store", path
    static = await client.get("/static/css/portal.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


async def test_stylesheet_and_scripts_are_linked_by_version_and_kept_until_they_change(client, tmp_path, monkeypatch):
    """A page links its stylesheet and scripts with the hash of their content: a browser keeps such a file for a
    year (immutable) and still gets a changed one at once, its address being new; an address without a version is
    asked about again each time."""
    import hashlib
    import re

    from portal.core import assets

    page = await client.get("/login")
    linked = re.search(r'href="(/static/css/portal\.css\?v=([0-9a-f]+))"', page.text)
    assert linked, "the stylesheet is linked without its version"
    content = (assets.STATIC / "css" / "portal.css").read_bytes()
    assert hashlib.sha256(content).hexdigest().startswith(linked.group(2))
    for script in ("vendor/htmx.min.js", "js/portal.js"):
        assert re.search(rf'src="/static/{re.escape(script)}\?v=[0-9a-f]+"', page.text), script
    kept = await client.get(linked.group(1))
    assert kept.status_code == 200 and kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    asked = await client.get("/static/css/portal.css")
    assert asked.status_code == 200 and asked.headers["cache-control"] == "no-cache"
    # Asked again with what it has: 304 and no body, compressed or not (a compressed copy's ETag is weak).
    for encoding in ("identity", "gzip"):
        had = await client.get("/static/css/portal.css", headers={"Accept-Encoding": encoding})
        again = await client.get(
            "/static/css/portal.css", headers={"If-None-Match": had.headers["etag"], "Accept-Encoding": encoding}
        )
        assert again.status_code == 304 and again.content == b"", encoding
        assert again.headers["etag"] == had.headers["etag"] and again.headers["cache-control"] == "no-cache"
    other = await client.get("/static/css/portal.css", headers={"If-None-Match": '"another"'})
    assert other.status_code == 200 and other.content == content
    # A file changed while the server runs gets a new address within a second (a page naming a file a dozen times
    # looks at it once).
    clock = [1000.0]
    monkeypatch.setattr(assets, "monotonic", lambda: clock[0])
    monkeypatch.setattr(assets, "_versions", {})
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    (tmp_path / "site.css").write_text("a { color: red }")
    before = assets.asset("site.css")
    (tmp_path / "site.css").write_text("a { color: blue; }")
    clock[0] += 0.5
    assert assets.asset("site.css") == before
    clock[0] += 0.5
    assert assets.asset("site.css") != before
    assert assets.asset("missing.css") == "/static/missing.css"


async def test_a_signed_in_users_language_switch_is_their_messages_language_too(client, login, make_user):
    """A resident whose profile was saved in Russian switches the header to English: their e-mail and SMS follow
    (the stored language), as the pages do; switching back stores Russian again. A visitor gets the cookie alone."""
    from portal.accounts.tables import User

    user = await make_user()
    await client.form("/lang", {"lang": "en", "next": "/"})  # not signed in yet: nothing stored, no error
    assert (await User.select(User.locale).where(User.id == user).first())["locale"] == "ru"
    await login(client, user)
    await client.get("/")
    response = await client.form("/lang", {"lang": "en", "next": "/profile"})
    assert response.status_code == 303 and response.headers["location"] == "/profile"
    assert (await User.select(User.locale).where(User.id == user).first())["locale"] == "en"
    await client.form("/lang", {"lang": "ru", "next": "/"})
    assert (await User.select(User.locale).where(User.id == user).first())["locale"] == "ru"


async def test_an_address_no_route_answers_still_carries_the_security_headers(client):
    """Litestar runs middleware only for an address that matches a route: the «page not found» of a mistyped
    address and the answer to a method a page does not take went out without CSP, ``frame-ancestors`` or
    ``nosniff``, and could be kept in the browser's cache with the signed-in user's menu on it."""
    for response in (await client.get("/no-such-page"), await client.request("PUT", "/login")):
        assert response.status_code in (404, 405)
        for header in SECURITY_HEADERS:
            assert header in response.headers
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
