"""Every trail of breadcrumbs parts its links by one «›»: written in the template, not added by the stylesheet as
well (a rule that added «›» before every second link showed «Платные услуги / › Сантехника»)."""

from __future__ import annotations

import re
from pathlib import Path

from portal.settings import ROOT

TRAIL = re.compile(r'class="breadcrumbs"[^>]*>(.*?)</(?:p|nav|div)>', re.S)
LINK = re.compile(r"<a\b[^>]*>.*?</a>", re.S)
JINJA = re.compile(r"\{[%#].*?[%#]\}", re.S)
ADDED = re.compile(r"\.breadcrumbs\s+a\s*\+\s*a::before\s*\{[^}]*content:\s*\"([^\"]*)\"")


def _trails() -> list[tuple[str, list[str]]]:
    """Each trail of two links or more: its template, and the text written between each two links."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for trail in TRAIL.finditer(path.read_text(encoding="utf-8")):
            between = [JINJA.sub("", part).strip() for part in LINK.split(trail.group(1))[1:-1]]
            if between:
                found.append((str(path.relative_to(ROOT)), between))
    return found


def test_the_links_of_a_trail_are_parted_by_one_separator():
    css = "".join(p.read_text(encoding="utf-8") for p in Path(ROOT / "static" / "css").glob("*.css"))
    added = "".join(ADDED.findall(css))
    trails = _trails()
    assert len(trails) >= 5, "the staff and resident pages have trails of two steps"
    shown = {template: [(added + between).strip() for between in parts] for template, parts in trails}
    assert {t: parts for t, parts in shown.items() if any(p != "›" for p in parts)} == {}
