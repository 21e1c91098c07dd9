"""The rules of rounds (ПП № 491 п. 13–14: inspections recorded in an act; remarks become requests)."""

from datetime import date

import pytest

from portal.inspections.rules import Answered
from portal.inspections.rules import overdue
from portal.inspections.rules import to_file


def test_a_round_files_a_request_for_each_remark_not_fixed_on_the_spot_and_not_filed_yet():
    answers = [
        Answered(1, "ok", False, None),
        Answered(2, "remark", False, None),
        Answered(3, "remark", True, None),  # fixed on the spot
        Answered(4, "remark", False, 55),  # filed already
        Answered(5, "remark", False, None),
        Answered(6, "ok", True, None),  # «в порядке» never files, whatever the box said
    ]
    assert [a.id for a in to_file(answers)] == [2, 5]


@pytest.mark.parametrize(
    ("last", "today", "days", "late"),
    [
        (None, date(2026, 12, 6), 30, True),
        (date(2026, 11, 6), date(2026, 12, 6), 30, False),
        (date(2026, 11, 5), date(2026, 12, 6), 30, True),
        (date(2026, 12, 6), date(2026, 12, 6), 1, False),
    ],
)
def test_a_house_is_overdue_with_no_round_in_the_setting_s_days(last, today, days, late):
    assert overdue(last, today, days) is late
