"""One way to do each thing (docs/architecture.md, "One way to do each thing"), read from the source:

- links that leave the page are built by `services.common.links.town_url()`; its primitive
  `absolute_url()` and `request.build_absolute_uri` only where declared below;
- "which town is this?" is `tenants.current.current_town()`, and in a view `request.town`: only
  tenants/ reads `connection.tenant` (in a task or a `schema_context` it is a stand-in without the
  town's fields) or `request.tenant` (set for django-tenants' own code);
- money is shown by `services.common.money.format_baht` / `{{ amount|baht }}`: no other `:,.2f` in
  Python, no `floatformat:"2g"` in templates;
- no code reads a setting that is not defined (`settings.NAME` for a NAME settings.py never sets);
- the OSS report period is parsed by `services.complaints.periods` only.

Each rule has a test that plants a violation and watches it fail.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

from .test_import_rules import Module, first_party_modules, parse

ROOT = Path(settings.BASE_DIR)

# module path → why it may build an absolute address itself
URL_BUILDERS = {
    "services/common/links.py": "town_url() and its primitive",
    "services/complaints/referrals.py": "the neighbouring town's filing form, known by its host in the boundary index",
    "api/open311/views.py": "the neighbour's Open311 endpoint (by host); discovery answers on the host asked",
    "services/common/web_app.py": "the manifest's start_url must share the origin the citizen came by",
}
TOWN_READERS = ("tenants/",)
MONEY_MODULE = "services/common/money.py"
PERIOD_MODULE = "services/complaints/periods.py"


def _calls(module: Module, names: set[str]):
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in names:
                yield node


def url_builder_violations(modules) -> list[str]:
    return sorted(
        f"{module.path}:{node.lineno} builds an absolute address"
        for module in modules.values() if module.path not in URL_BUILDERS
        for node in _calls(module, {"absolute_url", "build_absolute_uri"})
    )


def _reads_connection_tenant(node) -> bool:
    holders = ("connection", "request")
    if isinstance(node, ast.Attribute) and node.attr == "tenant":
        return isinstance(node.value, ast.Name) and node.value.id in holders
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and len(node.args) >= 2:
        target, name = node.args[0], node.args[1]
        return (isinstance(target, ast.Name) and target.id in holders
                and isinstance(name, ast.Constant) and name.value == "tenant")
    return False


def town_reader_violations(modules) -> list[str]:
    return sorted(
        f"{module.path}:{node.lineno} reads the tenant; use current_town() (request.town in a view)"
        for module in modules.values() if not module.path.startswith(TOWN_READERS)
        for node in ast.walk(module.tree) if _reads_connection_tenant(node)
    )


def money_violations(modules, templates: dict[str, str]) -> list[str]:
    found = []
    for module in modules.values():
        if module.path == MONEY_MODULE:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
                spec = "".join(str(v.value) for v in node.format_spec.values if isinstance(v, ast.Constant))
                if spec == ",.2f":
                    found.append(f"{module.path}:{node.lineno} formats money itself; use format_baht()")
    for path, text in templates.items():
        for match in re.finditer(r'floatformat:"2g"', text):
            found.append(f"{path}:{text.count(chr(10), 0, match.start()) + 1} formats money itself; use |baht")
    return sorted(found)


def undefined_setting_violations(modules, defined=None) -> list[str]:
    defined = (lambda name: hasattr(settings, name)) if defined is None else defined
    found = []
    for module in modules.values():
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "settings"
                and node.attr.isupper()
                and isinstance(node.ctx, ast.Load)
                and not defined(node.attr)
            ):
                found.append(f"{module.path}:{node.lineno} reads settings.{node.attr}, defined nowhere")
    return sorted(found)


def period_parser_violations(modules) -> list[str]:
    """Parsing the `since`/`until` query parameters happens in the period module only."""
    found = []
    for module in modules.values():
        if module.path == PERIOD_MODULE:
            continue
        for node in _calls(module, {"fromisoformat"}):
            text = ast.unparse(node)
            if '"since"' in text or '"until"' in text or "'since'" in text or "'until'" in text:
                found.append(f"{module.path}:{node.lineno} parses the report period itself")
    return sorted(found)


def _templates() -> dict[str, str]:
    found = {}
    for top in ("services", "onboarding", "tenants", "api", "platform"):
        for path in (ROOT / top).rglob("*.html"):
            found[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return found


# --- the rules hold --------------------------------------------------------------------------


def test_links_are_built_by_town_url():
    assert url_builder_violations(first_party_modules()) == []


def test_only_tenants_reads_the_connections_tenant():
    assert town_reader_violations(first_party_modules()) == []


def test_money_is_formatted_one_way():
    templates = _templates()
    assert len(templates) > 100
    assert money_violations(first_party_modules(), templates) == []


def test_no_code_reads_a_setting_defined_nowhere():
    assert undefined_setting_violations(first_party_modules()) == []


def test_the_report_period_is_parsed_in_one_place():
    assert period_parser_violations(first_party_modules()) == []


# --- each rule can fail ----------------------------------------------------------------------


def _one(name: str, source: str) -> dict[str, Module]:
    return {name: parse(name, source, path=name.replace(".", "/") + ".py")}


def test_planted_url_builder_is_found():
    modules = _one("services.payments.zz", "def f(request):\n    return request.build_absolute_uri('/x/')\n"
                   "def g():\n    from services.common.links import absolute_url\n    return absolute_url('h', '/')\n")
    assert url_builder_violations(modules) == [
        "services/payments/zz.py:2 builds an absolute address", "services/payments/zz.py:5 builds an absolute address",
    ]


def test_planted_connection_tenant_read_is_found():
    modules = _one("services.payments.zz", "from django.db import connection\n"
                   "a = connection.tenant\nb = getattr(connection, 'tenant', None)\n"
                   "def view(request):\n    return request.tenant\n")
    assert [v.split(" reads ")[0] for v in town_reader_violations(modules)] == [
        "services/payments/zz.py:2", "services/payments/zz.py:3", "services/payments/zz.py:5",
    ]


def test_planted_money_format_is_found():
    modules = _one("services.payments.zz", "def f(x):\n    return f'{x:,.2f} baht'\n")
    templates = {"t.html": "<p>\n{{ x|floatformat:\"2g\" }}</p>"}
    assert money_violations(modules, templates) == [
        "services/payments/zz.py:2 formats money itself; use format_baht()",
        "t.html:2 formats money itself; use |baht",
    ]


def test_planted_undefined_setting_is_found():
    modules = _one("services.payments.zz", "from django.conf import settings\nA = settings.THONGTHIN_PUBLIC_BASE\n"
                   "B = settings.DEBUG\n")
    assert undefined_setting_violations(modules) == [
        "services/payments/zz.py:2 reads settings.THONGTHIN_PUBLIC_BASE, defined nowhere",
    ]


def test_planted_period_parser_is_found():
    modules = _one("api.v1.zz", "import datetime as dt\ndef f(request):\n"
                   "    return dt.date.fromisoformat(request.GET.get('since'))\n")
    assert period_parser_violations(modules) == ["api/v1/zz.py:3 parses the report period itself"]
