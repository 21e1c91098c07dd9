"""Defects filed before their request kept what is defective, and claims the developer answered before the answer was
kept, get them where they are known. What is defective: from the text the portal wrote in English for a defect filed
on the resident's form («Defect of a new house: <group>, <what>.»; the labels as they were when such texts were
written); a request staff filed has no such text and keeps none (its page says the warranty as before: where both
terms had ended, the later end). The answer and the promised day: from the audit log's last «developer's answer» of
the request (its deadline's new value, the end of the promised day in the company's zone).

``CHUNK`` rows at a time in the order of their ids; one update a request. Run again, it finds nothing left to do."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T15:48:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "defects and developer's answers filed before they were kept get them from their text and the audit log"

CHUNK = 200

# The kinds of defects and their groups, with the English words ``actions._warranty_text`` wrote for them.
GROUPS = {"structure": "The building's structure", "equipment": "Engineering equipment"}
KINDS = {
    "walls": ("structure", "Walls, ceilings, cracks"),
    "floors": ("structure", "Floors and screed"),
    "windows": ("structure", "Windows and balcony doors"),
    "balcony": ("structure", "Balconies and loggias"),
    "roof": ("structure", "Roof"),
    "facade": ("structure", "Facade, damp or cold walls"),
    "risers": ("equipment", "Water and sewerage risers"),
    "heating": ("equipment", "Heating: radiators and pipes"),
    "lifts": ("equipment", "Lifts"),
    "electrical": ("equipment", "Electrical wiring and panels"),
    "ventilation": ("equipment", "Ventilation"),
}
ANSWERS = ("accepted", "refused", "fixed")


def kind_of(text_en: str) -> str:
    """What is defective, read from the first line the portal wrote in English; empty where it is not such a line."""
    first = text_en.split("\n", 1)[0]
    for kind, (group, label) in KINDS.items():
        if first == f"Defect of a new house: {GROUPS[group]}, {label}.":
            return kind
    return ""


def answer_of(changes: Any, tz: str) -> tuple[str, date | None] | None:
    """The answer an audit row of ``ticket.developer_answer`` names, and for «accepted» the promised day."""
    noted = json.loads(changes) if isinstance(changes, str) else changes
    answer = noted.get("answer") if isinstance(noted, dict) else None
    if answer not in ANSWERS:
        return None
    deadline = noted.get("deadline")
    if answer != "accepted" or not isinstance(deadline, list) or len(deadline) != 2 or not deadline[1]:
        return answer, None
    return answer, datetime.fromisoformat(deadline[1]).astimezone(ZoneInfo(tz)).date()


async def _kinds() -> int:
    from portal.tickets.tables import Ticket

    last, done = 0, 0
    wanted = (Ticket.category == "warranty_defect") & (Ticket.defect_kind == "")
    columns = (Ticket.id, Ticket.description_en)
    while rows := await Ticket.select(*columns).where(wanted & (Ticket.id > last)).order_by(Ticket.id).limit(CHUNK):
        for row in rows:
            if kind := kind_of(row["description_en"] or ""):
                await Ticket.update({Ticket.defect_kind: kind}).where(Ticket.id == row["id"])
                done += 1
        last = rows[-1]["id"]
    return done


async def _answers(tz: str) -> int:
    from portal.core.tables import AuditEvent
    from portal.tickets.tables import Ticket

    answers: dict[int, tuple[str, date | None]] = {}
    last = 0
    wanted = (AuditEvent.action == "ticket.developer_answer") & (AuditEvent.entity == "ticket")
    columns = (AuditEvent.id, AuditEvent.entity_id, AuditEvent.changes)
    while rows := await _audit_rows(wanted, columns, last):
        for row in rows:
            if row["entity_id"] is not None and (answered := answer_of(row["changes"], tz)):
                answers[row["entity_id"]] = answered  # the last answer of a request is the one it stands at
        last = rows[-1]["id"]
    for ticket_id, (answer, promised_on) in sorted(answers.items()):
        values = {Ticket.developer_answer: answer, Ticket.developer_promised_on: promised_on}
        await Ticket.update(values).where((Ticket.id == ticket_id) & (Ticket.developer_answer == ""))
    return len(answers)


async def _audit_rows(wanted: Any, columns: Any, after: int) -> list[dict[str, Any]]:
    from portal.core.tables import AuditEvent

    query = AuditEvent.select(*columns).where(wanted & (AuditEvent.id > after))
    return await query.order_by(AuditEvent.id).limit(CHUNK).output(load_json=True)


async def backfill() -> int:
    """Fill what is known; returns how many requests were given a kind or an answer."""
    from portal.settings import get_settings

    return await _kinds() + await _answers(get_settings().time_zone)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
