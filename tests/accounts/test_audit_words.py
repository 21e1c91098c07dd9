"""The audit log speaks to the administrator in words: each action the portal writes has its label («Смена статуса
заявки», «Request status changed»), each field an event names has the label its form shows, in both languages; the
codes stay underneath (the record type filter's values)."""

from __future__ import annotations

import ast
import html
import re
from enum import StrEnum
from pathlib import Path

import pytest

from portal.core import audit
from portal.core import i18n
from portal.core.security import Principal

PORTAL = Path(__file__).resolve().parents[2] / "portal"


# --- the codes the portal writes, read from the calls of ``audit.record`` in its source ----------------------------


class _Module:
    """One module's source, to follow an action argument back to the string literals it can be."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def values(self, node: ast.AST, at: ast.AST, depth: int = 0) -> list[ast.AST]:
        """The literal nodes ``node`` (seen at ``at``) can be: a string, or a container of them; anything else
        is returned as it is, for the test to refuse."""
        if depth > 8:
            return [node]
        if isinstance(node, ast.Constant | ast.Dict | ast.Tuple | ast.List):
            return [node]
        if isinstance(node, ast.IfExp):
            return self.values(node.body, at, depth + 1) + self.values(node.orelse, at, depth + 1)
        if isinstance(node, ast.Subscript):
            found: list[ast.AST] = []
            for container in self.values(node.value, at, depth + 1):
                if isinstance(container, ast.Dict):
                    found += [v for value in container.values for v in self.values(value, at, depth + 1)]
                elif isinstance(container, ast.Tuple | ast.List) and isinstance(node.slice, ast.Constant):
                    found += self.values(container.elts[node.slice.value], at, depth + 1)
                else:
                    found.append(node)
            return found
        if isinstance(node, ast.Name):
            return self._name(node.id, at, depth)
        return [node]

    def _name(self, name: str, at: ast.AST, depth: int) -> list[ast.AST]:
        function = self.function_of(at)
        scope: ast.AST = function if function is not None else self.tree
        found: list[ast.AST] = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == name and node.value is not None:
                        found += self.values(node.value, node, depth + 1)
                    elif isinstance(target, ast.Tuple):
                        for i, element in enumerate(target.elts):
                            if isinstance(element, ast.Name) and element.id == name:
                                for value in self.values(node.value, node, depth + 1):
                                    found += (
                                        self.values(value.elts[i], node, depth + 1)
                                        if isinstance(value, ast.Tuple)
                                        else [value]
                                    )
        if found:
            return found
        if function is not None:
            params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if name in params or name in [a.arg for a in function.args.kwonlyargs]:
                return self._passed(function, name, params, depth)
        if scope is not self.tree:
            return self._name(name, self.tree, depth)
        return [ast.Name(id=name)]

    def _passed(self, function: ast.AST, name: str, params: list[str], depth: int) -> list[ast.AST]:
        """What the calls of ``function`` in this module pass as its parameter ``name``."""
        found: list[ast.AST] = []
        for call in ast.walk(self.tree):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == function.name:
                given = [k.value for k in call.keywords if k.arg == name]
                if not given and name in params and params.index(name) < len(call.args):
                    given = [call.args[params.index(name)]]
                for value in given:
                    found += self.values(value, call, depth + 1)
        return found or [ast.Name(id=name)]


def _record_calls(module: _Module) -> list[ast.Call]:
    calls = []
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (isinstance(f, ast.Attribute) and f.attr == "record" and getattr(f.value, "id", "") == "audit") or (
            isinstance(f, ast.Name) and f.id == "record" and "from portal.core.audit import record" in module.text
        ):
            calls.append(node)
    return calls


def _written() -> tuple[dict[str, list[str]], list[str], dict[str, set[str]]]:
    """Every action code the portal's source writes (code → where), the arguments that could not be read as
    codes, and the field names each code's event names as literals."""
    codes: dict[str, list[str]] = {}
    unread: list[str] = []
    fields: dict[str, set[str]] = {}
    for path in sorted(PORTAL.rglob("*.py")):
        module = _Module(path)
        module.text = path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
        for call in _record_calls(module):
            where = f"{path.relative_to(PORTAL.parent)}:{call.lineno}"
            argument = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "action")
            written = []
            for value in module.values(argument, call):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    written.append(value.value)
                    codes.setdefault(value.value, []).append(where)
                else:
                    unread.append(f"{where}: {ast.unparse(value)}")
            changes = call.args[4] if len(call.args) > 4 else None
            if isinstance(changes, ast.IfExp):
                changes = changes.body
            if isinstance(changes, ast.Dict):
                named = {k.value for k in changes.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                for code in written:
                    fields.setdefault(code, set()).update(named)
    return codes, unread, fields


def test_every_action_the_portal_writes_has_words():
    codes, unread, _fields = _written()
    assert not unread, f"an audit action the test cannot read as a code: write it as a literal: {unread}"
    assert len(codes) > 80  # the source was read, not skipped
    audit.load_words()
    missing = {code: where for code, where in codes.items() if code not in audit.ACTIONS}
    assert not missing, f"audit actions without words: describe them in their domain's audited.py: {missing}"
    described_but_never_written = set(audit.ACTIONS) - set(codes)
    assert not described_but_never_written


def test_every_field_an_event_names_has_a_label():
    _codes, _unread, fields = _written()
    audit.load_words()
    missing = {
        f"{code}: {name}"
        for code, names in fields.items()
        for name in names
        if not audit.ACTIONS[code].fields.known(name)
    }
    assert not missing, f"fields of audit events without a label: {sorted(missing)}"


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_each_action_reads_as_words_of_the_language(locale):
    audit.load_words()
    try:
        i18n.set_locale(locale)
        for code in audit.ACTIONS:
            said = audit.action_label(code)
            assert said != code and "." not in said.rstrip(".")
            assert bool(re.search("[а-яё]", said, re.I)) is (locale == "ru"), (code, said)
        for code in audit.ENTITIES:
            said = audit.entity_label(code)
            assert bool(re.search("[а-яё]", said, re.I)) is (locale == "ru"), (code, said)
    finally:
        i18n.set_locale("ru")


# --- the page -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", ["Смена статуса заявки", "Статус", "Лицевой счёт изменён", "Плательщик", "Заявка #7",
                "Лицевой счёт #9", '<option value="ticket">Заявка</option>',
                "Роли</strong>: Диспетчер → Диспетчер, Управляющий домом",
                "Аварийная</strong>: нет → да"]),
        ("en", ["Request status changed", "Status", "Personal account changed", "Payer", "Request #7",
                "Personal account #9", '<option value="ticket">Request</option>',
                "Roles</strong>: Dispatcher → Dispatcher, House manager",
                "Emergency</strong>: no → yes"]),
    ],
)  # fmt: skip
async def test_the_audit_log_shows_actions_fields_and_record_types_as_words(client, make_user, login, lang, words):
    admin = await make_user(roles=("admin",))
    actor = Principal(user_id=admin, name="Аудитор", staff_roles=frozenset({"admin"}))
    await audit.record(actor, "ticket.status", "ticket", 7, {"status": ["new", "in_progress"]})
    await audit.record(actor, "housing.account.update", "account", 9, {"payer_name": ["Иванов", "Петров"]})
    await audit.record(actor, "staff.scope", "user", admin, {"roles": [["dispatcher"], ["dispatcher", "manager"]]})
    await audit.record(actor, "ticket.update", "ticket", 7, {"emergency": [False, True]})
    await login(client, admin)
    await client.speak(lang)
    page = await client.get("/staff/audit")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for said in words:
        assert said in text
    listed = text.split('id="list"')[1]
    assert "['" not in listed and "True" not in listed  # values in words, not as Python writes them
    for code in ("ticket.status", "housing.account.update", "payer_name", ">ticket<", ">account<"):
        assert code not in listed and code not in text.split('id="list"')[0].split("<select")[-1]
    filtered = await client.get("/staff/audit?entity=ticket")  # the filter still reads the code underneath
    assert words[0] in html.unescape(filtered.text) and words[2] not in html.unescape(filtered.text)


# --- the values -----------------------------------------------------------------------------------------------------

# A field that holds the id of a house, a complex or a person, by its name in the events, and the kind of record.
ID_FIELDS = {"house": "house", "houses": "house", "complex": "complex", "complexes": "complex",
             "executor": "user", "manager": "user", "user": "user"}  # fmt: skip


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_code_a_value_table_reads_has_words_of_the_language(locale):
    """A status, a kind or a consent read through a table of words: the table names every member of its enum
    (a member added later without words would show as a code), in words of the language."""
    audit.load_words()
    tables = {}
    for code, described in audit.ACTIONS.items():
        for name, shows in described.values.items():
            table = shows if isinstance(shows, dict) else getattr(shows, "__self__", None)  # or ``Labels.shown``
            if isinstance(table, dict) and table and all(isinstance(k, StrEnum) for k in table):
                tables[id(table), code, name] = (code, name, table)
    assert len(tables) >= 10  # the tables were found
    try:
        i18n.set_locale(locale)
        for code, name, shows in tables.values():
            enum = type(next(iter(shows)))
            members = [m for m in enum if m.value]  # "" is nothing set: the page shows its dash
            missing = [m.value for m in members if m not in shows]
            assert not missing, f"{code}: {name}: members of {enum.__name__} without words: {missing}"
            for member in members:
                said = audit.value_shown(code, name, member.value)
                assert said and bool(re.search("[а-яё]", said, re.I)) is (locale == "ru"), (code, name, said)
    finally:
        i18n.set_locale("ru")


def test_a_field_holding_a_house_or_a_person_reads_as_its_name():
    """Each field that records a house's, a complex's or a person's id is read as a reference to it, and each kind
    of reference has its names looked up by the domain that owns the records."""
    audit.load_words()
    found = 0
    for code, described in audit.ACTIONS.items():
        for name in described.fields:
            if name in ID_FIELDS:
                found += 1
                assert described.values.get(name) == audit.Ref(ID_FIELDS[name]), f"{code}: {name} reads as an id"
        for shows in described.values.values():
            if isinstance(shows, audit.Ref):
                assert shows.kind in audit.NAMERS, f"{code}: nobody names a {shows.kind!r}"
    assert found >= 10
