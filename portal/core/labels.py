"""Words for the members of an enum, written once as a table and translated when they are shown."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from portal.core.i18n import LazyText

K = TypeVar("K", bound=Hashable)


class Labels(dict[K, LazyText]):
    """A table ``member → lazy("words")`` that reads as a function: ``form_label(meeting.form)`` gives the words
    in the current language (templates call it the same way). A code the table does not know is shown as it is
    rather than failing the page (a row written before a member was renamed)."""

    def __call__(self, key: K) -> str:
        return self.shown(key)

    def shown(self, key: K | str | None) -> str:
        """The words of ``key``, or the key itself when the table has none ("" for None): for a code that comes
        from outside the table (a query string, an older row)."""
        if key is None:
            return ""
        return self.known(key) or str(key)

    def known(self, key: K | str) -> str:
        """The words of ``key``, or "" when the table has none (a code shown only when it is one of the table's)."""
        made = self.get(key)  # type: ignore[call-overload]
        return made() if made else ""
