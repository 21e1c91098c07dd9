"""Demo users: two residents and one staff user per role, all with the published demo password and the
current consent accepted, so that `make run` signs straight into the home page."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from portal.accounts import consent
from portal.accounts import rules
from portal.accounts.passwords import hash_password
from portal.accounts.rules import ConsentType
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import Residency
from portal.accounts.tables import StaffHouse
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core.security import ResidentRole
from portal.core.security import StaffRole
from portal.demo import DEMO_OWNERS
from portal.demo import DEMO_PASSWORD
from portal.demo import DemoContext
from portal.demo import everyday_name
from portal.settings import get_settings

STAFF = (
    (StaffRole.ADMIN, "admin@demo.ru", "Анна Сергеевна Орлова", "Administrator"),
    (StaffRole.MANAGER, "manager@demo.ru", "Игорь Петрович Белов", "Manager"),
    (StaffRole.DISPATCHER, "dispatcher@demo.ru", "Марина Олеговна Котова", "Dispatcher"),
    (StaffRole.EXECUTOR, "executor@demo.ru", "Сергей Иванович Лукин", "Executor"),
    (StaffRole.ACCOUNTANT, "accountant@demo.ru", "Ольга Викторовна Зайцева", "Accountant"),
    (StaffRole.MODERATOR, "moderator@demo.ru", "Дмитрий Андреевич Фомин", "Moderator"),
    (StaffRole.OPERATOR, "operator@demo.ru", "Елена Николаевна Гусева", "Operator"),
)

# The demo residents (key, e-mail, name, phone, label): the owners of the accounts the housing demo sets aside,
# named as the register names them.
RESIDENTS = (
    ("resident", "resident@demo.ru", everyday_name(DEMO_OWNERS["resident"]), "+79780000001", "Resident (two accounts)"),
    ("resident2", "resident2@demo.ru", everyday_name(DEMO_OWNERS["resident2"]), "+79780000002", "Resident (neighbour)"),
)


async def _user(email: str, name: str, password_hash: str, now: datetime, phone: str | None = None) -> int:
    user = User(
        email=email,
        phone=phone,
        full_name=name,
        password_hash=password_hash,
        email_confirmed_at=now,
        phone_confirmed_at=now if phone else None,
        created_at=now,
        updated_at=now,
    )
    await user.save()
    await ConsentRecord(
        user=user.id,
        consent_type=consent.CONSENT_TYPE,
        text_version=consent.current_version(),
        granted_at=now,
        ip="127.0.0.1",
        user_agent="demo",
        channel=rules.ConsentChannel.REGISTRATION,
    ).save()
    return user.id


async def _consents_of_resident(user_id: int, now: datetime) -> None:
    """resident@demo.ru's separate consents, one of each way: the dissemination one signed on paper at the
    office for the owners' register, the offers given in the portal and withdrawn since (all after their texts
    were published)."""
    given = (
        (ConsentType.DISSEMINATION, rules.ConsentChannel.PAPER, now - timedelta(days=2), None),
        (ConsentType.MARKETING, rules.ConsentChannel.PORTAL, now - timedelta(hours=30), now - timedelta(hours=5)),
    )
    for kind, channel, granted_at, withdrawn_at in given:
        await ConsentRecord(
            user=user_id,
            consent_type=kind,
            text_version=consent.optional_version(kind),
            granted_at=granted_at,
            withdrawn_at=withdrawn_at,
            ip="127.0.0.1" if channel is rules.ConsentChannel.PORTAL else "",
            user_agent="demo" if channel is rules.ConsentChannel.PORTAL else "",
            channel=channel,
        ).save()


async def seed(ctx: DemoContext) -> None:
    now = datetime.now(UTC)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo user: argon2 is slow on purpose
    users: dict[str, int] = {}
    houses: list[int] = list(ctx.shared.get("houses", []))
    resident_accounts: list[int] = list(ctx.shared.get("resident_accounts", []))
    second_account = ctx.shared.get("second_resident_account")

    owned = {"resident": resident_accounts, "resident2": [second_account] if second_account else []}
    for key, email, name, phone, label in RESIDENTS:
        users[key] = await _user(email, name, password_hash, now, phone)
        for account in owned[key]:
            rights = rules.rights_for(ResidentRole.OWNER, [])
            await Residency(user=users[key], account=account, role=ResidentRole.OWNER, rights=rights).save()
        ctx.logins.append((label, email, DEMO_PASSWORD))
    await _consents_of_resident(users["resident"], now)
    # resident@demo.ru shares the first flat with his wife, who has not signed in yet (no password): «У кого есть
    # доступ» lists someone besides him, from whom he may take the access back.
    if resident_accounts:
        family = await _user("family@demo.ru", "Мария Андреевна Смирнова", "", now)
        rights = rules.rights_for(ResidentRole.FAMILY, [])
        await Residency(user=family, account=resident_accounts[0], role=ResidentRole.FAMILY, rights=rights).save()

    for role, email, name, label in STAFF:
        users[role] = await _user(email, name, password_hash, now)
        await UserRole(user=users[role], role=role).save()
        if role != StaffRole.ADMIN:
            for house in houses[:2]:
                await StaffHouse(user=users[role], house=house).save()
        ctx.logins.append((label, email, DEMO_PASSWORD))

    # Every account has an access code from the start (derived, printed on its receipts); the first three
    # of each house are listed for trying the registration.
    secret = get_settings().secret_key
    account_ids: list[int] = [a for ids in ctx.shared.get("accounts_by_house", {}).values() for a in ids[:3]]
    codes = {account: rules.derive_access_code(secret, account, 0) for account in account_ids}
    ctx.shared["users"] = users
    ctx.shared["access_codes"] = codes
