"""Guards for the layout rules of docs/architecture.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

from config import tenancy

ROOT = Path(settings.BASE_DIR)


def test_import_platform_is_the_stdlib_module_from_the_repo_root():
    # In a subprocess: inside pytest the real module is already loaded, so an in-process check
    # would pass even with a shadowing platform/__init__.py.
    code = "import platform, sys; print(platform.python_version()); print(platform.system())"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[0] == ".".join(map(str, sys.version_info[:3]))
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_manage_py_runs_with_the_stdlib_platform():
    result = subprocess.run([sys.executable, "manage.py", "check", "--fail-level", "ERROR"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_first_party_app_is_in_exactly_one_schema_list_or_declared_in_both():
    both = set(tenancy.BOTH_SCHEMAS)
    for app in tenancy.FIRST_PARTY_APPS:
        in_shared = app in tenancy.SHARED_APPS
        in_tenant = app in tenancy.TENANT_APPS
        if app in both:
            assert in_shared and in_tenant
        else:
            assert in_shared != in_tenant, app


def test_no_public_model_points_into_a_town_app():
    tenant_only = {name.rsplit(".", 1)[-1] for name in tenancy.TENANT_ONLY}
    for app_name in tenancy.SHARED_ONLY:
        config = apps.get_app_config(app_name.rsplit(".", 1)[-1])
        for model in config.get_models():
            for field in model._meta.get_fields():
                if field.is_relation and field.related_model is not None and field.concrete:
                    assert field.related_model._meta.app_label not in tenant_only, f"{model.__name__}.{field.name}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_never_import_onboarding():
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / "services").rglob("*.py")
        if any(name == "onboarding" or name.startswith("onboarding.") for name in _imports(path))
    ]
    assert offenders == []


def test_no_utils_or_helpers_dumping_grounds():
    sources = ("tenants", "onboarding", "services", "api", "platform")
    bad = [p for folder in sources for p in (ROOT / folder).rglob("*.py") if p.name in {"utils.py", "helpers.py"}]
    assert bad == []
