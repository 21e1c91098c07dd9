"""A list the templates give a class is drawn by a rule of the stylesheet: a class no rule names leaves the
browser's bullets and indent, as the owners' meetings list had at 390 px (cards with a dot beside each, pushed
right by 40 px), because it was given «card-list», which no rule styles."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIST_CLASS = re.compile(r'<(?:ul|ol)\b[^>]*\bclass="([^"{]*)"')
# Classes that only name a list whose numbers or bullets are meant: the agenda's questions are numbered, the
# outages under a charge are a bulleted list of sentences.
NAMES_ONLY = {"agenda", "billing-outages"}


def test_every_class_given_to_a_list_is_styled():
    stylesheets = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "static" / "css").glob("*.css"))
    styled = set(re.findall(r"\.([A-Za-z][\w-]*)", stylesheets))
    unstyled = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "templates").rglob("*.html")
        for classes in LIST_CLASS.findall(path.read_text(encoding="utf-8"))
        for name in classes.split()
        if name not in styled and name not in NAMES_ONLY
    )
    assert not unstyled, unstyled
