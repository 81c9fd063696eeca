"""Every index in a town schema earns its place: each is at least one 8 KB page and a dozen catalog
rows in every one of thousands of schemas (docs/benchmarks.md, The whole country).

1. No `_like` (pattern-ops) index twin except on the columns searched by prefix
   (tenants/postgresql_backend/schema.py, PREFIX_SEARCHED).
2. Every `__startswith` lookup in the code is on such a column (else it reads the whole table).
3. No plain index whose columns lead another index of the same table: the wider index (or the
   unique constraint) serves the same lookups. Only tables whose migrations we do not write are
   excused, each with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, models
from django.test.utils import isolate_apps

from tenants.postgresql_backend.schema import PREFIX_SEARCHED

ROOT = Path(settings.BASE_DIR)
PATTERN_OPCLASSES = ("varchar_pattern_ops", "text_pattern_ops")

# Table → why a narrower index beside a wider one is left there.
REDUNDANT_EXCUSED = {
    "auth_permission": "django.contrib.auth's own migrations",
    "auth_group_permissions": "django.contrib.auth's auto-created many-to-many table",
    "accounts_user_groups": "the auto-created table of User.groups (AbstractUser)",
    "accounts_user_user_permissions": "the auto-created table of User.user_permissions (AbstractUser)",
    "axes_accessattempt": "django-axes' own migrations",
    "casework_inspection_photos": "an auto-created many-to-many table (no model of ours to declare it on)",
}


def pattern_indexes(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, a.attname
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
            JOIN pg_opclass o ON o.oid = i.indclass[0]
            WHERE n.nspname = %s AND o.opcname = ANY(%s)
            """,
            [schema, list(PATTERN_OPCLASSES)],
        )
        return set(cursor.fetchall())


def redundant_indexes(schema: str) -> set[tuple[str, str, str]]:
    """(table, narrow index, wider index) where the narrow one is plain and its columns (with the
    same operator classes) are the leading columns of the wider one."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH ix AS (
                SELECT i.indrelid, i.indexrelid, c.relname AS name, t.relname AS tab, i.indisunique AS uniq,
                       string_to_array(i.indkey::text, ' ') AS cols,
                       string_to_array(i.indclass::text, ' ') AS ops,
                       i.indpred IS NULL AND i.indexprs IS NULL AS plain
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s
            )
            SELECT a.tab, a.name, b.name
            FROM ix a JOIN ix b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
            WHERE a.plain AND NOT a.uniq AND b.plain
              AND b.cols[1:cardinality(a.cols)] = a.cols AND b.ops[1:cardinality(a.ops)] = a.ops
              AND (cardinality(b.cols) > cardinality(a.cols) OR b.uniq OR b.indexrelid < a.indexrelid)
            """,
            [schema],
        )
        return set(cursor.fetchall())


def test_a_town_has_pattern_indexes_only_where_prefixes_are_searched(town_a):
    found = pattern_indexes(town_a.schema_name)
    assert found, "the town has none at all: the query no longer finds pattern-ops indexes"
    assert found <= PREFIX_SEARCHED, f"unused _like twins: {sorted(found - PREFIX_SEARCHED)}"


def test_the_public_schema_too(db):
    assert pattern_indexes("public") <= PREFIX_SEARCHED


def test_no_index_of_ours_is_the_prefix_of_another(town_a):
    found = {(table, narrow, wide) for table, narrow, wide in redundant_indexes(town_a.schema_name)}
    assert {table for table, _, _ in found} >= {"auth_permission"}, "the query no longer sees a known case"
    ours = sorted(row for row in found if row[0] not in REDUNDANT_EXCUSED)
    assert not ours, f"indexes another index already serves (set db_index=False on the field): {ours}"


def test_every_prefix_lookup_is_on_a_prefix_indexed_column():
    searched_columns = {column for _, column in PREFIX_SEARCHED}
    lookup = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)__startswith\b")
    offending = []
    for top in ("tenants", "onboarding", "services", "api", "platform"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in lookup.finditer(path.read_text(encoding="utf-8")):
                column = match.group(1).split("__")[-1]
                if column not in searched_columns:
                    offending.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not offending, f"add the column to PREFIX_SEARCHED (and its index): {offending}"


@pytest.mark.django_db
@isolate_apps("services.common")
def test_the_schema_editor_makes_a_twin_only_for_a_listed_column():
    class Plain(models.Model):
        code = models.CharField(max_length=20, unique=True)

        class Meta:
            app_label = "common"
            db_table = "common_bench_plain"

        def __str__(self):
            return self.code

    class Listed(models.Model):
        idempotency_key = models.CharField(max_length=200, unique=True)

        class Meta:
            app_label = "common"
            db_table = "common_outboxmessage"

        def __str__(self):
            return self.idempotency_key

    with connection.schema_editor(collect_sql=True) as editor:
        editor.create_model(Plain)
    assert not [sql for sql in editor.collected_sql if "pattern_ops" in sql]
    with connection.schema_editor(collect_sql=True) as editor:
        editor.create_model(Listed)
    assert [sql for sql in editor.collected_sql if "varchar_pattern_ops" in sql]
