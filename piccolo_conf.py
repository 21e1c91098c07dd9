"""Piccolo configuration: the engine comes from DATABASE_URL (SQLite by default, PostgreSQL in production)."""

from piccolo.conf.apps import AppRegistry

from portal.core.db import make_engine
from portal.settings import get_settings

DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "portal.core.piccolo_app",
        "portal.housing.piccolo_app",
        "portal.accounts.piccolo_app",
        "portal.billing.piccolo_app",
        "portal.payments.piccolo_app",
        "portal.tickets.piccolo_app",
        "portal.meters.piccolo_app",
        "portal.meetings.piccolo_app",
        "portal.notifications.piccolo_app",
        "portal.content.piccolo_app",
        "portal.showcase.piccolo_app",
        "portal.analytics.piccolo_app",
        "portal.catalog.piccolo_app",
        "portal.documents.piccolo_app",
        "portal.inspections.piccolo_app",
        "portal.mystery.piccolo_app",
        "portal.visits.piccolo_app",
    ]
)
