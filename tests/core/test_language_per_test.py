"""The harness gives each test the default language: a test that switches to English and leaves it does not make
the tests after it read English (they ran in the process's context, where the language set stayed)."""

from __future__ import annotations

from portal.core.i18n import DEFAULT_LOCALE
from portal.core.i18n import get_locale
from portal.core.i18n import set_locale


def test_a_test_that_reads_english_and_leaves_it_set():
    set_locale("en")
    assert get_locale() == "en"


def test_the_next_test_starts_in_the_default_language():
    assert get_locale() == DEFAULT_LOCALE


async def test_an_async_test_after_it_starts_in_the_default_language_too():
    set_locale("en")  # and leaves it: the next sync test must not see it either
    assert get_locale() == "en"


def test_a_sync_test_after_an_async_one_starts_in_the_default_language():
    assert get_locale() == DEFAULT_LOCALE
