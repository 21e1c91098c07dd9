"""Import of 100,000 charge rows (parse, check against the database, apply in one transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bench.conftest import make_accounts
from portal.billing import actions
from portal.billing import importer
from portal.billing.actions import SERVICES
from portal.billing.actions import ensure_catalog
from portal.billing.commands import COMMAND_LINE

ROWS = 100_000


def _file(numbers: list[str]) -> bytes:
    lines = ["account;service;volume;tariff;amount;recalculation;reason;basis;basis_note"]
    codes = [code for code, *_ in SERVICES]
    for number in numbers:
        for code in codes:
            lines.append(f"{number};{code};10,5;32,50;341,25;0;;norm;")
            if len(lines) > ROWS:
                return ("\n".join(lines) + "\n").encode()
    return ("\n".join(lines) + "\n").encode()


def test_import_of_100000_charge_rows(benchmark: Any, loop: Any, engine: Any) -> None:
    loop.run_until_complete(ensure_catalog())
    accounts = loop.run_until_complete(make_accounts(ROWS // len(SERVICES) + 1, "91"))
    content = _file([number for _, number in accounts])
    periods = iter([date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)])

    def setup() -> tuple[tuple[date], dict[str, Any]]:
        return (next(periods),), {}

    def run(period: date) -> None:
        async def work() -> None:
            parsed = await importer.check_against_db(importer.read_file(content, "bench.csv"), period, COMMAND_LINE)
            assert parsed.ok, parsed.problems[:3]
            result = await actions.import_charges(COMMAND_LINE, parsed, period)
            assert result.created and result.charges == ROWS

        loop.run_until_complete(work())

    benchmark.pedantic(run, setup=setup, rounds=2, iterations=1)
