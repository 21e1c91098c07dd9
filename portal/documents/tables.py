"""Tables of the house's documents: a document, the houses it is for, and every file it has had."""

from enum import StrEnum

from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Serial
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.core.stamps import Stamped
from portal.housing.tables import House


class DocumentKind(StrEnum):
    """The kinds residents find the documents under, in the order the page shows them."""

    CONTRACT = "contract"  # «Договор управления»
    REPORT = "report"  # «Отчёт управляющей компании» (ЖК РФ ст. 162 ч. 11)
    NEWCOMER = "newcomer"  # «Памятка новосела»
    DESIGN_CODE = "design_code"  # «Дизайн-код»
    HOUSE_RULES = "house_rules"  # «Правила проживания»
    OTHER = "other"  # «Прочее»


class HouseDocument(Stamped, Table):
    """A document for residents: its title, kind, the date it bears, its file now (a PDF), for the whole company
    (``company_wide``) or for the houses of its ``DocumentHouse`` rows; a hidden one is seen by staff only."""

    id = Serial(primary_key=True)
    kind = Varchar(length=16, default=DocumentKind.OTHER, choices=DocumentKind, index=True)
    title = Varchar(length=200)
    issued_on = Date()
    company_wide = Boolean(default=False, index=True)
    hidden = Boolean(default=False, index=True)
    file_key = Varchar(length=100, index=True)  # the file residents open now; indexed: core.orphans asks by it
    file_size = Integer(default=0)
    author = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None, index=True)
    author_name = Varchar(length=255, default="")


class DocumentHouse(Table):
    """A house a document is for (one row per house)."""

    id = Serial(primary_key=True)
    document = ForeignKey(HouseDocument, on_delete=OnDelete.cascade, null=False, index=True)
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=False, index=True)


class DocumentFile(Table):
    """Every file a document has had, the one shown now among them: a replaced file is kept for the audit."""

    id = Serial(primary_key=True)
    document = ForeignKey(HouseDocument, on_delete=OnDelete.cascade, null=False, index=True)
    key = Varchar(length=100, index=True)  # indexed: core.orphans asks by it
    size = Integer(default=0)
    name = Varchar(length=255, default="")  # the name the file was uploaded under
    uploaded_at = Timestamptz(default=TimestamptzNow())
    uploaded_by = Varchar(length=255, default="")
