"""A certificate the portal makes is a Russian document (offices take it so), but its name on the order's page is
the reader's: a resident reading English reads it in English and is told the file is in Russian (both engines)."""

from __future__ import annotations

import re

from portal.catalog.tables import OrderDocument
from portal.core import clock
from portal.core.i18n import format_day


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


async def test_a_certificate_is_named_in_the_readers_language_and_said_to_be_in_russian(client, login, household, shop):
    account = household["accounts"][0]
    await login(client, household["resident"])
    await client.speak("en")
    month = clock.today_local().strftime("%Y-%m")
    made = await client.form(
        f"/services/{shop['statement']}/document", {"account": account, "from": month, "to": month}
    )
    assert made.status_code == 303
    page = _plain((await client.get(made.headers["location"])).text)
    english_month = format_day(clock.today_local(), "LLLL y", "en")
    russian_month = format_day(clock.today_local(), "LLLL y", "ru")
    named = re.search(r"download>([^<]*)</a>", page)
    assert named, page
    assert named.group(1).startswith("Statement of personal account ") and english_month in named.group(1)
    assert "(the document is in Russian)" in page and 'hreflang="ru"' in page
    assert "Выписка" not in named.group(1) and russian_month not in page  # (the service has no English name)
    stored = await OrderDocument.select(OrderDocument.title, OrderDocument.title_en).first()
    assert stored["title"].startswith("Выписка из лицевого счёта") and stored["title_en"] == named.group(1)

    await client.speak("ru")
    page = _plain((await client.get(made.headers["location"])).text)
    assert "Выписка из лицевого счёта" in page and "Statement of" not in page and "document is in Russian" not in page
