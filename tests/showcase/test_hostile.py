"""Every route of the showcase, called on a real listing, lead, photo and owner's request with each hostile value
in every parameter the portal reads, answers a page or a 4xx — never a 500. (The app-wide walk in
tests/core/test_hostile_input.py reaches the showcase's records only by id 1, which its database does not hold.)"""

from __future__ import annotations

from typing import Any

import pytest

from portal.showcase.tables import Lead
from portal.showcase.tables import ListingOffer
from portal.showcase.tables import ListingPhoto
from tests.accounts.test_route_matrix import PARAM
from tests.accounts.test_route_matrix import app_routes
from tests.core.test_hostile_input import NAMES
from tests.core.test_hostile_input import SWEEP
from tests.core.test_hostile_input import _call
from tests.core.test_hostile_input import _caller_of


@pytest.fixture
async def world(db: Any, make_user: Any, make_account: Any, make_listing: Any) -> dict[str, Any]:
    place = await make_account()
    owner = await make_user(accounts={place.account: "owner"}, rights=("view", "pay", "meters", "tickets", "vote"))
    admin = await make_user(roles=("admin",))
    listing = await make_listing(house=place.house, photos=2)
    lead = await Lead.insert(Lead(listing=listing, name="Анна", phone="+79781234567", consent_version="v1"))
    offer = await ListingOffer.insert(ListingOffer(premise=place.premise, house=place.house, account=place.account,
                                                   user=owner, kind="rent"))  # fmt: skip
    photo = await ListingPhoto.select(ListingPhoto.id).where(ListingPhoto.listing == listing).first()
    return {
        "values": {
            "listing_id": listing,
            "lead_id": lead[0]["id"],
            "offer_id": offer[0]["id"],
            "photo_id": photo["id"],
            "kind": "commercial",
        },
        "callers": {"resident": owner, "admin": admin, "anonymous": None},
    }


def _showcase_routes(app: Any, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    routes = []
    for key, access in sorted(app_routes(app).items()):
        method, path = key.split(" ", 1)
        if "showcase" in path:
            routes.append((method, PARAM.sub(lambda m: str(values[m.group(1)]), path), _caller_of(access)))
    return routes


async def test_every_showcase_route_survives_each_hostile_value_on_real_records(app, visitor, db, login, world):
    client = await visitor()  # an address of its own: the lead form's limit per IP is not spent for other tests
    routes = _showcase_routes(app, world["values"])
    assert len(routes) > 20
    failures, reached = [], 0
    for method, url, caller in routes:
        for value in SWEEP:
            params = dict.fromkeys(NAMES, value)
            status = await _call(client, login, db, world, caller, method, url, params)
            reached += status != 404
            if status >= 500:
                failures.append(f"{caller} {method} {url} with every parameter = {value[:20]!r} → {status}")
    assert reached > len(routes) * len(SWEEP) // 2, "the records must be found, or the walk proves nothing"
    assert not failures, f"{len(failures)} answers of 500:\n" + "\n".join(failures)
