"""Fixtures of the catalog's tests: the sandbox gateway of the payments tests, and a small catalogue."""

from __future__ import annotations

from typing import Any

import pytest

from tests.payments.conftest import gateway  # noqa: F401  (fixtures used here)
from tests.payments.conftest import household  # noqa: F401  (fixtures used here)
from tests.payments.conftest import sandbox  # noqa: F401  (fixtures used here)


@pytest.fixture
async def shop(db: Any) -> dict[str, int]:
    """One section of services and one of certificates, offered in every house."""
    from portal.catalog.tables import DocumentKind
    from portal.catalog.tables import PaidService
    from portal.catalog.tables import PriceKind
    from portal.catalog.tables import ServiceCategory
    from portal.catalog.tables import ServiceKind
    from portal.catalog.tables import Unit

    async def section(title: str, position: int) -> int:
        row = ServiceCategory(title=title, position=position)
        await row.save()
        return int(row.id)

    async def service(category: int, title: str, **values: Any) -> int:
        row = PaidService(category=category, title=title, description=f"{title}: описание", **values)
        await row.save()
        return int(row.id)

    works = await section("Сантехника", 1)
    papers = await section("Справки", 2)
    return {
        "works": works,
        "papers": papers,
        "plumber": await service(works, "Вызов сантехника", price_kopecks=150000, slots_per_day=2),
        "cleaning": await service(
            works, "Уборка квартиры", price_kind=PriceKind.PER_UNIT, unit=Unit.SQUARE_METRE, price_kopecks=12050
        ),
        "repair": await service(works, "Ремонт смесителя", price_kind=PriceKind.FROM, price_kopecks=80000),
        "statement": await service(
            papers, "Выписка из лицевого счёта", kind=ServiceKind.CERTIFICATE, document=DocumentKind.STATEMENT
        ),
        "no_debt": await service(
            papers, "Справка об отсутствии задолженности", kind=ServiceKind.CERTIFICATE, document=DocumentKind.NO_DEBT
        ),
        "paid_copy": await service(
            papers,
            "Копия документа",
            kind=ServiceKind.CERTIFICATE,
            document=DocumentKind.BY_STAFF,
            price_kopecks=20000,
        ),
    }
