"""A realistic data set at scale on PostgreSQL: ``bench/generate.py --accounts 1000000``.

Builds, in a freshly migrated database, what a management company of that size has: complexes of 100
houses, houses of 200 flats in 4 entrances, one personal account per flat with a Russian payer name, 12
months of charges (one row per service, 7 services), the ledger (a charge and a payment a month), monthly
balances, receipts with a section per payee (УК, capital repair) and its QR payload, portal payments for a
share of the months, cold and hot water meters (electricity in a third of the flats) with 6 months of
readings, and one request a year per account on average in every status. One in ten accounts stops paying
three months before the end, so there are debtors. A dispatcher of 20 houses signs in as
``dispatcher@demo.ru`` and an administrator of every house as ``admin@demo.ru`` (``demo12345``, as in the
demo), so ``bench/bench_http.py --database-url`` can drive the staff list too.

Everything is set-based ``INSERT … SELECT`` from a numbers table inside the server (no row crosses the
wire), in two connections side by side (the charges beside everything else), with ``synchronous_commit =
off``, foreign-key triggers not firing (the rows are consistent by construction) and autovacuum held off; the
big tables' secondary indexes, unique constraints and unreferenced primary keys are dropped first and built
again after the load; the requests' search texts are then written by the portal's own rebuild
(``tickets.actions.rebuild_search_texts``), so the staff search reads what it reads in production; then
``ANALYZE`` (``VACUUM`` too for the tables under a gigabyte). At the end the schema is compared with the one
the migrations left (``tests/scale/test_generate.py`` checks the same against a separately migrated database).
PostgreSQL only: the SQLite benchmarks of the request list load their own data (``bench/test_tickets_list.py``).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_scale \\
        nice .venv/bin/python bench/generate.py --accounts 1000000

The database is dropped and created again unless ``--keep``; migrations run first.
"""

# ruff: noqa: S608 (the SQL is built from numbers and constants of this file, never from input)
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOUSE_FLATS = 200
ENTRANCES = 4
COMPLEX_HOUSES = 100
MONTHS = 12
READING_MONTHS = 6
SURNAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
    "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
    "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
]  # fmt: skip
FIRST = [("Александр", "Александра"), ("Сергей", "Светлана"), ("Дмитрий", "Дарья"), ("Андрей", "Анна"),
         ("Алексей", "Алла"), ("Максим", "Мария"), ("Евгений", "Елена"), ("Иван", "Ирина"), ("Михаил", "Марина"),
         ("Николай", "Наталья"), ("Олег", "Ольга"), ("Павел", "Полина")]  # fmt: skip
PATRONYMIC = [("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Иванович", "Ивановна"),
              ("Петрович", "Петровна"), ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"),
              ("Михайлович", "Михайловна"), ("Андреевич", "Андреевна")]  # fmt: skip
STREETS = ["Киевская", "Гагарина", "Севастопольская", "Ленина", "Пушкина", "Кечкеметская", "Крымской Правды",
           "Балаклавская", "Москольцо", "Куйбышева"]  # fmt: skip
CATEGORIES = ["garbage_chute", "electrical_fuses", "lift_fault", "sewer_blockage", "emergency_localisation"]
STATUSES = ["closed"] * 70 + ["done"] * 12 + ["cancelled"] * 8 + ["in_work"] * 5 + ["new"] * 3 + ["accepted"] * 2


def months_back(last: date, n: int) -> date:
    index = last.year * 12 + last.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def values(rows: list[tuple[Any, ...]]) -> str:
    def lit(v: Any) -> str:
        if isinstance(v, int):
            return str(v)
        return "'" + str(v).replace("'", "''") + "'"

    return ", ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in rows)


def setup(n: int, uk: int, fund: int) -> list[tuple[str, str]]:
    """(label, SQL) run in order before the load: helper tables, complexes, houses, entrances, premises, accounts.

    ``uk``/``fund`` are the payee ids of the УК and the capital-repair fund. The helper tables (``gen_*``) hold
    what every month repeats (each account's amounts, payer, address, the heads of its QR payloads), so the
    monthly statements only copy rows.
    """
    houses = (n + HOUSE_FLATS - 1) // HOUSE_FLATS
    complexes = (houses + COMPLEX_HOUSES - 1) // COMPLEX_HOUSES
    return [
        ("helpers", f"CREATE UNLOGGED TABLE gen_n AS SELECT i FROM generate_series(1, {n}) AS i"),
        ("helpers", "ALTER TABLE gen_n ADD PRIMARY KEY (i)"),
        ("helpers", "CREATE UNLOGGED TABLE gen_surname (k int PRIMARY KEY, name text)"),
        ("helpers", f"INSERT INTO gen_surname VALUES {values(list(enumerate(SURNAMES)))}"),
        ("helpers", "CREATE UNLOGGED TABLE gen_first (k int PRIMARY KEY, m text, f text)"),
        ("helpers", f"INSERT INTO gen_first VALUES {values([(k, m, f) for k, (m, f) in enumerate(FIRST)])}"),
        ("helpers", "CREATE UNLOGGED TABLE gen_patronymic (k int PRIMARY KEY, m text, f text)"),
        ("helpers", f"INSERT INTO gen_patronymic VALUES {values([(k, m, f) for k, (m, f) in enumerate(PATRONYMIC)])}"),
        ("helpers", "CREATE UNLOGGED TABLE gen_street (k int PRIMARY KEY, name text)"),
        ("helpers", f"INSERT INTO gen_street VALUES {values(list(enumerate(STREETS)))}"),
        (
            "complex",
            f"INSERT INTO complex (id, name, city, created_at, updated_at) SELECT i, 'ЖК «Генератор-' || i || '»', "
            f"'Симферополь', now(), now() FROM generate_series(1, {complexes}) AS i",
        ),
        (
            "house",
            "INSERT INTO house (id, complex, address, floors, created_at, updated_at, search_text) "
            "SELECT h, (h - 1) / 100 + 1, addr, 10, now(), now(), lower(addr) FROM ("
            "SELECT h, 'г. Симферополь, ул. ' || s.name || ', д. ' || (h / 10 + 1) || ' корп. ' || (h % 10 + 1) "
            "AS addr "
            f"FROM generate_series(1, {houses}) AS h JOIN gen_street s ON s.k = h % {len(STREETS)}) x",
        ),
        (
            "entrance",
            f"INSERT INTO entrance (id, house, number, floors) SELECT (h - 1) * {ENTRANCES} + e, h, e, 10 "
            f"FROM generate_series(1, {houses}) AS h, generate_series(1, {ENTRANCES}) AS e",
        ),
        (
            "premise",
            "INSERT INTO premise (id, house, entrance, kind, number, floor, area, created_at, updated_at) "
            f"SELECT i, (i - 1) / {HOUSE_FLATS} + 1, ((i - 1) / {HOUSE_FLATS}) * {ENTRANCES} + "
            f"((i - 1) % {HOUSE_FLATS}) / {HOUSE_FLATS // ENTRANCES} + 1, 'flat', ((i - 1) % {HOUSE_FLATS} + 1)::text, "
            f"((i - 1) % {HOUSE_FLATS // ENTRANCES}) / 5 + 1, 28 + (i * 37) % 90 + 0.40, now(), now() FROM gen_n",
        ),
        (
            "personal_account",
            "INSERT INTO personal_account (id, number, premise, payer_name, opened_on, created_at, updated_at, "
            "search_text) SELECT i, num, i, payer, DATE '2019-01-01' + (i % 1500), now(), now(), "
            "lower(num || ' ' || payer) FROM (SELECT i, '9' || lpad(i::text, 9, '0') AS num, "
            "s.name || CASE WHEN i % 2 = 0 THEN 'а' ELSE '' END || ' ' || CASE WHEN i % 2 = 0 THEN f.f ELSE f.m END "
            "|| ' ' || CASE WHEN i % 2 = 0 THEN p.f ELSE p.m END AS payer FROM gen_n "
            f"JOIN gen_surname s ON s.k = i % {len(SURNAMES)} JOIN gen_first f ON f.k = (i / 7) % {len(FIRST)} "
            f"JOIN gen_patronymic p ON p.k = (i / 13) % {len(PATRONYMIC)}) x",
        ),
        # The monthly charge of each account and service (the same every month, as tariffs rarely move); ``r``
        # numbers the rows so that each month's charges take ids of their own without a sequence.
        (
            "helpers",
            "CREATE UNLOGGED TABLE gen_service AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS ord, id, "
            "payee FROM service",
        ),
        (
            "helpers",
            "CREATE UNLOGGED TABLE gen_amount AS SELECT i, (i - 1) * (SELECT count(*) FROM gen_service) + s.ord + 1 "
            "AS r, s.id AS service, s.payee, volume, tariff, round(volume * tariff)::bigint AS amount, "
            "CASE WHEN s.id % 3 = 0 THEN 'norm' ELSE 'metered' END AS basis FROM gen_n CROSS JOIN gen_service s "
            "CROSS JOIN LATERAL (SELECT ((1 + (i * 7 + s.id * 13) % 50)::numeric / 10)::numeric(14, 4) AS volume, "
            "(2500 + (s.id * 977) % 6000)::bigint AS tariff) v",
        ),
        (
            "helpers",
            "CREATE UNLOGGED TABLE gen_month AS SELECT m.i, m.charged, m.fund, a.payer_name, "
            "h.address || ', кв. ' || p.number AS address FROM (SELECT i, sum(amount)::bigint AS charged, "
            f"coalesce(sum(amount) FILTER (WHERE payee = {fund}), 0)::bigint AS fund FROM gen_amount GROUP BY i) m "
            "JOIN personal_account a ON a.id = m.i JOIN premise p ON p.id = m.i JOIN house h ON h.id = p.house",
        ),
        ("helpers", "ALTER TABLE gen_month ADD PRIMARY KEY (i)"),
        # Each account's two receipt sections with their QR payloads up to the period (ГОСТ Р 56042 fields).
        (
            "helpers",
            "CREATE UNLOGGED TABLE gen_section AS SELECT x.i, x.ord, x.payee, x.amount, 'ST00012|Name=' || y.name "
            "|| '|PersonalAcc=' || y.settlement_account || '|BankName=' || y.bank_name || '|BIC=' || y.bic || "
            "'|CorrespAcc=' || y.corresp_account || '|PayeeINN=' || y.inn || '|KPP=' || y.kpp || "
            "'|PersAcc=9' || lpad(x.i::text, 9, '0') AS head "
            f"FROM (SELECT i, 0 AS ord, {uk} AS payee, charged - fund AS amount FROM gen_month "
            f"UNION ALL SELECT i, 1, {fund}, fund FROM gen_month) x JOIN payee y ON y.id = x.payee",
        ),
    ]


def monthly(n: int, last: date) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The months' statements as two independent streams: (charges; ledger, balances, receipts, payments)."""
    periods = [months_back(last, k) for k in range(MONTHS - 1, -1, -1)]  # oldest first
    charges: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    for k, period in enumerate(periods):
        day20 = f"TIMESTAMPTZ '{period.isoformat()} 12:00:00+03'"
        paid_day = f"TIMESTAMPTZ '{period.isoformat()} 09:00:00+03' + ((i % 14) || ' days')::interval"
        # Debtors (one account in ten) stop paying three months before the end.
        pays = f"(i % 10 <> 0 OR {k} < {MONTHS - 3})"
        opening = f"(CASE WHEN i % 10 = 0 AND {k} > {MONTHS - 3} THEN ({k} - {MONTHS - 3}) * charged ELSE 0 END"
        opening += f" + CASE WHEN {k} > 0 THEN charged ELSE 0 END)"
        paid = f"(CASE WHEN {k} > 0 AND {pays} THEN charged ELSE 0 END)"
        due = months_back(period, -1).replace(day=10)
        charges.append(
            (
                "charge",
                "INSERT INTO charge (id, account, period, service, volume, tariff_kopecks, amount_kopecks, "
                "recalculation_kopecks, recalculation_reason, basis, basis_note, created_at) "
                f"SELECT {k} * {n} * (SELECT count(*) FROM gen_service) + r, i, DATE '{period}', service, volume, "
                f"tariff, amount, 0, '', basis, '', {day20} FROM gen_amount",
            )
        )
        rest += [
            (
                "ledger_entry",
                "INSERT INTO ledger_entry (account, occurred_at, period, kind, amount_kopecks, reference, note, "
                f"created_at) SELECT i, {day20}, DATE '{period}', 'charge', charged, "
                f"'gen-charges:' || i || ':{period:%Y-%m}', '', {day20} FROM gen_month",
            ),
            (
                "ledger_entry",
                "INSERT INTO ledger_entry (account, occurred_at, period, kind, amount_kopecks, reference, note, "
                f"created_at) SELECT i, {paid_day}, DATE '{period}', 'payment', -charged, "
                f"'gen-payment:' || i || ':{period:%Y-%m}', '', {paid_day} FROM gen_month "
                f"WHERE {k} > 0 AND {pays}",
            ),
            (
                "balance",
                "INSERT INTO balance (account, period, opening_kopecks, charged_kopecks, paid_kopecks, "
                "penalties_kopecks, other_kopecks, closing_kopecks) "
                f"SELECT i, DATE '{period}', {opening}, charged, {paid}, 0, 0, {opening} + charged - {paid} "
                "FROM gen_month",
            ),
            (
                "receipt",
                "INSERT INTO receipt (id, account, period, payer_name, address, opening_kopecks, charged_kopecks, "
                "paid_kopecks, penalties_kopecks, to_pay_kopecks, due_date, issued_at) "
                f"SELECT {k * n} + i, i, DATE '{period}', payer_name, address, {opening}, charged, {paid}, 0, "
                f"{opening} + charged - {paid}, DATE '{due}', {day20} FROM gen_month",
            ),
            (
                "receipt_section",
                "INSERT INTO receipt_section (id, receipt, payee, charged_kopecks, total_kopecks, qr_payload) "
                f"SELECT ({k * n} + i - 1) * 2 + ord + 1, {k * n} + i, payee, amount, amount, "
                f"head || '|PaymPeriod={period:%m%Y}|Sum=' || amount FROM gen_section",
            ),
        ]
        if k >= MONTHS - 4:  # portal payments for three in ten accounts in the last months
            rest.append(
                (
                    "payment",
                    "INSERT INTO payment (uid, batch, kind, account, amount_kopecks, commission_kopecks, "
                    "refunded_kopecks, status, session_id, intent_id, idempotency_key, failure_code, failure_message, "
                    "description, created_at, updated_at, paid_at, credited_at) "
                    f"SELECT 'gen-' || i || '-{k}', 'gen-' || i || '-{k}', 'checkout', i, charged, 0, 0, 'succeeded', "
                    f"'cs_gen_' || i || '_{k}', 'pi_gen_' || i || '_{k}', 'gen-' || i || '-{k}', '', '', '', "
                    f"{paid_day}, {paid_day}, {paid_day}, {paid_day} FROM gen_month WHERE i % 10 IN (1, 4, 7) "
                    f"AND {pays}",
                )
            )
    return charges, rest


def meters_and_requests(n: int, last: date) -> list[tuple[str, str]]:
    """Meters with their readings, then requests with their first event (each after what it refers to)."""
    sql: list[tuple[str, str]] = [
        # Cold and hot water everywhere, a two-zone electricity meter in every third flat.
        (
            "meter",
            "INSERT INTO meter (id, account, service, serial, digits, decimals, zones, installed_on, "
            "next_verification, created_at, updated_at) "
            "SELECT (i - 1) * 3 + m, i, svc, upper(left(svc, 1)) || lpad((i * 3 + m)::text, 8, '0'), "
            "CASE WHEN m = 3 THEN 6 ELSE 5 END, CASE WHEN m = 3 THEN 1 ELSE 3 END, CASE WHEN m = 3 THEN 2 ELSE 1 END, "
            "DATE '2021-01-01' + (i % 900), DATE '2027-01-01' + (i % 900), now(), now() FROM gen_n, "
            "(VALUES (1, 'cold_water'), (2, 'hot_water'), (3, 'electricity')) AS v(m, svc) "
            "WHERE m < 3 OR i % 3 = 0",
        ),
    ]
    for back in range(READING_MONTHS, 0, -1):
        period = months_back(last, back - 1)
        sql.append(
            (
                "meter_reading",
                "INSERT INTO meter_reading (meter, zone, value, consumption, period, submitted_at, source, "
                "rollover, flagged) SELECT id, z, (id % 400) + "
                f"{READING_MONTHS - back + 1} * (CASE WHEN service = 'electricity' THEN 120 ELSE 4 END) / z, "
                "CASE WHEN service = 'electricity' THEN 120 ELSE 4 END / z, "
                f"DATE '{period}', TIMESTAMPTZ '{period.isoformat()} 10:00:00+03' + ((id % 20) || ' days')::interval, "
                "CASE WHEN id % 5 = 0 THEN 'staff' ELSE 'portal' END, false, false "
                "FROM meter, generate_series(1, 2) AS z WHERE z <= zones",
            )
        )
    # Requests: one a year per account on average, most of them closed, spread over the last twelve months.
    start = months_back(last, MONTHS - 1)
    statuses = "ARRAY[" + ", ".join(f"'{s}'" for s in STATUSES) + "]"
    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    sql += [
        (
            "ticket",
            "INSERT INTO ticket (id, number, account, premise, house, entrance, place, type, category, description, "
            "status, internal_status, source, important, repeated, justified, paid, emergency, complaint, planned, "
            "created_at, updated_at, deadline, completed_at, closed_at, author, contact_name, contact_phone, "
            "owner_name, has_new_for_staff, has_new_for_resident, staff_seen_event, resident_seen_event, "
            "search_text, paid_for) "
            "SELECT t, t, acc, acc, p.house, p.entrance, 'premise', "
            "CASE WHEN cat = 'emergency_localisation' OR cat = 'sewer_blockage' THEN 'emergency' ELSE 'ordinary' END, "
            "cat, 'Заявка ' || t || ': ' || cat, st, '', CASE WHEN t % 3 = 0 THEN 'phone' ELSE 'portal' END, "
            "false, false, false, false, cat IN ('emergency_localisation', 'sewer_blockage'), false, false, "
            "created, created, created + interval '3 days', "
            "CASE WHEN st IN ('done', 'closed') THEN created + interval '2 days' END, "
            "CASE WHEN st = 'closed' THEN created + interval '5 days' END, NULL, '', '', '', "
            "st IN ('new', 'reopened'), false, 0, 0, '', false "
            "FROM (SELECT i AS t, 1 + (i::bigint * 7919) % " + str(n) + " AS acc, "
            f"({statuses})[1 + (i * 31) % {len(STATUSES)}] AS st, ({categories})[1 + (i * 17) % {len(CATEGORIES)}] "
            f"AS cat, TIMESTAMPTZ '{start.isoformat()} 08:00:00+03' + (i::double precision / {n}) * "
            f"interval '{MONTHS * 30} days' AS created FROM gen_n) x JOIN premise p ON p.id = x.acc",
        ),
        (
            "ticket_event",
            "INSERT INTO ticket_event (ticket, kind, from_value, to_value, comment, visible_to_resident, author_name, "
            "by_staff, created_at) SELECT id, 'created', '', 'new', description, true, '', false, created_at "
            "FROM ticket",
        ),
    ]
    return sql


def analytics_statements(n: int, last: date) -> list[tuple[str, str]]:
    """What the dashboard counts beyond billing, meters and requests (issue 18): the portal payments by channel
    (СБП for one in three, autopay for one in five), a rating on two closed requests in five, an owner connected
    to the portal for three accounts in ten (the portal's payers; from a year ago to this month, so the share
    rises), and one NPS wave per complex five months ago answered by one account in ten. Set-based, like the rest;
    the users of this part get ids above every other user's."""
    wave = months_back(last, 5)
    connected = f"TIMESTAMPTZ '{months_back(last, MONTHS - 1)}' + ((i % 12) || ' months')::interval"
    return [
        ("analytics", "UPDATE payment SET method = CASE WHEN id % 3 = 0 THEN 'sbp' ELSE 'card' END"),
        ("analytics", "UPDATE payment SET kind = 'autopay' WHERE id % 5 = 0"),
        ("analytics", "UPDATE ticket SET rating = 1 + (id * 7) % 5 WHERE status = 'closed' AND id % 5 IN (1, 3)"),
        (
            "analytics",
            "INSERT INTO portal_user (id, email, phone, password_hash, full_name, locale, is_active, created_at, "
            "updated_at, notify_email, notify_inapp, session_epoch, principal_version) "
            f"SELECT 1000000000 + i, NULL, NULL, '', a.payer_name, 'ru', true, {connected}, {connected}, true, true, "
            f"0, 0 FROM gen_n JOIN personal_account a ON a.id = i WHERE i % 10 IN (1, 4, 7)",
        ),
        (
            "analytics",
            'INSERT INTO residency ("user", account, role, rights, created_at) '
            f"SELECT 1000000000 + i, i, 'owner', ARRAY['view', 'pay', 'meters', 'tickets'], {connected} "
            "FROM gen_n WHERE i % 10 IN (1, 4, 7)",
        ),
        (
            "analytics",
            f"INSERT INTO nps_wave (complex, opens_on, closes_on, created_at) SELECT id, DATE '{wave}', "
            f"DATE '{wave}' + 29, now() FROM complex",
        ),
        (
            "analytics",
            'INSERT INTO nps_answer (wave, "user", house, score, comment, answered_at) '
            "SELECT w.id, 1000000000 + i, p.house, (i * 7) % 11, CASE WHEN i % 7 = 0 THEN 'Ответ ' || i ELSE '' END, "
            f"TIMESTAMPTZ '{wave.isoformat()} 12:00:00+03' + ((i % 29) || ' days')::interval FROM gen_n "
            "JOIN premise p ON p.id = i JOIN house h ON h.id = p.house JOIN nps_wave w ON w.complex = h.complex "
            "WHERE i % 10 = 1",
        ),
    ]


SEQUENCED = [
    "complex", "house", "entrance", "premise", "personal_account", "charge", "ledger_entry", "balance", "receipt",
    "receipt_section", "payment", "meter", "meter_reading", "ticket", "ticket_event", "portal_user", "residency",
    "nps_wave", "nps_answer",
]  # fmt: skip


BIG_TABLES = [
    "charge", "ledger_entry", "balance", "receipt", "receipt_section", "payment", "meter", "meter_reading",
    "ticket", "ticket_event", "personal_account", "premise",
]  # fmt: skip

# Every index, constraint, table and trigger of the schema, as the migrations leave it: the generated database
# must end with exactly the same list (``check_schema``), whatever was dropped for the load.
SCHEMA = """
SELECT 'index' AS kind, t.relname || '.' || c.relname AS name,
       pg_get_indexdef(c.oid) || CASE WHEN x.indisvalid THEN '' ELSE ' INVALID' END AS definition
  FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
 WHERE t.relnamespace = 'public'::regnamespace AND t.relname NOT LIKE 'gen\\_%'
UNION ALL
SELECT 'constraint', conrelid::regclass::text || '.' || conname, contype::text || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'gen\\_%'
UNION ALL
SELECT 'table', relname, relkind::text || relpersistence::text || ' ' || coalesce(reloptions::text, '') FROM pg_class
 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S', 'v', 'm') AND relname NOT LIKE 'gen\\_%'
UNION ALL
SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, tgenabled::text || ' ' || pg_get_triggerdef(oid)
  FROM pg_trigger WHERE NOT tgisinternal
ORDER BY 1, 2
"""


async def schema(conn: Any) -> list[tuple[str, str, str]]:
    """The schema's indexes, constraints, tables (with their persistence) and triggers, sorted."""
    return [(r["kind"], r["name"], r["definition"]) for r in await conn.fetch(SCHEMA)]


def schema_difference(expected: list[tuple[str, str, str]], actual: list[tuple[str, str, str]]) -> list[str]:
    """Lines of what ``actual`` lacks (``-``) or adds (``+``) against ``expected``; empty when they agree."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    return [f"- {' '.join(row)}" for row in missing] + [f"+ {' '.join(row)}" for row in extra]


async def drop_indexes(conn: Any, tables: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Drop the secondary indexes (not the partial ones), unique constraints and the primary keys no foreign key
    refers to of ``tables``; returns the (table, ``CREATE INDEX``) that build each index again as it was, and the
    statements that make the constraints of those indexes again (``ADD CONSTRAINT … USING INDEX``, instant, run
    after the builds: adding a key with its index would lock the table against the other builds on it)."""
    rows = await conn.fetch(
        "SELECT t.relname AS tablename, c.relname AS indexname, pg_get_indexdef(c.oid) AS indexdef, "
        "k.conname, k.contype::text AS contype, x.indisprimary, x.indpred IS NOT NULL AS partial, "
        "EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = t.oid) AS referenced "
        "FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "LEFT JOIN pg_constraint k ON k.conindid = c.oid AND k.conrelid = t.oid AND k.contype <> 'f' "
        "WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1::text[])",
        tables,
    )
    builds: list[tuple[str, str]] = []
    constraints: list[str] = []
    for row in rows:
        table = row["tablename"]
        if row["indisprimary"] and row["referenced"]:
            continue  # dropping it would drop the foreign keys that refer to it
        if row["partial"]:
            continue  # kept through the load: built again from its definition, its predicate would read otherwise
        if row["conname"]:
            if row["conname"] != row["indexname"] or row["contype"] not in ("p", "u"):
                raise SystemExit(
                    f"{table}: constraint {row['conname']} ({row['contype']}) is not the key of its own index"
                )
            await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{row["conname"]}"')
            kind = "PRIMARY KEY" if row["contype"] == "p" else "UNIQUE"
            constraints.append(
                f'ALTER TABLE {table} ADD CONSTRAINT "{row["conname"]}" {kind} USING INDEX "{row["indexname"]}"'
            )
        else:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        builds.append((table, row["indexdef"]))
    return builds, constraints


SESSION = (
    # The rows are consistent by construction: foreign-key triggers do not fire row by row (replica role; the
    # constraints themselves stay as they are), commits do not wait for the disk, sorts of index builds get
    # memory. The tables stay logged: making them UNLOGGED for the load and LOGGED after rewrites each table
    # once more, which costs more than the WAL it saves.
    "SET synchronous_commit = off; SET maintenance_work_mem = '{memory}'; SET work_mem = '256MB'; "
    "SET max_parallel_maintenance_workers = {workers}; SET session_replication_role = replica"
)


async def nice_backend(conn: Any) -> None:
    """Give the server process of ``conn`` this process's niceness (the work is done there, not here), where
    the server runs on this machine and we may."""
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > 0:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by process ``pid`` of this machine (0 where it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_streams(url: str, streams: list[list[tuple[str, str]]], totals: dict[str, float]) -> float:
    """Run each stream of statements in order on a connection of its own, the streams side by side (each index
    build in one process: the streams are the parallelism); returns the CPU seconds of their server processes
    where the server runs on this machine."""
    import asyncpg

    used: list[float] = []

    async def one(stream: list[tuple[str, str]]) -> None:
        conn = await asyncpg.connect(url)
        try:
            await nice_backend(conn)
            await conn.execute(SESSION.format(memory="512MB", workers=0))
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            for label, statement in stream:
                began = time.monotonic()
                await conn.execute(statement)
                totals[label] = totals.get(label, 0) + time.monotonic() - began
            used.append(cpu_seconds(pid))
        finally:
            await conn.close()

    await asyncio.gather(*(one(stream) for stream in streams if stream))
    return sum(used)


def split(work: list[tuple[str, str]], sizes: dict[str, int], count: int) -> list[list[tuple[str, str]]]:
    """Deal ``work`` into ``count`` streams of about equal size, the largest tables first."""
    streams: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    loads = [0] * count
    for item in sorted(work, key=lambda item: -sizes.get(item[0], 0)):
        k = loads.index(min(loads))
        streams[k].append(item)
        loads[k] += sizes.get(item[0], 0)
    return streams


async def generate(url: str, n: int, last: date, jobs: int = 2) -> dict[str, float]:
    """Load ``n`` accounts into the migrated database at ``url``; returns seconds by step."""
    import asyncpg

    from portal.billing.actions import ensure_catalog
    from portal.core import db

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        catalog = await ensure_catalog()
    finally:
        await db.stop(engine)
    payees = catalog["payees"]
    uk = payees.get("uk") or min(payees.values())
    fund = next((v for k, v in payees.items() if v != uk), uk)
    totals: dict[str, float] = {}
    conn = await asyncpg.connect(url)
    try:
        await nice_backend(conn)
        migrated = await schema(conn)
        await conn.execute(SESSION.format(memory="1GB", workers=2))
        builds, constraints = await drop_indexes(conn, BIG_TABLES)
        for table in BIG_TABLES:  # autovacuum would scan each growing table again and again during the load
            await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        for label, statement in setup(n, uk, fund):
            began = time.monotonic()
            await conn.execute(statement)
            totals[label] = totals.get(label, 0) + time.monotonic() - began
        # Two independent streams: the charges (the largest table) beside everything else.
        charges, rest = monthly(n, last)
        began = time.monotonic()
        streams = [charges + meters_and_requests(n, last), rest]
        cpu = await run_streams(url, streams if jobs > 1 else [streams[0] + streams[1]], totals)
        totals["load (wall)"] = time.monotonic() - began
        totals["load (server CPU)"] = cpu
        began = time.monotonic()
        sizes = {
            r["relname"]: r["size"]
            for r in await conn.fetch(
                "SELECT relname, pg_relation_size(oid) AS size FROM pg_class WHERE relname = ANY($1::text[])",
                BIG_TABLES,
            )
        }
        # Builds on one table share its lock (and, reading it side by side, its pages): deal them freely.
        cpu = await run_streams(url, split(builds, sizes, jobs), {})
        for statement in constraints:
            await conn.execute(statement)
        totals["indexes (wall)"] = time.monotonic() - began
        totals["indexes (server CPU)"] = cpu
        await conn.execute("SET session_replication_role = origin")
        for table in BIG_TABLES:
            await conn.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
        for table in SEQUENCED:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            await conn.execute(f"SELECT setval({sequence}, (SELECT coalesce(max(id), 0) + 1 FROM {table}))")
        for (table,) in await conn.fetch(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
            "AND relname LIKE 'gen\\_%'"
        ):
            await conn.execute(f"DROP TABLE {table}")
        difference = schema_difference(migrated, await schema(conn))
        if difference:
            raise SystemExit("the generated schema differs from the migrated one:\n" + "\n".join(difference))
        began = time.monotonic()
        await search_texts(url)
        totals["search texts"] = time.monotonic() - began
        began = time.monotonic()
        tables = [
            r["relname"]
            for r in await conn.fetch(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            )
        ]
        # Tables under a gigabyte are vacuumed too, so that counts over them (the request list's) can read their
        # indexes alone from the first request; autovacuum does the largest ones later.
        statements = [(t, f"{'ANALYZE' if sizes.get(t, 0) > 2**30 else 'VACUUM (ANALYZE)'} {t}") for t in tables]
        await run_streams(url, split(statements, sizes, jobs), {})
        totals["vacuum, analyze (wall)"] = time.monotonic() - began
    finally:
        await conn.close()
    await staff(url)
    return totals


async def search_texts(url: str) -> None:
    """The requests' search texts written by the portal's own rebuild (``rules.search_text`` through
    ``tickets.actions.rebuild_search_texts``), a chunk of requests a few statements, once their indexes are there:
    the staff search at scale reads what it reads in production."""
    from portal.core import db
    from portal.tickets.actions import rebuild_search_texts

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        await rebuild_search_texts()
    finally:
        await db.stop(engine)


STAFF = [
    # (login, name, role, houses: the first 20, or None for every house), password ``demo12345`` as in the demo.
    ("dispatcher@demo.ru", "Диспетчер Генератора", "dispatcher", 20),
    ("admin@demo.ru", "Администратор Генератора", "admin", None),
]


async def add_analytics(url: str, n: int, last: date) -> None:
    """``--analytics-only``: the part of ``analytics_statements`` on a database generated without it."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT count(*) FROM nps_wave"):
            print("  analytics: already there", flush=True)
            return
        began = time.monotonic()
        await conn.execute("SET synchronous_commit = off; SET session_replication_role = replica")
        await conn.execute(f"CREATE UNLOGGED TABLE gen_n AS SELECT i FROM generate_series(1, {n}) AS i")
        await conn.execute("ALTER TABLE gen_n ADD PRIMARY KEY (i)")
        for _, statement in analytics_statements(n, last):
            await conn.execute(statement)
        await conn.execute("SET session_replication_role = origin")
        for table in ("portal_user", "residency", "nps_wave", "nps_answer"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            await conn.execute(f"ANALYZE {table}")
        await conn.execute("DROP TABLE gen_n; ANALYZE payment; ANALYZE ticket")
        print(f"  analytics: {time.monotonic() - began:.1f} s", flush=True)
    finally:
        await conn.close()


def autopay_statements(share: float, last: date) -> list[tuple[str, str]]:
    """``--autopay-share``: autopay on that share of the accounts, spread over them, each of its own owner (users
    from id 2,000,000,000) with a saved card and a customer at the gateway (placeholder ids: ``bench/autopay_day.py``
    sets up real ones at the sandbox gateway), charged last month and due this month."""
    per_cent = round(share * 100)
    month = months_back(last, 1).strftime("%Y-%m")
    chosen = f"FROM gen_n JOIN personal_account a ON a.id = i WHERE (i * 7) % 100 < {per_cent}"
    return [
        (
            "autopay",
            "INSERT INTO portal_user (id, email, phone, password_hash, full_name, locale, is_active, created_at, "
            "updated_at, notify_email, notify_inapp, session_epoch, principal_version) "
            f"SELECT 2000000000 + i, NULL, NULL, '', a.payer_name, 'ru', true, now(), now(), true, true, 0, 0 {chosen}",
        ),
        (
            "autopay",
            'INSERT INTO residency ("user", account, role, rights, created_at) '
            f"SELECT 2000000000 + i, i, 'owner', ARRAY['view', 'pay'], now() {chosen}",
        ),
        (
            "autopay",
            'INSERT INTO gateway_customer ("user", customer_id, created_at) '
            f"SELECT 2000000000 + i, 'cus_bench_' || i, now() {chosen}",
        ),
        (
            "autopay",
            'INSERT INTO payment_method ("user", gateway_id, brand, last4, exp_month, exp_year, created_at) '
            f"SELECT 2000000000 + i, 'pm_bench_' || i, 'visa', '4242', 12, 2034, now() {chosen}",
        ),
        (
            "autopay",
            'INSERT INTO autopay_mandate (account, "user", payment_method, monthly_limit_kopecks, active, '
            "last_period, last_status, last_message, created_at, updated_at) "
            f"SELECT i, 2000000000 + i, m.id, 5000000, true, '{month}', 'succeeded', '', now(), now() FROM gen_n "
            f'JOIN payment_method m ON m."user" = 2000000000 + i WHERE (i * 7) % 100 < {per_cent}',
        ),
    ]


async def add_autopay(url: str, n: int, share: float, last: date) -> None:
    """The part of ``autopay_statements`` on a generated database."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        began = time.monotonic()
        await conn.execute(f"CREATE UNLOGGED TABLE gen_n AS SELECT i FROM generate_series(1, {n}) AS i")
        await conn.execute("ALTER TABLE gen_n ADD PRIMARY KEY (i)")
        for _, statement in autopay_statements(share, last):
            await conn.execute(statement)
        for table in ("portal_user", "residency", "gateway_customer", "payment_method", "autopay_mandate"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        await conn.execute("DROP TABLE gen_n")
        count = await conn.fetchval("SELECT count(*) FROM autopay_mandate")
        print(f"  autopay: {count:,} mandates in {time.monotonic() - began:.1f} s", flush=True)
    finally:
        await conn.close()


async def staff(url: str) -> None:
    """The demo's dispatcher (the first 20 houses) and administrator (every house: the whole request list)."""
    from portal.accounts import consent
    from portal.accounts.passwords import hash_password
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import StaffHouse
    from portal.accounts.tables import User
    from portal.accounts.tables import UserRole
    from portal.core import db
    from portal.housing.tables import House

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        for email, name, role, houses in STAFF:
            if await User.exists().where(User.email == email):
                continue
            user = User(email=email, full_name=name, password_hash=hash_password("demo12345"))
            await user.save()
            await UserRole(user=user.id, role=role).save()
            if houses:
                rows = await House.select(House.id).order_by(House.id).limit(houses)
                await StaffHouse.insert(*(StaffHouse(user=user.id, house=h["id"]) for h in rows))
            await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="web").save()
    finally:
        await db.stop(engine)


def recreate(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"

    async def run() -> None:
        conn = await asyncpg.connect(server)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--last-period", default=datetime.now(UTC).date().replace(day=1).isoformat())
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--keep", action="store_true", help="do not drop and create the database first")
    parser.add_argument("--jobs", type=int, default=2, help="connections loading and indexing side by side")
    parser.add_argument("--analytics-only", action="store_true", help="add the dashboard's part to a generated one")
    parser.add_argument("--autopay-share", type=float, default=0.0, help="share of the accounts with autopay (0.15)")
    args = parser.parse_args()
    url = args.database_url
    if not url.startswith("postgres"):
        raise SystemExit("bench/generate.py needs a PostgreSQL DATABASE_URL (or --database-url)")
    began = time.monotonic()
    if args.analytics_only:
        sys.path.insert(0, str(ROOT))
        asyncio.run(add_analytics(url, args.accounts, date.fromisoformat(args.last_period)))
        return
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load}, niceness {os.getpriority(os.PRIO_PROCESS, 0)}")
    if not args.keep:
        recreate(url)
    env = {**os.environ, "DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"}
    subprocess.run([sys.executable, "-m", "portal", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    print(f"migrated in {time.monotonic() - began:.0f} s; generating {args.accounts:,} accounts", flush=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    totals = asyncio.run(generate(url, args.accounts, date.fromisoformat(args.last_period), args.jobs))
    for label, seconds in totals.items():
        print(f"  {label}: {seconds:.1f} s", flush=True)
    if args.autopay_share:
        asyncio.run(add_autopay(url, args.accounts, args.autopay_share, date.fromisoformat(args.last_period)))
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"done in {time.monotonic() - began:.0f} s (load average now {load})", flush=True)


if __name__ == "__main__":
    main()
