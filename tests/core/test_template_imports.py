"""A macro imports nothing itself: the templates that hold macros import their components once, at the top.

An import inside a macro runs on every call (Jinja looks the imported module up again and compares its globals
with the caller's each time): the staff request list called three such macros on each of its rows, a seventh of
the list's Python calls (bench/RESULTS.md, «The staff request list's rows»).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from jinja2 import nodes

ROOT = Path(__file__).resolve().parents[2]


def _imports_inside_macros(source: str) -> list[tuple[str, int]]:
    tree = Environment(autoescape=True, extensions=["jinja2.ext.i18n"]).parse(source)
    return [
        (macro.name, found.lineno)
        for macro in tree.find_all(nodes.Macro)
        for found in macro.find_all((nodes.Import, nodes.FromImport))
    ]


def test_no_macro_imports_inside_itself():
    found = [
        f"{path.relative_to(ROOT)}:{line} (macro {name})"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for name, line in _imports_inside_macros(path.read_text(encoding="utf-8"))
    ]
    assert not found, found


def test_an_import_inside_a_macro_is_found():
    source = '{% macro row(t) %}{% from "components/ui.html" import badge %}{{ badge(t) }}{% endmacro %}'
    assert _imports_inside_macros(source) == [("row", 1)]
