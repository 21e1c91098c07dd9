"""What the templates of the tickets domain need to show codes as words (translated at render time)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal.core.i18n import gettext, ngettext
from portal.tickets import deadlines, filters, rules


def _duration(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = ngettext("%(num)d day", "%(num)d days", days)
        return text + (" " + ngettext("%(num)d h", "%(num)d h", hours) if hours else "")
    if hours:
        return ngettext("%(num)d h", "%(num)d h", hours) + (
            " " + ngettext("%(num)d min", "%(num)d min", mins) if mins else ""
        )
    return ngettext("%(num)d min", "%(num)d min", mins)


class TicketView:
    """Passed to templates as ``tk``."""

    status = staticmethod(lambda code: rules.label(rules.STATUS_LABELS, code))
    type = staticmethod(lambda code: rules.label(rules.TYPE_LABELS, code))
    category = staticmethod(rules.category_label)
    source = staticmethod(lambda code: rules.label(rules.SOURCE_LABELS, code))
    place = staticmethod(lambda code: rules.label(rules.PLACE_LABELS, code))
    internal = staticmethod(lambda code: rules.label(rules.INTERNAL_STATUS_LABELS, code))
    flag = staticmethod(lambda code: rules.label(filters.FLAG_FILTER_LABELS, code))
    outage_service = staticmethod(lambda code: rules.label(rules.OUTAGE_LABELS, code))
    column = staticmethod(lambda code: rules.label(filters.COLUMNS, code))
    tab = staticmethod(lambda code: rules.label(filters.TABS, code))
    term = staticmethod(deadlines.describe)

    FLAGS = rules.FLAGS
    FLAG_FILTERS = filters.FLAG_FILTERS
    STATUSES = [s.value for s in rules.Status]
    TYPES = [t.value for t in rules.TicketType]
    SOURCES = [s.value for s in rules.Source]
    INTERNAL = list(rules.INTERNAL_STATUS_LABELS)
    PLACES = list(rules.PLACE_LABELS)
    COMMON_PLACES = rules.COMMON_PLACES
    CATEGORIES = rules.CATEGORIES
    COLUMNS = list(filters.COLUMNS)
    TABS = list(filters.TABS)
    OUTAGE_SERVICES = list(rules.OUTAGE_LABELS)
    MAX_PHOTOS = rules.MAX_PHOTOS

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def badge_class(row: dict[str, Any], now: datetime | None = None) -> str:
        return {"new": "new", "reopened": "new", "accepted": "accepted", "in_work": "in_work", "done": "done"}.get(
            row["status"], "closed"
        )

    @staticmethod
    def overdue(row: dict[str, Any], now: datetime | None = None) -> bool:
        return rules.is_overdue(row["status"], row.get("deadline"), row.get("completed_at"), now or datetime.now(UTC))

    @staticmethod
    def countdown(row: dict[str, Any], now: datetime | None = None) -> str:
        """«Осталось 1 ч 30 мин» / «Просрочена на 2 ч» / «Выполнена»."""
        now = now or datetime.now(UTC)
        if row["status"] not in rules.ACTIVE:
            return ""
        kind, minutes = rules.countdown(row.get("deadline"), now)
        if kind == "none":
            return gettext("Deadline by agreement")
        if kind == "overdue":
            return gettext("Overdue by %(time)s", time=_duration(minutes))
        return gettext("%(time)s left", time=_duration(minutes))

    @staticmethod
    def flags_of(row: dict[str, Any]) -> list[str]:
        return [f for f in (*rules.FLAGS, "paid_for") if row.get(f)]

    @staticmethod
    def address(row: dict[str, Any]) -> str:
        address = row.get("address") or ""
        if row.get("place") and row["place"] != "premise":
            place = rules.label(rules.PLACE_LABELS, row["place"])
            if row.get("entrance_number"):
                return gettext(
                    "%(address)s, entrance %(n)s, %(place)s",
                    address=address,
                    n=row["entrance_number"],
                    place=place.lower(),
                )
            return f"{address}, {place.lower()}"
        if row.get("premise_number"):
            return gettext("%(address)s, flat %(n)s", address=address, n=row["premise_number"])
        return address

    @staticmethod
    def event_text(event: dict[str, Any]) -> str:
        kind = event["kind"]
        if kind == "created":
            return gettext("Request filed")
        if kind == "status":
            return gettext("Status: %(status)s", status=rules.label(rules.STATUS_LABELS, event["to_value"]))
        if kind == "executor":
            return (
                gettext("Executor: %(name)s", name=event["comment"] or "—")
                if event["to_value"]
                else gettext("Executor removed")
            )
        if kind == "rating":
            return gettext("Rated %(n)s of 5", n=event["to_value"])
        if kind == "deadline":
            return gettext("Deadline changed")
        if kind == "control_date":
            return gettext("Control date: %(value)s", value=event["to_value"] or "—")
        if kind == "category":
            return gettext("Category: %(value)s", value=rules.category_label(event["to_value"]))
        if kind == "type":
            return gettext("Type: %(value)s", value=rules.label(rules.TYPE_LABELS, event["to_value"]))
        if kind == "internal_status":
            return gettext(
                "Internal status: %(value)s", value=rules.label(rules.INTERNAL_STATUS_LABELS, event["to_value"])
            )
        if kind == "flag":
            name, _, on = event["to_value"].partition("=")
            label = rules.label(filters.FLAG_FILTER_LABELS, name)
            return (
                gettext("Flag set: %(flag)s", flag=label)
                if on == "1"
                else gettext("Flag removed: %(flag)s", flag=label)
            )
        if kind == "outage":
            return gettext("Linked to an outage") if event["to_value"] else gettext("Unlinked from the outage")
        if kind == "note":
            return gettext("Internal note")
        return ""


TK = TicketView()
