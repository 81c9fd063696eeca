"""Deploys for hundreds of towns: migrate public, then only the towns that need it, in parallel.

`migrate_schemas --tenant` costs ~0.27 s per town even when nothing is pending (design.md, Scale);
at 1,500 towns that is hours. Here:
1. the public schema is migrated as usual;
2. one query per 500 schemas reads a digest of each town's migration history; towns whose digest
   equals the code's are skipped without opening them;
3. for the towns behind, the pending plan is computed once per distinct history. When every
   pending operation is plain DDL (no RunPython, atomic), its SQL is collected once and replayed
   in each town inside one transaction (`SET LOCAL search_path`), together with the history rows
   and — when models or permissions changed — the post-migrate hooks (content types, permissions,
   roles). Otherwise the town is migrated the ordinary way. Towns run on a thread pool.
4. the template is rebuilt when the code changed, so new towns start current.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import connection, connections, migrations, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django_tenants.utils import schema_context

from tenants.models import Municipality, MunicipalityStatus

from . import schema_template
from .models import SchemaTemplate

logger = logging.getLogger(__name__)

# Operations whose database effect is fully captured by collect_sql.
SQL_SAFE_OPERATIONS: tuple[type[Operation], ...] = (
    migrations.CreateModel,
    migrations.DeleteModel,
    migrations.AddField,
    migrations.RemoveField,
    migrations.AlterField,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
    migrations.AlterModelTableComment,
    migrations.AlterUniqueTogether,
    migrations.AlterIndexTogether,
    migrations.AddIndex,
    migrations.RemoveIndex,
    migrations.RenameIndex,
    migrations.AddConstraint,
    migrations.RemoveConstraint,
    migrations.AlterModelOptions,
    migrations.AlterModelManagers,
    migrations.AlterOrderWithRespectTo,
    migrations.RunSQL,
)
# Operations after which content types / permissions / roles must be refreshed.
POST_MIGRATE_OPERATIONS = (
    migrations.CreateModel,
    migrations.DeleteModel,
    migrations.RenameModel,
    migrations.AlterModelOptions,
)
CHUNK = 500


@dataclass
class FleetReport:
    towns: int = 0
    up_to_date: int = 0
    migrated_by_sql: int = 0
    migrated_by_django: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    template_rebuilt: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [
            f"{self.towns} towns: {self.up_to_date} up to date, "
            f"{self.migrated_by_sql} migrated by SQL replay, "
            f"{self.migrated_by_django} by Django migrate, {len(self.failed)} failed"
        ]
        parts.append("template rebuilt" if self.template_rebuilt else "template current")
        parts.append(", ".join(f"{k} {v:.2f} s" for k, v in self.seconds.items()))
        return "; ".join(parts)


def history_digest(rows) -> str:
    return hashlib.md5(
        ",".join(f"{a}.{n}" for a, n in sorted(rows)).encode(), usedforsecurity=False
    ).hexdigest()


def fleet_schemas() -> list[str]:
    """Schemas of every town that has one (archived towns have none; a registered town whose
    provisioning has not made its schema yet will get a current one from the template)."""
    names = list(
        Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [names])
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in names if name in present]


def history_digests(schemas: list[str]) -> dict[str, str | None]:
    """schema → digest of its django_migrations (None when the schema or table is missing).

    One statement per schema (sent CHUNK at a time in one round trip), never one query over many
    town schemas: under Citus schema-based sharding each town may live on another node, and a
    statement that reads one schema is routed to that node whole."""
    found: dict[str, str | None] = dict.fromkeys(schemas)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [schemas],
        )
        present = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(present), CHUNK):
            chunk = present[start : start + CHUNK]
            statements = ";\n".join(
                "SELECT %s, md5(coalesce(string_agg(app || '.' || name, ',' "  # noqa: S608 (our registry's names)
                "ORDER BY (app || '.' || name) COLLATE \"C\"), '')) "
                f'FROM "{schema}".django_migrations'
                for schema in chunk
            )
            cursor.execute(statements, chunk)
            found.update(dict(cursor.fetchall()))
            while cursor.nextset():
                found.update(dict(cursor.fetchall()))
    return found


def expected_digest() -> str:
    return hashlib.md5(
        ",".join(sorted(f"{a}.{n}" for a, n in schema_template.expected_tenant_migrations())).encode(),
        usedforsecurity=False,
    ).hexdigest()


@dataclass
class Plan:
    migrations: list  # [(Migration, backwards)]
    sql: list[str] | None  # None: needs Django's migrate
    needs_post_migrate: bool


def plan_for(schema: str) -> Plan:
    """The pending plan of one schema, with its SQL when the plan is plain DDL."""
    connection.set_schema(schema)
    try:
        executor = MigrationExecutor(connection)
        graph, applied = executor.loader.graph, executor.loader.applied_migrations
        # Every unapplied migration in dependency order (Django's migration_plan() skips gaps
        # behind an applied leaf; a town whose history has gaps must still be brought level).
        plan, seen = [], set()
        for leaf in graph.leaf_nodes():
            for key in graph.forwards_plan(leaf):
                if key not in applied and key not in seen:
                    seen.add(key)
                    plan.append((graph.nodes[key], False))
        sql_safe = all(
            migration.atomic
            and not backwards
            and all(isinstance(op, SQL_SAFE_OPERATIONS) for op in migration.operations)
            for migration, backwards in plan
        )
        post = any(
            isinstance(op, POST_MIGRATE_OPERATIONS) for migration, _b in plan for op in migration.operations
        )
        sql = None
        if sql_safe:
            try:
                sql = _collect_sql(executor, plan)
            except Exception:  # a plan we cannot collect is still migrated, the slow, always-correct way
                logger.exception("could not collect the SQL of %s's pending migrations: Django's migrate", schema)
        return Plan(migrations=plan, sql=sql, needs_post_migrate=post)
    finally:
        connection.set_schema_to_public()


def _collect_sql(executor: MigrationExecutor, plan: list) -> list[str]:
    """The plan's SQL, each migration applied to the state of everything before it.

    Django's loader.collect_sql starts from the state of the *first* migration's dependencies only
    (enough for `sqlmigrate` of one migration): a plan spanning apps that the first one does not
    depend on then fails on the others' models (KeyError in the migration state). Here the state is
    that of every migration the schema has applied."""
    graph, applied = executor.loader.graph, executor.loader.applied_migrations
    done = [key for key in applied if key in graph.nodes]
    real_apps = executor.loader.unmigrated_apps
    state = graph.make_state(nodes=done, at_end=True, real_apps=real_apps) if done else ProjectState(real_apps)
    statements: list[str] = []
    for migration, _backwards in plan:
        with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
            state = migration.apply(state, editor, collect_sql=True)
        statements.extend(editor.collected_sql)
    return statements


def apply_sql_plan(schema: str, plan: Plan) -> None:
    """Replay the collected DDL and record the history in one transaction of this thread's connection."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL search_path = "{schema}", public')
            statements = [s for s in plan.sql if s.strip() and not s.lstrip().startswith("--")]
            if statements:
                cursor.execute("\n".join(statements))
            cursor.executemany(
                f'INSERT INTO "{schema}".django_migrations (app, name, applied) VALUES (%s, %s, now())',  # noqa: S608
                [(m.app_label, m.name) for m, _b in plan.migrations],
            )
        connection.search_path_set_schemas = None
        if plan.needs_post_migrate:
            from django.core.management.sql import emit_post_migrate_signal

            with schema_context(schema):
                emit_post_migrate_signal(0, False, "default")
    finally:
        connection.search_path_set_schemas = None
        connection.set_schema_to_public()


def migrate_with_django(schema: str) -> None:
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
    connection.set_schema_to_public()


# A PostgreSQL backend keeps catalog caches of every schema it touched (~0.13 MB each): a deploy
# thread walking 2,000 towns on one connection would grow to a quarter gigabyte. Reconnect instead.
SCHEMAS_PER_CONNECTION = 100


def _migrate_slice(schemas: list[str], plan: Plan) -> list[tuple[str, str, str]]:
    results = []
    try:
        for index, schema in enumerate(schemas, start=1):
            results.append(_migrate_one(schema, plan))
            if index % SCHEMAS_PER_CONNECTION == 0:
                connection.close()
        return results
    finally:
        connections.close_all()  # this pool thread's connection


def _migrate_one(schema: str, plan: Plan) -> tuple[str, str, str]:
    try:
        if plan.sql is not None:
            apply_sql_plan(schema, plan)
            return schema, "sql", ""
        migrate_with_django(schema)
        return schema, "django", ""
    except Exception as exc:  # one town's failure must not stop the fleet; it is reported
        connection.set_schema_to_public()
        return schema, "failed", str(exc)[:500]


def migrate_fleet(*, jobs: int = 4, skip_public: bool = False, stdout=None) -> FleetReport:
    report = FleetReport()
    started = time.perf_counter()
    if not skip_public:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        connection.set_schema_to_public()
    report.seconds["public"] = time.perf_counter() - started

    mark = time.perf_counter()
    schemas = fleet_schemas()
    report.towns = len(schemas)
    expected = expected_digest()
    digests = history_digests(schemas)
    behind = [s for s, digest in digests.items() if digest != expected]
    report.up_to_date = len(schemas) - len(behind)
    report.seconds["check"] = time.perf_counter() - mark

    mark = time.perf_counter()
    groups: dict[str | None, list[str]] = defaultdict(list)
    for schema in behind:
        groups[digests[schema]].append(schema)
    for digest, members in groups.items():
        if digest is None:
            # No history at all (a schema that was never created): the ordinary way, one by one.
            plan = Plan(migrations=[], sql=None, needs_post_migrate=True)
        else:
            plan = plan_for(members[0])
            if not plan.migrations:
                # History rows of migrations no longer on disk (e.g. squashed away): nothing to do.
                report.up_to_date += len(members)
                continue
        if stdout:
            how = "SQL replay" if plan.sql is not None else "Django migrate"
            stdout.write(f"{len(members)} town(s) behind by {len(plan.migrations)} migration(s): {how}\n")
        if jobs <= 1:
            # Inline, on this connection (also what tests use: they see their own transaction).
            results = [_migrate_one(s, plan) for s in members]
        else:
            # Each thread takes a slice and keeps its one connection for all of it (a new
            # connection per town would cost more than the town's own work).
            slices = [members[i::jobs] for i in range(jobs) if members[i::jobs]]
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                results = [
                    r for chunk in pool.map(lambda c, p=plan: _migrate_slice(c, p), slices) for r in chunk
                ]
        for schema, how, error in results:
            if how == "sql":
                report.migrated_by_sql += 1
            elif how == "django":
                report.migrated_by_django += 1
            else:
                report.failed[schema] = error
    report.seconds["towns"] = time.perf_counter() - mark

    mark = time.perf_counter()
    template = SchemaTemplate.objects.filter(schema_name=schema_template.TEMPLATE_SCHEMA).first()
    if template is None or template.fingerprint != schema_template.code_fingerprint():
        schema_template.build_template()
        report.template_rebuilt = True
    # Pooled schemas of the old code are dropped and replaced by current ones.
    schema_template.refill_pool(schema_template.pool_size())
    report.seconds["template"] = time.perf_counter() - mark
    report.seconds["total"] = time.perf_counter() - started
    return report
