"""The audit log's words for what the showcase writes (``core.audit.describe``): listings, their photos, leads and
the owners' offers. A listing's and a lead's status read as the showcase's own words, a price as money in rubles
(it is recorded in kopecks), a house by its address, a complex by its name, the staff member in charge by name, a
premise by its address and a listing (the one a copy was made from) by its card's title and address."""

from collections.abc import Mapping
from typing import Any

from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.audit import looked_up
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.housing.queries import area as to_area
from portal.showcase import words
from portal.showcase.tables import Listing


def _listing(r: Mapping[str, Any]) -> str:
    """A listing as its card titles it, with its address («2 комнаты, 54 м² — ул. Киевская, 12»)."""
    title = words.title(r["kind"], r["complex.name"] or "", to_area(r["area"]), r["rooms"])
    address = r["address"] or ""
    return gettext("%(title)s — %(address)s", title=title, address=address) if address else title


audit.namer("listing")(
    looked_up(Listing.kind, Listing.complex.name, Listing.area, Listing.rooms, Listing.address, shown=_listing)
)


FIELDS = {
    "kind": lazy("Kind"),
    "house": lazy("House"),
    "complex": lazy("Complex"),
    "premise": lazy("Premise"),
    "premise_number": lazy("Number of the premise"),
    "address": lazy("Address"),
    "area": lazy("Area, m²"),
    "floor": lazy("Floor"),
    "rooms": lazy("Rooms (flats)"),
    "description": lazy("Description"),
    "features": lazy("What it has"),
    "manager": lazy("In charge"),
    "price_kopecks": lazy("Price"),
    "price_unit": lazy("The price is"),
    "per_m2_kopecks": lazy("Price per m²"),
    "total_kopecks": lazy("Total price"),
    "status": lazy("Status"),
    "from": lazy("Copied from listing"),
    "leads": lazy("Leads"),
    "photos": lazy("Photos"),
    "photo": lazy("Photo"),
    "note": lazy("Note for colleagues"),
    "listing": lazy("Listing"),
    "answer": lazy("Answer to the owner"),
}

# The records a listing's fields hold by id, read by name.
REFS = {
    "house": Ref("house"),
    "complex": Ref("complex"),
    "manager": Ref("user"),
    "premise": Ref("premise"),
    "from": Ref("listing"),
    "listing": Ref("listing"),
}

VALUES: dict[str, audit.Shows | Ref] = {
    "status": words.status_label,
    "kind": words.kind_label,
    "features": words.feature_label,
    "price_unit": words.unit_label,
    "price_kopecks": audit.kopecks,
    "per_m2_kopecks": audit.kopecks,
    "total_kopecks": audit.kopecks,
    "area": audit.number,
    **REFS,
}

# A new listing's event holds its values as they are, not changes: its features are a list, not a before and after.
describe(
    actions={"showcase.listing_create": lazy("Listing created")},
    fields=FIELDS,
    entities={"listing": lazy("Listing"), "lead": lazy("Lead"), "listing_offer": lazy("Owner's offer")},
    values=VALUES,
    lists=("features",),
)
describe(
    actions={
        "showcase.listing_update": lazy("Listing changed"),
        "showcase.listing_publish": lazy("Listing published"),
        "showcase.listing_reserve": lazy("Listing reserved"),
        "showcase.listing_release": lazy("Listing back from reserve"),
        "showcase.listing_close": lazy("Listing closed"),
        "showcase.listing_reopen": lazy("Listing reopened as a draft"),
        "showcase.listing_duplicate": lazy("Listing copied"),
        "showcase.photos_add": lazy("Photos added to a listing"),
        "showcase.photo_move": lazy("Photos of a listing reordered"),
        "showcase.photo_delete": lazy("Photo of a listing deleted"),
        "showcase.offer_sent": lazy("Flat offered by its owner"),
        "showcase.offer_listed": lazy("Owner's offer listed"),
        "showcase.offer_declined": lazy("Owner's offer declined"),
    },
    fields=FIELDS,
    values=VALUES,
)
# A lead's status reads as a lead's word («В работе»), not a listing's.
describe(
    actions={
        "showcase.lead_status": lazy("Lead status changed"),
        "showcase.leads_erased": lazy("Visitors' names and phones deleted from their leads at the end of their term"),
    },
    fields=FIELDS,
    values={"status": words.lead_status_label, **REFS},
)
