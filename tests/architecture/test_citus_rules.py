"""The rules that let each town schema become a Citus distributed schema on any node
(docs/operations.md, "Beyond one database"):

1. no foreign key leaves a town schema (Citus refuses foreign keys between distributed schemas
   and from a distributed schema to a coordinator-local table; public data is referenced by value);
2. no statement reads two town schemas (a statement touching one distributed schema is routed to
   its node whole; one spanning schemas on different nodes is not);
3. code switches schema only where a cross-town path is declared below — the exchange, the
   per-town fan-out, the summary rows, provisioning and deploy tooling — so every cross-town read
   goes through the public summary/boundary tables or the exchange.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from config import tenancy

ROOT = Path(settings.BASE_DIR)
FIRST_PARTY = ("tenants", "onboarding", "services", "api", "platform")
SWITCHING_CALLS = {"schema_context", "tenant_context", "set_tenant", "set_schema"}

# Module → why it may run code in another schema than the one it was called in.
SCHEMA_SWITCHERS = {
    "tenants/middleware.py": "picks the request's one schema from its Host (tenancy rule 1)",
    "tenants/tasks.py": "for_each_town: one small task per town, each run in that town's schema",
    "services/exchange/actions.py": "the exchange: delivers a message into the recipient's schema",
    "onboarding/pipeline.py": "provisioning writes the new town's own schema",
    "onboarding/fleet.py": "deploys migrate one town schema at a time",
    "onboarding/summary.py": "per-town aggregates into public summary rows (no personal data)",
    "onboarding/management/commands/seed_demo.py": "demo data, town by town, through each town's actions",
    "onboarding/management/commands/seed_history.py": "a demo town's year of history, in that town's schema",
    "onboarding/history.py": "the demo towns' letters to each other: each step in the sending or the receiving town",
    "tenants/management/commands/record_heartbeats.py": "each town's heartbeat, in that town's schema",
    "services/common/management/commands/rotate_data_keys.py": "re-seals each schema's own secrets, one schema at a time",
    "tenants/management/commands/create_platform_admin.py": "creates a user in the public schema",
    "services/payments/management/commands/bank_simulator.py": "a command run for one named town",
    "services/payments/management/commands/import_statement.py": "a command run for one named town",
    "services/payments/management/commands/seed_payments_demo.py": "demo data for one named town",
    "services/common/management/commands/send_test_message.py": "a command run for one named town",
}
# Modules that write schema-qualified SQL (DDL tooling; each statement names one schema).
SCHEMA_QUALIFIED_SQL = {
    "onboarding/schema_template.py",
    "onboarding/fleet.py",
    "onboarding/actions.py",
}


def _sources() -> list[Path]:
    files = []
    for top in FIRST_PARTY:
        files += [p for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts]
    return files


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def test_schema_switching_happens_only_on_declared_cross_town_paths():
    found: dict[str, set[str]] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called_name(node) in SWITCHING_CALLS:
                found.setdefault(_rel(path), set()).add(_called_name(node))
    undeclared = {module: calls for module, calls in found.items() if module not in SCHEMA_SWITCHERS}
    assert not undeclared, (
        f"schema switched outside a declared cross-town path: {undeclared}. Read other towns through "
        "the public summary/boundary tables or send an exchange message; or declare the path here."
    )


def _schema_placeholders(node: ast.JoinedStr) -> int:
    """Interpolations written as a quoted schema name followed by a dot: f'"{schema}".table'."""
    count = 0
    values = node.values
    for i, part in enumerate(values):
        if isinstance(part, ast.FormattedValue) and 0 < i < len(values) - 1:
            before, after = values[i - 1], values[i + 1]
            if (
                isinstance(before, ast.Constant)
                and isinstance(after, ast.Constant)
                and str(before.value).endswith('"')
                and str(after.value).startswith('".')
            ):
                count += 1
    return count


def test_no_statement_names_two_schemas_and_only_tooling_qualifies_names():
    offenders = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            placeholders = _schema_placeholders(node)
            if not placeholders:
                continue
            text = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant)).upper()
            if placeholders > 1 or " JOIN " in text or "UNION" in text:
                offenders.append(f"{_rel(path)}:{node.lineno} names several schemas in one statement")
            elif _rel(path) not in SCHEMA_QUALIFIED_SQL:
                offenders.append(f"{_rel(path)}:{node.lineno} schema-qualified SQL outside the DDL tooling")
    assert not offenders, offenders


def test_no_town_model_has_a_foreign_key_into_a_public_only_app():
    public_only = {name.rsplit(".", 1)[-1] for name in tenancy.SHARED_ONLY}
    town_side = [*tenancy.TENANT_ONLY, *tenancy.BOTH_SCHEMAS]
    offenders = []
    for app_name in town_side:
        label = app_name.rsplit(".", 1)[-1]
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            for field in model._meta.get_fields():
                target = field.related_model if field.is_relation and field.concrete else None
                if target is not None and target._meta.app_label in public_only:
                    offenders.append(f"{model._meta.label}.{field.name} → {target._meta.label}")
    assert not offenders, f"town tables must refer to public data by value (id/code): {offenders}"


@pytest.mark.django_db
def test_every_foreign_key_of_a_real_town_schema_stays_inside_it(town_a):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conname, src_ns.nspname, dst_ns.nspname
            FROM pg_constraint con
            JOIN pg_class src ON src.oid = con.conrelid
            JOIN pg_namespace src_ns ON src_ns.oid = src.relnamespace
            JOIN pg_class dst ON dst.oid = con.confrelid
            JOIN pg_namespace dst_ns ON dst_ns.oid = dst.relnamespace
            WHERE con.contype = 'f' AND (src_ns.nspname = %s OR dst_ns.nspname = %s)
            """,
            [town_a.schema_name, town_a.schema_name],
        )
        rows = cursor.fetchall()
    assert rows, "the town schema has foreign keys: the query looks at the right schema"
    leaving = [row for row in rows if row[1] != row[2]]
    assert not leaving, f"foreign keys across schemas: {leaving}"


@pytest.mark.django_db
def test_the_check_notices_a_foreign_key_that_leaves_the_schema(town_a, town_b):
    """The catalog test above can fail: a foreign key from one town to another is seen."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'ALTER TABLE "{town_a.schema_name}".accounts_department '
            f'ADD CONSTRAINT zz_cross FOREIGN KEY (id) REFERENCES "{town_b.schema_name}".accounts_department (id)'
        )
        cursor.execute(
            "SELECT count(*) FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid "
            "JOIN pg_class dst ON dst.oid = con.confrelid WHERE con.contype = 'f' "
            "AND src.relnamespace <> dst.relnamespace AND con.conname = 'zz_cross'"
        )
        assert cursor.fetchone()[0] == 1
