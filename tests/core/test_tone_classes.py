"""Text the templates give a state's class — «ok», «bad», «warning-text»… — is drawn in that state's colour from
the stylesheet's tokens, and reads on the page and on a card (WCAG AA, 4.5:1). The payment's «Платёж зачислен» /
«Платёж отклонён» and the vote's «После подтверждения бюллетени изменить нельзя» were given such classes, which
no rule named: they showed in plain black, as any other line."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLASSES = re.compile(r'\bclass="([^"{]*)"')
TONE = re.compile(r"^(?:ok|bad|(?:success|warning|danger|error)-text)$")
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
COLOUR = re.compile(r"(?<![\w-])color:\s*var\((--[\w-]+)\)")


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_counted_as_wcag_does():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0 and contrast("#767676", "#ffffff") >= 4.5


def test_every_state_class_given_to_text_is_coloured_by_a_token_that_reads():
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "static" / "css" / "portal.css").read_text(encoding="utf-8"), flags=re.S)
    root = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", css.split(":root", 1)[1].split("}", 1)[0]))
    backgrounds = {"the page": root["--bg"], "a card": root["--surface"]}
    used = {
        name: path.relative_to(ROOT)
        for path in (ROOT / "templates").rglob("*.html")
        for classes in CLASSES.findall(path.read_text(encoding="utf-8"))
        for name in classes.split()
        if TONE.match(name)
    }
    assert {"ok", "bad", "warning-text"} <= set(used)  # the payment's outcome and the vote's warning
    problems = []
    for name, path in sorted(used.items()):
        tokens = [
            token
            for selector, body in RULE.findall(css)
            if re.search(rf"\.{re.escape(name)}(?![\w-])", selector)
            for token in COLOUR.findall(body)
        ]
        if not tokens:
            problems.append(f"{path}: «{name}» has no rule with a colour token")
        for token in tokens:
            for where, background in backgrounds.items():
                if token not in root or contrast(root[token], background) < 4.5:
                    problems.append(f"«{name}»: {token} reads below 4.5:1 on {where}")
    assert not problems, problems
