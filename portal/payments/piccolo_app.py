from piccolo.conf.apps import AppConfig

from portal.payments.tables import (
    AutopayMandate,
    CardSetup,
    GatewayCustomer,
    Payment,
    PaymentMethod,
    Refund,
    WebhookEvent,
)
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="payments",
    migrations_folder_path=str(ROOT / "migrations" / "payments"),
    table_classes=[Payment, WebhookEvent, Refund, GatewayCustomer, PaymentMethod, CardSetup, AutopayMandate],
    migration_dependencies=["portal.billing.piccolo_app"],
    commands=[],
)
