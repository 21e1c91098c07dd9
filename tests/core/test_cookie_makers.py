"""Every cookie the portal writes comes from ``portal.core.cookies``, so none leaves Secure off over HTTPS: no
other module builds a ``Cookie``, passes ``Response.set_cookie`` a key and value of its own, deletes with
``delete_cookie`` (it rebuilds the cookie without Secure) or hands a response ``cookies={...}`` as a mapping."""

from __future__ import annotations

import ast
from pathlib import Path

import portal

ROOT = Path(portal.__file__).parent

MAKERS = {"cookie", "expired"}


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _from_cookies_module(node: ast.expr) -> bool:
    """``cookies.cookie(...)`` or ``cookies.expired(...)``."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MAKERS


def _own_cookies(tree: ast.AST, relative: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        if called == "Cookie":
            found.append(f"{relative}:{node.lineno} builds Cookie(...)")
        elif called == "delete_cookie":
            found.append(f"{relative}:{node.lineno} calls .delete_cookie(...)")
        elif called == "set_cookie" and (
            node.keywords or len(node.args) != 1 or not _from_cookies_module(node.args[0])
        ):
            found.append(f"{relative}:{node.lineno} calls .set_cookie(...) with a cookie of its own")
        found.extend(
            f"{relative}:{node.lineno} passes cookies= as a mapping"
            for keyword in node.keywords
            if keyword.arg == "cookies" and isinstance(keyword.value, (ast.Dict, ast.DictComp))
        )
    return found


def _offences(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative != "core/cookies.py":
            found.extend(_own_cookies(ast.parse(path.read_text(encoding="utf-8")), relative))
    return found


def test_no_module_but_core_cookies_makes_a_cookie():
    assert _offences(ROOT) == []


def test_the_check_sees_each_way_of_making_a_cookie_by_hand():
    source = """
answer = Response({}, cookies=[Cookie(key="k", value="v")])
answer.set_cookie("k", "v")
answer.set_cookie(cookies.cookie("k", "v"), secure=False)
answer.delete_cookie("k")
Redirect(path="/", cookies={"k": "v"})
answer.set_cookie(cookies.expired("k"))
Response({}, cookies=[cookies.cookie("k", "v")])
"""
    assert sorted(line.split(" ", 1)[0] for line in _own_cookies(ast.parse(source), "x.py")) == [
        "x.py:2",
        "x.py:3",
        "x.py:4",
        "x.py:5",
        "x.py:6",
    ]
