"""Stripe's form encoding: nested keys in bracket notation (``a[b][0][c]=1``), arrays by index."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import parse_qsl

_PART = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """A malformed parameter name."""

    def __init__(self, param: str) -> None:
        super().__init__(param)
        self.param = param


def parse_pairs(body: bytes | str) -> list[tuple[str, str]]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return parse_qsl(text, keep_blank_values=True)


def _path(name: str) -> list[str]:
    head, _, rest = name.partition("[")
    if not head:
        raise FormError(name)
    parts = [head]
    if rest:
        rest = "[" + rest
        pos = 0
        for match in _PART.finditer(rest):
            if match.start() != pos:
                raise FormError(name)
            parts.append(match.group(1))
            pos = match.end()
        if pos != len(rest):
            raise FormError(name)
    return parts


def _listify(node: Any) -> Any:
    """Dicts whose keys are all indices 0..n-1 become lists."""
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            indices = sorted(int(k) for k in node)
            if indices == list(range(len(indices))):
                return [node[str(i)] for i in indices]
    return node


def nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``[("a[b]", "1"), ("c[0]", "x")]`` → ``{"a": {"b": "1"}, "c": ["x"]}``."""
    root: dict[str, Any] = {}
    for name, value in pairs:
        parts = _path(name)
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return _listify(root)


def fingerprint(method: str, path: str, pairs: list[tuple[str, str]]) -> str:
    """What makes two requests "the same parameters" for idempotency."""
    digest = hashlib.sha256()
    digest.update(f"{method} {path}\n".encode())
    for name, value in sorted(pairs):
        digest.update(f"{name}={value}\n".encode())
    return digest.hexdigest()
