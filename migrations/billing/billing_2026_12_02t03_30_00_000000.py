"""Payment registries and their lines (the unmatched queue), the billing system's balances and the differences
of the daily reconciliation."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment registries, the unmatched queue, the billing system's balances, reconciliation differences"


class PersonalAccount(Table, tablename="personal_account", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name=None, secret=False)


class PaymentRegistry(Table, tablename="payment_registry", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name=None, secret=False)


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


def _fk(table, null=False, index=False):
    return ForeignKey, _params(
        references=table,
        on_delete=OnDelete.restrict,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        index=index,
        default=None,
    )


SERIAL = (Serial, _params(primary_key=True))
NOW = (Timestamptz, _params(default=TimestamptzNow()))
NULL_INT = (Integer, _params(default=None, null=True))
NULL_MOMENT = (Timestamptz, _params(default=None, null=True))


def _varchar(length, default="", **extra):
    return Varchar, _params(default=default, length=length, **extra)


TABLES = {
    ("PaymentRegistry", "payment_registry"): {
        "id": SERIAL,
        "kind": _varchar(16),
        "file_name": _varchar(255),
        "rows": (Integer, _params(default=0)),
        "credited": (Integer, _params(default=0)),
        "queued": (Integer, _params(default=0)),
        "skipped": (Integer, _params(default=0)),
        "total_kopecks": (BigInt, _params(default=0)),
        "created_by": NULL_INT,
        "created_at": NOW,
    },
    ("RegistryPayment", "registry_payment"): {
        "id": SERIAL,
        "registry": _fk(PaymentRegistry, index=True),
        "line": (Integer, _params(default=0)),
        "payment_id": _varchar(64, unique=True),
        "account_number": _varchar(32),
        "account": _fk(PersonalAccount, null=True, index=True),
        "amount_kopecks": (BigInt, _params(default=0)),
        "paid_on": (Date, _params(default=None)),
        "period": (Date, _params(default=None, null=True)),
        "channel": _varchar(16, "bank_registry"),
        "payer": _varchar(160),
        "status": _varchar(16, index=True),
        "reference": _varchar(128, index=True),
        "note": _varchar(255),
        "resolved_by": NULL_INT,
        "resolved_at": NULL_MOMENT,
        "created_at": NOW,
    },
    ("BookBalance", "book_balance"): {
        "id": SERIAL,
        "kind": _varchar(16),
        "account": _fk(PersonalAccount),
        "period": (Date, _params(default=None)),
        "opening_kopecks": (BigInt, _params(default=None, null=True)),
        "closing_kopecks": (BigInt, _params(default=None, null=True)),
        "loaded_by": NULL_INT,
        "loaded_at": NOW,
    },
    ("BalanceDifference", "balance_difference"): {
        "id": SERIAL,
        "checked_on": (Date, _params(default=None, index=True)),
        "account": _fk(PersonalAccount),
        "period": (Date, _params(default=None)),
        "portal_kopecks": (BigInt, _params(default=0)),
        "book_kopecks": (BigInt, _params(default=0)),
        "difference_kopecks": (BigInt, _params(default=0)),
        "created_at": NOW,
    },
}



async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, (column_class, params) in columns.items():
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
