"""The decisions of the house's documents, without a database: who among staff changes a document, how a size
and a file name are written."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.documents import rules


@pytest.mark.parametrize(
    ("scope", "company_wide", "houses", "may"),
    [
        (None, True, [], True),  # staff of every house: any document
        (None, False, [1, 2], True),
        (frozenset({1}), False, [1], True),
        (frozenset({1}), False, [1, 2], False),  # also another house's: not theirs to hide or replace
        (frozenset({1, 2}), True, [], False),  # the company's: staff of every house only
        (frozenset({1}), False, [], False),
    ],
)
def test_who_among_staff_may_change_a_document(scope, company_wide, houses, may):
    assert rules.may_change(scope, company_wide, houses) is may


@pytest.mark.parametrize(
    ("size", "number", "unit"),
    [
        (1_258_291, Decimal("1.2"), "MB"),
        (1024 * 1024, Decimal("1.0"), "MB"),
        (348_160, Decimal(340), "KB"),
        (100, Decimal(1), "KB"),  # never «0 КБ»
    ],
)
def test_a_size_is_told_in_kilobytes_under_a_megabyte_and_in_megabytes_with_a_decimal(size, number, unit):
    assert rules.size_of(size) == rules.Size(number, unit)


def test_a_file_is_saved_under_its_title_without_the_characters_a_file_name_may_not_hold():
    assert rules.file_name("Отчёт УК за 2025/2026 год: «итоги»") == "Отчёт УК за 2025 2026 год «итоги».pdf"
    assert rules.file_name(' ../"?') == "document.pdf"


@pytest.mark.parametrize(
    ("scope", "was", "becomes", "may"),
    [
        (frozenset({1, 2}), (False, [1]), (False, [2]), True),  # moved between their own houses
        (frozenset({1}), (False, [1, 2]), (False, [1]), False),  # taken off another manager's house
        (frozenset({1}), (False, [1]), (False, [1, 2]), False),  # given to another manager's house
        (frozenset({1}), (True, []), (False, [1]), False),  # the company's made one house's
        (None, (True, []), (False, [1]), True),
    ],
)
def test_who_among_staff_may_change_a_documents_houses(scope, was, becomes, may):
    assert rules.may_edit(scope, *was, *becomes) is may


def test_a_resident_is_new_for_thirty_days_after_their_residency_began():
    began = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert rules.is_newcomer(began, began + timedelta(days=29, hours=23))
    assert not rules.is_newcomer(began, began + timedelta(days=30))
    assert not rules.is_newcomer(None, began)


def test_a_newcomer_is_led_to_the_memos_of_their_houses_and_the_companys_newest_first():
    memos = [
        rules.Memo(9, False, frozenset({2})),
        rules.Memo(8, True, frozenset()),
        rules.Memo(7, False, frozenset({1, 3})),
        rules.Memo(6, False, frozenset({1})),
    ]
    assert rules.newcomer_memos(memos, [1]) == [8, 7]  # two at most, in the order given
    assert rules.newcomer_memos(memos, [3]) == [8, 7]
    assert rules.newcomer_memos(memos, [2, 4]) == [9, 8]
    assert rules.newcomer_memos(memos[2:], [5]) == []
    assert rules.newcomer_memos([rules.Memo(6, False, frozenset({1}))], [1]) == [6]
