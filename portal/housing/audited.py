"""The audit log's words for what the housing stock writes (``core.audit.describe``): each record's fields are
named as its staff form names them, so a number reads «Entrance number» of an entrance and «Account number» of an
account; a kind reads as the housing pages name it, an area and a date in the reader's way, a house by its address,
a complex by its name, an entrance by its house and number, a premise by its address and an owner by name. A
personal account is known by its number (the one on the payer's receipts): the log names it so, linked to its staff
page, whether its events call it ``account`` (its form) or ``personal_account`` (its access, its autopay)."""

from collections.abc import Mapping
from typing import Any

from portal.core import audit
from portal.core.address import full_address
from portal.core.audit import IMPORT_FIELDS
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.audit import looked_up
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.housing import rules
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise


def _entrance(r: Mapping[str, Any]) -> str:
    """«ул. Киевская, 12, подъезд 2»."""
    return gettext("%(address)s, entrance %(n)s", address=r["house.address"], n=r["number"])


def _premise(r: Mapping[str, Any]) -> str:
    """«ул. Киевская, 12, кв. 5»."""
    return full_address(r["house.address"], r["kind"], r["number"])


audit.namer("house")(looked_up(House.address))
audit.namer("complex")(looked_up(Complex.name))
audit.namer("entrance")(looked_up(Entrance.number, Entrance.house.address, shown=_entrance))
audit.namer("premise")(looked_up(Premise.number, Premise.kind, Premise.house.address, shown=_premise))
audit.namer("owner")(looked_up(Owner.name))
_account_numbers = looked_up(PersonalAccount.number, shown=lambda r: gettext("No. %(number)s", number=r["number"]))
for _kind in ("account", "personal_account"):
    audit.numbered(_kind, "/staff/accounts/{id}")(_account_numbers)


describe(
    actions={"housing.complex.create": lazy("Residential complex added"),
             "housing.complex.update": lazy("Residential complex changed")},
    fields={"name": lazy("Name"), "city": lazy("City")},
)  # fmt: skip
describe(
    actions={"housing.house.create": lazy("House added"), "housing.house.update": lazy("House changed")},
    fields={
        "complex": lazy("Residential complex"),
        "address": lazy("Address"),
        "floors": lazy("Floors"),
        "fias_id": lazy("FIAS/GAR id"),
        "developer_name": lazy("Developer"),
        "developer_email": lazy("Developer's e-mail for warranty claims"),
        "commissioned_on": lazy("Commissioned on"),
    },
    values={"complex": Ref("complex"), "commissioned_on": audit.when},
)
describe(
    actions={"housing.entrance.create": lazy("Entrance added"), "housing.entrance.update": lazy("Entrance changed")},
    fields={"house": lazy("House"), "number": lazy("Entrance number"), "floors": lazy("Floors")},
    values={"house": Ref("house")},
)
describe(
    actions={
        "housing.premise.create": lazy("Premise added"),
        "housing.premise.update": lazy("Premise changed"),
        "housing.premise.risers": lazy("Risers of a premise changed"),
    },
    fields={
        "house": lazy("House"),
        "kind": lazy("Kind"),
        "number": lazy("Number"),
        "entrance": lazy("Entrance"),
        "floor": lazy("Floor"),
        "area": lazy("Area, m²"),
        "risers": lazy("Risers"),
    },
    values={"kind": rules.kind_label, "area": audit.number, "house": Ref("house"), "entrance": Ref("entrance")},
)
describe(
    actions={"housing.owner.create": lazy("Owner added"), "housing.owner.update": lazy("Owner changed")},
    fields={
        "kind": lazy("Owner is"),
        "name": lazy("Full name or organisation name"),
        "inn": lazy("INN"),
        "phone": lazy("Phone"),
        "email": lazy("E-mail"),
    },
    values={"kind": rules.owner_kind_label},
)
describe(
    actions={"housing.ownership.create": lazy("Ownership share added"),
             "housing.ownership.update": lazy("Ownership share changed")},
    fields={
        "premise": lazy("Premise"),
        "owner": lazy("Owner"),
        "share_numerator": lazy("Share: numerator"),
        "share_denominator": lazy("Share: denominator"),
        "joint": lazy("Joint ownership (e.g. spouses)"),
        "document": lazy("Ownership document"),
        "valid_from": lazy("Owner since"),
    },
    values={"valid_from": audit.when, "premise": Ref("premise"), "owner": Ref("owner")},
)  # fmt: skip
describe(
    actions={"housing.account.create": lazy("Personal account opened"),
             "housing.account.update": lazy("Personal account changed")},
    fields={
        "premise": lazy("Premise"),
        "number": lazy("Account number"),
        "payer_name": lazy("Payer"),
        "opened_on": lazy("Opened on"),
        "closed_on": lazy("Closed on"),
    },
    values={"opened_on": audit.when, "closed_on": audit.when, "premise": Ref("premise")},
)  # fmt: skip
describe(
    actions={"housing.registry.import": lazy("Registry of premises and owners imported")},
    fields={"rows": lazy("Rows"), **IMPORT_FIELDS},
    entities={
        "complex": lazy("Residential complex"),
        "house": lazy("House"),
        "entrance": lazy("Entrance"),
        "premise": lazy("Premise"),
        "owner": lazy("Owner"),
        "ownership": lazy("Ownership share"),
        "account": lazy("Personal account"),
        "personal_account": lazy("Personal account"),
        "registry": lazy("Registry of premises and owners"),
    },
)
