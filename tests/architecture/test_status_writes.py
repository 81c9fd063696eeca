"""One status path: no code under services/, onboarding/, tenants/ or api/ changes a status field
except services/common/workflow.py (move / bulk_move, which check the field's transition table).

Read with `ast`, so in-function code counts as much as module-level code. A status field is an
attribute named `status`, or any other field a module moves by a table (`move(..., field="x")`).
Refused, anywhere outside the workflow module:
  - an assignment to such an attribute (`case.status = ...`, also in a tuple target or `+=`),
  - a queryset write of it: `.update(status=...)`, `.update(**{"status": ...})` (also through a
    name bound to such a dict, or a call of a function of the module that returns one),
    `.update_or_create(defaults={"status": ...})` (an existing row changes),
  - `setattr(obj, "status", ...)` with the name spelled out.
Allowed, because they are no transition: the initial state (a model field's `default=`,
`Model.objects.create(status=...)`, `get_or_create(defaults={"status": ...})`), `self.status = ...`
inside an `__init__` (a plain object built with its state, e.g. an exception's HTTP status), and
persisting a value move() set (`save(update_fields=["status"])`, `bulk_update(rows, ["status"])`).
A `setattr` with a computed name cannot be read statically; no code writes a status that way
(onboarding's `_save_progress` refuses `status` and takes `to=` instead).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "onboarding", "tenants", "api")
WORKFLOW = Path("services/common/workflow.py")
QUERYSET_WRITES = {"update", "update_or_create"}


def python_files() -> list[Path]:
    return sorted(
        path
        for folder in SCANNED
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and ".venv" not in path.parts
    )


def tabled_fields(trees: list[ast.AST]) -> set[str]:
    """`status` and every field named in a `move(..., field="...")` or `bulk_move(..., field=...)`."""
    fields = {"status"}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in {"move", "bulk_move"}:
                for keyword in node.keywords:
                    if keyword.arg == "field" and isinstance(keyword.value, ast.Constant):
                        fields.add(str(keyword.value.value))
    return fields


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _dict_keys(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Dict):
        return {key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)}
    if isinstance(node, ast.Call) and _name(node.func) == "dict":
        return {keyword.arg for keyword in node.keywords if keyword.arg}
    return set()


def _returned_dicts(tree: ast.Module) -> dict[str, set[str]]:
    """The keys of the dict literals each module-level function returns (`**fields_of(now)`)."""
    keys: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in ast.walk(node):
                if isinstance(part, ast.Return) and part.value is not None:
                    keys.setdefault(node.name, set()).update(_dict_keys(part.value))
    return keys


class _Finder(ast.NodeVisitor):
    def __init__(self, fields: set[str], returned: dict[str, set[str]]) -> None:
        self.fields = fields
        self.returned = returned
        self.found: list[tuple[int, str]] = []
        self._functions: list[str] = []
        self._dicts: list[dict[str, set[str]]] = [{}]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions.append(node.name)
        self._dicts.append({})
        self.generic_visit(node)
        self._dicts.pop()
        self._functions.pop()

    def _unpacked(self, value: ast.expr) -> set[str]:
        """Keys of `**value`: a dict literal, a name bound to one here, or a call of a function of
        this module that returns one."""
        if isinstance(value, ast.Name):
            return self._dicts[-1].get(value.id, set())
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in self.returned:
            return self.returned[value.func.id]
        return _dict_keys(value)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _targets(self, node: ast.AST, targets: list[ast.expr]) -> None:
        for target in targets:
            for part in ast.walk(target):
                if not (isinstance(part, ast.Attribute) and part.attr in self.fields):
                    continue
                constructing = (
                    self._functions
                    and self._functions[-1] == "__init__"
                    and isinstance(part.value, ast.Name)
                    and part.value.id == "self"
                )
                if not constructing:
                    self.found.append((node.lineno, f"assignment to .{part.attr}"))

    def visit_Assign(self, node: ast.Assign) -> None:
        self._targets(node, node.targets)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._dicts[-1][target.id] = self._unpacked(node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets(node, [node.target])
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._targets(node, [node.target])
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if isinstance(node.func, ast.Attribute) and name in QUERYSET_WRITES:
            for keyword in node.keywords:
                written = set()
                if keyword.arg is None:  # **{...}, **fields, **fields_of(now)
                    written = self._unpacked(keyword.value)
                elif name == "update" and keyword.arg in self.fields:
                    written = {keyword.arg}
                elif name == "update_or_create" and keyword.arg == "defaults":
                    written = _dict_keys(keyword.value)
                for field in sorted(written & self.fields):
                    self.found.append((node.lineno, f".{name}() writes {field}"))
        if isinstance(node.func, ast.Name) and name == "setattr" and len(node.args) >= 2:
            attribute = node.args[1]
            if isinstance(attribute, ast.Constant) and attribute.value in self.fields:
                self.found.append((node.lineno, f"setattr(..., {attribute.value!r})"))
        self.generic_visit(node)


def status_writes(source: str, fields: set[str] | None = None) -> list[tuple[int, str]]:
    """(line, what) for every status write in `source`."""
    tree = ast.parse(source)
    finder = _Finder(fields or {"status"}, _returned_dicts(tree))
    finder.visit(tree)
    return sorted(finder.found)


def test_no_status_changes_outside_the_workflow_module():
    sources = {path: path.read_text(encoding="utf-8") for path in python_files()}
    fields = tabled_fields([ast.parse(text) for text in sources.values()])
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path, text in sources.items()
        if path.relative_to(ROOT) != WORKFLOW
        for line, what in status_writes(text, fields)
    ]
    assert not offences, "status changed outside services.common.workflow (use move/bulk_move):\n" + "\n".join(
        offences
    )


def test_the_scan_reads_the_code_it_guards():
    names = {path.relative_to(ROOT).as_posix() for path in python_files()}
    assert {"services/complaints/referrals.py", "onboarding/pipeline.py", "services/common/outbox.py"} <= names
    assert (ROOT / WORKFLOW).exists()


PLANTED = '''
from django.db import models

class Ticket(models.Model):
    status = models.CharField(default="open")            # the initial state: allowed

def open_one():
    return Ticket.objects.create(status="open")          # the initial state: allowed

def close(ticket, rows):
    ticket.status = "closed"                             # 11
    ticket.status, ticket.note = "closed", "done"        # 12
    rows.filter(status="open").update(status="closed")   # 13
    rows.update(**{"status": "closed"}) or rows.update(**closing())  # 14
    setattr(ticket, "status", "closed")                  # 15
    rows.update_or_create(pk=1, defaults={"status": "x"})  # 16
    ticket.stage = "late"                                # 17 (a tabled field)
    def later():
        ticket.status = "reopened"                       # 19 (in-function)
    ticket.save(update_fields=["status"])                # persisting: allowed
    rows.get_or_create(pk=2, defaults={"status": "open"})  # the initial state: allowed

def closing():
    return {"status": "closed", "note": ""}

def late(rows):
    fields = {"status": "late"}
    rows.update(**fields)                                # 28
    rows.update(**{"note": "x"})                         # no status: allowed

class Refused(Exception):
    def __init__(self, status):
        self.status = status                             # a plain object's own field: allowed

    def retry(self):
        self.status = 503                                # 36
'''


def test_the_checker_catches_planted_writes_and_lets_initial_states_pass():
    found = status_writes(PLANTED, {"status", "stage"})
    assert [line for line, _ in found] == [11, 12, 13, 14, 14, 15, 16, 17, 19, 28, 36]


def test_tabled_fields_come_from_move_calls():
    tree = ast.parse('move(case, to="x", by=None, transitions=T, field="review_status")')
    assert tabled_fields([tree]) == {"status", "review_status"}
    assert status_writes("case.review_status = 'x'", {"status"}) == []
    assert status_writes("case.review_status = 'x'", {"status", "review_status"}) == [(1, "assignment to .review_status")]
