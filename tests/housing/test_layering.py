"""Housing is the bottom domain: the others read its tables and call its functions, never the other way round
(accounts keeps the people of the houses' accounts and imports housing's tables). Its reads, rules, forms and
actions import only core; the staff pages of an account, which show a balance, requests and the people of the
account beside the housing facts, are the one place that reads the domains above."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HOUSING = Path(__file__).resolve().parents[2] / "portal" / "housing"
PAGES = {"routes.py", "routes_edit.py"}
DOMAINS = {p.name for p in HOUSING.parent.iterdir() if (p / "piccolo_app.py").exists()} - {"core", "housing"}


def _domains_imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
        found |= {n.split(".")[1] for n in names if n.startswith("portal.") and n.count(".") >= 1}
    return found & DOMAINS


@pytest.mark.parametrize("module", sorted(p.name for p in HOUSING.glob("*.py") if p.name not in PAGES))
def test_housing_imports_no_domain_above_it(module):
    assert _domains_imported(HOUSING / module) == set()
