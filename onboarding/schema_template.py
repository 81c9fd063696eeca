"""New town schemas from a template kept at the current migration state.

Once per deploy (`migrate_fleet`, or the first provisioning after a code change) a schema named
TEMPLATE_SCHEMA is migrated like any town, and pg_dump captures its DDL and seed rows (migration
history, content types, permissions, role groups) as one SQL script with the schema name replaced
by a placeholder. A new town replays that script in one transaction: ~0.1–0.3 s instead of running
every migration. Every object is schema-qualified in the script, so functions and triggers (the
audit trail's append-only trigger, services/common 0002) are created in, and bound to, the new
town's own schema.

The guard: the template records a fingerprint of the code it was built from (tenant migration
files, every model's permissions, the roles' declared permissions). A template whose fingerprint
differs from the running code's is refused (StaleTemplate) and the caller falls back to migrations.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_exists

from .models import ReadySchema, SchemaTemplate
from .pg_tools import dump_schema

TEMPLATE_SCHEMA = "thongthin_template"
PLACEHOLDER = "__thongthin_schema__"
# pg_advisory_lock key for template builds (any constant; "tt-tmpl").
TEMPLATE_LOCK_KEY = 0x7474_746D_706C


class StaleTemplate(RuntimeError):
    """The captured template does not match the running code (or there is none)."""


def tenant_app_labels() -> frozenset[str]:
    names = set(settings.TENANT_APPS)
    return frozenset(c.label for c in apps.get_app_configs() if c.name in names)


@functools.cache
def expected_tenant_migrations() -> frozenset[tuple[str, str]]:
    """(app_label, name) of every migration a town schema records as applied, read from disk.

    That is every app's, not only tenant apps': `migrate` in a town schema records shared apps'
    migrations too (their operations are skipped by the tenant router)."""
    from django.db.migrations.loader import MigrationLoader

    return frozenset(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


@functools.cache
def code_fingerprint() -> str:
    """Hash of everything that decides what a freshly migrated town schema contains."""
    from django.db.migrations.loader import MigrationLoader

    from services.accounts.roles import declared_permissions

    digest = hashlib.sha256()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        migration = loader.disk_migrations[key]
        digest.update(f"{key[0]}.{key[1]}\n".encode())
        source = getattr(sys.modules.get(migration.__module__), "__file__", None)
        if source:
            digest.update(Path(source).read_bytes())
    # post_migrate writes content types and permissions of every installed model, and the roles.
    models = sorted(
        (
            m._meta.app_label,
            m._meta.model_name,
            sorted(str(p[0]) for p in m._meta.permissions),
            list(m._meta.default_permissions),
        )
        for m in apps.get_models(include_auto_created=True)
    )
    digest.update(json.dumps(models).encode())
    grants = {role: sorted(perms) for role, perms in sorted(declared_permissions().items())}
    digest.update(json.dumps(grants).encode())
    return digest.hexdigest()


def applied_migrations(schema: str) -> frozenset[tuple[str, str]]:
    with connection.cursor() as cursor:
        # to_regclass is one index probe; information_schema.tables runs a privilege check on
        # every schema's django_migrations (7,850 of them in a country-sized catalog).
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".django_migrations'])
        if cursor.fetchone()[0] is None:
            return frozenset()
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')  # noqa: S608 (validated name)
        return frozenset(cursor.fetchall())


def is_fully_migrated(schema: str) -> bool:
    return expected_tenant_migrations() <= applied_migrations(schema)


# --- capture ----------------------------------------------------------------------------------------

_HEADER_NOISE = re.compile(r"^(SET \w+ = .*;|SELECT pg_catalog\.set_config\(.*\);)$")
# psql meta-commands newer pg_dump versions wrap the script in (\restrict <key> … \unrestrict <key>).
_ANYWHERE_NOISE = re.compile(r"^(SET default_(tablespace|table_access_method) = .*;|\\(un)?restrict \S+)$")


def to_replay_script(dump: str, schema: str) -> str:
    """Turn a pg_dump of `schema` into a script that creates the same objects in any schema.

    Only pg_dump's session settings are dropped (they would outlive the transaction); comments
    stay, since removing lines could change the text of a function body."""
    lines = [
        line for line in dump.splitlines() if not (_HEADER_NOISE.match(line) or _ANYWHERE_NOISE.match(line))
    ]
    script = "\n".join(lines)
    return re.sub(rf"(?<![\w$]){re.escape(schema)}(?![\w$])", PLACEHOLDER, script)


def build_template(*, verbosity: int = 0) -> SchemaTemplate:
    """Migrate a fresh template schema and capture it. Must run outside a transaction (pg_dump reads
    committed data); serialised by an advisory lock so two deploys never build at once."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_KEY])
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{TEMPLATE_SCHEMA}" CASCADE')
            cursor.execute(f'CREATE SCHEMA "{TEMPLATE_SCHEMA}"')
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=TEMPLATE_SCHEMA,
            interactive=False,
            verbosity=verbosity,
        )
        connection.set_schema_to_public()
        if not is_fully_migrated(TEMPLATE_SCHEMA):
            raise RuntimeError("the template schema did not reach the current migration state")
        script = to_replay_script(dump_schema(TEMPLATE_SCHEMA), TEMPLATE_SCHEMA)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
                [TEMPLATE_SCHEMA],
            )
            tables = cursor.fetchone()[0]
        template, _created = SchemaTemplate.objects.update_or_create(
            schema_name=TEMPLATE_SCHEMA,
            defaults={
                "fingerprint": code_fingerprint(),
                "ddl": script,
                "table_count": tables,
                "statement_count": script.count(";\n") + 1,
                "build_seconds": round(time.perf_counter() - started, 3),
            },
        )
        return template
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK_KEY])


def current_template() -> SchemaTemplate:
    """The captured template, if it matches the running code; StaleTemplate otherwise."""
    template = SchemaTemplate.objects.filter(schema_name=TEMPLATE_SCHEMA).first()
    if template is None:
        raise StaleTemplate("no template has been captured yet (run `manage.py migrate_fleet`)")
    if template.fingerprint != code_fingerprint():
        raise StaleTemplate(
            f"the template was built from other code "
            f"({template.fingerprint[:12]} ≠ {code_fingerprint()[:12]}); "
            "run `manage.py migrate_fleet` to rebuild it"
        )
    return template


def ensure_template(*, verbosity: int = 0) -> SchemaTemplate:
    """The current template, building it first when it is missing or stale."""
    try:
        return current_template()
    except StaleTemplate:
        return build_template(verbosity=verbosity)


def replay_template(schema: str, template: SchemaTemplate | None = None) -> None:
    """Create `schema` with exactly the template's objects and seed rows, in one transaction."""
    template = template or current_template()
    if template.fingerprint != code_fingerprint():
        raise StaleTemplate("refusing a stale template")
    script = template.ddl.replace(PLACEHOLDER, f'"{schema}"')
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # As pg_dump restores: nothing resolved through the caller's search_path.
            cursor.execute("SET LOCAL search_path = pg_catalog")
            cursor.execute("SET LOCAL check_function_bodies = false")
            cursor.execute(script)
            cursor.execute("SET LOCAL check_function_bodies = true")
    finally:
        # SET LOCAL lasts until the outermost transaction ends (a caller may hold one): make
        # django-tenants issue its own SET search_path on the next cursor.
        connection.search_path_set_schemas = None


def migrate_schema(schema: str, *, verbosity: int = 0) -> None:
    """The fallback: create (if needed) and migrate `schema` the slow, always-correct way."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()


# --- the warm pool ----------------------------------------------------------------------------------

POOL_PREFIX = "thongthin_ready_"


def pool_size() -> int:
    """How many ready schemas to keep (ONBOARDING_POOL_SIZE, default 3; 0 turns the pool off)."""
    import os

    return int(getattr(settings, "ONBOARDING_POOL_SIZE", os.environ.get("ONBOARDING_POOL_SIZE", "3")))


def claim_ready_schema(schema: str) -> bool:
    """Rename a pooled, current schema to `schema` (a catalog update: milliseconds). False when the
    pool is empty. Rows are taken with SKIP LOCKED, so concurrent provisionings never wait for or
    share one. Renaming is safe: triggers, defaults and sequences refer to objects by OID."""
    with transaction.atomic():
        ready = (
            ReadySchema.objects.select_for_update(skip_locked=True)
            .filter(fingerprint=code_fingerprint())
            .order_by("id")
            .first()
        )
        if ready is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{ready.schema_name}" RENAME TO "{schema}"')
        ready.delete()
    return True


def refill_pool(size: int) -> int:
    """Drop pooled schemas of other code versions and replay new ones up to `size`; returns how many
    were made. Needs a current template (StaleTemplate otherwise)."""
    import uuid

    template = current_template()
    stale = list(
        ReadySchema.objects.exclude(fingerprint=template.fingerprint).values_list("schema_name", flat=True)
    )
    with connection.cursor() as cursor:
        for name in stale:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    ReadySchema.objects.filter(schema_name__in=stale).delete()
    made = 0
    while ReadySchema.objects.filter(fingerprint=template.fingerprint).count() < size:
        name = POOL_PREFIX + uuid.uuid4().hex[:16]
        with transaction.atomic():
            replay_template(name, template)
            ReadySchema.objects.create(schema_name=name, fingerprint=template.fingerprint)
        made += 1
    return made


def create_town_schema(schema: str, *, allow_fallback: bool = True, use_pool: bool = True) -> str:
    """Make `schema` a complete town schema; returns how: "pool", "template", "migrations" or
    "existing". Idempotent: a complete schema is left alone, a half-migrated one is finished by
    migrations."""
    if schema_exists(schema):
        if is_fully_migrated(schema):
            return "existing"
        migrate_schema(schema)
        return "migrations"
    if use_pool and claim_ready_schema(schema):
        return "pool"
    try:
        replay_template(schema)
        return "template"
    except StaleTemplate:
        if not allow_fallback:
            raise
        migrate_schema(schema)
        return "migrations"
