"""Payments keeps one direction between its modules, names no other service's fees, and changes a
status only through `services.common.workflow.move` (imports read in full, in-function ones too)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

PAYMENTS = Path(settings.BASE_DIR) / "services" / "payments"
PACKAGE = "services.payments"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PAYMENTS.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in PAYMENTS.rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts and "views" not in path.parts
    }


def _payments_imports(name: str, path: Path) -> set[str]:
    """Every payments module `name` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t.startswith(PACKAGE + "."))
    return found


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    graph = {}
    for name, path in sources.items():
        graph[name] = {target for target in _payments_imports(name, path) if target in sources and target != name}
    return graph


def test_payments_modules_import_each_other_in_one_direction():
    graph = _graph()
    # The package's own __init__ gathers its topics; edges into a package's __init__ from inside it
    # are not part of the layering.
    state: dict[str, str] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if target == f"{PACKAGE}.actions" and node.startswith(f"{PACKAGE}.actions."):
                continue
            if state.get(target) == "open":
                cycle.extend([*trail, node, target])
                return True
            if target not in state and visit(target, [*trail, node]):
                return True
        state[node] = "done"
        return False

    for node in sorted(graph):
        if node not in state and visit(node, []):
            break
    assert not cycle, " → ".join(cycle)


def test_actions_billing_and_statements_never_import_tasks():
    graph = _graph()
    for name, targets in graph.items():
        if name != f"{PACKAGE}.tasks":
            assert f"{PACKAGE}.tasks" not in targets, name


def test_payments_names_no_permit_or_food_fee_code():
    for path in PAYMENTS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literals = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
        for code in ("building_permit", "plan_check", "food_certificate", "late_surcharge"):
            assert code not in literals, f"{path.name} names {code}"


def test_no_status_is_assigned_outside_move():
    for path in PAYMENTS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    assert not (isinstance(target, ast.Attribute) and target.attr == "status"), (
                        f"{path.name}:{node.lineno} writes .status directly; use workflow.move()"
                    )
