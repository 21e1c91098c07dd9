"""Boosted navigation swaps what is inside <body> and keeps <body>'s own attributes from the first page loaded,
so nothing that differs between pages (the staff or resident layout, the CSRF header) may sit on <body>."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_the_layout_classes_and_the_csrf_header_sit_inside_the_swapped_body() -> None:
    base = (ROOT / "templates" / "base.html").read_text()
    body = re.search(r"<body[^>]*>", base)
    assert body and "class=" not in body.group() and "hx-headers" not in body.group(), body
    css = (ROOT / "static" / "css" / "portal.css").read_text()
    on_body = set(re.findall(r"body\.([\w-]+)", css)) - {"print-view"}  # the print page is never boosted
    assert not on_body, f"style .layout-… instead of body.…: {sorted(on_body)}"
