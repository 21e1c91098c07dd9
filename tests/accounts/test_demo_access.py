"""The demo's people with access: nobody holds one account twice, whether as one user with two rows or as two users
of one person (the register writes «Кравец Ольга Сергеевна», a user «Ольга Сергеевна Кравец»); and the demo's
consents name texts a person can read, given after they were published. Both engines."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

from portal.accounts import consent
from portal.accounts import demo as accounts_demo
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import Residency
from portal.analytics import demo as analytics_demo
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.meetings import demo as meetings_demo
from portal.mystery import demo as mystery_demo

# Every demo module that gives access to an account, in the loader's order (the housing demo before them).
GRANTING = (accounts_demo, meetings_demo, mystery_demo, analytics_demo)


def test_every_demo_module_that_gives_access_is_seeded_here():
    portal = Path(housing_demo.__file__).resolve().parents[1]
    writers = {p for p in portal.glob("*/demo*.py") if re.search(r"\bResidency\(", p.read_text(encoding="utf-8"))}
    assert writers == {Path(m.__file__).resolve() for m in GRANTING}


def _person(name: str) -> str:
    return " ".join(sorted(name.casefold().split()))


async def test_the_demo_gives_nobody_two_rows_of_access_to_one_account(db):
    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 12, 4))
    await housing_demo.seed(ctx)
    for module in GRANTING:
        await module.seed(ctx)
    rows = await Residency.select(Residency.account, Residency.user, Residency.user.full_name.as_alias("name")).where(
        Residency.revoked_at.is_null()
    )
    assert len(rows) > 100
    by_user = Counter((r["account"], r["user"]) for r in rows)
    by_person = Counter((r["account"], _person(r["name"])) for r in rows if r["name"])
    assert [k for k, n in by_user.items() if n > 1] == []
    assert [k for k, n in by_person.items() if n > 1] == []
    owner = ctx.shared["owner_account"]
    assert len([r for r in rows if r["account"] == owner]) == 1


async def test_every_demo_consent_names_a_kept_edition_given_after_it_was_published(db):
    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 12, 4))
    await housing_demo.seed(ctx)
    for module in GRANTING:
        await module.seed(ctx)
    rows = await ConsentRecord.select()
    assert {r["channel"] for r in rows} == {"registration", "web", "paper"}
    for row in rows:
        edition = consent.edition(row["consent_type"], row["text_version"])
        assert edition is not None, row
        assert row["granted_at"].date() >= edition.published_on, row
