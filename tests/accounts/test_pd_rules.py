"""The 152-ФЗ duties as pure rules (DOMAIN.md §6): what may still be sent after a withdrawal, the erasure date,
the access and correction deadlines — each from the one production calendar (core.calendar)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts import rules
from portal.accounts.rules import ConsentType
from portal.accounts.rules import DataRequestKind
from portal.accounts.rules import ErasureOutcome

ALL = {ConsentType.PROCESSING, ConsentType.DISSEMINATION, ConsentType.MARKETING}
PROCESSING = {ConsentType.PROCESSING}
NONE: set[str] = set()


# DOMAIN §6: billing and performing the management contract need no consent (ст. 6 ч. 1 п. 5); marketing,
# surveys, photos do. Emergencies and debt reach a person who withdrew; news and offers do not.
@pytest.mark.parametrize(
    ("topic", "standing", "sent"),
    [
        ("emergency", NONE, True),
        ("account", NONE, True),  # debt, payments, requests, readings
        ("notice", NONE, True),  # planned works, meetings (ЖК ст. 45)
        ("news", NONE, False),
        ("survey", NONE, False),
        ("marketing", NONE, False),
        ("news", PROCESSING, True),
        ("survey", PROCESSING, True),
        ("marketing", PROCESSING, False),  # offers need the separate marketing consent
        ("marketing", {ConsentType.MARKETING}, False),  # … and the processing one
        ("marketing", ALL, True),
        ("emergency", ALL, True),
        ("something-new", PROCESSING, False),  # an unknown topic needs every consent
        ("something-new", ALL, True),
    ],
)
def test_which_messages_may_be_sent_after_a_withdrawal(topic, standing, sent):
    assert rules.may_send(topic, standing) is sent


@pytest.mark.parametrize(
    ("withdrawn", "due"),
    [
        (date(2026, 3, 1), date(2026, 3, 31)),  # DOMAIN §6's test: 01.03 → 31.03
        (date(2025, 10, 2), date(2025, 11, 1)),  # the 30th day is the working Saturday 01.11.2025
        (date(2025, 10, 3), date(2025, 11, 5)),  # 02.11 Sunday, 03.11 moved day off, 04.11 holiday (ГК ст. 193)
        (date(2025, 12, 2), date(2026, 1, 12)),  # 01.01 falls in the New Year holidays
    ],
)
def test_the_erasure_date_is_thirty_days_after_the_withdrawal(withdrawn, due):
    assert rules.erasure_due(withdrawn) == due
    assert rules.data_request_due(DataRequestKind.ERASURE, withdrawn) == due


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        (date(2026, 4, 13), date(2026, 4, 27), date(2026, 5, 5)),  # DOMAIN §6 test; the 5 more skip 01.05
        (date(2025, 10, 30), date(2025, 11, 14), date(2025, 11, 21)),  # 01.11.2025 is a working Saturday
        (date(2025, 10, 24), date(2025, 11, 10), date(2025, 11, 17)),
    ],
)
def test_an_access_request_is_answered_within_ten_working_days_or_fifteen_with_notice(received, due, extended):
    assert rules.access_request_due(received) == due
    assert rules.access_request_due(received, extended=True) == extended
    assert rules.data_request_due(DataRequestKind.ACCESS, received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 4, 13), date(2026, 4, 22)),  # ст. 20 ч. 3: 7 working days
        (date(2025, 10, 27), date(2025, 11, 6)),  # counts 01.11.2025, skips 03.11 and 04.11
        (date(2025, 10, 24), date(2025, 11, 5)),
    ],
)
def test_a_correction_is_made_within_seven_working_days(received, due):
    assert rules.correction_due(received) == due
    assert rules.data_request_due(DataRequestKind.CORRECTION, received) == due


@pytest.mark.parametrize(
    ("received", "stop", "dissemination"),
    [
        (date(2026, 4, 13), date(2026, 4, 27), date(2026, 4, 16)),  # ст. 21 ч. 5.1; ст. 10.1: 3 working days
        (date(2025, 10, 30), date(2025, 11, 14), date(2025, 11, 5)),  # 31.10, 01.11 (Saturday), 05.11
    ],
)
def test_demands_to_stop_processing_and_dissemination(received, stop, dissemination):
    assert rules.stop_processing_due(received) == stop
    assert rules.stop_dissemination_due(received) == dissemination


@pytest.mark.parametrize(
    ("again", "links", "outcome"),
    [
        (True, 0, ErasureOutcome.CANCELLED),
        (True, 2, ErasureOutcome.CANCELLED),
        (False, 1, ErasureOutcome.RESTRICTED),  # DOMAIN §6: "unless a contract ground exists"
        (False, 0, ErasureOutcome.ANONYMISED),
    ],
)
def test_what_the_erasure_date_does(again, links, outcome):
    assert rules.erasure_outcome(consent_given_again=again, open_account_links=links) is outcome
