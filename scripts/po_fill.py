"""Fill Russian translations into a domain's catalog: `python scripts/po_fill.py DOMAIN [LANG] < pairs.tsv`.

Each input line is `English msgid<TAB>Russian text`; for a plural entry give the singular msgid and the
three Russian forms separated by ` | ` (LANG `en`: the English catalog's own text where it differs from the
msgid, such as a number bound to its unit, with its two plural forms); for a message with a context (`pgettext`),
`context|msgid`. Lines starting with # are skipped. In both fields, `\n` stands for a line break (an e-mail's text
of several lines). Prints what is still untranslated.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    domain = sys.argv[1]
    lang = sys.argv[2] if len(sys.argv) > 2 else "ru"
    path = ROOT / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    for line in sys.stdin.read().splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        msgid, text = (field.replace("\\n", "\n") for field in line.split("\t", 1))
        message = catalog.get(msgid)
        if message is None and "|" in msgid:
            context, _, bare = msgid.partition("|")
            message = catalog.get(bare, context)
        if message is None:
            print(f"not in catalog: {msgid!r}", file=sys.stderr)
            continue
        if isinstance(message.id, tuple | list):
            forms = [f.strip() for f in text.split(" | ")]
            count = catalog.num_plurals
            message.string = tuple((forms * count)[:count]) if len(forms) < count else tuple(forms[:count])
        else:
            message.string = text
        message.flags.discard("fuzzy")
    with path.open("wb") as fp:
        write_po(fp, catalog, width=120, omit_header=False, sort_output=True)
    if lang != "ru":  # an English msgid is its own text: an empty translation is no gap
        return
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    for m in missing:
        print(f"untranslated: {m!r}")


if __name__ == "__main__":
    main()
