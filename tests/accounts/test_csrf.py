"""CSRF tokens are bound to the session (issue 11, finding 8): a token planted in the browser from elsewhere — a
visitor's token, another user's — does not pass, even when the cookie and the form agree."""

from __future__ import annotations

from portal.accounts.passwords import hash_password
from portal.accounts.tables import User


async def _name(user_id: int) -> str:
    return (await User.select(User.full_name).where(User.id == user_id).first())["full_name"]


async def test_a_planted_token_pair_from_another_session_is_refused(client, new_client, make_user, login):
    victim = await make_user(name="Жертва")
    other = await make_user(name="Другой")
    attacker = new_client()
    await attacker.get("/healthz")
    visitor_token = attacker.cookies.get("csrftoken")  # a valid pair of a visitor without a session
    await login(attacker, other)
    other_token = await attacker.csrf_token()  # a valid pair of another user's session
    assert visitor_token and other_token and visitor_token != other_token

    await login(client, victim)
    for planted in (visitor_token, other_token):
        client.cookies.set("csrftoken", planted)  # e.g. set from a sibling subdomain
        forged = await client.post("/profile", data={"full_name": "Подделка", "locale": "ru", "_csrf_token": planted})
        assert forged.status_code == 403
    assert await _name(victim) == "Жертва"

    client.cookies.delete("csrftoken")
    own = await client.csrf_token()
    done = await client.post("/profile", data={"full_name": "Своё Имя", "locale": "ru", "_csrf_token": own})
    assert done.status_code == 303
    assert await _name(victim) == "Своё Имя"


async def test_signing_in_hands_out_a_token_for_the_new_session(client, make_user):
    user_id = await make_user()
    await User.update({User.password_hash: hash_password("csrf pass 12")}).where(User.id == user_id)
    email = (await User.select(User.email).where(User.id == user_id).first())["email"]
    visitor_token = await client.csrf_token()
    signed_in = await client.post(
        "/login", data={"login": email, "password": "csrf pass 12", "_csrf_token": visitor_token}
    )
    assert signed_in.status_code == 303
    new_token = client.cookies.get("csrftoken")
    assert new_token and new_token != visitor_token
    # The visitor's token no longer works for the signed-in session; the new one does.
    assert (await client.post("/logout", data={"_csrf_token": visitor_token})).status_code == 403
    assert (await client.post("/logout", data={"_csrf_token": new_token})).status_code == 303
