"""The audit log's words for what the paid services' catalogue writes (``core.audit.describe``): orders, sections
and services, their fields named as the staff forms name them; an order's status reads as the order's own words,
a price as money, the services ordered by their titles, the houses and complexes where a service is offered by
their addresses and names, a service's section by its title."""

from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceCategory
from portal.catalog.texts import DOCUMENT_LABELS
from portal.catalog.texts import GROUP_LABELS
from portal.catalog.texts import PRICE_KIND_LABELS
from portal.catalog.texts import STATUS_LABELS
from portal.catalog.texts import UNIT_LABELS
from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.audit import looked_up
from portal.core.i18n import lazy
from portal.core.labels import Labels

audit.namer("paid_service")(looked_up(PaidService.title))
audit.namer("service_category")(looked_up(ServiceCategory.title))


describe(
    actions={
        "order.create": lazy("Order placed"),
        "order.cancel": lazy("Order cancelled"),
        "order.quote": lazy("Order priced"),
        "order.document": lazy("Document of an order attached"),
        "order.refunded_by_hand": lazy("Money of a cancelled order returned by hand"),
    },
    fields={
        "account": lazy("Personal account"),
        "services": lazy("Services"),
        "source": lazy("Source"),
        "status": lazy("Status"),
        "total": lazy("Price of the order"),
        "note": lazy("What the price includes"),
        "document": lazy("Document"),
        "amount": lazy("Amount returned"),
        "refund_note": lazy("How it was returned"),
    },
    entities={"order": lazy("Order of a service")},
    values={"status": STATUS_LABELS, "total": audit.money, "amount": audit.money, "services": Ref("paid_service")},
    lists=("services",),
)
describe(
    actions={
        "catalog.category.create": lazy("Catalogue section created"),
        "catalog.category.update": lazy("Catalogue section changed"),
        "catalog.service.create": lazy("Service created"),
        "catalog.service.update": lazy("Service changed"),
    },
    fields={
        "document": lazy("Certificate"),
        "title": lazy("Name in Russian"),
        "title_en": lazy("Name in English"),
        "description_en": lazy("Description in English"),
        "icon": lazy("Icon"),
        "position": lazy("Order of display"),
        "active": lazy("Shown to residents"),
        "description": lazy("Description in Russian"),
        "category": lazy("Section"),
        "kind": lazy("Kind"),
        "price_kind": lazy("Kind of price"),
        "price": lazy("Price"),
        "unit": lazy("Per unit"),
        "duration_minutes": lazy("Duration, minutes"),
        "slots_per_day": lazy("Orders a day"),
        "executor_group": lazy("Who does it"),
        "all_houses": lazy("Offered in every house"),
        "houses": lazy("Or in these houses"),
        "complexes": lazy("Or in these complexes"),
    },
    entities={"service_category": lazy("Catalogue section"), "paid_service": lazy("Service")},
    values={
        "price": audit.money,
        "price_kind": Labels(PRICE_KIND_LABELS),
        "unit": UNIT_LABELS,
        "executor_group": GROUP_LABELS,
        "document": Labels(DOCUMENT_LABELS),
        "houses": Ref("house"),
        "complexes": Ref("complex"),
        "category": Ref("service_category"),
    },
)
