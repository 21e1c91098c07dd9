"""Every selection of a post's audience that lies in one house names it: selections stored before the house column
(an entrance, floors, a riser, a premise, an account) get the house they lie in. Staff of some houses see, edit and
keep a post's audience by that column, and a selection without it counts as outside their houses."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "post target house filled in"

_UNNAMED = "UPDATE post_target SET house = {} WHERE house IS NULL AND kind = '{}'"
STATEMENTS = (
    "UPDATE post_target SET house = ref WHERE house IS NULL AND kind IN ('house', 'floors')",
    _UNNAMED.format("(SELECT e.house FROM entrance e WHERE e.id = post_target.ref)", "entrance"),
    _UNNAMED.format("(SELECT r.house FROM riser r WHERE r.id = post_target.ref)", "riser"),
    _UNNAMED.format("(SELECT p.house FROM premise p WHERE p.id = post_target.ref)", "premise"),
    _UNNAMED.format(
        "(SELECT p.house FROM personal_account a JOIN premise p ON p.id = a.premise WHERE a.id = post_target.ref)",
        "account",
    ),
)


async def fill_houses() -> None:
    from portal.content.tables import PostTarget

    for statement in STATEMENTS:
        await PostTarget.raw(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)
    manager.add_raw(fill_houses)
    return manager
