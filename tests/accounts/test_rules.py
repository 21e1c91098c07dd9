"""Pure rules of identity: logins, phones, access codes, delegated rights, and the 152-ФЗ deadlines."""

from datetime import date

import pytest

from portal.accounts import consent, rules


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+7 978 000-00-01", "+79780000001"),
        ("8 (978) 000-00-01", "+79780000001"),
        ("9780000001", "+79780000001"),
        ("7-978-000-00-01", "+79780000001"),
        ("+7 (3652) 00-00-00", "+73652000000"),
        ("12345", None),
        ("+1 202 555 0100", None),
        ("978abc0001", None),
    ],
)
def test_phones_are_normalised_to_plus_seven(typed, expected):
    assert rules.normalize_phone(typed) == expected


def test_a_login_is_an_email_or_a_phone():
    assert rules.login_kind(" Ivan@Example.RU ") == ("email", "ivan@example.ru")
    assert rules.login_kind("8 978 000 00 01") == ("phone", "+79780000001")
    assert rules.login_kind("ivan") is None


def test_access_codes_are_checked_against_a_salted_hash_in_any_spelling():
    code = rules.new_access_code()
    stored = rules.hash_access_code(code)
    assert code not in stored
    assert rules.check_access_code(stored, rules.format_access_code(code).lower())
    assert not rules.check_access_code(stored, "WRONGCODE1")
    assert not rules.check_access_code(None, code)
    assert rules.hash_access_code(code) != stored  # a new salt each time


def test_voting_is_never_delegated():
    assert rules.rights_for("family", ["pay", "vote", "tickets"]) == ["view", "pay", "tickets"]
    assert rules.rights_for("tenant", []) == ["view"]
    assert rules.rights_for("owner", []) == ["view", "pay", "meters", "tickets"]


def test_withdrawal_on_the_first_of_march_means_deletion_by_the_thirty_first():
    assert rules.consent_deletion_due(date(2026, 3, 1)) == date(2026, 3, 31)


def test_an_access_request_on_monday_13_april_2026_is_due_on_27_april():
    assert rules.access_request_due(date(2026, 4, 13)) == date(2026, 4, 27)


def test_working_days_skip_russian_public_holidays():
    # 30.04.2026 (Thu) + 2 working days: 1 May is a holiday, 2–3 May a weekend → 5 May.
    assert rules.add_working_days(date(2026, 4, 30), 2) == date(2026, 5, 5)


def test_password_rules():
    assert rules.password_problem("short") == "short"
    assert rules.password_problem("aaaaaaaaaa") == "simple"
    assert rules.password_problem("me@example.ru", email="ME@example.ru") == "email"
    assert rules.password_problem("a good pass 1") is None


def test_the_consent_version_changes_with_any_word_of_the_text():
    base = consent.current_version()
    assert base == consent.version_of(consent.TEXTS)
    changed = {**consent.TEXTS, "en": consent.TEXTS["en"].replace("30 days", "31 days")}
    assert consent.version_of(changed) != base
    assert "152-ФЗ" in consent.text("ru") and "152-FZ" in consent.text("en")
