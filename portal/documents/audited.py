"""The audit log's words for what staff do with the house's documents (``core.audit.describe``); a document is
named by its title."""

from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.i18n import lazy
from portal.documents.forms import KIND_LABELS
from portal.documents.tables import HouseDocument

audit.namer("document")(audit.looked_up(HouseDocument.title))

describe(
    actions={
        "document.create": lazy("Document put up for residents"),
        "document.edit": lazy("Document's details corrected"),
        "document.replace": lazy("Document's file replaced"),
        "document.hide": lazy("Document hidden from residents"),
        "document.show": lazy("Document shown to residents again"),
    },
    fields={
        "title": lazy("Title"),
        "kind": lazy("Kind"),
        "issued_on": lazy("Date"),
        "company_wide": lazy("For every house"),
        "houses": lazy("Houses"),
        "file": lazy("File"),
        "hidden": lazy("Hidden"),
    },
    entities={"document": lazy("Document")},
    values={"kind": KIND_LABELS, "houses": Ref("house")},
)
