"""Import of a bank's registry of 100,000 payments (read, match against the database, apply in one transaction):
each round a new file of new payment ids, so each round credits all of them."""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

from bench.conftest import make_accounts
from portal.billing import registries
from portal.billing import registry_files
from portal.billing.demo_registry import registry_text
from portal.core.security import Principal

PAYMENTS = 100_000
ACCOUNTS = 50_000  # two payments an account
COMPANY = Principal(name="Бухгалтерия", house_ids=None)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def _registry(numbers: list[str], tag: str) -> bytes:
    lines = []
    for n in range(PAYMENTS):
        number = numbers[n % len(numbers)]
        day = 1 + n % 28
        lines.append(
            f"{day:02d}.11.2026;10:00:00;8626;0001;B-{tag}-{n:06d};{number};Плательщик;;1026;1234,56;1234,56;0,00;qr"
        )
    return registry_text(lines)


def test_import_of_a_registry_of_100000_payments(benchmark: Any, loop: Any, engine: Any) -> None:
    accounts = loop.run_until_complete(make_accounts(ACCOUNTS, "93"))
    numbers = [number for _, number in accounts]
    tags = (f"r{n}" for n in itertools.count())

    def setup() -> tuple[tuple[bytes], dict[str, Any]]:
        return (_registry(numbers, next(tags)),), {}

    def run(content: bytes) -> None:
        async def work() -> None:
            started = time.monotonic()
            parsed = registry_files.read_registry("bench.txt", content)
            assert parsed.ok, parsed.problems[:3]
            read = time.monotonic()
            preview = registries.report_of(await registries.decide(parsed.rows, COMPANY))
            assert preview.created["credit"] == PAYMENTS
            checked = time.monotonic()
            report = await registries.apply_lines(parsed.rows, COMPANY, "bank", "bench.txt")
            assert report.created["credit"] == PAYMENTS
            done = time.monotonic()
            print(f"\nread {read - started:.1f} s, preview {checked - read:.1f} s, apply {done - checked:.1f} s")

        loop.run_until_complete(work())

    benchmark.pedantic(run, setup=setup, rounds=ROUNDS, iterations=1)
