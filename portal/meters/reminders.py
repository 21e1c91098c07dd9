"""The reminder job of meter readings: every hour, in the embedded scheduler or on the SAQ worker alike, it sends
what is due today (``actions.send_reminders``); each reminder is kept once per account and period (or verification
date) by the database, so a run repeated, or run by two workers at once, sends nothing twice."""

from __future__ import annotations

from datetime import datetime

from portal.core import clock
from portal.core import jobs
from portal.meters import actions
from portal.meters import rules
from portal.settings import get_settings


def window() -> rules.Window:
    """The days readings are collected, as the settings give them (METER_WINDOW_START_DAY, METER_WINDOW_END_DAY)."""
    settings = get_settings()
    return rules.Window(settings.meter_window_start_day, settings.meter_window_end_day)


def house_window() -> rules.Window:
    """The days house (ОДПУ) meters are read, as the settings give them (HOUSE_WINDOW_START_DAY, …_END_DAY)."""
    settings = get_settings()
    return rules.Window(settings.house_window_start_day, settings.house_window_end_day)


@jobs.register("meter-reminders", 3600)
async def meter_reminders(now: datetime) -> int:
    return await actions.send_reminders(clock.local(now).date(), window())
