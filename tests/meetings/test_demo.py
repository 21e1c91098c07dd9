"""The demo meetings are called by the portal's own company, as its staff and residents know it."""

from portal.billing.actions import PAYEES
from portal.meetings import demo
from portal.settings import get_settings


def test_the_demo_meetings_are_called_by_the_company_that_runs_the_portal():
    company = next(p["name"] for p in PAYEES if p["code"] == "uk")
    assert company == demo.COMPANY
    assert get_settings().company_name.removeprefix("УК ").strip("«»") in demo.COMPANY
