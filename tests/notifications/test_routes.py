"""The notification settings page over HTTP: choices saved, a browser's push subscription kept."""

from __future__ import annotations

import json

from portal.notifications.tables import ChannelChoice
from portal.notifications.tables import PushSubscription


async def test_settings_are_saved_and_a_browser_subscribes(db, client, login, make_user):
    user = await make_user()
    await login(client, user)
    page = await client.get("/notifications/settings")
    assert page.status_code == 200
    assert 'value="emergency:sms" checked' in page.text and 'value="news:sms"' in page.text
    # None yet is said in words, not as «0 браузеров получают ваши push-уведомления».
    assert "Push-уведомления пока не включены ни в одном из ваших браузеров." in page.text
    assert "0 браузеров" not in page.text
    saved = await client.form("/notifications/settings", {"want": ["emergency:email", "news:sms"]})
    assert saved.status_code == 303
    rows = await ChannelChoice.select(ChannelChoice.topic, ChannelChoice.channel, ChannelChoice.enabled).where(
        ChannelChoice.user == user
    )
    chosen = {(r["topic"], r["channel"]): r["enabled"] for r in rows}
    assert chosen[("news", "sms")] is True and chosen[("emergency", "sms")] is False
    page = await client.get("/notifications/settings")
    assert 'value="emergency:sms">' in page.text and 'value="news:sms" checked' in page.text
    subscription = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "BPk", "auth": "x1"}}
    token = await client.csrf_token()
    answer = await client.post("/notifications/push", content=json.dumps(subscription), headers={"x-csrftoken": token})
    assert answer.status_code == 201
    assert await PushSubscription.count().where(PushSubscription.user == user) == 1
    assert "1 браузер получает ваши push-уведомления." in (await client.get("/notifications/settings")).text
    bad = await client.post("/notifications/push", content=b"{}", headers={"x-csrftoken": token})
    assert bad.status_code == 400
