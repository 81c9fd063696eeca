"""The never-rules of docs/architecture.md ("Layers and the rules that guard them"), read from the
source with `ast`, so an import inside a function counts as much as one at the top of a module.

- tenants knows neither onboarding, the API nor any service (only the shared kernel);
- the shared kernel (services/common, services/accounts) names no other part: no import, and no
  string naming another app, its modules, its URL names or the URL trees it serves;
- payments knows no other service: no import, and none of the fee codes the others declare;
- no module takes another module's `_private` names (`from x import _y`, `x._y(...)`);
- no import cycle between first-party modules (in-function imports included): ALLOWED_CYCLES;
- the API tree mirrors the services: api/v1/<service> imports no other service's API package, only
  the shared case journey's (api/v1/casework), as services import services/casework.

Every rule is a function of the parsed sources, and each has a test that plants a violation in
them and watches the rule fail.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TOPS = ("tenants", "onboarding", "services", "api", "platform/config")
KERNEL = ("services.common", "services.accounts")
# URL trees served by apps above the kernel (the API app mounts them): the kernel may not know them.
OTHER_URL_TREES = ("/api/", "/open311/")
# Cycles tolerated for now, as frozensets of module names. Keep it empty.
ALLOWED_CYCLES: list[frozenset[str]] = []


@dataclass
class Module:
    name: str
    path: str
    tree: ast.Module
    is_package: bool = False
    # (target module, imported name or None, line) for every import statement, at any depth
    imports: list[tuple[str, str | None, int]] = field(default_factory=list)


def _name_of(path: Path) -> str:
    base = ROOT / "platform" if path.is_relative_to(ROOT / "platform") else ROOT
    parts = path.relative_to(base).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parse(name: str, source: str, *, path: str = "", is_package: bool = False) -> Module:
    tree = ast.parse(source)
    module = Module(name=name, path=path or name, tree=tree, is_package=is_package)
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            module.imports += [(target, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            module.imports += [(alias.name, None, node.lineno) for alias in node.names]
    return module


def first_party_modules() -> dict[str, Module]:
    modules = {}
    for top in TOPS:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = _name_of(path)
            modules[name] = parse(name, path.read_text(encoding="utf-8"), path=path.relative_to(ROOT).as_posix(),
                                  is_package=path.name == "__init__.py")
    return modules


def component(module: str) -> str:
    """The app a module belongs to: `services.<app>`, else its top package (tenants, api, config…)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "services" and len(parts) > 1 else parts[0]


def resolve(modules: dict[str, Module], target: str, name: str | None) -> str | None:
    """The first-party module an import lands in: `from a import b` is module a.b when b is one."""
    if name and f"{target}.{name}" in modules:
        return f"{target}.{name}"
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def edges(modules: dict[str, Module]) -> dict[str, dict[str, int]]:
    graph: dict[str, dict[str, int]] = {}
    for name, module in modules.items():
        graph[name] = {}
        for target, imported, line in module.imports:
            landed = resolve(modules, target, imported)
            if landed and landed != name:
                graph[name].setdefault(landed, line)
    return graph


def _in(module: str, prefixes) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def imports_outside(modules, sources, allowed) -> list[str]:
    """Imports by modules in `sources` of first-party modules outside `allowed` (both prefix lists)."""
    found = []
    for name, targets in edges(modules).items():
        if not _in(name, sources):
            continue
        for target, line in targets.items():
            if not _in(target, allowed):
                found.append(f"{modules[name].path}:{line} imports {target}")
    return sorted(found)


# --- the rules -------------------------------------------------------------------------------


def tenants_violations(modules) -> list[str]:
    return imports_outside(modules, ["tenants"], ["tenants", *KERNEL])


def _other_apps() -> list[tuple[str, str]]:
    """(label, module name) of every first-party app above the kernel."""
    found = []
    for config in apps.get_app_configs():
        if _in(config.name, ("services", "onboarding", "api")) and not _in(config.name, KERNEL):
            found.append((config.label, config.name))
    return found


def _names_another_app(text: str, others: list[tuple[str, str]]) -> bool:
    for label, dotted in others:
        if text in (label, dotted) or text.startswith((f"{label}:", f"{label}.", f"{dotted}.")):
            return True
    return any(tree in text for tree in OTHER_URL_TREES)


def kernel_violations(modules, others=None) -> list[str]:
    others = _other_apps() if others is None else others
    found = imports_outside(modules, KERNEL, [*KERNEL, "tenants"])
    for name, module in modules.items():
        if not _in(name, KERNEL):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _names_another_app(node.value, others):
                found.append(f"{module.path}:{node.lineno} names {node.value!r}")
    return sorted(found)


def _fee_codes_of_others() -> set[str]:
    return {
        fee[0]
        for config in apps.get_app_configs()
        if config.label != "payments"
        for fee in getattr(config, "payment_fee_types", ())
    }


def payments_violations(modules, fee_codes=None) -> list[str]:
    fee_codes = _fee_codes_of_others() if fee_codes is None else fee_codes
    found = imports_outside(modules, ["services.payments"], ["services.payments", *KERNEL, "tenants"])
    for name, module in modules.items():
        if not _in(name, ["services.payments"]):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Constant) and node.value in fee_codes:
                found.append(f"{module.path}:{node.lineno} names the fee code {node.value!r}")
    return sorted(found)


def _private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__")


def private_name_violations(modules) -> list[str]:
    found = []
    for name, module in modules.items():
        aliases = {}  # local name → first-party module it is bound to
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    if isinstance(node, ast.Import):
                        target, imported = alias.name, None
                    else:
                        target = next(t for t, n, line in module.imports if n == alias.name and line == node.lineno)
                        imported = alias.name
                    landed = resolve(modules, target, imported)
                    if landed is None or landed == name:
                        continue
                    if imported is not None and landed != f"{target}.{imported}" and _private(imported):
                        found.append(f"{module.path}:{node.lineno} takes {imported} from {landed}")
                    elif imported is None or landed == f"{target}.{imported}":
                        aliases[alias.asname or (imported or alias.name.split(".")[0])] = landed
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
            ):
                found.append(f"{module.path}:{node.lineno} uses {node.value.id}.{node.attr} of {aliases[node.value.id]}")
    return sorted(found)


def api_tree_violations(modules) -> list[str]:
    found = []
    for name, targets in edges(modules).items():
        if not name.startswith("api.v1.") or name.count(".") < 3:
            continue
        own = ".".join(name.split(".")[:3])
        for target, line in targets.items():
            if target.startswith("api.v1.") and target.count(".") >= 2:
                other = ".".join(target.split(".")[:3])
                if other not in (own, "api.v1.casework", "api.v1.urls", "api.v1.schema_urlconf"):
                    found.append(f"{modules[name].path}:{line} imports {target}")
    return sorted(found)


def import_cycles(modules) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), in-function imports counted."""
    graph = edges(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(group for group in groups if frozenset(group) not in ALLOWED_CYCLES)


def _describe(modules, group: list[str]) -> str:
    graph = edges(modules)
    return "; ".join(
        f"{source} → {target} ({modules[source].path}:{graph[source][target]})"
        for source in group for target in sorted(graph[source]) if target in group
    )


# --- the rules hold --------------------------------------------------------------------------


def test_tenants_knows_neither_onboarding_nor_any_service():
    assert tenants_violations(first_party_modules()) == []


def test_the_shared_kernel_names_no_other_app():
    assert kernel_violations(first_party_modules()) == []


def test_payments_knows_no_other_service_nor_their_fee_codes():
    assert _fee_codes_of_others() >= {"building_permit", "plan_check", "food_certificate"}
    assert payments_violations(first_party_modules()) == []


def test_no_module_takes_another_modules_private_names():
    assert private_name_violations(first_party_modules()) == []


def test_service_apis_share_only_the_casework_api():
    assert "api.v1.casework.base" in first_party_modules()
    assert api_tree_violations(first_party_modules()) == []


def test_no_import_cycle_between_modules_in_function_imports_included():
    modules = first_party_modules()
    assert len(modules) > 300, "the sources were found"
    cycles = import_cycles(modules)
    assert cycles == [], "\n".join(_describe(modules, group) for group in cycles)
    assert ALLOWED_CYCLES == [], "keep the allow-list empty"


# --- each rule can fail: a planted violation is found ----------------------------------------


def _planted(name: str, source: str, **kwargs) -> dict[str, Module]:
    modules = first_party_modules()
    modules[name] = parse(name, source, **kwargs)
    return modules


def _new(rule, modules, *args) -> list[str]:
    """What the rule finds in the planted sources beyond what it finds in the real ones."""
    before = set(rule(first_party_modules(), *args))
    return [found for found in rule(modules, *args) if found not in before]


def test_planted_onboarding_import_inside_a_tenants_function_is_found():
    modules = _planted("tenants.zz_planted", "def f():\n    from onboarding.models import ProvisioningJob\n")
    assert _new(tenants_violations, modules) == ["tenants.zz_planted:2 imports onboarding.models"]
    modules = _planted("tenants.zz_planted", "import services.complaints.models\n")
    assert _new(tenants_violations, modules) == ["tenants.zz_planted:1 imports services.complaints.models"]


def test_planted_service_name_in_the_kernel_is_found():
    modules = _planted("services.common.zz_planted", "def f():\n    from services.payments import models\n")
    assert _new(kernel_violations, modules) == ["services.common.zz_planted:2 imports services.payments.models"]
    others = [("complaints", "services.complaints")]
    modules = _planted("services.common.zz_planted", "LABELS = {'complaints': 1}\nURL = 'complaints:file'\n"
                       "PATH = 'services.complaints.line_push.X'\nAPI = '/api/v1/'\n")
    assert [v.split(" names ")[0] for v in _new(kernel_violations, modules, others)] == [
        "services.common.zz_planted:1", "services.common.zz_planted:2", "services.common.zz_planted:3",
        "services.common.zz_planted:4",
    ]


def test_planted_fee_code_or_permit_import_in_payments_is_found():
    modules = _planted("services.payments.zz_planted", "def fee():\n    return 'food_certificate'\n")
    assert _new(payments_violations, modules) == ["services.payments.zz_planted:2 names the fee code 'food_certificate'"]
    modules = _planted("services.payments.zz_planted", "def f():\n    import services.building_permits.models\n")
    assert _new(payments_violations, modules) == ["services.payments.zz_planted:2 imports services.building_permits.models"]


def test_planted_private_name_taken_across_modules_is_found():
    modules = _planted("services.food_premises.zz_planted", (
        "from services.casework.actions import common as casework\n"
        "from services.casework.views import _unknown_helper\n"
        "def f():\n    casework._event(1)\n"
        "def g():\n    from services.casework import views\n    views._x()\n"
    ))
    assert _new(private_name_violations, modules) == [
        "services.food_premises.zz_planted:2 takes _unknown_helper from services.casework.views",
        "services.food_premises.zz_planted:4 uses casework._event of services.casework.actions.common",
        "services.food_premises.zz_planted:7 uses views._x of services.casework.views",
    ]


def test_planted_cycle_through_an_in_function_import_is_found():
    modules = _planted("services.zz_a", "def f():\n    from services import zz_b\n")
    modules["services.zz_b"] = parse("services.zz_b", "from services.zz_a import f\n")
    before = import_cycles(first_party_modules())
    assert [group for group in import_cycles(modules) if group not in before] == [["services.zz_a", "services.zz_b"]]
    assert "services.zz_a → services.zz_b (services.zz_a:2)" in _describe(modules, ["services.zz_a", "services.zz_b"])


def test_planted_import_of_another_services_api_is_found():
    modules = _planted("api.v1.food.zz_planted", "def f():\n    from api.v1.permits import views\n")
    assert _new(api_tree_violations, modules) == ["api.v1.food.zz_planted:2 imports api.v1.permits.views"]
