from piccolo.conf.apps import AppConfig

from portal.meetings.tables import (
    AgendaItem,
    Ballot,
    BallotCode,
    Initiative,
    InitiativeSupport,
    Meeting,
    OwnerLink,
    RegisterEntry,
    Vote,
)
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="meetings",
    migrations_folder_path=str(ROOT / "migrations" / "meetings"),
    table_classes=[
        OwnerLink,
        Initiative,
        InitiativeSupport,
        Meeting,
        AgendaItem,
        RegisterEntry,
        Ballot,
        Vote,
        BallotCode,
    ],
    migration_dependencies=["portal.housing.piccolo_app", "portal.accounts.piccolo_app"],
    commands=[],
)
