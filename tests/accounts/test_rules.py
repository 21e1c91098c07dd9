"""Pure rules of identity: logins, phones, access codes, delegated rights, and the 152-ФЗ deadlines."""

from datetime import date

import pytest

from portal.accounts import consent
from portal.accounts import rules
from portal.core.security import ResidentRole


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


def test_an_access_code_is_derived_per_account_and_generation_and_read_in_any_spelling():
    code = rules.derive_access_code("secret", 7, 0)
    assert len(code) == rules.CODE_LENGTH and set(code) <= set(rules.CODE_ALPHABET)
    assert code != rules.derive_access_code("secret", 8, 0) != rules.derive_access_code("secret", 7, 1)
    assert rules.clean_access_code(rules.format_access_code(code).lower()) == code


def test_voting_is_never_delegated():
    assert rules.rights_for("family", ["pay", "vote", "tickets"]) == ["view", "pay", "tickets"]
    assert rules.rights_for("tenant", []) == ["view"]
    assert rules.rights_for("owner", []) == ["view", "pay", "meters", "tickets"]


def test_withdrawal_on_the_first_of_march_means_deletion_by_the_thirty_first():
    assert rules.consent_deletion_due(date(2026, 3, 1)) == date(2026, 3, 31)


def test_an_access_request_on_monday_13_april_2026_is_due_on_27_april():
    assert rules.access_request_due(date(2026, 4, 13)) == date(2026, 4, 27)


def test_a_152_fz_deadline_counts_the_working_saturday_of_1_november_2025():
    # 10 working days from Thursday 30.10.2025: 31.10, Saturday 01.11 (worked instead of 03.11), 05.11 … 14.11.
    # A calendar of plain weekdays would skip 01.11 and answer 17.11.
    assert rules.access_request_due(date(2025, 10, 30)) == date(2025, 11, 14)
    # 27.12.2024 + 1 working day is Saturday 28.12.2024 (worked instead of 30.12).
    assert rules.access_request_due(date(2024, 12, 27)) == date(2025, 1, 21)


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


OWNER, TENANT, FAMILY = ResidentRole.OWNER, ResidentRole.TENANT, ResidentRole.FAMILY


@pytest.mark.parametrize(
    ("requested", "named", "granted"),
    [
        (OWNER, True, OWNER),
        (OWNER, False, None),  # "owner" only when the register says so (or staff invite as the owner)
        (TENANT, False, TENANT),
        (TENANT, True, TENANT),
        (FAMILY, True, None),  # family members join by an owner's invitation, never by the code
        ("admin", True, None),
    ],
)
def test_the_role_a_link_by_code_grants(requested, named, granted):
    assert rules.role_on_link(requested, named_owner=named) == granted


@pytest.mark.parametrize(("standing", "allowed"), [(None, True), (FAMILY, False), (TENANT, False), (OWNER, False)])
def test_a_link_never_changes_a_standing_residency(standing, allowed):
    assert rules.may_link(standing) is allowed


@pytest.mark.parametrize(
    ("actor", "target", "own", "allowed"),
    [
        (OWNER, FAMILY, False, True),
        (OWNER, TENANT, False, True),
        (OWNER, OWNER, False, False),  # owners change by the register and staff, not by each other
        (OWNER, FAMILY, True, False),
        (FAMILY, OWNER, False, False),
        (FAMILY, FAMILY, False, False),
        (TENANT, FAMILY, False, False),
        (None, FAMILY, False, False),
    ],
)
def test_who_may_revoke_whom(actor, target, own, allowed):
    assert rules.may_revoke(actor_role=actor, target_role=target, own=own) is allowed


@pytest.mark.parametrize(
    ("role", "staff", "shown"),
    [(OWNER, False, True), (FAMILY, False, False), (TENANT, False, False), (None, True, True), (None, False, False)],
)
def test_the_access_code_is_shown_only_to_those_who_may_register_with_it(role, staff, shown):
    assert rules.may_see_access_code(residency_role=role, staff_in_house=staff) is shown


@pytest.mark.parametrize(
    ("email", "phone", "named"),
    [
        ("owner@example.ru", None, True),
        ("OWNER@example.ru ", None, True),
        (None, "+79780000001", True),  # the register writes phones any way: «8 (978) 000-00-01»
        ("other@example.ru", "+79780000009", False),
        (None, None, False),  # nothing confirmed: nothing to match
    ],
)
def test_the_register_names_a_user_by_a_confirmed_email_or_phone(email, phone, named):
    owners = [
        rules.OwnerContact(email="Owner@Example.ru", phone=""),
        rules.OwnerContact(email="", phone="8 (978) 000-00-01"),
    ]
    assert rules.registry_names(owners, email=email, phone=phone) is named


def test_a_sign_in_is_counted_once_per_user_whichever_login_was_typed():
    assert rules.sign_in_bucket(5, "ivan@example.ru") == rules.sign_in_bucket(5, "+7 978 000-00-01") == "user:5"
    assert rules.sign_in_bucket(None, " Nobody@Example.ru") == "login:nobody@example.ru"
    assert rules.sign_in_bucket(None, "8 978 000 00 01") == "login:+79780000001"


@pytest.mark.parametrize(
    ("saved", "chosen", "seconds_ago", "starts_in"),
    [
        ("en", None, 0, "en"),  # no choice here: the saved language, whatever the browser says
        ("ru", ["en", 0], 60, "en"),  # chosen on the sign-in page a minute ago: the person's choice
        ("en", ["ru", 0], 30 * 60, "ru"),  # half an hour is still the same visit
        ("en", ["ru", 0], 30 * 60 + 1, "en"),  # an older choice on this computer was somebody else's
        ("en", ["ru", 0], -5, "en"),  # a choice from the future is none
        ("ru", ["de", 0], 60, "ru"),  # not a language of the portal
        ("ru", "en", 60, "ru"),  # not what the switch keeps
        ("ru", ["en", "0"], 60, "ru"),
    ],
)
def test_the_language_a_session_starts_in(saved, chosen, seconds_ago, starts_in):
    now = 1_800_000_000.0
    kept = [chosen[0], now - seconds_ago] if isinstance(chosen, list) and chosen[1] == 0 else chosen
    assert rules.language_at_sign_in(saved, kept, now, ("ru", "en")) == starts_in
