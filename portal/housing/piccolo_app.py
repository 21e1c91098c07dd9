from piccolo.conf.apps import AppConfig

from portal.housing.tables import (
    Complex,
    Entrance,
    House,
    Owner,
    Ownership,
    PersonalAccount,
    Premise,
    PremiseRiser,
    Riser,
)
from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="housing",
    migrations_folder_path=str(ROOT / "migrations" / "housing"),
    table_classes=[Complex, House, Entrance, Riser, Premise, PremiseRiser, Owner, Ownership, PersonalAccount],
    migration_dependencies=["portal.core.piccolo_app"],
    commands=[],
)
