"""A resident's rating of what was done for them (a request's work, an ordered service, a visit to the client
centre): a mark from 1 (bad) to 5 (excellent) and an optional comment, read the same everywhere and asked by one
piece of page (``components/ui.html`` ``rating``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.parse import parse_int
from portal.core.web import FormErrors
from portal.core.web import form_value

MARKS = range(1, 6)
MAX_FEEDBACK = 2000  # the comment's column holds any text; a longer one is refused, never cut short in silence


def valid_rating(value: object) -> int | None:
    """A rating 1–5, or None when ``value`` is not one."""
    return parse_int(value, low=MARKS.start, high=MARKS.stop - 1)


def typed_rating(data: Mapping[str, Any]) -> dict[str, str]:
    """The mark and the comment as sent, for the form shown again with its message."""
    return {name: form_value(data, name) for name in ("rating", "feedback")}


def read_rating(data: Mapping[str, Any]) -> tuple[tuple[int, str] | None, FormErrors]:
    """The mark and the comment, or None with a message at the field that is wrong (what was typed stays in
    ``data``: the page shows it again)."""
    errors = FormErrors()
    rating = valid_rating(form_value(data, "rating"))
    if rating is None:
        errors.add("rating", gettext("Choose a rating from 1 to 5."))
    feedback = form_value(data, "feedback")
    if len(feedback) > MAX_FEEDBACK:
        errors.add(
            "feedback",
            ngettext(
                "The text is too long: at most %(num)s character.",
                "The text is too long: at most %(num)s characters.",
                MAX_FEEDBACK,
            ),
        )
    return (None, errors) if errors or rating is None else ((rating, feedback), errors)
