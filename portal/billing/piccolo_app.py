from piccolo.conf.apps import AppConfig

from portal.billing.registry_tables import BalanceDifference, BookBalance, PaymentRegistry, RegistryPayment
from portal.billing.tables import (
    Balance,
    Charge,
    ImportBatch,
    KeyRate,
    LedgerEntry,
    Payee,
    PenaltyAccrual,
    PenaltyRule,
    Receipt,
    ReceiptSection,
    Service,
)
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="billing",
    migrations_folder_path=str(ROOT / "migrations" / "billing"),
    table_classes=[
        Payee,
        Service,
        ImportBatch,
        Charge,
        LedgerEntry,
        Balance,
        PenaltyAccrual,
        Receipt,
        ReceiptSection,
        KeyRate,
        PaymentRegistry,
        RegistryPayment,
        BookBalance,
        BalanceDifference,
        PenaltyRule,
    ],
    migration_dependencies=["portal.accounts.piccolo_app"],
    commands=[],
)
